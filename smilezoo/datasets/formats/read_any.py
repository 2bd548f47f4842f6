"""One reader for every scan format smilezoo knows, chosen by the file extension.

=========  ==========================================  =========================================
extension  format                                      reader
=========  ==========================================  =========================================
``.wrl``   VRML 2.0 (BU-3DFE, BU-4DFE frames)          :func:`read_vrml`
``.obj``   Wavefront OBJ (BP4D, 4DME frames)           :func:`read_obj`
``.bnt``   Bosphorus range grid                        :func:`read_bnt`, then ``BntScan.to_mesh``
``.ply``   PLY, mesh or point cloud (ASCII / binary)   open3d
=========  ==========================================  =========================================

Extensions are matched case-insensitively. Every reader raises :class:`ScanFormatError` (a
``ValueError``) naming the file and the fault, or ``FileNotFoundError``.
"""
import os.path as osp
import re
from pathlib import Path
from typing import Dict, Tuple, Union

import numpy as np

from smilezoo.structures import Mesh, ScanFormatError

from .bnt import read_bnt
from .obj import read_obj
from .vrml import read_vrml

__all__ = ['read_scan', 'SCAN_EXTENSIONS', 'is_scan_file', 'read_ply']

#: extension -> what it is (for messages and the CLI help).
SCAN_EXTENSIONS: Dict[str, str] = {
    '.wrl': 'VRML 2.0 (BU-3DFE / BU-4DFE)',
    '.obj': 'Wavefront OBJ (BP4D / 4DME frames)',
    '.ply': 'PLY mesh or point cloud',
    '.bnt': 'Bosphorus range scan',
}


def is_scan_file(path: Union[str, Path]) -> bool:
    """True when the extension is one :func:`read_scan` reads."""
    return osp.splitext(str(path))[1].lower() in SCAN_EXTENSIONS


def read_scan(path: Union[str, Path], triangulate_bnt: bool = True) -> Mesh:
    """Read a face scan of any supported format into a :class:`Mesh`.

    Args:
        path: a ``.wrl``, ``.obj``, ``.ply`` or ``.bnt`` file.
        triangulate_bnt: a ``.bnt`` grid becomes a triangle mesh of its valid points (True, as
            ``BosphorusScans(as_mesh=True)``) or a bare point cloud (False).

    Raises:
        FileNotFoundError: no such file.
        ScanFormatError: an unknown extension (the message lists the accepted ones), or a file
            its reader cannot read.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SCAN_EXTENSIONS:
        accepted = ', '.join(f'{e} ({what})' for e, what in SCAN_EXTENSIONS.items())
        raise ScanFormatError(path, f'unknown scan format {path.suffix or "(no extension)"!r}; '
                                    f'accepted: {accepted}')
    if not path.is_file():
        raise FileNotFoundError(f'scan file not found: {path}')
    if ext == '.wrl':
        return read_vrml(path)
    if ext == '.obj':
        return read_obj(path)
    if ext == '.bnt':
        return read_bnt(path).to_mesh(triangulate=triangulate_bnt)
    return read_ply(path)


# --- PLY (open3d), with the checks open3d does not make: it only prints a warning and returns
# what it got so far for a truncated or broken file.
_ELEMENT = re.compile(rb'^element\s+(\S+)\s+(\d+)\s*$')


def ply_header(path: Path) -> Tuple[str, Dict[str, int]]:
    """(format, {element name: count}) from a PLY header; ScanFormatError without one."""
    with open(path, 'rb') as f:
        head = f.read(1 << 16)
    if not head.startswith(b'ply'):
        raise ScanFormatError(path, 'not a PLY file: it does not start with "ply"')
    end = head.find(b'end_header')
    if end < 0:
        raise ScanFormatError(path, 'PLY header has no "end_header" line (truncated or '
                                    'not a PLY file)')
    fmt, counts = None, {}
    for line in head[:end].replace(b'\r', b'').split(b'\n'):
        line = line.strip()
        if line.startswith(b'format'):
            fmt = line.split()[1].decode('ascii', 'replace') if len(line.split()) > 1 else None
        m = _ELEMENT.match(line)
        if m:
            counts[m.group(1).decode('ascii', 'replace')] = int(m.group(2))
    if fmt not in ('ascii', 'binary_little_endian', 'binary_big_endian'):
        raise ScanFormatError(path, f'PLY header has no valid "format" line (got {fmt!r})')
    if not counts.get('vertex'):
        raise ScanFormatError(path, 'PLY header declares no vertices ("element vertex N")')
    return fmt, counts


def read_ply(path: Union[str, Path]) -> Mesh:
    """A ``.ply`` file through open3d: a triangle mesh when it has faces (polygons triangulated
    by open3d), else a point cloud (``faces=None``).

    Raises:
        ScanFormatError: no valid header, fewer vertices / faces read than the header declares
            (truncated), or non-finite coordinates.
    """
    import open3d as o3d
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'PLY file not found: {path}')
    _, counts = ply_header(path)
    n_vert, n_face = counts['vertex'], counts.get('face', 0)
    with o3d.utility.VerbosityContextManager(o3d.utility.VerbosityLevel.Error):
        if n_face:
            geom = o3d.io.read_triangle_mesh(str(path))
            vertices = np.asarray(geom.vertices)
            faces = np.asarray(geom.triangles, dtype=np.int64)
        else:
            geom = o3d.io.read_point_cloud(str(path))
            vertices, faces = np.asarray(geom.points), None
    if len(vertices) < n_vert:
        raise ScanFormatError(path, f'truncated or corrupt: read {len(vertices)} of the '
                                    f'{n_vert} vertices its header declares')
    if n_face and len(faces) < n_face:
        raise ScanFormatError(path, f'truncated or corrupt: read {len(faces)} triangles for '
                                    f'the {n_face} faces its header declares')
    if not np.isfinite(vertices).all():
        raise ScanFormatError(path, 'vertex coordinates contain nan or inf')
    if faces is not None and len(faces) and (faces.min() < 0 or faces.max() >= len(vertices)):
        raise ScanFormatError(path, f'a face index is out of range for {len(vertices)} vertices')
    return Mesh(vertices.astype(np.float32), faces if faces is not None and len(faces) else None)
