"""Bosphorus ``.lm3`` 3D landmark files: reader and writer.

Layout (text)::

    line 1        a header (free text, ignored)
    line 2        optional: '*' opens an information block that runs to the next blank line
                  (skipped); other text that is not the count is skipped as a second header
    next line     the landmark count N; a leading integer, the rest of the line is ignored
                  ("22", "22 landmarks:" and the like)
    N times       a label line ("Outer left eyebrow") and an "x y z" line

Scans can miss landmarks, so N and the labels vary from file to file (up to 24: 22 facial points
and two ear lobes); line ends appear to be CRLF (unconfirmed). Tolerated where the format is not
pinned down: CR/LF or LF line ends, blank lines between entries, commas or extra whitespace in
the coordinate line, text after the N-th entry. Errors naming the file and the line where a guess
would corrupt data: a missing count, a label without three numbers, a repeated label, fewer
entries than N.
"""
import re
from pathlib import Path
from typing import Dict, Iterable, Optional, Union

import numpy as np

from smilezoo.structures import ScanFormatError

__all__ = ['read_lm3', 'write_lm3', 'BOSPHORUS_LANDMARKS']

#: The landmark labels of the Bosphorus database, in their usual file order.
BOSPHORUS_LANDMARKS = (
    'Outer left eyebrow', 'Middle left eyebrow', 'Inner left eyebrow', 'Inner right eyebrow',
    'Middle right eyebrow', 'Outer right eyebrow', 'Outer left eye corner',
    'Inner left eye corner', 'Inner right eye corner', 'Outer right eye corner',
    'Nose saddle left', 'Nose saddle right', 'Left nose peak', 'Nose tip', 'Right nose peak',
    'Left mouth corner', 'Upper lip outer middle', 'Right mouth corner', 'Upper lip inner middle',
    'Lower lip inner middle', 'Lower lip outer middle', 'Chin middle', 'Ear lobe left',
    'Ear lobe right')

_COUNT = re.compile(r'^\s*(\d+)\b')


def read_lm3(path: Union[str, Path]) -> Dict[str, np.ndarray]:
    """Read a ``.lm3`` file.

    Returns:
        dict label -> (3,) float64 x, y, z (mm), in file order.

    Raises:
        ScanFormatError: naming the file, the line number and the fault.
    """
    path = str(path)
    text = Path(path).read_bytes().decode('utf-8', errors='replace')
    lines = text.splitlines()
    if not lines:
        raise ScanFormatError(path, 'empty file (expected a header line)')
    i = 1
    if i < len(lines) and lines[i].strip() == '*':
        end = next((k for k in range(i + 1, len(lines)) if not lines[k].strip()), None)
        if end is None:
            raise ScanFormatError(path, "line 2: the '*' information block is not closed by a "
                                        'blank line before the end of the file')
        i = end + 1
    elif i < len(lines) and lines[i].strip() and not _COUNT.match(lines[i]):
        i += 1  # a second header line (readers in the wild skip line 2)
    i = _skip_blank(lines, i)
    if i >= len(lines):
        raise ScanFormatError(path, 'no landmark count after the header')
    m = _COUNT.match(lines[i])
    if not m:
        raise ScanFormatError(path, f'line {i + 1}: expected the landmark count (e.g. '
                                    f"'22 landmarks:'), got {lines[i].strip()[:60]!r}")
    count, i = int(m.group(1)), i + 1
    out: Dict[str, np.ndarray] = {}
    for k in range(count):
        i = _skip_blank(lines, i)
        if i >= len(lines):
            raise ScanFormatError(path, f'file ends after {k} of {count} landmarks (line '
                                        f'{len(lines)})')
        label = lines[i].strip()
        if label in out:
            raise ScanFormatError(path, f'line {i + 1}: landmark {label!r} appears twice')
        i = _skip_blank(lines, i + 1)
        xyz = _floats(lines[i]) if i < len(lines) else None
        if xyz is None:
            got = lines[i].strip()[:60] if i < len(lines) else 'end of file'
            raise ScanFormatError(path, f"line {i + 1}: expected 'x y z' for landmark "
                                        f'{label!r} ({k + 1} of {count}), got {got!r}')
        out[label] = xyz
        i += 1
    return out


def _skip_blank(lines, i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _floats(line: str) -> Optional[np.ndarray]:
    """Three numbers from 'x y z' (commas allowed), else None."""
    parts = line.replace(',', ' ').split()
    if len(parts) != 3:
        return None
    try:
        return np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        return None


def write_lm3(path: Union[str, Path], landmarks: Dict[str, Iterable[float]],
              header: str = 'Bosphorus 3D landmarks',
              info: Optional[Iterable[str]] = None, newline: str = '\r\n',
              precision: int = 6) -> None:
    """Write a ``.lm3`` file atomically.

    Args:
        landmarks: label -> (3,) x, y, z, written in the dict's order.
        header: the first line.
        info: optional lines of a '*' information block (line 2 is then '*', the block ends
            with a blank line).
        newline: line end ('\\r\\n' like the real files appear to use).
        precision: decimals of the coordinates.
    """
    from smilezoo.utils.atomic_io import write_bytes_atomic
    rows = [header]
    if info is not None:
        rows += ['*', *info, '']
    rows.append(f'{len(landmarks)} landmarks:')
    for label, xyz in landmarks.items():
        x, y, z = (float(c) for c in xyz)
        if not label.strip() or '\n' in label or '\r' in label:
            raise ValueError(f'invalid landmark label {label!r}')
        rows += [label, f'{x:.{precision}f} {y:.{precision}f} {z:.{precision}f}']
    write_bytes_atomic(path, (newline.join(rows) + newline).encode('ascii'))
