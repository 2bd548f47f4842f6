"""Shared machinery of the synthetic 4D layouts (BU-4DFE, BP4D, 4DME; docs/datasets.md
"Synthetic 4D layouts").

Seeds: every sequence draws from ``SeedSequence([seed, layout code, sex, subject number,
sequence number])`` and every frame's noise from the same plus the frame number, so the bytes
depend neither on ``workers`` nor on how many subjects are generated.
"""
import functools
import io
import re
import shutil
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

from .bu3dfe_layout import previous_output, summarise
from .bu3dfe_layout import write_info as _write_info
from .face_model import FaceScan, Identity, Pose, random_pose, smoothstep, synthesize_face

__all__ = ['SEQUENCE_VERSION', 'activation_curve', 'bump_curve', 'pose_path',
           'synthesize_sequence', 'sequence_rng', 'vertex_normals', 'prepare_sequence_dir',
           'write_info', 'summarise', 'tiny_jpeg', 'sequence_length']

SEQUENCE_VERSION = '1.0'
_SAFE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
_SEX_CODE = {'F': 0, 'M': 1, 'S': 2}


def sequence_rng(seed: int, layout_code: int, sex: str, number: int, *more: int):
    """The generator of one subject / sequence / frame (see module doc)."""
    return np.random.default_rng(np.random.SeedSequence(
        [int(seed), int(layout_code), _SEX_CODE.get(sex, 3), int(number), *map(int, more)]))


def activation_curve(num_frames: int, onset: float, apex_start: float, apex_end: float,
                     offset: float) -> np.ndarray:
    """(T,) in [0, 1]: 0 until ``onset``, smooth rise to 1 at ``apex_start``, 1 until
    ``apex_end``, smooth fall to 0 at ``offset`` (frame indices, fractional allowed)."""
    t = np.arange(num_frames, dtype=np.float64)
    rise = smoothstep((t - onset) / max(apex_start - onset, 1e-6))
    fall = 1.0 - smoothstep((t - apex_end) / max(offset - apex_end, 1e-6))
    return np.minimum(rise, fall)


def bump_curve(num_frames: int, bumps: Iterable[Sequence[float]]) -> np.ndarray:
    """Sum of :func:`activation_curve` bumps ``(height, onset, apex_start, apex_end, offset)``,
    clipped to [0, 1]: (T,)."""
    out = np.zeros(num_frames)
    for height, *times in bumps:
        out += height * activation_curve(num_frames, *times)
    return np.clip(out, 0.0, 1.0)


def pose_path(rng: np.random.Generator, num_frames: int, max_deg: float = 2.0,
              max_mm: float = 1.5) -> List[Pose]:
    """A smooth head drift: linear blend (smoothstep in time) from one :func:`random_pose` to
    another, (T,) poses."""
    a, b = (np.array([p.yaw, p.pitch, p.roll, *p.translation])
            for p in (random_pose(rng, max_deg, max_mm), random_pose(rng, max_deg, max_mm)))
    mixes = [(a + (b - a) * s).tolist() for s in smoothstep(np.linspace(0, 1, num_frames))]
    return [Pose(*m[:3], tuple(m[3:])) for m in mixes]


def synthesize_sequence(identity: Identity, apex: np.ndarray, curve: np.ndarray,
                        poses: Sequence[Pose], frame_seed: Sequence, resolution: int,
                        noise_mm: float, stats: Dict[str, list]) -> Iterable[Tuple[int, FaceScan]]:
    """Frames ``(t, scan)`` of one sequence, lazily: ``apex * curve[t]`` activations ((A,)
    each), pose ``poses[t]``, noise from ``sequence_rng(*frame_seed, t + 1)``; no holes, no
    sample jitter (vertex correspondence across frames). Each frame's vertex and polygon count
    is appended to ``stats['vertices']`` and ``stats['polygons']``."""
    apex = np.asarray(apex, np.float64)
    for t, level in enumerate(curve):
        scan = synthesize_face(identity, np.clip(apex * level, 0.0, 1.4), resolution=resolution,
                               pose=poses[t], rng=sequence_rng(*frame_seed, t + 1),
                               noise_mm=noise_mm, holes=False, sample_jitter=0.0)
        stats['vertices'].append(len(scan.vertices))
        stats['polygons'].append(int(np.count_nonzero(scan.polygons < 0)))
        yield t, scan


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(V, 3) area-weighted unit vertex normals of a triangle mesh."""
    v = np.asarray(vertices, np.float64)
    n = np.cross(v[triangles[:, 1]] - v[triangles[:, 0]], v[triangles[:, 2]] - v[triangles[:, 0]])
    out = np.zeros_like(v)
    np.add.at(out, triangles.T.ravel(), np.tile(n, (3, 1)))  # corner 0 of all, then 1, then 2
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norm > 0, norm, 1.0)


def tiny_jpeg(rgb, size: int = 8) -> bytes:
    """Bytes of a ``size`` x ``size`` one-colour JPEG (placeholder texture)."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new('RGB', (size, size), tuple(int(c) for c in rgb)).save(buf, 'JPEG', quality=90)
    return buf.getvalue()


def prepare_sequence_dir(out_dir, overwrite: bool = False, keep: Iterable[str] = ()) -> None:
    """Make ``out_dir`` ready for a new synthetic tree, as
    :func:`bu3dfe_layout.prepare_output_dir`, but of a previous output the top-level entries it
    lists (``entries`` and subject ``id``s) not in ``keep`` are deleted."""
    out = Path(out_dir)
    info = previous_output(out, overwrite)
    names = list(info.get('entries', [])) + [str(s.get('id', '')) for s in info.get('subjects', [])]
    for target in (out / n for n in names if n not in keep and _SAFE_NAME.match(n)):
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.is_file():
            target.unlink()


#: ``write_info(out_dir, info)``: ``synthetic_info.json`` of a 4D layout (written last)
write_info = functools.partial(_write_info, version=SEQUENCE_VERSION)


def sequence_length(rng: np.random.Generator, frames: int) -> int:
    """``frames`` +- 15 % (at least 4)."""
    spread = max(1, int(round(0.15 * frames)))
    return max(4, int(frames) + int(rng.integers(-spread, spread + 1)))
