"""Reader of the VRML 2.0 ``IndexedFaceSet`` files of BU-3DFE and BU-4DFE.

The files look like::

    #VRML V2.0 utf8
    #Tricorder Technology plc - 2000
    DEF Tricorder_object Transform { children [ Shape {
      appearance Appearance { texture ImageTexture { url "F0001.bmp" } }
      geometry IndexedFaceSet { ccw TRUE solid FALSE creaseAngle 1.57
        coord Coordinate { point [ x y z, x y z, ... ] }
        coordIndex [ a b c -1, a b c d -1, ... ]
        texCoord TextureCoordinate { point [ u v, ... ] }
        texCoordIndex [ ... ] } } ] }
    DEF Tricorder_Camera_Front Viewpoint { ... }   # ignored

Regular expressions find the four lists, each converted by one ``np.fromstring``; polygons are
fan triangulated with array arithmetic; several ``IndexedFaceSet`` nodes are merged. Tolerated
(docs/datasets.md): commas, blanks and newlines as separators, a missing last comma or final
``-1``, ``#`` comments anywhere.
"""
import re
from pathlib import Path

import numpy as np

from smilezoo.structures import Mesh, ScanFormatError

from .polygons import fan_triangles

__all__ = ['read_vrml']

_HEADER = b'#VRML V2.0'
# Keyword patterns; each starts with a literal that bytes.find locates fast.
_FACE_SET = re.compile(rb'IndexedFaceSet\b')
_COORD = re.compile(rb'coord\s+(?:DEF\s+\S+\s+)?Coordinate\s*\{')
_TEX_COORD = re.compile(rb'texCoord\s+(?:DEF\s+\S+\s+)?TextureCoordinate\s*\{')
_POINT = re.compile(rb'point\s*\[')
_COORD_INDEX = re.compile(rb'coordIndex\s*\[')
_TEX_COORD_INDEX = re.compile(rb'texCoordIndex\s*\[')
_TEXTURE_URL = re.compile(rb'ImageTexture\s*\{[^}]*?\burl\s*\[?\s*"([^"]*)"')
_WORD_CHARS = frozenset(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')
_COMMENT = re.compile(rb'"[^"\n]*"|#[^\n]*')
# the leading ``#`` lines (header, Tricorder line) and blank lines
_LEADING_COMMENTS = re.compile(rb'(?:[ \t\r\n]*#[^\n]*\n?)*[ \t\r\n]*')
_TOKEN = re.compile(rb'[^\s,]+')


def read_vrml(path) -> Mesh:
    """Read a BU-3DFE / BU-4DFE ``.wrl`` file.

    Returns:
        Mesh with ``vertices`` (V, 3) float32 (millimetres), ``faces`` (F, 3) int64,
        ``texcoords`` (T, 2) float32 and ``face_texcoords`` (F, 3) int64 when the file has a
        consistent ``texCoord`` / ``texCoordIndex`` (else None), and ``texture`` the
        ImageTexture url (else None).

    Raises:
        FileNotFoundError: the file does not exist.
        ScanFormatError: not a readable VRML 2.0 face set; the message names the file and the
            fault.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'VRML file not found: {path}')
    data = _check_header(path, path.read_bytes())
    if data.find(b'#', _LEADING_COMMENTS.match(data).end()) >= 0:
        # comments are dropped (quoted strings kept), newlines kept (error messages give lines)
        data = _COMMENT.sub(lambda m: m[0] if m[0][:1] == b'"' else b'', data)
    starts, pos = [], 0
    while (found := _search(data, _FACE_SET, pos)) is not None:
        starts.append(found.start())
        pos = found.end()
    if not starts:
        raise ScanFormatError(path, 'no IndexedFaceSet node in the file')
    parts = [_parse_face_set(path, data, start, end)
             for start, end in zip(starts, starts[1:] + [len(data)])]
    _check_balanced(path, data)
    mesh = _merge(parts)
    url = _search(data, _TEXTURE_URL)
    if url is not None:
        mesh.texture = url.group(1).decode('utf-8', errors='replace')
    return mesh


def _search(data: bytes, pattern, start: int = 0, end: int = None):
    """First match of ``pattern`` at a word start in ``data[start:end]``; bytes.find jumps to
    each occurrence of its literal prefix (much faster than ``re.search`` over megabytes)."""
    end = len(data) if end is None else end
    literal = re.match(rb'[A-Za-z]+', pattern.pattern).group(0)
    pos = data.find(literal, start, end)
    while pos >= 0:
        if pos == 0 or data[pos - 1] not in _WORD_CHARS:
            match = pattern.match(data, pos, end)
            if match is not None:
                return match
        pos = data.find(literal, pos + 1, end)
    return None


def _check_header(path, data: bytes) -> bytes:
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    if not data or data.isspace():
        raise ScanFormatError(path, 'empty file (expected a VRML 2.0 file)')
    if not data.startswith(_HEADER):
        first = data.split(b'\n', 1)[0][:40].decode('utf-8', 'replace')
        raise ScanFormatError(path, f"missing '#VRML V2.0 utf8' header: the file starts with "
                                    f'{first!r}')
    return data


def _check_balanced(path, data: bytes) -> None:
    for open_, close in ((b'{', b'}'), (b'[', b']')):
        unclosed = data.count(open_) - data.count(close)
        if unclosed > 0:
            raise ScanFormatError(path, f"truncated file: {unclosed} '{open_.decode()}' never "
                                  f"closed by '{close.decode()}' before the end of the file")


def _parse_face_set(path, data: bytes, start: int, end: int):
    """One IndexedFaceSet -> (vertices, faces, texcoords|None, ftc|None)."""
    coord = _search(data, _COORD, start, end)
    if coord is None:
        raise ScanFormatError(path, "IndexedFaceSet has no 'coord Coordinate {' node")
    point = _node_list(data, coord.end(), end)
    if point is None:
        raise ScanFormatError(path, "coord Coordinate node has no 'point [' list")
    points = _number_list(path, data, point, 'coord point', np.float64)
    if points.size % 3:
        raise ScanFormatError(path, f'coord point list has {points.size} numbers, not a '
                                    'multiple of 3 (x y z per vertex)')
    vertices = points.reshape(-1, 3).astype(np.float32)
    if not np.isfinite(vertices).all():
        raise ScanFormatError(path, 'coord point list has nan or inf values')

    index = _search(data, _COORD_INDEX, start, end)
    if index is None:
        raise ScanFormatError(path, "IndexedFaceSet has no 'coordIndex [' list")
    indices = _number_list(path, data, index.end(), 'coordIndex', np.int64)
    if len(vertices) == 0 or indices.size == 0:
        raise ScanFormatError(path, f'empty geometry: {len(vertices)} vertices and '
                                    f'{indices.size} coordIndex entries')
    faces, sizes = _triangulate(path, indices, 'coordIndex')
    top = int(faces.max())
    if top >= len(vertices):
        raise ScanFormatError(path, f'coordIndex: index {top} is past the end of the point list '
                                    f'(max index {top}, only {len(vertices)} vertices)')

    texcoords = face_texcoords = None
    tex = _search(data, _TEX_COORD, start, end)
    tex_point = _node_list(data, tex.end(), end) if tex else None
    if tex_point is not None:
        uv = _number_list(path, data, tex_point, 'texCoord point', np.float64)
        if uv.size % 2 == 0 and uv.size:
            texcoords = uv.reshape(-1, 2).astype(np.float32)
    tex_index = _search(data, _TEX_COORD_INDEX, start, end)
    if texcoords is not None and tex_index is not None:
        tex_indices = _number_list(path, data, tex_index.end(), 'texCoordIndex', np.int64)
        face_texcoords = _texture_faces(tex_indices, sizes, len(texcoords))
    elif texcoords is not None and len(texcoords) == len(vertices):
        # VRML: without texCoordIndex, coordIndex indexes the texcoords
        face_texcoords = faces.copy()
    return vertices, faces, texcoords, face_texcoords


def _node_list(data: bytes, begin: int, end: int):
    """Offset just past the ``point [`` of the node opened before ``begin``."""
    point = _search(data, _POINT, begin, end)
    close = data.find(b'}', begin, end)
    return None if point is None or 0 <= close < point.start() else point.end()


def _number_list(path, data: bytes, begin: int, what: str, dtype):
    """Parse the numbers between ``data[begin]`` and the next ``]``."""
    close = data.find(b']', begin)
    if close < 0:
        raise ScanFormatError(path, f"truncated file: the {what} list opened at line "
                                    f"{_line(data, begin)} is never closed by ']'")
    block = data[begin:close]
    reopened = block.find(b'[')
    if reopened >= 0:
        raise ScanFormatError(path, f"truncated or malformed {what} list opened at line "
                                    f"{_line(data, begin)}: a new '[' at line "
                                    f"{_line(data, begin + reopened)} before its closing ']'")
    block = block.replace(b',', b' ')
    word = np.frombuffer(block, np.uint8) > 32
    if not word.any():  # empty or blank
        return np.zeros(0, dtype)
    n_tokens = int(np.count_nonzero(word[1:] & ~word[:-1])) + int(word[0])
    try:
        values = np.fromstring(block, dtype=dtype, sep=' ')
    except ValueError:
        values = None
    tail = block[-256:].rstrip() or block.rstrip()
    if values is None or values.size != n_tokens or tail[-1:] in (b'-', b'+'):
        _raise_bad_token(path, data, begin, block, what, dtype)
    return values


def _raise_bad_token(path, data, begin, block, what, dtype):
    convert = int if dtype == np.int64 else float
    kind = 'integer' if dtype == np.int64 else 'numeric'
    for match in _TOKEN.finditer(block):
        try:
            convert(match.group(0))
        except ValueError:
            token = match.group(0)[:30].decode('utf-8', 'replace')
            raise ScanFormatError(path, f'non-{kind} token {token!r} in the {what} list at line '
                                        f'{_line(data, begin + match.start())}') from None
    raise ScanFormatError(path, f'unparsable {what} list at line {_line(data, begin)}')


def _line(data: bytes, offset: int) -> int:
    return data.count(b'\n', 0, offset) + 1


def _split_polygons(indices: np.ndarray):
    """-1 separated index list -> (starts (P,), sizes (P,)) or a message."""
    ends = np.flatnonzero(indices < 0)
    if ends.size and (indices[ends] != -1).any():
        bad = int(indices[ends][indices[ends] != -1][0])
        return None, f'negative index {bad} (only -1 may end a polygon)'
    if ends.size == 0 or ends[-1] != indices.size - 1:
        ends = np.append(ends, indices.size)  # final -1 missing
    starts = np.concatenate(([0], ends[:-1] + 1))
    return starts, ends - starts


def _triangulate(path, indices: np.ndarray, what: str):
    """Fan-triangulate a -1 separated polygon list: ((F, 3) int64, sizes)."""
    starts, sizes = _split_polygons(indices)
    if starts is None:
        raise ScanFormatError(path, f'{what}: {sizes}')
    small = np.flatnonzero(sizes < 3)
    if small.size:
        k = int(small[0])
        raise ScanFormatError(path, f'{what}: polygon {k} has {int(sizes[k])} vertices (a '
                                    f'polygon needs at least 3); {small.size} such polygon(s)')
    return fan_triangles(indices, starts, sizes), sizes


def _texture_faces(tex_indices, sizes, n_texcoords):
    """texCoordIndex triangulated like coordIndex, or None if inconsistent."""
    if tex_indices.size == 0:
        return None
    starts, tex_sizes = _split_polygons(tex_indices)
    if starts is None or not np.array_equal(tex_sizes, sizes):
        return None
    faces = fan_triangles(tex_indices, starts, tex_sizes)
    return None if faces.min() < 0 or faces.max() >= n_texcoords else faces


def _merge(parts) -> Mesh:
    if len(parts) == 1:
        return Mesh(*parts[0])
    offsets = np.cumsum([0] + [len(p[0]) for p in parts[:-1]])
    vertices = np.concatenate([p[0] for p in parts])
    faces = np.concatenate([p[1] + o for p, o in zip(parts, offsets)])
    texcoords = face_texcoords = None
    if all(p[3] is not None for p in parts):
        tex_offsets = np.cumsum([0] + [len(p[2]) for p in parts[:-1]])
        texcoords = np.concatenate([p[2] for p in parts])
        face_texcoords = np.concatenate([p[3] + o for p, o in zip(parts, tex_offsets)])
    return Mesh(vertices, faces, texcoords, face_texcoords)
