"""Bosphorus ``.bnt`` range grids: reader, grid mesher and writer.

Layout (little-endian), as distributed with the Bosphorus database::

    offset 0      uint16   nrows
    offset 2      uint16   ncols
    offset 4      float64  zmin       (background marker)
    offset 12     uint16   L
    offset 14     L bytes  texture file name (ASCII, no terminator)
    offset 14+L   uint32   n          (must equal nrows * ncols * 5)
    offset 18+L   n float64, one channel after the other: all x, then all y, all z, all u,
                  all v; inside a channel the points are row by row (row * ncols + col).

The file is exactly ``18 + L + 8 n`` bytes. A grid point whose z equals ``zmin`` (or with a
non-finite x, y or z) is background. Public readers test x against zmin instead, so x and y
appear to hold zmin there as well (unconfirmed); u, v (normalised texture-image coordinates, in
[0, 1]) are undefined there. x, y, z are millimetres (about +-100; ``zmin`` is -1e9 in the
release's files; a grid of about 233 x 186 points, about 36,000 of them valid).

Rows are stored bottom to top (row 0 is the chin, docs/datasets.md): points and mesh keep x, y, z
as stored; only :meth:`BntScan.range_image`, top of the face in row 0, flips the rows.
"""
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from smilezoo.structures import Mesh, ScanFormatError

__all__ = ['BntScan', 'read_bnt', 'write_bnt', 'grid_triangles', 'BNT_CHANNELS']

BNT_CHANNELS = ('x', 'y', 'z', 'u', 'v')
_FIXED = struct.Struct('<HHdH')  # nrows, ncols, zmin, L: 14 bytes
_COUNT = struct.Struct('<I')


@dataclass
class BntScan:
    """One ``.bnt`` file.

    Attributes:
        channels: (5, nrows, ncols) float64 x, y, z, u, v in file order.
        zmin: the background value.
        texture: texture file name stored in the header.
        valid: (nrows, ncols) bool, True where the grid holds a point (z != zmin and x, y, z
            finite).
        path: the file read ('' when built in memory).
    """
    channels: np.ndarray
    zmin: float
    texture: str
    valid: np.ndarray
    path: str = ''

    @property
    def shape(self):
        """(nrows, ncols)."""
        return self.channels.shape[1:]

    @property
    def grid(self) -> np.ndarray:
        """(nrows, ncols, 5) float64 view: x, y, z, u, v per grid point."""
        return np.moveaxis(self.channels, 0, -1)

    def points(self) -> np.ndarray:
        """(P, 3) float64 x, y, z of the valid points, row by row."""
        return self.channels[:3, self.valid].T

    def texcoords(self) -> np.ndarray:
        """(P, 2) float64 u, v of the valid points, row by row."""
        return self.channels[3:, self.valid].T

    def to_mesh(self, triangulate: bool = True) -> Mesh:
        """The valid points as a :class:`Mesh` (float32 vertices), with the faces of
        :func:`grid_triangles` (``triangulate``) or none (a point cloud); texture coordinates
        are per vertex (``face_texcoords`` = faces)."""
        verts = self.points().astype(np.float32)
        uv = self.texcoords().astype(np.float32)
        if not triangulate:
            return Mesh(verts, None, uv, None, self.texture)
        index = np.full(self.valid.shape, -1, dtype=np.int64)
        index[self.valid] = np.arange(len(verts))
        faces = index.ravel()[grid_triangles(self.valid)]
        return Mesh(verts, faces, uv, faces, self.texture)

    def range_image(self, channel: str = 'z', fill: float = np.nan) -> np.ndarray:
        """(nrows, ncols) float64 image of one channel, top of the face in row 0; background =
        ``fill``. The rows are flipped when y grows with the row index, as in the release's
        files; a grid already stored top-down is left as it is."""
        img = np.where(self.valid, self.channels[BNT_CHANNELS.index(channel)], fill)
        rows = np.flatnonzero(self.valid.any(axis=1))
        if len(rows) > 1:
            y = self.channels[1]
            first = y[rows[0]][self.valid[rows[0]]].mean()
            last = y[rows[-1]][self.valid[rows[-1]]].mean()
            if last > first:
                img = img[::-1]
        return img


def grid_triangles(valid: np.ndarray) -> np.ndarray:
    """Triangles over the valid cells of a range grid.

    Every 2 x 2 block of grid points (r, c), (r, c+1), (r+1, c), (r+1, c+1) gives two triangles
    (split along (r, c)-(r+1, c+1)) when all four points are valid, and the one triangle of its
    three valid points when exactly one is missing. The winding follows the stored row order
    (the renderers draw both sides).

    Args:
        valid: (nrows, ncols) bool.

    Returns:
        (F, 3) int64 indices into the flattened grid (row * ncols + col).
    """
    valid = np.asarray(valid, dtype=bool)
    nrows, ncols = valid.shape
    if nrows < 2 or ncols < 2:
        return np.zeros((0, 3), dtype=np.int64)
    idx = np.arange(nrows * ncols, dtype=np.int64).reshape(nrows, ncols)
    p00, p01, p10, p11 = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    v00, v01, v10, v11 = valid[:-1, :-1], valid[:-1, 1:], valid[1:, :-1], valid[1:, 1:]
    count = (v00.astype(np.int8) + v01 + v10 + v11)
    full, three = count == 4, count == 3
    tris = [np.stack([p00[full], p10[full], p11[full]], axis=1),  # lower-left
            np.stack([p00[full], p11[full], p01[full]], axis=1)]  # upper-right
    for miss, corners in ((v00, (p10, p11, p01)), (v01, (p00, p10, p11)),
                          (v10, (p00, p11, p01)), (v11, (p00, p10, p01))):
        sel = three & ~miss
        tris.append(np.stack([c[sel] for c in corners], axis=1))
    return np.concatenate(tris).astype(np.int64, copy=False)


def read_bnt(path: Union[str, Path]) -> BntScan:
    """Read a Bosphorus ``.bnt`` file (one ``readinto`` and ``np.frombuffer``).

    Raises:
        ScanFormatError: naming the file and the fault (shorter than its header, n != nrows *
            ncols * 5, size != 18 + L + 8 n, non-ASCII texture name, no valid point).
    """
    path = str(path)
    with open(path, 'rb') as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(_FIXED.size)
        if len(head) < _FIXED.size:
            raise ScanFormatError(path, f'truncated: {size} bytes, shorter than the '
                                        f'{_FIXED.size}-byte fixed header (nrows, ncols, zmin, L)')
        nrows, ncols, zmin, name_len = _FIXED.unpack(head)
        offset = _FIXED.size + name_len + _COUNT.size
        if size < offset:
            raise ScanFormatError(path, f'truncated: {size} bytes, shorter than the {offset}-'
                                        f'byte header (texture name of L = {name_len} bytes, '
                                        'then the uint32 value count)')
        raw_name = f.read(name_len)
        (count, ) = _COUNT.unpack(f.read(_COUNT.size))
        if count != nrows * ncols * 5:
            raise ScanFormatError(path, f'header value count n = {count} but nrows * ncols * 5'
                                        f' = {nrows} * {ncols} * 5 = {nrows * ncols * 5}')
        expected = offset + 8 * count
        if size != expected:
            raise ScanFormatError(path, f'file size {size} bytes does not match its header: '
                                        f'expected 18 + L + 8n = 18 + {name_len} + 8 * {count} = '
                                        f'{expected} bytes for a {nrows} x {ncols} grid' +
                                        (' (truncated)' if size < expected else ' (trailing data)'))
        body = bytearray(8 * count)
        if f.readinto(body) != len(body):
            raise ScanFormatError(path, 'file shrank while being read')
    try:
        texture = raw_name.decode('ascii')
    except UnicodeDecodeError:
        raise ScanFormatError(path, f'texture file name is not ASCII: {raw_name!r}') from None
    channels = np.frombuffer(body, dtype='<f8').reshape(5, nrows, ncols)
    if channels.dtype.byteorder not in '=|':  # big-endian host
        channels = channels.astype(np.float64)
    valid = (channels[2] != zmin) & np.isfinite(channels[:3]).all(axis=0)
    if not valid.any():
        raise ScanFormatError(path, f'no valid points: all {nrows * ncols} grid points are '
                                    f'background (z == zmin = {zmin:g}) or not finite')
    return BntScan(channels, float(zmin), texture, valid, path)


def write_bnt(path: Union[str, Path], x, y, z, u, v, zmin: float, texture_name: str) -> None:
    """Write a ``.bnt`` file atomically.

    Args:
        x, y, z, u, v: (nrows, ncols) arrays (background points should hold ``zmin`` in z).
        zmin: the background value.
        texture_name: ASCII file name stored in the header.
    """
    from smilezoo.utils.atomic_io import write_bytes_atomic
    chans = [np.asarray(a, dtype=np.float64) for a in (x, y, z, u, v)]
    shape = chans[0].shape
    if len(shape) != 2 or any(c.shape != shape for c in chans):
        raise ValueError(f'x, y, z, u, v must be 2-D arrays of one shape, got '
                         f'{[c.shape for c in chans]}')
    if max(shape) > 0xFFFF:
        raise ValueError(f'grid {shape} too large for uint16 nrows/ncols')
    name = texture_name.encode('ascii')
    if len(name) > 0xFFFF:
        raise ValueError('texture name longer than 65535 bytes')
    count = 5 * shape[0] * shape[1]
    if count > 0xFFFFFFFF:
        raise ValueError(f'grid {shape} too large for the uint32 value count')
    header = _FIXED.pack(shape[0], shape[1], float(zmin), len(name)) + name + _COUNT.pack(count)
    body = np.stack(chans).astype('<f8', copy=False).tobytes()
    write_bytes_atomic(path, header + body)
