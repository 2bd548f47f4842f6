"""Binghamton ``.bnd`` landmark files (BU-3DFE ``*_F3D.bnd``, BU-4DFE
``BU4DFE_BND_V1.1/F001/Angry/000.bnd``).

One landmark per line, ``index x y z``, separated by spaces or tabs (83 lines in the releases);
``index`` is the 0-based vertex index into the F3D scan's points. Lines of three numbers
(``x y z``, no index) are read too, with index -1. Blank lines are ignored.
"""
from pathlib import Path
from typing import NamedTuple, Optional, Union

import numpy as np

from smilezoo.structures import ScanFormatError
from smilezoo.utils.atomic_io import write_bytes_atomic

__all__ = ['BndLandmarks', 'read_bnd', 'write_bnd', 'BND_POINTS']

#: landmarks per file in the Binghamton releases
BND_POINTS = 83


class BndLandmarks(NamedTuple):
    """indices: (L,) int64 vertex indices (-1 when the file has none); points: (L, 3) float32
    coordinates, in the scan's units (mm)."""
    indices: np.ndarray
    points: np.ndarray


def read_bnd(path: Union[str, Path], num_points: Optional[int] = BND_POINTS) -> BndLandmarks:
    """Read a ``.bnd`` file.

    Args:
        num_points: landmarks the file must hold (None: any number >= 1).

    Raises:
        ScanFormatError: a line that is not ``index x y z`` / ``x y z`` (named with its number),
            a non-finite coordinate, an index that is not a whole number >= 0, or the wrong count.
        FileNotFoundError: no such file.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode('ascii')
    except UnicodeDecodeError as e:
        raise ScanFormatError(path, f'not a text landmark file (byte {e.start} is not ASCII)')
    indices, points = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(',', ' ').split()
        if not parts:
            continue
        if len(parts) not in (3, 4):
            raise ScanFormatError(path, f'line {number}: {line.strip()[:60]!r} has '
                                  f'{len(parts)} fields, expected "index x y z"')
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ScanFormatError(path, f'line {number}: {line.strip()[:60]!r} is not '
                                  f'numbers, expected "index x y z"') from None
        if len(values) == 4:
            index = values.pop(0)
            if not (index >= 0 and float(index).is_integer()):
                raise ScanFormatError(path, f'line {number}: vertex index {parts[0]!r} is not a '
                                      f'whole number >= 0')
            indices.append(int(index))
        else:
            indices.append(-1)
        if not np.isfinite(values).all():
            raise ScanFormatError(path, f'line {number}: non-finite coordinate in '
                                  f'{line.strip()[:60]!r}')
        points.append(values)
    if not points:
        raise ScanFormatError(path, 'no landmarks (empty file)')
    if num_points is not None and len(points) != num_points:
        raise ScanFormatError(path, f'{len(points)} landmarks, expected {num_points}')
    return BndLandmarks(np.asarray(indices, np.int64), np.asarray(points, np.float32))


def write_bnd(path: Union[str, Path], points: np.ndarray,
              indices: Optional[np.ndarray] = None, precision: int = 4) -> None:
    """Write ``index x y z`` lines (indices default to 0..L-1); for tests and synthetic data."""
    points = np.asarray(points, np.float64).reshape(-1, 3)
    indices = np.arange(len(points)) if indices is None else np.asarray(indices)
    lines = ''.join(f'{int(i)} {p[0]:.{precision}f} {p[1]:.{precision}f} {p[2]:.{precision}f}\n'
                    for i, p in zip(indices, points))
    write_bytes_atomic(path, lines.encode('ascii'))
