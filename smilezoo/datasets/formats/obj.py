"""Wavefront ``.obj`` reader and writer (BP4D-Spontaneous and 4DME frames).

Read: ``v x y z [w | r g b]``, ``vt u v [w]``, ``vn``, faces in every form (``f v``, ``f v/vt``,
``f v/vt/vn``, ``f v//vn``, mixed within a file), 1-based and negative (relative: -1 is the last
vertex defined *before* the face line) indices, polygons of any size (fan-triangulated), ``#``
comments, CRLF line ends, indented lines and ``\\`` line continuations. Other keywords
(``mtllib``, ``usemtl``, ``o``, ``g``, ``s``, ...) are ignored, and so are ``vn`` lines and normal
indices (renderers compute normals). A bad ``vt`` line or index drops the texture (as read_vrml
does); any fault in ``v`` lines or vertex indices raises.

Truncated files are refused, not read as a partial mesh (:func:`_check_complete`):

1. the last line is a ``v``, ``vt``, ``vn`` or ``f`` record without a line end: the file was cut
   inside it (``f 1 2 34`` -> ``f 1 2 3``). Every exporter we know (open3d, MeshLab, Blender,
   trimesh, 3ds Max, :func:`write_obj`) ends each line with a newline; a last comment or blank
   line without one is accepted;
2. fewer ``v`` or ``f`` lines than the count comments declare: ``# number of vertices: N`` /
   ``# number of triangles: N`` (open3d; :func:`write_obj` writes ``# number of faces: N``),
   ``# Vertices: N`` / ``# Faces: N`` (MeshLab), ``# N vertices`` / ``# N faces`` after each
   object (3ds Max; summed). More lines than declared is accepted (a stale comment cuts nothing);
3. ``vt`` lines but no ``f`` line: the face list is missing (a point cloud has ``v`` and maybe
   ``vn`` lines only).

Limits (docs/faq.md): a file cut exactly at a line end, by a writer without count comments
(Blender, trimesh) or whose face count follows the faces (3ds Max), reads as the mesh it holds.

The parse is vectorised: lines are classified from their first bytes, each element type is cut
out as a few byte blocks, each converted by one ``np.fromstring``; per-line structure (counts,
slash forms, polygon sizes) comes from array arithmetic, not a Python loop per line.
"""
import re
import warnings
from pathlib import Path
from typing import Optional

import numpy as np

from smilezoo.structures import Mesh, ScanFormatError
from smilezoo.utils.atomic_io import write_bytes_atomic

from .polygons import fan_triangles
from .vrml_writer import PolygonsLike

__all__ = ['read_obj', 'write_obj']

_V, _VT, _VN, _F, _OTHER = 0, 1, 2, 3, 4

_SPACE, _SLASH, _NEWLINE = 32, 47, 10


def read_obj(path) -> Mesh:
    """Read a Wavefront ``.obj`` mesh.

    Returns:
        Mesh with ``vertices`` (V, 3) float32 (``w`` or per-vertex colours after x y z are
        dropped), ``faces`` (F, 3) int64 0-based (None for a file without ``f`` lines, i.e. a
        point cloud), ``texcoords`` (T, 2) float32 and ``face_texcoords`` (F, 3) int64 when every
        face corner has a valid ``vt`` index and every ``vt`` line has u and v (else both None).

    Raises:
        FileNotFoundError: no such file.
        ScanFormatError: no vertices, a vertex line without 3 numbers, a malformed face, a face of
            fewer than 3 corners, index 0, an index out of range, or a truncated file (the rule
            of the module docstring); the message names the file and the line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'OBJ file not found: {path}')
    data = _normalise(path.read_bytes())
    kind, starts, ends, indented = _classify(data)
    if indented:  # rare: strip the leading blanks of every line, reclassify
        data = b'\n'.join(line.lstrip(b' \t') for line in data.split(b'\n'))
        kind, starts, ends, _ = _classify(data)
    counts = [int(np.count_nonzero(kind == k)) for k in (_V, _VT, _VN)]
    if counts[0] == 0:
        raise ScanFormatError(path, 'no vertices: the file has no "v x y z" lines')
    _check_complete(path, data, kind, starts, ends)
    vertices = _vertex_rows(path, data, kind, starts, ends, _V, 3)
    if not np.isfinite(vertices.astype(np.float32)).all():  # float32: 1e39 is inf
        raise ScanFormatError(path, 'vertex coordinates contain nan or inf (or a number '
                                    'beyond the float32 range)')
    texcoords = None
    if counts[1]:
        try:  # texture is optional for us: a bad vt block only drops it
            texcoords = _vertex_rows(path, data, kind, starts, ends, _VT, 2)
        except ScanFormatError:
            texcoords = None
    faces = face_tex = None
    if np.any(kind == _F):
        faces, face_tex = _faces(path, data, kind, starts, ends, counts)
    return Mesh(vertices.astype(np.float32), faces,
                None if texcoords is None else texcoords.astype(np.float32),
                face_tex if texcoords is not None else None)


# --- lines ---
def _normalise(data: bytes) -> bytes:
    """Drop a BOM and join ``\\`` line continuations."""
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    if b'\\' in data:
        data = data.replace(b'\\\r\n', b'   ').replace(b'\\\n', b'  ')
    return data


def _classify(data: bytes):
    """Per line: kind (L,) int8, byte range [start, end) without the newline (L,) each, and
    whether some line starts with a blank."""
    buf = np.frombuffer(data, np.uint8)
    newlines = np.flatnonzero(buf == _NEWLINE)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(buf)]))
    padded = np.concatenate((buf, np.zeros(3, np.uint8)))
    c0, c1, c2 = padded[starts], padded[starts + 1], padded[starts + 2]
    blank1 = (c1 <= _SPACE) & (c1 != 0)  # keyword ends after 1 char
    blank2 = (c2 <= _SPACE) & (c2 != 0)
    kind = np.full(len(starts), _OTHER, np.int8)
    kind[(c0 == ord('v')) & blank1] = _V
    kind[(c0 == ord('v')) & (c1 == ord('t')) & blank2] = _VT
    kind[(c0 == ord('v')) & (c1 == ord('n')) & blank2] = _VN
    kind[(c0 == ord('f')) & blank1] = _F
    indented = bool(np.any((c0 == _SPACE) | (c0 == 9)))
    return kind, starts, ends, indented


def _block(data: bytes, kind, starts, ends, which: int):
    """Bytes of every line of one kind (joined by newlines, keyword blanked, comments dropped)
    and their 0-based line numbers (L_k,)."""
    lines = np.flatnonzero(kind == which)
    breaks = np.flatnonzero(np.diff(lines) != 1) + 1
    runs = np.split(lines, breaks)  # contiguous runs: usually one
    block = b'\n'.join(data[starts[r[0]]:ends[r[-1]]] for r in runs)
    keyword = {_V: b'v', _VT: b'vt', _VN: b'vn', _F: b'f'}[which]
    block = block.replace(keyword, b' ' * len(keyword))
    if b'#' in block:  # trailing comments: keep the newline
        block = b'\n'.join(line.split(b'#', 1)[0] for line in block.split(b'\n'))
    return block, lines


def _tokens(block: bytes):
    """Token start offsets (K,) of a block and the line index of each token (K,) within it."""
    buf = np.frombuffer(block, np.uint8)
    first = np.flatnonzero(np.diff((buf > _SPACE).view(np.int8), prepend=np.int8(0)) == 1)
    newlines = np.flatnonzero(buf == _NEWLINE)
    return first, np.searchsorted(newlines, first)


def _parse_numbers(block: bytes, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # numpy warns on a bad token
        try:
            return np.fromstring(block, dtype=dtype, sep=' ')
        except ValueError:
            return np.zeros(0, dtype)


def _vertex_rows(path, data, kind, starts, ends, which, width):
    """First ``width`` numbers of each line of kind ``which``: (L, width)."""
    block, lines = _block(data, kind, starts, ends, which)
    values = _parse_numbers(block, np.float64)
    first, line = _tokens(block)
    per_line = np.bincount(line, minlength=len(lines))
    if values.size != first.size or (per_line < width).any():
        bad = _first_bad_line(block, width)
        name = 'vertex' if which == _V else 'texture coordinate'
        raise ScanFormatError(path, f'line {lines[bad] + 1}: malformed {name} '
                              f'{_line_text(data, starts, ends, lines[bad])!r} (needs '
                              f'{width} numbers)')
    if (per_line == width).all():
        return values.reshape(-1, width)
    offset = np.cumsum(per_line) - per_line
    return values[offset[:, None] + np.arange(width)]


def _first_bad_line(block: bytes, min_numbers: int) -> int:
    """Slow path for the error message: index of the first bad line."""
    for i, line in enumerate(block.split(b'\n')):
        try:
            if len([float(p) for p in line.split()]) < min_numbers:
                return i
        except ValueError:
            return i
    return 0


def _line_text(data, starts, ends, line: int) -> str:
    return data[starts[line]:ends[line]].strip()[:80].decode('utf-8', 'replace')


# --- truncation ---
_NUM = rb'[ \t]*(\d+)[ \t]*\r?$'
_DECLARED = {  # what a count comment counts -> its forms (whole comment lines)
    'vertices': re.compile(rb'(?im)^[ \t]*#[ \t]*(?:number of vertices|vertices)[ \t]*:'
                           + _NUM + rb'|^[ \t]*#[ \t]*(\d+)[ \t]+vertices[ \t]*\r?$'),
    'faces': re.compile(rb'(?im)^[ \t]*#[ \t]*(?:number of (?:triangles|faces|polygons)|'
                        rb'faces|triangles|polygons)[ \t]*:' + _NUM +
                        rb'|^[ \t]*#[ \t]*(\d+)[ \t]+(?:faces|triangles|polygons)[ \t]*\r?$'),
}


def _check_complete(path, data: bytes, kind, starts, ends) -> None:
    """Refuse a truncated file (rules 1-3 of the module docstring)."""
    last = len(starts) - 1
    if not data.endswith((b'\n', b'\r')) and kind[last] != _OTHER:
        raise ScanFormatError(
            path, f'line {last + 1}: the last record {_line_text(data, starts, ends, last)!r} '
            f'has no line end: the file looks truncated (cut inside a record), so the mesh '
            f'may be partial; if the file is complete, end it with a newline')
    if b'#' in data:
        lines = {'vertices': int(np.count_nonzero(kind == _V)),
                 'faces': int(np.count_nonzero(kind == _F))}
        for what, pattern in _DECLARED.items():
            found = list(pattern.finditer(data))
            declared = sum(int(m.group(1) or m.group(2)) for m in found)
            if found and lines[what] < declared:
                line = data.count(b'\n', 0, found[0].start()) + 1
                text = found[0].group(0).strip().decode('ascii', 'replace')
                keyword = "'v'" if what == 'vertices' else "'f'"
                raise ScanFormatError(
                    path, f'truncated: the file declares {declared} {what} (line {line}: '
                    f'{text!r}{" and more" if len(found) > 1 else ""}) but has only '
                    f'{lines[what]} {keyword} lines')
    n_vt = int(np.count_nonzero(kind == _VT))
    if n_vt and not np.any(kind == _F):
        raise ScanFormatError(
            path, f"{n_vt} texture coordinates ('vt' lines) but no face ('f' line): the face "
            f"list is missing, the file looks truncated (a point cloud has only 'v' and "
            f"'vn' lines)")


# --- faces ---
def _faces(path, data, kind, starts, ends, counts):
    """Faces -> ((F, 3) vertex indices, (F, 3) texcoord indices or None)."""
    block, lines = _block(data, kind, starts, ends, _F)
    first, tok_line = _tokens(block)
    buf = np.frombuffer(block, np.uint8)
    # slashes between one token start and the next (uint16: no overflow)
    n_slash = (np.add.reduceat((buf == _SLASH).astype(np.uint16), first) if first.size
               else np.zeros(0, np.uint16)).astype(np.int64)
    if b'//' in block:  # 'v//vn' -> 'v/0/vn': 0 marks "no vt"
        block = block.replace(b'//', b'/0/')
    values = _parse_numbers(block.replace(b'/', b' '), np.int64)
    per_tok = n_slash + 1
    sizes = np.bincount(tok_line, minlength=len(lines))
    if values.size != per_tok.sum() or (n_slash > 2).any():
        bad = _first_bad_face(block)
        raise ScanFormatError(
            path, f'line {lines[bad] + 1}: malformed face '
            f'{_line_text(data, starts, ends, lines[bad])!r} (expected '
            '"f v ...", "f v/vt ...", "f v/vt/vn ..." or "f v//vn ...")')
    small = np.flatnonzero(sizes < 3)
    if small.size:
        k = int(small[0])
        raise ScanFormatError(
            path, f'line {lines[k] + 1}: face has {int(sizes[k])} corner(s) '
            f'(a face needs at least 3); {small.size} such face(s)')
    offset = np.cumsum(per_tok) - per_tok
    # number of v / vt lines before each face line: the base of the relative (negative) indices
    before = [np.cumsum(kind == k)[lines[tok_line]] for k in (_V, _VT)]
    vert = _resolve(path, values[offset], before[0], counts[0], lines, tok_line, 'vertex',
                    'vertices')
    tex = None
    if (per_tok >= 2).all() and (values[offset + 1] != 0).all():
        try:  # like read_vrml: bad texture indices only drop the texture
            tex = _resolve(path, values[offset + 1], before[1], counts[1], lines,
                           tok_line, 'texture', 'texture coordinates')
        except ScanFormatError:
            tex = None
    # vn indices are parsed (their form is checked) but not used
    tri_start = np.cumsum(sizes) - sizes
    faces = fan_triangles(vert, tri_start, sizes)
    return faces, (None if tex is None else fan_triangles(tex, tri_start, sizes))


def _first_bad_face(block: bytes) -> int:
    for i, line in enumerate(block.split(b'\n')):
        for token in line.split():
            parts = token.split(b'/')
            if len(parts) > 3 or not all(p.lstrip(b'-').isdigit() for p in parts):
                return i
    return 0


def _resolve(path, raw, before, total, lines, tok_line, what, noun):
    """1-based / negative OBJ indices -> 0-based, checked against the count."""
    idx = np.where(raw > 0, raw - 1, before + raw)
    bad = (raw == 0) | (idx < 0) | (idx >= total)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        value, line = int(raw[k]), int(lines[tok_line[k]]) + 1
        if value == 0:
            why = 'index 0 (OBJ indices start at 1; 0 is invalid)'
        elif value < 0:
            why = (f'relative index {value} points before the first {what} '
                   f'(only {int(before[k])} {noun} defined before this line)')
        else:
            why = f'index {value} is out of range (the file has only {total} {noun})'
        raise ScanFormatError(path, f'line {line}: {what} {why}; '
                              f'{int(bad.sum())} bad {what} index(es) in all')
    return idx


# --- writer ---
def _polygons(polygons: PolygonsLike):
    """(P, k) array, VRML -1 separated list or ragged lists -> (flat corners, sizes)."""
    if isinstance(polygons, np.ndarray) and polygons.ndim == 2:
        return polygons.astype(np.int64).ravel(), np.full(len(polygons), polygons.shape[1])
    if isinstance(polygons, np.ndarray) and polygons.ndim == 1:
        index = polygons.astype(np.int64)
        ends = np.flatnonzero(index < 0)
        if not ends.size or ends[-1] != index.size - 1:
            ends = np.append(ends, index.size)
        sizes = np.diff(np.concatenate(([-1], ends))) - 1
        return index[index >= 0], sizes
    parts = [np.asarray(p, np.int64) for p in polygons]
    return (np.concatenate(parts) if parts else np.zeros(0, np.int64),
            np.array([len(p) for p in parts], np.int64))


def _rows(keyword: str, values: np.ndarray, precision: int) -> str:
    if values is None or len(values) == 0:
        return ''
    row = keyword + (' %.' + str(precision) + 'f') * values.shape[1] + '\n'
    return (row * len(values)) % tuple(values.ravel().tolist())


def write_obj(path, vertices: np.ndarray, polygons: PolygonsLike,
              texcoords: Optional[np.ndarray] = None,
              tex_polygons: Optional[PolygonsLike] = None,
              normals: Optional[np.ndarray] = None, mtllib: Optional[str] = None,
              material: Optional[str] = None, precision: int = 4,
              comment: Optional[str] = None) -> Path:
    """Write a mesh as ``.obj`` atomically (temporary file, then rename).

    Args:
        vertices: (V, 3).
        polygons: faces, 0-based: (P, k) array, a VRML list closed by -1s or a sequence of index
            sequences (mixed sizes allowed).
        texcoords: optional (T, 2); with ``tex_polygons`` (same structure as ``polygons``,
            indexing ``texcoords``) faces are ``f v/vt``.
        normals: optional (V, 3) per-vertex normals; faces then reference the vertex's own
            normal (``f v/vt/vn`` or ``f v//vn``).
        mtllib, material: ``mtllib`` / ``usemtl`` lines (not written if None).
        precision: decimals of the numbers.
        comment: a ``#`` line at the top.

    The file starts with ``# number of vertices: V`` and ``# number of faces: P`` (after
    ``comment``) so that :func:`read_obj` refuses a copy of it cut at a line end.

    Returns:
        the path written. Raises ValueError on bad shapes or indices.
    """
    vertices = np.asarray(vertices, np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise ValueError(f'vertices must be (V, 3), got {vertices.shape}')
    corners, sizes = _polygons(polygons)
    if (sizes < 3).any() or (corners.size and (corners.min() < 0 or
                                               corners.max() >= len(vertices))):
        raise ValueError('polygons: a face under 3 corners or an index out of range')
    columns, corner = [corners + 1], '%d'
    if texcoords is not None and tex_polygons is not None:
        tex_corners, tex_sizes = _polygons(tex_polygons)
        if not np.array_equal(tex_sizes, sizes):
            raise ValueError('tex_polygons must have the structure of polygons')
        columns.append(tex_corners + 1)
        corner += '/%d'
    if normals is not None:
        normals = np.asarray(normals, np.float64)
        if normals.shape != vertices.shape:
            raise ValueError(f'normals must be (V, 3) like vertices, got {normals.shape}')
        columns.append(corners + 1)  # each corner uses its vertex's normal
        corner += '/%d' if len(columns) == 3 else '//%d'
    # one %-format over all corners: a line template per polygon size
    templates = {k: 'f ' + ' '.join([corner] * k) + '\n' for k in set(sizes.tolist())}
    fmt = ''.join(templates[k] for k in sizes.tolist())
    face_lines = fmt % tuple(np.stack(columns, axis=1).ravel().tolist())
    head = (f'# {comment}\n' if comment else '') + \
        f'# number of vertices: {len(vertices)}\n# number of faces: {len(sizes)}\n' + \
        (f'mtllib {mtllib}\n' if mtllib else '')
    text = (head + _rows('v', vertices, precision)
            + _rows('vt', None if texcoords is None else np.asarray(texcoords, np.float64),
                    precision)
            + _rows('vn', normals, precision) + (f'usemtl {material}\n' if material else '')
            + face_lines)
    write_bytes_atomic(path, text.encode('ascii'))
    return Path(path)
