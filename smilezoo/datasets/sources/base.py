"""Base classes of the raw sources: :class:`ScanSource` (3D: one record per scan) and
:class:`SequenceSource` (4D: one record per sequence, only the sampled frames read). The view
pipeline and the view cache tell them apart by these classes.
"""
import os
import os.path as osp
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..temporal import RESCALE_MODES

__all__ = ['ScanSource', 'SequenceSource', 'SequenceError', 'sample_frames', 'SAMPLING_MODES']

SAMPLING_MODES = ('uniform', 'segment', 'apex')
BINGHAMTON = 'Binghamton University'


class ScanSource:
    """Base of the raw 3D sources: one record per scan.

    A subclass sets ``dataset_name`` and ``data_root``, implements ``scan() -> (records, skipped)``
    (skipped: [dict(source_path, reason)]; a record holds at least ``source_path``, relative to
    data_root) and ``load(record) -> Mesh``; ``load_settings`` (a dict) names the options that
    change what ``load`` gives.
    """

    dataset_name = 'scans'
    load_settings: Optional[Dict] = None

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        raise NotImplementedError

    def load(self, record: Dict):
        raise NotImplementedError


def require_data_root(data_root: str, name: str, layout: str,
                      licence: Optional[Tuple[str, str, str]] = None) -> None:
    """FileNotFoundError when ``data_root`` is not a folder, naming it, ``licence`` (the data
    set's full name, its owner, what data_root should hold) and the synthetic ``layout``."""
    if osp.isdir(data_root):
        return
    where = (f'. {licence[0]} is licensed by {licence[1]}; request it there and point data_root '
             f'at the {licence[2]}' if licence else '')
    raise FileNotFoundError(f'{name} data_root {data_root!r} does not exist{where} (or make '
                            f'synthetic data: python tools/dataset_converters/make_synthetic.py '
                            f'--layout {layout} --out DIR)')


def optional_folder(value: Optional[str], candidates: List[str], option: str,
                    look_for: str) -> Optional[str]:
    """The folder of an optional input: None for None, ``value`` itself (FileNotFoundError naming
    ``option`` when it is not a folder), for 'auto' the first folder of ``candidates`` or None."""
    if value is None:
        return None
    if value != 'auto':
        if not osp.isdir(value):
            raise FileNotFoundError(f'{option} {value!r} does not exist (set it to None, or '
                                    f"'auto' to look for {look_for})")
        return value
    return next((c for c in candidates if osp.isdir(c)), None)


def match_name(regex, filename: str, expected: str):
    """``regex`` matched on the base name of ``filename``; ValueError naming the file and the
    ``expected`` pattern when it does not match."""
    m = regex.match(osp.basename(filename))
    if not m:
        raise ValueError(f'{filename}: name does not match {expected}')
    return m


def subject_files(data_root: str, rel_dir: str, ext: str, parse: Callable[[str], Dict],
                  skipped: List[Dict]) -> Iterator[Tuple[str, Dict]]:
    """(path relative to data_root, ``parse(path)``) of every ``ext`` file in the subject folder
    ``data_root/rel_dir``, in name order. A name that does not parse (``parse`` raises
    ValueError) or names another subject than the folder's goes to ``skipped`` with the reason."""
    folder = osp.basename(rel_dir)
    for fname in sorted(f for f in os.listdir(osp.join(data_root, rel_dir)) if f.endswith(ext)):
        rel = osp.join(rel_dir, fname)
        try:
            info = parse(rel)
        except ValueError as e:
            skipped.append(dict(source_path=rel, reason=str(e)))
            continue
        if info['subject'] != folder:
            skipped.append(dict(source_path=rel, reason=f'{rel}: file of subject '
                                f'{info["subject"]} in folder {folder}'))
            continue
        yield rel, info


def _even(lo: int, hi: int, k: int) -> np.ndarray:
    """k indices spread evenly over lo..hi, both ends included (round half up)."""
    if k == 1:
        return np.array([(lo + hi) // 2], np.int64)
    return np.floor(np.linspace(lo, hi, k) + 0.5).astype(np.int64)


def sample_frames(num_frames: int, k: int, mode: str = 'uniform', onset: Optional[int] = None,
                  apex: Optional[int] = None, offset: Optional[int] = None) -> np.ndarray:
    """Indices of the frames to use: (k,) int64, non-decreasing.

    Args:
        num_frames: frames in the sequence (indices 0..num_frames-1).
        k: how many to return; a range of fewer than k frames repeats indices (evenly).
        mode: 'uniform': evenly over onset..offset (the whole sequence when they are None),
            ends included; 'segment': the same, onset and offset required; 'apex': ceil(k/2)
            over onset..apex, the rest over apex..offset (apex excluded there), apex required.
        onset, apex, offset: 0-based frame indices (clipped to the sequence).

    Raises:
        ValueError: bad counts, an unknown mode, a missing onset/offset/apex for its mode, or
            onset > offset.
    """
    if num_frames < 1 or k < 1:
        raise ValueError(f'need num_frames >= 1 and k >= 1, got {num_frames} and {k}')
    if mode not in SAMPLING_MODES:
        raise ValueError(f'unknown sampling mode {mode!r}; choose from {SAMPLING_MODES}')
    if mode == 'segment' and (onset is None or offset is None):
        raise ValueError("sampling 'segment' needs onset and offset")
    if mode == 'apex' and apex is None:
        raise ValueError("sampling 'apex' needs the apex frame")
    last = num_frames - 1
    lo = 0 if onset is None else int(np.clip(onset, 0, last))
    hi = last if offset is None else int(np.clip(offset, 0, last))
    if lo > hi:
        raise ValueError(f'onset {onset} is after offset {offset}')
    if mode != 'apex':
        return _even(lo, hi, k)
    top = int(np.clip(apex, lo, hi))
    rise = (k + 1) // 2
    if rise == k:  # k == 1
        return np.array([top], np.int64)
    return np.concatenate((_even(lo, top, rise), _even(top, hi, k - rise + 1)[1:]))


class SequenceError(ValueError):
    """A sequence that cannot give a dynamic image; names it and its frames."""


class SequenceSource:
    """Base of the raw 4D sources: one record per sequence, frames read on demand.

    A subclass sets ``dataset_name``, implements ``scan() -> (records, skipped)`` and
    ``read_frame(path) -> Mesh``. A record holds at least ``source_path`` (the sequence,
    relative to data_root), ``subject``, ``expression``, ``dataset``, ``num_frames`` and
    ``frames`` (frame files relative to data_root, in time order); optional 0-based
    ``onset_index``, ``apex_index``, ``offset_index`` steer the sampling, and
    ``missing_frames`` names the files of gaps in the frame numbering.

    The options are the table of docs/datasets.md ("4D data"); ``num_frames_sampled`` is k of
    :func:`sample_frames`, ``rescale`` and ``percentile`` go to :func:`rescale_dynamic_image`.
    """

    dataset_name = 'sequences'

    def __init__(self, data_root: str, num_frames_sampled: int = 16, sampling: str = 'uniform',
                 min_frames: int = 8, bad_frames: str = 'skip', rescale: str = 'symmetric',
                 percentile: float = 99.0, normalise: str = 'sequence'):
        if sampling not in SAMPLING_MODES:
            raise ValueError(f'sampling must be one of {SAMPLING_MODES}, got {sampling!r}')
        if bad_frames not in ('skip', 'fail'):
            raise ValueError(f"bad_frames must be 'skip' or 'fail', got {bad_frames!r}")
        if rescale not in RESCALE_MODES:
            raise ValueError(f'rescale must be one of {RESCALE_MODES}, got {rescale!r}')
        if normalise not in ('sequence', 'frame'):
            raise ValueError(f"normalise must be 'sequence' or 'frame', got {normalise!r}")
        if int(num_frames_sampled) < 2:
            raise ValueError('num_frames_sampled must be >= 2 (a dynamic image needs motion)')
        self.data_root = data_root
        self.num_frames_sampled = int(num_frames_sampled)
        self.sampling = sampling
        self.min_frames = int(min_frames)
        self.bad_frames = bad_frames
        self.rescale = rescale
        self.percentile = float(percentile)
        self.normalise = normalise

    @property
    def temporal(self) -> Dict:
        """Settings of this source that change the cached pooled views (the pooling step adds
        its name: :func:`smilezoo.datasets.transforms.scan_to_views.temporal_settings`)."""
        return {k: getattr(self, k) for k in ('num_frames_sampled', 'sampling', 'min_frames',
                                              'bad_frames', 'rescale', 'percentile', 'normalise')}

    def read_frame(self, path: str):
        raise NotImplementedError

    def sample(self, record: Dict) -> np.ndarray:
        """(k,) 0-based indices into ``record['frames']``."""
        onset, apex, offset = (record.get(f'{key}_index') for key in ('onset', 'apex', 'offset'))
        mode = self.sampling
        if mode == 'apex' and apex is None:
            mode = 'segment'
        if mode == 'segment' and (onset is None or offset is None):
            mode = 'uniform'
        if mode == 'uniform' and self.sampling == 'uniform':
            onset = offset = None  # whole sequence
        return sample_frames(record['num_frames'], self.num_frames_sampled, mode,
                             onset=onset, apex=apex, offset=offset)

    def load_frames(self, record: Dict, read_frame=None) -> Tuple[List, List[Dict]]:
        """Read the sampled frames of one sequence with ``read_frame(path) -> Mesh`` (default
        :meth:`read_frame`; infer passes ``read_scan`` for a user's frames).

        Returns:
            (meshes, problems): meshes in time order, one per sampled index (a frame sampled
            twice is the same Mesh object); problems, one dict(frame, reason) per unreadable
            frame (skipped) and per gap in the frame numbering. A frame of degenerate geometry
            (:func:`smilezoo.renderers.geometry_checks.check_geometry`) counts as unreadable.

        Raises:
            SequenceError: too few readable frames (or any bad frame with bad_frames='fail');
                the message names the sequence and the frames with their faults.
        """
        frames = record['frames']
        indices = self.sample(record).tolist()
        distinct = list(dict.fromkeys(indices))
        gaps = [dict(frame=name, reason='missing: gap in the frame numbering')
                for name in record.get('missing_frames', [])]
        from smilezoo.renderers.geometry_checks import check_geometry
        read = read_frame or self.read_frame
        loaded, bad = {}, []
        for i in distinct:
            rel = frames[i]
            try:  # GeometryError (a ValueError): a degenerate frame, e.g. a 1e30 vertex
                loaded[i] = check_geometry(read(osp.join(self.data_root, rel)))
            except (OSError, ValueError) as err:  # ScanFormatError is a ValueError
                bad.append(dict(frame=rel, reason=f'{type(err).__name__}: {err}'))
        need = max(2, min(self.min_frames, len(distinct)))
        if len(loaded) < need or (bad and self.bad_frames == 'fail'):
            listed = '; '.join(f"{p['frame']} ({p['reason']})" for p in bad) or 'none'
            why = (f'only {len(loaded)} readable frame(s) of {len(distinct)} sampled '
                   f'(need {need})' if len(loaded) < need else
                   f"{len(bad)} unreadable frame(s) and bad_frames='fail'")
            raise SequenceError(f"sequence {record['source_path']}: {why}; unreadable: {listed}")
        return [loaded[i] for i in indices if i in loaded], gaps + bad
