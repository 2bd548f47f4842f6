"""BP4D-Spontaneous on disk, as the release ships it (docs/datasets.md; the owners' user guide)::

    <release>/Sequences(2D+3D)/F001/T1/0000.obj 0000.mtl 0000.jpg 0001.obj ...
    <release>/AUCoding/AU_OCC/F001_T1.csv       (AU occurrence, optional)

AU occurrence files: header row ``0,1,2,...,99``; column "0" is the frame number, column k
the code of AU k (0 absent, 1 present, 9 unknown). The AU coding counts frames from 1, the 3D
models from 0: **AU frame N+1 is model file N**. Only a segment of each task is coded.
"""
import csv
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from smilezoo.registry import DATASETS
from .base import BINGHAMTON, SequenceSource, optional_folder, require_data_root
from .bu4dfe import order_frames

__all__ = ['BP4DSequences', 'TASK_TO_CLASS', 'DEFAULT_PATH_REGEX', 'SEQUENCES_DIR',
           'AU_OCC_DIR', 'read_au_occurrence', 'au_codes']

#: The tasks of BP4D and the emotion each was designed to elicit.
TASK_TO_CLASS = {'T1': 'happy', 'T2': 'sad', 'T3': 'surprise', 'T4': 'embarrassment',
                 'T5': 'fear', 'T6': 'pain', 'T7': 'angry', 'T8': 'disgust'}
#: matched against the path below ``Sequences(2D+3D)/`` (or below data_root)
DEFAULT_PATH_REGEX = r'(?P<subject>[FM]\d{3})/(?P<task>T\d+)/(?P<frame>\d{4})\.obj'
SEQUENCES_DIR = 'Sequences(2D+3D)'
AU_OCC_DIR = 'AUCoding/AU_OCC'
AU_CODES = (0, 1, 9)


def read_au_occurrence(path: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AU occurrence file -> (frames (R,) int64 AU frame numbers (from 1), aus (K,) int64
    AU numbers, codes (R, K) int8 in {0, 1, 9}); columns all 9 (AU not coded) are dropped.

    Raises:
        ValueError: naming the file and the row / column at fault (a header that is not
            ``0,1,2,...``, a non-integer cell, a code other than 0, 1, 9, a short row).
    """
    with open(path, newline='') as f:
        rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f'{path}: empty AU occurrence file (expected a header 0,1,2,...)')
    header = [c.strip() for c in rows[0]]
    if not all(re.fullmatch(r'\d+', c) for c in header) or header[0] != '0' or len(header) < 2:
        raise ValueError(f'{path}: header {",".join(header[:6])}... is not the BP4D AU '
                         f'header 0,1,2,... (column "0" the frame number, column k AU k)')
    aus = np.array([int(c) for c in header[1:]], np.int64)
    table = np.zeros((len(rows) - 1, len(header)), np.int64)
    for r, row in enumerate(rows[1:], start=2):
        if len(row) < len(header):
            raise ValueError(f'{path}: row {r} has {len(row)} cells, the header {len(header)}')
        try:
            table[r - 2] = [int(float(c)) for c in row[:len(header)]]
        except ValueError:
            raise ValueError(f'{path}: row {r} holds a cell that is not a number: '
                             f'{",".join(row[:8])}...') from None
    codes = table[:, 1:]
    bad = ~np.isin(codes, AU_CODES)
    if bad.any():
        r, k = np.argwhere(bad)[0]
        raise ValueError(f'{path}: row {r + 2}, AU {aus[k]}: code {codes[r, k]}, expected '
                         f'0 (absent), 1 (present) or 9 (unknown)')
    coded = (codes != 9).any(axis=0)
    return table[:, 0], aus[coded], codes[:, coded].astype(np.int8)


def _runs(mask: np.ndarray, index: np.ndarray) -> List[List[int]]:
    """Inclusive [first, last] runs of consecutive ``index`` values where mask."""
    kept = index[mask]
    runs = np.split(kept, np.flatnonzero(np.diff(kept) != 1) + 1) if len(kept) else []
    return [[int(r[0]), int(r[-1])] for r in runs]


def au_codes(record: Dict, au: int) -> np.ndarray:
    """(num_frames,) int8 code of AU ``au`` per frame of ``record['frames']``: 0 absent,
    1 present, 9 unknown, -1 not coded (outside the coded segment, or the AU is not in the
    file). Needs ``record['au_occurrence']``."""
    occ = record['au_occurrence']
    out = np.full(record['num_frames'], -1, np.int8)
    if au not in occ['aus']:
        return out
    for lo, hi in occ['coded']:
        out[lo:hi + 1] = 0
    for code, key in ((1, 'present'), (9, 'unknown')):
        for lo, hi in occ[key].get(f'AU{au}', []):
            out[lo:hi + 1] = code
    return out


@DATASETS.register_module()
class BP4DSequences(SequenceSource):
    """Index of the BP4D-Spontaneous 3D sequences under ``data_root``.

    Every ``.obj`` below ``data_root/Sequences(2D+3D)/`` (below data_root when it lacks that
    folder) is matched, as a '/' path relative to that folder, against ``path_regex`` (named
    groups ``subject``, ``task``, ``frame``); the frames of one (subject, task) form a sequence,
    in frame-number order (numeric frames; else by name). ``.obj`` files that do not match and
    tasks without a class are listed as skipped; other files are ignored.

    Each record: ``source_path`` (the sequence's folder below ``Sequences(2D+3D)``, e.g.
    'F001/T1'), ``subject``, ``sex`` ('F'/'M' when the id starts so, else None), ``task``,
    ``expression``, ``dataset`` 'bp4d', ``num_frames``, ``frames`` (relative to data_root),
    ``missing_frames``; and, when the AU occurrence file ``F001_T1.csv`` exists (numeric frames
    only), ``au_occurrence`` = dict(file, aus (the AU numbers coded), coded (the inclusive
    [first, last] runs of indices into ``frames`` that it codes), present / unknown ({'AU12':
    runs} of code 1 / 9; the rest of ``coded`` is 0: :func:`au_codes`), unmatched (coded rows
    without a model file)) with ``onset_index`` / ``offset_index`` = the first / last coded
    frame, so ``sampling='segment'`` samples the AU-coded segment. An unreadable AU file, or
    one whose frames match no model file, is listed as skipped (the sequence is kept).

    Args:
        data_root: the release folder or its ``Sequences(2D+3D)`` folder.
        tasks: keep only these tasks (e.g. ['T1', 'T8'], the cross-data-set protocol).
        au_occ_root: folder of the AU occurrence files; 'auto': ``AUCoding/AU_OCC`` in
            data_root, or beside it when data_root is ``Sequences(2D+3D)``; None: not read.
        **temporal: the options of :class:`SequenceSource`.
    """

    dataset_name = 'bp4d'

    def __init__(self, data_root: str, path_regex: str = DEFAULT_PATH_REGEX,
                 task_to_class: Optional[Dict[str, str]] = None,
                 tasks: Optional[Sequence[str]] = None, subjects: Optional[Sequence[str]] = None,
                 au_occ_root: Optional[str] = 'auto', **temporal):
        super().__init__(data_root, **temporal)
        self.path_regex = re.compile(path_regex)
        missing = {'subject', 'task', 'frame'} - set(self.path_regex.groupindex)
        if missing:
            raise ValueError(f'path_regex {path_regex!r} lacks the named group(s) '
                             f'{sorted(missing)} (needs subject, task and frame)')
        self.task_to_class = dict(TASK_TO_CLASS if task_to_class is None else task_to_class)
        self.tasks = set(tasks) if tasks else None
        if self.tasks and not self.tasks <= set(self.task_to_class):
            raise ValueError(f'tasks {sorted(self.tasks - set(self.task_to_class))} have no '
                             f'class in task_to_class {self.task_to_class}')
        self.subjects = set(subjects) if subjects else None
        self.au_occ_root = au_occ_root

    def au_folder(self) -> Optional[str]:
        """The AU occurrence folder in use, or None."""
        root = osp.abspath(self.data_root)
        candidates = [osp.join(root, AU_OCC_DIR)]
        if osp.basename(root) == SEQUENCES_DIR:
            candidates.append(osp.join(osp.dirname(root), AU_OCC_DIR))
        return optional_folder(self.au_occ_root, candidates, 'BP4D au_occ_root', AU_OCC_DIR)

    def _walk(self, top: str):
        """Relative '/' paths of every .obj below ``top``, sorted."""
        out = []
        for folder, dirs, files in os.walk(top):
            dirs.sort()
            rel_dir = osp.relpath(folder, top).replace(os.sep, '/')
            prefix = '' if rel_dir == '.' else rel_dir + '/'
            out += [prefix + f for f in sorted(files) if f.lower().endswith('.obj')]
        return out

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        require_data_root(self.data_root, 'BP4D', 'bp4d', (
            'BP4D-Spontaneous', BINGHAMTON, f'release folder holding {SEQUENCES_DIR}/'))
        prefix = SEQUENCES_DIR + '/' if osp.isdir(osp.join(self.data_root, SEQUENCES_DIR)) else ''
        groups, skipped = defaultdict(dict), []
        for rel in self._walk(osp.join(self.data_root, prefix) if prefix else self.data_root):
            m = self.path_regex.fullmatch(rel)
            if m is None:
                skipped.append(dict(source_path=prefix + rel, reason=(
                    f'{prefix + rel}: path does not match path_regex '
                    f'{self.path_regex.pattern!r}'
                    + (f' (matched below {SEQUENCES_DIR}/)' if prefix else ''))))
                continue
            group = groups[(m['subject'], m['task'])]
            if m['frame'] in group:
                skipped.append(dict(source_path=prefix + rel, reason=(
                    f"{prefix + rel}: same subject, task and frame as "
                    f"{prefix + group[m['frame']]}")))
                continue
            group[m['frame']] = rel
        folders = defaultdict(set)
        for key, frames in groups.items():
            folders[frozenset(osp.dirname(r) for r in frames.values())].add(key)
        au_dir = self.au_folder()
        records = []
        for (subject, task), frames in sorted(groups.items()):
            rel = f'{subject}/{task}'
            if task not in self.task_to_class:
                skipped.append(dict(source_path=rel, reason=(
                    f'{rel}: task {task!r} has no class in task_to_class '
                    f'{sorted(self.task_to_class)}')))
                continue
            if (self.tasks and task not in self.tasks) or (
                    self.subjects and subject not in self.subjects):
                continue
            dirs = frozenset(osp.dirname(r) for r in frames.values())
            if len(dirs) == 1 and len(folders[dirs]) == 1:
                rel = next(iter(dirs))  # the sequence's own folder
            ordered, missing, ids = self._order(frames)
            record = dict(
                source_path=rel, dataset=self.dataset_name, subject=subject,
                sex=subject[0] if subject[:1] in ('F', 'M') else None, task=task,
                expression=self.task_to_class[task], num_frames=len(ordered),
                frames=[prefix + r for r in ordered],
                missing_frames=[prefix + r for r in missing])
            au_path = osp.join(au_dir, f'{subject}_{task}.csv') if au_dir else None
            if au_path and ids is not None and osp.isfile(au_path):
                problem = self._attach_aus(record, au_path, ids)
                if problem:
                    skipped.append(dict(source_path=self._rel(au_path), reason=problem))
            records.append(record)
        return records, skipped

    def _rel(self, path: str) -> str:
        return osp.relpath(path, self.data_root).replace(os.sep, '/')

    def _attach_aus(self, record: Dict, path: str, ids: List[int]) -> Optional[str]:
        """Add au_occurrence / onset_index / offset_index; returns a problem (for the skipped
        list) or None."""
        try:
            au_frames, aus, codes = read_au_occurrence(path)
        except (OSError, ValueError) as e:
            return f'{e}; AU occurrence not used for {record["source_path"]}'
        position = {k: i for i, k in enumerate(ids)}
        index = np.array([position.get(int(f) - 1, -1) for f in au_frames], np.int64)
        hit = index >= 0
        rel = self._rel(path)
        if not hit.any():
            return (f'{rel}: none of its {len(au_frames)} AU frames '
                    f'({int(au_frames.min()) if len(au_frames) else "-"}-'
                    f'{int(au_frames.max()) if len(au_frames) else "-"}) has a model file in '
                    f'{record["source_path"]} (AU frame N+1 = model frame N, frames '
                    f'{ids[0]:04d}-{ids[-1]:04d}); AU occurrence not used')
        order = np.argsort(index[hit], kind='stable')
        index, codes = index[hit][order], codes[hit][order]
        record['au_occurrence'] = dict(
            file=rel, aus=aus.tolist(), coded=_runs(np.ones(len(index), bool), index),
            present={f'AU{a}': _runs(codes[:, k] == 1, index) for k, a in enumerate(aus)
                     if (codes[:, k] == 1).any()},
            unknown={f'AU{a}': _runs(codes[:, k] == 9, index) for k, a in enumerate(aus)
                     if (codes[:, k] == 9).any()},
            unmatched=int((~hit).sum()))
        record['onset_index'], record['offset_index'] = int(index[0]), int(index[-1])
        return None

    @staticmethod
    def _order(frames: Dict[str, str]):
        """{frame id: path} -> (paths in time order, gap paths, frame numbers in time order or
        None when the ids are not numbers)."""
        if not all(f.isdigit() for f in frames):
            return [frames[f] for f in sorted(frames)], [], None
        names, gaps = order_frames(list(frames), re.compile(r'^(\d+)$'))
        f0, r0 = next(iter(frames.items()))
        cut = r0.rfind(f0)  # the frame id's place in the path
        return ([frames[n] for n in names], [r0[:cut] + g + r0[cut + len(f0):] for g in gaps],
                [int(n) for n in names])

    def read_frame(self, path: str):
        from ..formats.obj import read_obj
        return read_obj(path)
