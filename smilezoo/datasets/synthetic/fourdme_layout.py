"""Write a synthetic micro-expression data set in a 4DME-like layout.

Tree::

    out_dir/
      S01/M01/01234.obj 01235.obj ...   (one .obj frame each: v, vt, vn,
      S01/M02/...                        f v/vt/vn; no texture file)
      labels.csv                        (the label sheet, see below)
      synthetic_info.json               (written last)

Each clip is a mostly neutral face with one micro-expression (docs/datasets.md "Synthetic 4D
layouts"; it holds 0-1 frame and starts 25-45 % into the clip). The five 4DME classes are
approximated with the AUs the face model has (:data:`MICRO_RECIPES`; repression a lip press
without AU24, AU17 and AU14, not modelled; others one or two random AUs). A multi-label clip (one
in five) mixes both patterns, the first label the primary class. In ``labels.csv`` onset, apex
and offset are frame numbers as in the file names, Emotion has '|' between labels.
"""
import csv
import io
import time
from pathlib import Path
from typing import Dict

from smilezoo.utils.atomic_io import write_bytes_atomic
from smilezoo.utils.worker_pool import map_in_workers

from ..formats.obj import write_obj
from .face_model import AU_NAMES, activation_vector, sample_identity
from .sequences import (activation_curve, pose_path, prepare_sequence_dir, sequence_length,
                        sequence_rng, summarise, synthesize_sequence, vertex_normals, write_info)

__all__ = ['FOURDME_CLASSES', 'MICRO_RECIPES', 'LABEL_FILE', 'make_4dme']

FOURDME_CLASSES = ('positive', 'negative', 'surprise', 'repression', 'others')
#: class -> alternative {AU: weight} patterns (one drawn per clip)
MICRO_RECIPES = {
    'positive': [{'AU6': 0.6, 'AU12': 1.0}],
    'negative': [{'AU4': 1.0, 'AU15': 0.7}, {'AU4': 0.8, 'AU7': 0.8}, {'AU9': 0.8, 'AU10': 0.8}],
    'surprise': [{'AU1': 1.0, 'AU2': 1.0, 'AU5': 0.4}],
    'repression': [{'AU23': 1.0, 'AU15': 0.5}],
}
_OTHER_AUS = ('AU2', 'AU7', 'AU9', 'AU10', 'AU20')
_MULTI = (('negative', 'positive'), ('surprise', 'positive'), ('surprise', 'negative'))
LABEL_FILE = 'labels.csv'
COLUMNS = ('Subject', 'Clip', 'Onset', 'Apex', 'Offset', 'Emotion', 'AUs', 'Type')
_LAYOUT_CODE = 43


def _pattern(label: str, rng) -> Dict[str, float]:
    if label == 'others':
        picks = rng.choice(len(_OTHER_AUS), size=int(rng.integers(1, 3)), replace=False)
        return {_OTHER_AUS[i]: 1.0 for i in sorted(picks)}
    options = MICRO_RECIPES[label]
    return options[int(rng.integers(len(options)))]


def _clip_plan(rng, n: int, label: str):
    """Labels, recipe, activations (A,), the curve (n,), and onset/apex/offset indices of one
    clip."""
    labels = [label]
    if rng.random() < 0.2:
        pair = [p for p in _MULTI if label in p]
        if pair:
            labels = list(pair[int(rng.integers(len(pair)))])
    recipe = {}
    for rank, lab in enumerate(labels):
        for au, w in _pattern(lab, rng).items():
            recipe[au] = max(recipe.get(au, 0.0), w * (1.0 if rank == 0 else 0.7))
    rise, hold, fall = int(rng.integers(2, 4)), int(rng.integers(0, 2)), int(rng.integers(2, 5))
    onset = max(1, min(int(rng.uniform(0.25, 0.45) * n), n - 2 - rise - hold - fall))
    apex, offset = onset + rise, onset + rise + hold + fall
    curve = activation_curve(n, onset, apex, apex + hold, offset)
    act = activation_vector(recipe) * rng.uniform(0.25, 0.45)
    return labels, recipe, act, curve, (onset, apex, offset)


def _write_subject(job) -> Dict:
    seed, subject, number, clips, resolution, frames, out_dir, noise_mm = job
    rng = sequence_rng(seed, _LAYOUT_CODE, 'S', number, 0)
    sex = 'F' if rng.random() < 0.5 else 'M'
    identity = sample_identity(rng, sex)
    order = [FOURDME_CLASSES[i % len(FOURDME_CLASSES)] for i in rng.permutation(clips)]
    rows, stats = [], dict(vertices=[], polygons=[])
    for k, label in enumerate(order, start=1):
        rng = sequence_rng(seed, _LAYOUT_CODE, 'S', number, k)
        n = sequence_length(rng, frames)
        first = int(rng.integers(100, 5000))
        labels, recipe, act, curve, marks = _clip_plan(rng, n, label)
        poses = pose_path(rng, n, max_deg=1.0, max_mm=0.8)
        clip = f'M{k:02d}'
        clip_dir = Path(out_dir) / subject / clip
        clip_dir.mkdir(parents=True, exist_ok=True)
        triangles = None
        for t, scan in synthesize_sequence(  # au_style is in [0.7, 1.4] already
                identity, act * identity.au_style, curve, poses,
                (seed, _LAYOUT_CODE, 'S', number, k), resolution, noise_mm, stats):
            triangles = scan.triangles() if triangles is None else triangles
            write_obj(clip_dir / f'{first + t:05d}.obj', scan.vertices, scan.polygons,
                      scan.texcoords, scan.tex_polygons,
                      normals=vertex_normals(scan.vertices, triangles))
        aus = '+'.join(a for a in AU_NAMES if a in recipe)
        rows.append([subject, clip, *(first + m for m in marks), '|'.join(labels), aus, 'micro'])
    return dict(subject=subject, sex=sex, sequences=clips, rows=rows, **stats)


def make_4dme(out_dir, num_subjects: int, seed: int = 0, resolution: int = 3500,
              frames: int = 30, clips: int = 10, workers: int = 1, overwrite: bool = False,
              progress: bool = True, noise_mm: float = 0.05) -> Dict:
    """Generate a 4DME-like tree: ``num_subjects`` (S01..) x ``clips`` micro-expression clips
    (classes cycled, shuffled per subject) and ``labels.csv``.

    Arguments and report as :func:`bu4dfe_layout.make_bu4dfe`; ``frames`` (>= 10) is the mean clip
    length, ``noise_mm`` defaults lower (0.05) so the weak expressions stay above the sensor noise.
    """
    start = time.perf_counter()
    if frames < 10:
        raise ValueError(f'frames must be >= 10 for a micro-expression clip, got {frames}')
    if num_subjects < 1 or clips < 1:
        raise ValueError('num_subjects and clips must be >= 1')
    subjects = [f'S{i:02d}' for i in range(1, num_subjects + 1)]
    prepare_sequence_dir(out_dir, overwrite, keep=set(subjects) | {LABEL_FILE})
    jobs = [(int(seed), sid, i, int(clips), int(resolution), int(frames), str(out_dir),
             float(noise_mm)) for i, sid in enumerate(subjects, start=1)]
    results = map_in_workers(_write_subject, jobs, workers, 'synthetic 4DME', 'subjects', progress)
    sheet = io.StringIO()
    rows = [row for r in results for row in r['rows']]
    csv.writer(sheet, lineterminator='\n').writerows([COLUMNS] + rows)
    write_bytes_atomic(Path(out_dir) / LABEL_FILE, sheet.getvalue().encode('ascii'))
    write_info(out_dir, dict(
        layout='4dme', seed=int(seed), num_subjects=int(num_subjects), clips=int(clips),
        resolution=int(resolution), frames=int(frames), noise_mm=float(noise_mm),
        label_file=LABEL_FILE, mesh_pattern='{subject}/{clip}/{frame:05d}.obj',
        entries=[LABEL_FILE], subjects=[dict(id=r['subject'], sex=r['sex']) for r in results]))
    files = sum(len(r['vertices']) for r in results) + 2
    return summarise(out_dir, results, start, files)
