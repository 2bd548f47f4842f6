"""Write a synthetic data set with the Bosphorus directory layout and formats.

Tree::

    out_dir/
      bs000/bs000_E_ANGER_0.{bnt,lm3,png} ... E_SURPRISE (six emotions)
      bs000/bs000_N_N_0.{bnt,lm3,png}          (neutral)
      bs000/bs000_LFAU_12_0.{bnt,lm3,png}      (even subjects: AU12 alone)
      bs001/bs001_YR_R10_0.{bnt,lm3,png}       (odd subjects: head turned 10 degrees to its right)
      ...
      synthetic_info.json                      (written last)

Every 7th subject (bs003, bs010, ...) has no E_FEAR scan, for the sources' all-six rule. Each
``.bnt`` is the :func:`range_grid` of the posed face plus a margin: points that miss the face are
background (x = y = z = u = v = ZMIN), the others get noise on z and u, v texture coordinates
(image position in [0, 1], v = 0 at the top); rows are stored bottom-up (row 0 = chin) like the
release's. The ``.lm3`` holds the landmarks of :data:`LANDMARK_INDEX` (the real labels but the
ear lobes; "left" = the subject's left, +x), a few missing, every other file with a '*'
information block. Seeds are per subject and per scan (the bytes depend on neither ``workers``
nor the number of subjects).
"""
import re
import struct
import time
import zlib
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from smilezoo.utils.atomic_io import write_bytes_atomic
from smilezoo.utils.worker_pool import map_in_workers

from ..formats.bnt import write_bnt
from ..formats.lm3 import write_lm3
from .bu3dfe_layout import prepare_output_dir, summarise, write_info
from .expressions import au_activations
from .face_model import AU_NAMES, Pose, random_pose, sample_identity, synthesize_face

__all__ = ['make_bosphorus', 'bosphorus_scan_list', 'range_grid', 'write_png', 'ZMIN',
           'EMOTIONS', 'LANDMARK_INDEX']

ZMIN = -1e9
#: Bosphorus emotion code -> the generator's expression recipe code.
EMOTIONS = {'ANGER': 'AN', 'DISGUST': 'DI', 'FEAR': 'FE', 'HAPPY': 'HA', 'SADNESS': 'SA',
            'SURPRISE': 'SU'}
#: Bosphorus landmark label -> index into the face model's 83 landmarks.
LANDMARK_INDEX = {
    'Outer left eyebrow': 30, 'Middle left eyebrow': 28, 'Inner left eyebrow': 26,
    'Inner right eyebrow': 16, 'Middle right eyebrow': 18, 'Outer right eyebrow': 20,
    'Outer left eye corner': 12, 'Inner left eye corner': 8, 'Inner right eye corner': 0,
    'Outer right eye corner': 4, 'Nose saddle left': 46, 'Nose saddle right': 36,
    'Left nose peak': 44, 'Nose tip': 47, 'Right nose peak': 38, 'Left mouth corner': 54,
    'Upper lip outer middle': 51, 'Right mouth corner': 48, 'Upper lip inner middle': 62,
    'Lower lip inner middle': 66, 'Lower lip outer middle': 57, 'Chin middle': 75,
}
_SCAN_IDS = {**{f'E_{e}': i for i, e in enumerate(EMOTIONS)}, 'N_N': 6, 'LFAU_12': 7,
             'YR_R10': 8}  # seed component per scan code
_FEMALE_SHARE = 0.43  # about 45 F / 60 M in Bosphorus
_SUBJECT_DIR = re.compile(r'^bs\d{3}$')
_LANDMARK_DROP = 0.06
_NOISE_MM = 0.1
_MARGIN_MM = 6.0


def bosphorus_scan_list(number: int) -> List[str]:
    """Scan codes of subject ``number`` ('E_ANGER', ..., 'N_N', and 'LFAU_12' for even or
    'YR_R10' for odd numbers)."""
    codes = [f'E_{e}' for e in EMOTIONS if e != 'FEAR' or number % 7 != 3]  # every 7th: no fear
    return codes + ['N_N', 'LFAU_12' if number % 2 == 0 else 'YR_R10']


def range_grid(vertices: np.ndarray, triangles: np.ndarray, num_points: int,
               margin: float = _MARGIN_MM):
    """Ray cast a mesh (vertices (V, 3) mm, face toward +z; triangles (F, 3)) along -z (open3d)
    onto a regular grid of about ``num_points`` over its x/y bounding box plus ``margin`` mm.

    Returns x, y, z (nrows, ncols) float64 (row 0 at the bottom: y grows with the row) and hit
    (nrows, ncols) bool; z is nan where nothing is hit.
    """
    import open3d as o3d
    import open3d.core as o3c
    lo, hi = vertices[:, :2].min(0) - margin, vertices[:, :2].max(0) + margin
    width, height = hi - lo
    step = np.sqrt(width * height / num_points)
    ncols, nrows = max(2, round(width / step)), max(2, round(height / step))
    xs = lo[0] + (np.arange(ncols) + 0.5) * width / ncols
    ys = lo[1] + (np.arange(nrows) + 0.5) * height / nrows
    x, y = np.meshgrid(xs, ys)
    top = float(vertices[:, 2].max()) + 10.0
    rays = np.zeros((nrows, ncols, 6), np.float32)
    rays[..., 0], rays[..., 1], rays[..., 2] = x, y, top
    rays[..., 5] = -1.0
    scene = o3d.t.geometry.RaycastingScene(nthreads=1)
    scene.add_triangles(
        o3c.Tensor.from_numpy(np.ascontiguousarray(vertices, np.float32)),
        o3c.Tensor.from_numpy(np.ascontiguousarray(triangles, np.uint32)))
    t_hit = scene.cast_rays(o3c.Tensor.from_numpy(rays), nthreads=1)['t_hit'].numpy()
    t_hit = t_hit.astype(np.float64)
    hit = np.isfinite(t_hit)
    return x, y, np.where(hit, top - t_hit, np.nan), hit


def write_png(path, rgb, size: int = 16) -> None:
    """A ``size`` x ``size`` 8-bit RGB PNG of one colour (3,) with a soft vertical shade
    (placeholder texture)."""
    shade = np.linspace(1.0, 0.85, size)[:, None, None]
    img = np.clip(np.asarray(rgb, np.float64)[None, None] * shade, 0, 255)
    img = np.broadcast_to(img.astype(np.uint8), (size, size, 3))
    raw = b''.join(b'\x00' + row.tobytes() for row in img)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack('>I', len(data)) + tag + data
                + struct.pack('>I', zlib.crc32(tag + data) & 0xFFFFFFFF))

    write_bytes_atomic(path, b'\x89PNG\r\n\x1a\n'
                       + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 2, 0, 0, 0))
                       + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def _subject(seed: int, number: int):
    rng = np.random.default_rng(np.random.SeedSequence([seed, number, 0xB5]))
    sex = 'F' if rng.random() < _FEMALE_SHARE else 'M'
    return sample_identity(rng, sex), sex


def _activations(code: str, identity, rng):
    if code.startswith('E_'):
        return au_activations(EMOTIONS[code[2:]], 4, identity.au_style, rng)
    act = au_activations('NE', 0, identity.au_style, rng)  # small leaks
    if code == 'LFAU_12':
        i = AU_NAMES.index('AU12')
        act[i] = identity.au_style[i] * (1.0 + 0.1 * rng.standard_normal())
    return act


def _write_scan(folder: Path, subject: str, code: str, identity, seed: int, number: int,
                resolution: int) -> Tuple[int, int]:
    """One scan's .bnt, .lm3 and .png; returns (valid points, grid points)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, number, _SCAN_IDS[code], 0xB05]))
    act = _activations(code, identity, rng)
    pose = random_pose(rng)
    if code == 'YR_R10':  # R = toward the subject's right (-x): yaw < 0
        pose = Pose(pose.yaw - 10.0, pose.pitch, pose.roll, pose.translation)
    face = synthesize_face(identity, act, resolution=max(4000, resolution // 2), pose=pose,
                           rng=rng, noise_mm=0.0)
    x, y, z, hit = range_grid(face.vertices, face.triangles(), resolution)
    z = z + _NOISE_MM * rng.standard_normal(z.shape)
    nrows, ncols = hit.shape
    u = np.broadcast_to((np.arange(ncols) + 0.5) / ncols, hit.shape)
    v = np.broadcast_to(1.0 - (np.arange(nrows)[:, None] + 0.5) / nrows, hit.shape)
    stem = f'{subject}_{code}_0'
    write_bnt(folder / f'{stem}.bnt', *(np.where(hit, c, ZMIN) for c in (x, y, z, u, v)),
              zmin=ZMIN, texture_name=f'{stem}.png')
    keep = rng.random(len(LANDMARK_INDEX)) >= _LANDMARK_DROP
    points = face.vertices[face.landmarks]
    marks = {label: points[LANDMARK_INDEX[label]] for label, k in zip(LANDMARK_INDEX, keep) if k}
    info = None if _SCAN_IDS[code] % 2 else [f'synthetic scan {stem}',
                                             'generator: smilezoo.datasets.synthetic']
    write_lm3(folder / f'{stem}.lm3', marks, header=f'{stem}.lm3', info=info, precision=4)
    write_png(folder / f'{stem}.png', identity.skin)
    return int(hit.sum()), int(hit.size)


def _write_subject(job) -> Dict:
    """Worker: all scans of one subject -> stats."""
    seed, number, resolution, out_dir = job
    identity, sex = _subject(seed, number)
    subject = f'bs{number:03d}'
    folder = Path(out_dir) / subject
    folder.mkdir(parents=True, exist_ok=True)
    codes = bosphorus_scan_list(number)
    valid, grid = zip(*[_write_scan(folder, subject, code, identity, seed, number, resolution)
                        for code in codes])
    return dict(subject=subject, sex=sex, codes=codes, vertices=valid, grid_points=grid)


def make_bosphorus(out_dir, num_subjects: int, seed: int = 0, resolution: int = 30000,
                   workers: int = 1, overwrite: bool = False, progress: bool = True) -> Dict:
    """Generate a Bosphorus-like tree of ``num_subjects`` subjects (bs000, ...), 7-8 scans each.

    Arguments as :func:`bu3dfe_layout.make_bu3dfe`, but ``num_subjects`` is at most 1000 and
    ``resolution`` is grid points per scan (nrows * ncols; 30000: about 196 x 153, two thirds
    on the face, a 1.2 MB .bnt made in about 0.1 s). In the report ``vertices`` counts a scan's
    valid points, ``grid_points`` its nrows * ncols, ``incomplete_subjects`` those missing an
    emotion.
    """
    if not 1 <= num_subjects <= 1000:
        raise ValueError(f'num_subjects must be in 1..1000, got {num_subjects}')
    if resolution < 500:
        raise ValueError(f'resolution {resolution} too small (need >= 500)')
    start = time.perf_counter()
    out = Path(out_dir)
    prepare_output_dir(out, overwrite, keep_subjects={f'bs{i:03d}' for i in range(num_subjects)},
                       subject_dir=_SUBJECT_DIR)
    jobs = [(int(seed), i, int(resolution), str(out)) for i in range(num_subjects)]
    results = map_in_workers(_write_subject, jobs, workers, 'synthetic Bosphorus', 'subjects',
                             progress)  # in task order: bs000, bs001, ...
    incomplete = [r['subject'] for r in results if sum(c.startswith('E_') for c in r['codes']) < 6]
    write_info(out, dict(
        layout='bosphorus', seed=int(seed), num_subjects=int(num_subjects),
        resolution=int(resolution), files_per_scan=['.bnt', '.lm3', '.png'],
        zmin=ZMIN, incomplete_subjects=incomplete,
        subjects=[dict(id=r['subject'], sex=r['sex'], scans=r['codes']) for r in results]))
    return summarise(out_dir, results, start, 3 * sum(len(r['vertices']) for r in results) + 1,
                     counts=('vertices', 'grid_points'), incomplete_subjects=incomplete)
