"""Write a synthetic data set with the BP4D-Spontaneous 3D layout.

Tree (the release's, docs/data_preparation.md "BP4D-Spontaneous")::

    out_dir/
      Sequences(2D+3D)/F001/T1/0000.obj 0000.mtl 0000.jpg 0001.obj ...
      Sequences(2D+3D)/F001/T2/ ... T8/   M001/...
      AUCoding/AU_OCC/F001_T1.csv ...     (AU occurrence of a coded segment)
      synthetic_info.json                 (written last)

Spontaneous style (docs/datasets.md "Synthetic 4D layouts"): the task's :data:`TASK_RECIPES`
at 35-80 % blended with a weaker second one (10-30 %), onsets over 25-45 % of the sequence, a
plateau and an incomplete release, a second, smaller episode in one sequence of three.
Embarrassment (controlled smile, lip press, head down) and pain (brow lowering, orbital
tightening, levator contraction) have recipes of their own. Frames are ``.obj`` (``v``, ``vt``,
``f v/vt``, ``mtllib`` / ``usemtl``) with a ``.mtl`` and a placeholder ``.jpg``.
"""
import shutil
import time
from pathlib import Path
from typing import Dict

import numpy as np

from smilezoo.utils.atomic_io import write_bytes_atomic
from smilezoo.utils.worker_pool import map_in_workers

from ..formats.obj import write_obj
from .expressions import LEAK, RECIPES
from .face_model import AU_NAMES, activation_vector, sample_identity
from .bu3dfe_layout import INFO_FILE, subject_list
from .sequences import (bump_curve, pose_path, prepare_sequence_dir, sequence_length,
                        sequence_rng, summarise, synthesize_sequence, tiny_jpeg, write_info)

__all__ = ['BP4D_TASKS', 'TASK_RECIPES', 'make_bp4d']

#: task -> elicited emotion (the class names of the BP4D source)
BP4D_TASKS = {'T1': 'happy', 'T2': 'sad', 'T3': 'surprise', 'T4': 'embarrassment',
              'T5': 'fear', 'T6': 'pain', 'T7': 'angry', 'T8': 'disgust'}
#: task -> {AU: weight} at a full (posed) expression
TASK_RECIPES = {'T1': RECIPES['HA'], 'T2': RECIPES['SA'], 'T3': RECIPES['SU'],
                'T4': {'AU12': 0.55, 'AU6': 0.25, 'AU15': 0.35, 'AU23': 0.4}, 'T5': RECIPES['FE'],
                'T6': {'AU4': 0.9, 'AU6': 0.5, 'AU7': 1.0, 'AU9': 0.6, 'AU10': 0.5},
                'T7': RECIPES['AN'], 'T8': RECIPES['DI']}
_LAYOUT_CODE = 42
_MTL = 'newmtl material0\nKa 0.2 0.2 0.2\nKd 0.8 0.8 0.8\nKs 0 0 0\nmap_Kd {}\n'
SEQUENCES_DIR = 'Sequences(2D+3D)'
AU_OCC_DIR = 'AUCoding/AU_OCC'
AU_THRESHOLD = 0.25  # activation above which an AU is coded present
_AU_COLUMNS = 100  # header 0..99 as in the release


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
    main = activation_vector(TASK_RECIPES[task]) * rng.uniform(0.35, 0.8)
    blend = activation_vector(TASK_RECIPES[blend_task]) * rng.uniform(0.1, 0.3)
    jitter = 1.0 + 0.15 * rng.standard_normal(len(AU_NAMES))
    leak = np.abs(LEAK * rng.standard_normal(len(AU_NAMES)))
    return np.clip((main + blend) * identity.au_style * jitter, 0, 1.2) + leak


def au_occurrence_csv(levels: np.ndarray, first: int, last: int) -> bytes:
    """The AU_OCC file of one sequence: (T, A) activations (AU_NAMES order) -> csv bytes coding
    model frames first..last, in the release's form: header ``0,1,...,99``, column "0" the AU
    frame number (model frame N is AU frame N+1), column k AU k: 1 where its activation is above
    ``AU_THRESHOLD``, else 0, for the AUs the face model animates, 9 (unknown) for the others."""
    numbers = [int(name[2:]) for name in AU_NAMES]
    rows = np.full((last + 1 - first, _AU_COLUMNS), 9, dtype=np.int64)
    rows[:, 0] = np.arange(first, last + 1) + 1  # AU coding counts from 1, the models from 0
    rows[:, numbers] = levels[first:last + 1] > AU_THRESHOLD
    lines = [','.join(map(str, row)) for row in [range(_AU_COLUMNS)] + rows.tolist()]
    return ('\n'.join(lines) + '\n').encode('ascii')


def _write_subject(job) -> Dict:
    seed, subject, sex, number, resolution, frames, out_dir, noise_mm = job
    identity = sample_identity(sequence_rng(seed, _LAYOUT_CODE, sex, number, 0), sex)
    texture = tiny_jpeg(identity.skin)
    au_dir = Path(out_dir) / AU_OCC_DIR
    au_dir.mkdir(parents=True, exist_ok=True)
    stats = dict(vertices=[], polygons=[])
    for k, task in enumerate(BP4D_TASKS, start=1):
        rng = sequence_rng(seed, _LAYOUT_CODE, sex, number, k)
        n = sequence_length(rng, frames)
        rng.integers(0, 400)  # drawn always (was the first frame number): same stream
        curve = bump_curve(n, _episodes(rng, n))
        apex = _activations(task, identity, rng)
        poses = pose_path(rng, n, max_deg=3.0 if task == 'T4' else 2.0)
        seq_dir = Path(out_dir) / SEQUENCES_DIR / subject / task
        seq_dir.mkdir(parents=True, exist_ok=True)
        for t, scan in synthesize_sequence(identity, apex, curve, poses,
                                           (seed, _LAYOUT_CODE, sex, number, k), resolution,
                                           noise_mm, stats):
            stem = f'{t:04d}'
            write_obj(seq_dir / f'{stem}.obj', scan.vertices, scan.polygons, scan.texcoords,
                      scan.tex_polygons, mtllib=f'{stem}.mtl', material='material0')
            write_bytes_atomic(seq_dir / f'{stem}.mtl', _MTL.format(f'{stem}.jpg').encode())
            write_bytes_atomic(seq_dir / f'{stem}.jpg', texture)
        levels = np.clip(apex[None] * curve[:, None], 0.0, 1.4)  # as synthesize_sequence
        write_bytes_atomic(au_dir / f'{subject}_{task}.csv', au_occurrence_csv(  # 15-85 %
            levels, int(0.15 * (n - 1)), int(round(0.85 * (n - 1)))))
    return dict(subject=subject, sex=sex, sequences=len(BP4D_TASKS), **stats)


def make_bp4d(out_dir, num_subjects: int, seed: int = 0, resolution: int = 3500,
              frames: int = 30, workers: int = 1, overwrite: bool = False,
              progress: bool = True, noise_mm: float = 0.1) -> Dict:
    """Generate a BP4D-like tree: ``num_subjects`` (F001.., M001.., 56 % female like BP4D's 23 /
    41) x 8 task sequences; arguments and report as :func:`bu4dfe_layout.make_bu4dfe`."""
    start = time.perf_counter()
    if frames < 4:
        raise ValueError(f'frames must be >= 4, got {frames}')
    subjects = subject_list(num_subjects, 23 / 41, digits=3)
    previous = (Path(out_dir) / INFO_FILE).is_file()
    prepare_sequence_dir(out_dir, overwrite, keep=set())
    if previous:  # a finished synthetic tree: its release folders go too
        for name in (SEQUENCES_DIR, AU_OCC_DIR.split('/')[0]):
            if (Path(out_dir) / name).is_dir():
                shutil.rmtree(Path(out_dir) / name)
    jobs = [(int(seed), sid, sex, num, int(resolution), int(frames), str(out_dir),
             float(noise_mm)) for sid, sex, num in subjects]
    results = map_in_workers(_write_subject, jobs, workers, 'synthetic BP4D', 'subjects', progress)
    write_info(out_dir, dict(
        layout='bp4d', seed=int(seed), num_subjects=int(num_subjects), resolution=int(resolution),
        frames=int(frames), noise_mm=float(noise_mm), tasks=BP4D_TASKS,
        files_per_frame=['.obj', '.mtl', '.jpg'], entries=[SEQUENCES_DIR, AU_OCC_DIR.split('/')[0]],
        frames_folder=SEQUENCES_DIR, au_occurrence=AU_OCC_DIR, au_threshold=AU_THRESHOLD,
        subjects=[dict(id=r['subject'], sex=r['sex']) for r in results]))
    files = 3 * sum(len(r['vertices']) for r in results) + len(results) * len(BP4D_TASKS) + 1
    return summarise(out_dir, results, start, files)
