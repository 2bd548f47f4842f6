"""Write a synthetic data set with the BP4D-Spontaneous 3D layout.

Tree::

    out_dir/
      F001/T1/0357.obj 0357.mtl 0357.bmp 0358.obj ...   (one .obj frame each)
      F001/T2/ ... T8/
      M001/...
      synthetic_info.json                               (written last)

Spontaneous style: each task's elicited emotion (T1 happy, T2 sad, T3
surprise, T4 embarrassment, T5 fear, T6 pain, T7 angry, T8 disgust) at a
partial peak (35-80 % of the posed recipe), blended with a weaker second
expression (10-30 %), slow onsets (25-45 % of the sequence), a plateau and
an incomplete release; one sequence in three has a second, smaller episode.
Embarrassment (controlled smile, lip press, head down) and pain (brow
lowering, orbital tightening, levator contraction) are recipes of their own.
Frames are numbered from a per-sequence start (the real numbering does not
start at 0), written as ``.obj`` with ``v``, ``vt``, ``f v/vt``, ``mtllib``
/ ``usemtl``, plus the ``.mtl`` and a placeholder ``.bmp`` texture.
"""
import time
from pathlib import Path
from typing import Dict

import numpy as np

from ..formats.obj import write_obj
from ..formats.vrml_writer import write_bytes_atomic
from .bu3dfe_layout import write_bmp
from .expressions import LEAK, RECIPES
from .face_model import AU_NAMES, sample_identity
from .bu4dfe_layout import bu4dfe_subjects
from .sequences import (bump_curve, pose_path, prepare_sequence_dir, recipe_vector, run_jobs,
                        sequence_length, sequence_rng, summarise, synthesize_sequence,
                        write_info)

__all__ = ['BP4D_TASKS', 'TASK_RECIPES', 'make_bp4d']

#: task -> elicited emotion (the class names of the BP4D source)
BP4D_TASKS = {'T1': 'happy', 'T2': 'sad', 'T3': 'surprise', 'T4': 'embarrassment',
              'T5': 'fear', 'T6': 'pain', 'T7': 'angry', 'T8': 'disgust'}
#: task -> {AU: weight} at a full (posed) expression
TASK_RECIPES = {
    'T1': RECIPES['HA'], 'T2': RECIPES['SA'], 'T3': RECIPES['SU'],
    'T4': {'AU12': 0.55, 'AU6': 0.25, 'AU15': 0.35, 'AU23': 0.4},
    'T5': RECIPES['FE'],
    'T6': {'AU4': 0.9, 'AU6': 0.5, 'AU7': 1.0, 'AU9': 0.6, 'AU10': 0.5},
    'T7': RECIPES['AN'], 'T8': RECIPES['DI'],
}
_LAYOUT_CODE = 42
_MTL = 'newmtl material0\nKa 0.2 0.2 0.2\nKd 0.8 0.8 0.8\nKs 0 0 0\nmap_Kd {}\n'


def _episodes(rng, n: int):
    """1-2 bumps (height, onset, apex start, apex end, offset) in frames."""
    onset = rng.uniform(0.05, 0.2) * n
    apex_start = onset + rng.uniform(0.25, 0.45) * n
    apex_end = apex_start + rng.uniform(0.1, 0.25) * n
    bumps = [(1.0, onset, apex_start, apex_end, apex_end + rng.uniform(0.3, 0.6) * n)]
    second = rng.random() < 1 / 3
    extra = (rng.uniform(0.3, 0.6), rng.uniform(0.5, 0.7) * n, rng.uniform(0.75, 0.85) * n,
             rng.uniform(0.85, 0.9) * n, 1.2 * n)  # drawn always: same stream
    return bumps + [extra] if second else bumps


def _activations(task: str, identity, rng) -> np.ndarray:
    """Peak AU activations of a task: partial recipe + weak blend + leak."""
    others = [t for t in TASK_RECIPES if t != task]
    blend_task = others[int(rng.integers(len(others)))]
    main = recipe_vector(TASK_RECIPES[task]) * rng.uniform(0.35, 0.8)
    blend = recipe_vector(TASK_RECIPES[blend_task]) * rng.uniform(0.1, 0.3)
    jitter = 1.0 + 0.15 * rng.standard_normal(len(AU_NAMES))
    leak = np.abs(LEAK * rng.standard_normal(len(AU_NAMES)))
    return np.clip((main + blend) * identity.au_style * jitter, 0, 1.2) + leak


def _write_subject(job) -> Dict:
    seed, subject, sex, number, resolution, frames, out_dir, noise_mm = job
    identity = sample_identity(sequence_rng(seed, _LAYOUT_CODE, sex, number, 0), sex)
    verts, polys = [], []
    for k, task in enumerate(BP4D_TASKS, start=1):
        rng = sequence_rng(seed, _LAYOUT_CODE, sex, number, k)
        n = sequence_length(rng, frames)
        first = int(rng.integers(0, 400))
        curve = bump_curve(n, _episodes(rng, n))
        apex = _activations(task, identity, rng)
        poses = pose_path(rng, n, max_deg=3.0 if task == 'T4' else 2.0)
        frame_rngs = [sequence_rng(seed, _LAYOUT_CODE, sex, number, k, t + 1) for t in range(n)]
        seq_dir = Path(out_dir) / subject / task
        seq_dir.mkdir(parents=True, exist_ok=True)
        for t, scan in enumerate(synthesize_sequence(identity, apex, curve, poses, frame_rngs,
                                                     resolution, noise_mm)):
            stem = f'{first + t:04d}'
            write_obj(seq_dir / f'{stem}.obj', scan.vertices, scan.polygons, scan.texcoords,
                      scan.tex_polygons, mtllib=f'{stem}.mtl', material='material0')
            write_bytes_atomic(seq_dir / f'{stem}.mtl', _MTL.format(f'{stem}.bmp').encode())
            write_bmp(seq_dir / f'{stem}.bmp', identity.skin)
            verts.append(len(scan.vertices))
            polys.append(int(np.count_nonzero(scan.polygons < 0)))
    return dict(subject=subject, sex=sex, sequences=len(BP4D_TASKS), vertices=verts,
                polygons=polys)


def make_bp4d(out_dir, num_subjects: int, seed: int = 0, resolution: int = 3500,
              frames: int = 30, workers: int = 1, overwrite: bool = False,
              progress: bool = True, noise_mm: float = 0.1) -> Dict:
    """Generate a BP4D-like tree: ``num_subjects`` x 8 task sequences.

    Arguments and report as :func:`bu4dfe_layout.make_bu4dfe` (subjects
    F001.., M001.., 56 % female like BP4D's 23 / 41).
    """
    start = time.perf_counter()
    if frames < 4:
        raise ValueError(f'frames must be >= 4, got {frames}')
    subjects = bu4dfe_subjects(num_subjects, female_share=23 / 41)
    prepare_sequence_dir(out_dir, overwrite, keep={s[0] for s in subjects})
    jobs = [(int(seed), sid, sex, num, int(resolution), int(frames), str(out_dir),
             float(noise_mm)) for sid, sex, num in subjects]
    results = run_jobs(_write_subject, jobs, workers, progress, 'synthetic BP4D')
    write_info(out_dir, dict(
        layout='bp4d', seed=int(seed), num_subjects=int(num_subjects),
        resolution=int(resolution), frames=int(frames), noise_mm=float(noise_mm),
        tasks=BP4D_TASKS, files_per_frame=['.obj', '.mtl', '.bmp'],
        subjects=[dict(id=r['subject'], sex=r['sex']) for r in results]))
    files = 3 * sum(len(r['vertices']) for r in results) + 1
    return summarise(out_dir, results, start, files)
