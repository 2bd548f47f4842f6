"""Write a synthetic data set with the BU-3DFE directory layout and formats.

Tree::

    out_dir/
      F0001/F0001_NE00WH_F3D.{wrl,bmp,bnd}
      F0001/F0001_AN01WH_F3D.{wrl,bmp,bnd} ... (25 scans per subject)
      M0001/...
      synthetic_info.json      (written last: a finished tree)

Every scan has its own seed derived from (seed, sex, subject number, expression, intensity),
so the bytes do not depend on ``workers`` or on how many subjects are generated (F0001 is the
same subject for 2 or 100).
"""
import io
import json
import re
import shutil
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from smilezoo.utils.atomic_io import write_bytes_atomic
from smilezoo.utils.worker_pool import map_in_workers

from ..formats.bnd import write_bnd
from ..formats.vrml_writer import write_vrml
from .expressions import EXPRESSION_CODES, au_activations
from .face_model import FaceScan, Identity, random_pose, sample_identity, synthesize_face

__all__ = ['GENERATOR_VERSION', 'INFO_FILE', 'RACES', 'make_bu3dfe', 'subject_list', 'scan_list',
           'scan_name', 'generate_scan', 'prepare_output_dir', 'write_bmp', 'write_info',
           'summarise']

GENERATOR_VERSION = '1.0'
INFO_FILE = 'synthetic_info.json'
GENERATOR = 'smilezoo.datasets.synthetic'
RACES = ('WH', 'BL', 'AE', 'AM', 'IN', 'LA')
_RACE_P = (0.51, 0.09, 0.24, 0.03, 0.06, 0.07)  # roughly BU-3DFE's mix
_FEMALE_SHARE = 0.56  # 56 F / 44 M in BU-3DFE
_SUBJECT_DIR = re.compile(r'^[FM]\d{4}$')
_SEX_CODE = {'F': 0, 'M': 1}


def subject_list(num_subjects: int, female_share: float = _FEMALE_SHARE,
                 digits: int = 4) -> List[Tuple[str, str, int]]:
    """[(subject id, sex, number)], e.g. ('F0001', 'F', 1); females first, numbered separately
    per sex like the real set (``digits`` wide)."""
    if num_subjects < 1:
        raise ValueError(f'num_subjects must be >= 1, got {num_subjects}')
    n_f = min(num_subjects, max(1, round(female_share * num_subjects)))
    return ([(f'F{i:0{digits}d}', 'F', i) for i in range(1, n_f + 1)] +
            [(f'M{i:0{digits}d}', 'M', i) for i in range(1, num_subjects - n_f + 1)])


def scan_list() -> List[Tuple[str, int]]:
    """The 25 (expression code, intensity) pairs of a subject."""
    return [('NE', 0)] + [(c, k) for c in EXPRESSION_CODES for k in range(1, 5)]


def scan_name(subject: str, code: str, level: int, race: str) -> str:
    """File stem, e.g. ``F0001_AN01WH_F3D``."""
    return f'{subject}_{code}{level:02d}{race}_F3D'


def _subject(seed: int, sex: str, number: int) -> Tuple[Identity, str]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, _SEX_CODE[sex], number, 0x1D]))
    race = RACES[int(rng.choice(len(RACES), p=_RACE_P))]
    return sample_identity(rng, sex), race


def generate_scan(identity: Identity, seed: int, sex: str, number: int,
                  code: str, level: int, resolution: int) -> FaceScan:
    """One scan with its own seed: AU activations (recipe x intensity x the subject's style x
    jitter), pose jitter, noise and holes."""
    code_idx = 0 if code == 'NE' else 1 + EXPRESSION_CODES.index(code)
    rng = np.random.default_rng(
        np.random.SeedSequence([seed, _SEX_CODE[sex], number, code_idx, level]))
    act = au_activations(code, level, identity.au_style, rng)
    pose = random_pose(rng)
    return synthesize_face(identity, act, resolution=resolution, pose=pose, rng=rng)


def write_bmp(path, rgb: np.ndarray, size: int = 8) -> None:
    """A ``size`` x ``size`` 24-bit BMP of one colour (3,) with a soft vertical shade
    (placeholder texture; 72 dpi, written by PIL)."""
    from PIL import Image
    shade = np.linspace(0.85, 1.0, size)[::-1, None, None]  # top-down rows
    img = np.clip(np.asarray(rgb, dtype=np.float64)[None, None] * shade, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(np.repeat(img, size, axis=1)).save(buf, 'BMP', dpi=(72, 72))  # (size, size, 3)
    write_bytes_atomic(path, buf.getvalue())


def _write_subject(job) -> Dict:
    """Worker: all 25 scans of one subject -> stats."""
    seed, subject, sex, number, resolution, out_dir = job
    identity, race = _subject(seed, sex, number)
    folder = Path(out_dir) / subject
    folder.mkdir(parents=True, exist_ok=True)
    verts, polys = [], []
    for code, level in scan_list():
        scan = generate_scan(identity, seed, sex, number, code, level, resolution)
        stem = scan_name(subject, code, level, race)
        write_vrml(folder / f'{stem}.wrl', scan.vertices, scan.polygons,
                   scan.texcoords, scan.tex_polygons, f'{stem}.bmp')
        write_bmp(folder / f'{stem}.bmp', identity.skin)
        # 83 lines ``vertexIndex x y z`` (0-based index into the .wrl points)
        write_bnd(folder / f'{stem}.bnd', scan.vertices[scan.landmarks], scan.landmarks)
        verts.append(len(scan.vertices))
        polys.append(int(np.count_nonzero(scan.polygons < 0)))
    return dict(subject=subject, sex=sex, race=race, vertices=verts, polygons=polys)


def prepare_output_dir(out_dir, overwrite: bool = False, keep_subjects=(),
                       subject_dir=_SUBJECT_DIR) -> None:
    """Make ``out_dir`` ready for a new synthetic tree: a missing or empty directory is fine; a
    previous synthetic output (its ``synthetic_info.json`` from this generator) loses that file
    first (the tree is unfinished until the new one is written) and its subject folders not in
    ``keep_subjects`` (named like F0001, M0001 ... or matching the ``subject_dir`` regex); any
    other non-empty directory raises FileExistsError unless ``overwrite`` (then files are
    written over, nothing is deleted)."""
    out = Path(out_dir)
    for entry in previous_output(out, overwrite).get('subjects', []):
        name = str(entry.get('id', ''))
        if (_SUBJECT_DIR.match(name) or subject_dir.match(name)) and \
                name not in keep_subjects and (out / name).is_dir():
            shutil.rmtree(out / name)


def previous_output(out: Path, overwrite: bool) -> Dict:
    """What the prepare_* functions share: create ``out`` when missing; the info of a previous
    synthetic output in it, its info file removed, else {} (see :func:`prepare_output_dir`)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f'{out} exists and is not a directory')
    out.mkdir(parents=True, exist_ok=True)
    if not any(out.iterdir()):
        return {}
    try:
        info = json.loads((out / INFO_FILE).read_text())
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or info.get('generator') != GENERATOR:
        if not overwrite:
            raise FileExistsError(
                f'{out} is not empty and is not a previous synthetic output (no '
                f'{INFO_FILE} from {GENERATOR}; an interrupted run has none either); pick '
                'an empty directory or pass overwrite=True (--overwrite)')
        return {}
    (out / INFO_FILE).unlink()
    return info


def write_info(out_dir, info: Dict, version: str = GENERATOR_VERSION) -> None:
    """Write ``synthetic_info.json`` (last: it marks a finished tree)."""
    info = dict(generator=GENERATOR, version=version, **info)
    write_bytes_atomic(Path(out_dir) / INFO_FILE,
                       (json.dumps(info, indent=1) + '\n').encode('ascii'))


def summarise(out_dir, results: List[Dict], start: float, files: int,
              counts=('vertices', 'polygons'), **extra) -> Dict:
    """The report of a layout: out_dir, subjects, (4D: sequences,) scans, files, seconds, the
    (min, mean, max) per scan of each ``counts`` key of the results, then ``extra``."""
    per_scan = {k: np.concatenate([r[k] for r in results]) for k in counts}
    seqs = {'sequences': sum(r['sequences'] for r in results)} if 'sequences' in results[0] else {}
    return dict(out_dir=str(out_dir), subjects=len(results), **seqs,
                scans=len(per_scan['vertices']), files=files, seconds=time.perf_counter() - start,
                **{k: (int(a.min()), float(a.mean()), int(a.max())) for k, a in per_scan.items()},
                **extra)


def make_bu3dfe(out_dir, num_subjects: int, seed: int = 0, resolution: int = 4000,
                workers: int = 1, overwrite: bool = False, progress: bool = True) -> Dict:
    """Write a BU-3DFE-like tree of ``num_subjects`` x 25 scans -> :func:`summarise` report.

    Args:
        out_dir: destination (see :func:`prepare_output_dir`).
        num_subjects: subjects (56 % female, numbered F0001.., M0001..).
        seed: master seed; same seed and arguments give the same bytes.
        resolution: approximate vertices per scan (real F3D scans ~8000, BU-4DFE frames ~35000).
        workers: processes (1 = in this process).
        overwrite: allow writing into a non-empty foreign directory.
    """
    start = time.perf_counter()
    subjects = subject_list(num_subjects)
    prepare_output_dir(out_dir, overwrite, keep_subjects={s[0] for s in subjects})
    jobs = [(int(seed), sid, sex, num, int(resolution), str(out_dir)) for sid, sex, num in subjects]
    results = map_in_workers(_write_subject, jobs, workers, 'synthetic BU-3DFE', 'subjects',
                             progress)
    results.sort(key=lambda r: r['subject'])
    write_info(out_dir, dict(
        layout='bu3dfe', seed=int(seed), num_subjects=int(num_subjects), resolution=int(resolution),
        scans_per_subject=len(scan_list()), files_per_scan=['.wrl', '.bmp', '.bnd'],
        subjects=[dict(id=r['subject'], sex=r['sex'], race=r['race']) for r in results]))
    return summarise(out_dir, results, start, 3 * sum(len(r['vertices']) for r in results) + 1)
