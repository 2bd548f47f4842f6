"""Write a synthetic data set with the BU-4DFE directory layout and formats.

Tree::

    out_dir/
      F001/Angry/000.wrl 000.jpg 001.wrl 001.jpg ...   (one VRML frame each)
      F001/Disgust/ Fear/ Happy/ Sad/ Surprise/
      M001/...
      viewer/BU4D_Viewer.exe README.txt sample/000.wrl (decoy: not a subject)
      synthetic_info.json                              (written last)

Posed sequences (docs/datasets.md "Synthetic 4D layouts"; onset at 10-20 % of the frames, back
to neutral at 80-90 %), the head drifting by up to 2 degrees / 1.5 mm; frames are VRML 2.0 in
the Binghamton layout (:func:`write_vrml`).
"""
import time
from pathlib import Path
from typing import Dict

from smilezoo.utils.atomic_io import write_bytes_atomic
from smilezoo.utils.worker_pool import map_in_workers

from ..formats.vrml_writer import write_vrml
from .bu3dfe_layout import subject_list
from .expressions import au_activations
from .face_model import sample_identity
from .sequences import (activation_curve, pose_path, prepare_sequence_dir, sequence_length,
                        sequence_rng, summarise, synthesize_sequence, tiny_jpeg, write_info)

__all__ = ['BU4DFE_FOLDERS', 'make_bu4dfe']

#: expression folder -> BU-3DFE recipe code
BU4DFE_FOLDERS = {'Angry': 'AN', 'Disgust': 'DI', 'Fear': 'FE', 'Happy': 'HA',
                  'Sad': 'SA', 'Surprise': 'SU'}
_LAYOUT_CODE = 41
_FEMALE_SHARE = 58 / 101


def _write_subject(job) -> Dict:
    seed, subject, sex, number, resolution, frames, out_dir, noise_mm = job
    identity = sample_identity(sequence_rng(seed, _LAYOUT_CODE, sex, number, 0), sex)
    texture = tiny_jpeg(identity.skin)
    stats, lengths = dict(vertices=[], polygons=[]), []
    for k, (folder, code) in enumerate(BU4DFE_FOLDERS.items(), start=1):
        rng = sequence_rng(seed, _LAYOUT_CODE, sex, number, k)
        n = sequence_length(rng, frames)
        times = rng.uniform([0.10, 0.35, 0.55, 0.80], [0.20, 0.45, 0.65, 0.90]) * (n - 1)
        curve = activation_curve(n, *times)  # onset, apex start, apex end, offset
        apex = au_activations(code, 4, identity.au_style, rng)
        poses = pose_path(rng, n)
        seq_dir = Path(out_dir) / subject / folder
        seq_dir.mkdir(parents=True, exist_ok=True)
        for t, scan in synthesize_sequence(identity, apex, curve, poses,
                                           (seed, _LAYOUT_CODE, sex, number, k), resolution,
                                           noise_mm, stats):
            write_vrml(seq_dir / f'{t:03d}.wrl', scan.vertices, scan.polygons,
                       scan.texcoords, scan.tex_polygons, f'{t:03d}.jpg')
            write_bytes_atomic(seq_dir / f'{t:03d}.jpg', texture)
        lengths.append(n)
    return dict(subject=subject, sex=sex, sequences=len(BU4DFE_FOLDERS), frames=lengths, **stats)


def _write_decoy(out: Path) -> int:
    """A viewer-program folder at the top level, as the real download has."""
    viewer = out / 'viewer'
    (viewer / 'sample').mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(viewer / 'README.txt', b'BU-4DFE viewer (synthetic decoy: not a '
                       b'subject folder; loaders must skip it)\n')
    write_bytes_atomic(viewer / 'BU4D_Viewer.exe', b'MZ' + bytes(62))
    write_bytes_atomic(viewer / 'sample' / '000.wrl', b'#VRML V2.0 utf8\n# viewer sample\n')
    return 3


def make_bu4dfe(out_dir, num_subjects: int, seed: int = 0, resolution: int = 3500,
                frames: int = 30, workers: int = 1, overwrite: bool = False,
                progress: bool = True, noise_mm: float = 0.1) -> Dict:
    """Generate a BU-4DFE-like tree: ``num_subjects`` (58/101 female, F001.., M001..) x 6
    sequences; arguments and report as :func:`bu3dfe_layout.make_bu3dfe` (``out_dir`` see
    :func:`sequences.prepare_sequence_dir`, ``resolution`` per frame), ``frames`` the mean
    sequence length, +- 15 % (real: ~100 at 25 fps), ``noise_mm`` the per-frame sensor noise (sd
    along z)."""
    start = time.perf_counter()
    if frames < 4:
        raise ValueError(f'frames must be >= 4, got {frames}')
    subjects = subject_list(num_subjects, _FEMALE_SHARE, digits=3)  # F001.., M001..
    prepare_sequence_dir(out_dir, overwrite, keep={s[0] for s in subjects} | {'viewer'})
    jobs = [(int(seed), sid, sex, num, int(resolution), int(frames), str(out_dir),
             float(noise_mm)) for sid, sex, num in subjects]
    results = map_in_workers(_write_subject, jobs, workers, 'synthetic BU-4DFE', 'subjects',
                             progress)
    files = _write_decoy(Path(out_dir))
    write_info(out_dir, dict(
        layout='bu4dfe', seed=int(seed), num_subjects=int(num_subjects),
        resolution=int(resolution), frames=int(frames), noise_mm=float(noise_mm),
        files_per_frame=['.wrl', '.jpg'], entries=['viewer'],
        subjects=[dict(id=r['subject'], sex=r['sex'], frames=r['frames']) for r in results]))
    files += 2 * sum(len(r['vertices']) for r in results) + 1
    return summarise(out_dir, results, start, files)
