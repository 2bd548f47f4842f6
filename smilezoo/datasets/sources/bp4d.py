"""BP4D-Spontaneous on disk: per-frame ``.obj`` meshes, one folder per
subject and task (see docs/datasets.md; the exact folder naming is
unconfirmed, so subject, task and frame come from a configurable regex)."""
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from ..temporal import SequenceSource
from .bu4dfe import order_frames

#: The tasks of BP4D and the emotion each was designed to elicit.
TASK_TO_CLASS = {'T1': 'happy', 'T2': 'sad', 'T3': 'surprise', 'T4': 'embarrassment',
                 'T5': 'fear', 'T6': 'pain', 'T7': 'angry', 'T8': 'disgust'}
DEFAULT_PATH_REGEX = r'(?P<subject>[FM]\d{3})/(?P<task>T\d+)/(?P<frame>\d+)\.obj'


@DATASETS.register_module()
class BP4DSequences(SequenceSource):
    """Index of the BP4D-Spontaneous 3D sequences under ``data_root``.

    Every ``.obj`` below data_root is matched (whole relative path, '/'
    separators) against ``path_regex``, which must define the named groups
    ``subject``, ``task`` and ``frame``; frames of one (subject, task) form a
    sequence, ordered by frame number (numeric frames; else by name). The
    default regex matches ``F001/T1/0001.obj``. ``.obj`` files that do not
    match, and tasks without a class, are listed as skipped; other files
    (``.bmp``, ``.mtl``, ...) are ignored.

    Each record: ``source_path`` (the sequence folder, e.g. 'F001/T1'),
    ``subject``, ``sex`` ('F'/'M' when the id starts so, else None),
    ``task``, ``expression`` (``task_to_class[task]``), ``dataset`` 'bp4d',
    ``num_frames``, ``frames``, ``missing_frames``.

    Args:
        data_root: the 3D data folder (holding F001/, ...).
        path_regex: see above.
        task_to_class: task -> class name (default :data:`TASK_TO_CLASS`).
        tasks: keep only these tasks (e.g. ['T1', 'T8'] for the cross-data
            set protocol); None keeps every mapped task.
        subjects: optional subject ids to keep.
        **temporal: num_frames_sampled, sampling, min_frames, bad_frames,
            rescale, normalise (see :class:`SequenceSource`).
    """

    dataset_name = 'bp4d'

    def __init__(self, data_root: str, path_regex: str = DEFAULT_PATH_REGEX,
                 task_to_class: Optional[Dict[str, str]] = None,
                 tasks: Optional[Sequence[str]] = None,
                 subjects: Optional[Sequence[str]] = None, **temporal):
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

    def _walk(self):
        """Relative '/' paths of every .obj below data_root, sorted."""
        out = []
        for folder, dirs, files in os.walk(self.data_root):
            dirs.sort()
            rel_dir = osp.relpath(folder, self.data_root).replace(os.sep, '/')
            prefix = '' if rel_dir == '.' else rel_dir + '/'
            out += [prefix + f for f in sorted(files) if f.lower().endswith('.obj')]
        return out

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """(records, skipped) with skipped = [dict(source_path, reason)]."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'BP4D data_root {self.data_root!r} does not exist. BP4D-Spontaneous is '
                f'licensed by Binghamton University; request it there and point data_root '
                f'at its 3D folder (or make synthetic data: python '
                f'tools/dataset_converters/make_synthetic.py --layout bp4d --out DIR)')
        groups, skipped = defaultdict(dict), []
        for rel in self._walk():
            m = self.path_regex.fullmatch(rel)
            if m is None:
                skipped.append(dict(source_path=rel, reason=(
                    f'{rel}: path does not match path_regex {self.path_regex.pattern!r}')))
                continue
            group = groups[(m['subject'], m['task'])]
            if m['frame'] in group:
                skipped.append(dict(source_path=rel, reason=(
                    f"{rel}: same subject, task and frame as {group[m['frame']]}")))
                continue
            group[m['frame']] = rel
        folders = defaultdict(set)
        for key, frames in groups.items():
            folders[frozenset(osp.dirname(r) for r in frames.values())].add(key)
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
            ordered, missing = self._order(frames)
            records.append(dict(
                source_path=rel, dataset=self.dataset_name, subject=subject,
                sex=subject[0] if subject[:1] in ('F', 'M') else None, task=task,
                expression=self.task_to_class[task], num_frames=len(ordered),
                frames=ordered, missing_frames=missing))
        return records, skipped

    @staticmethod
    def _order(frames: Dict[str, str]):
        """{frame id: path} -> (paths in time order, gap paths)."""
        if not all(f.isdigit() for f in frames):
            return [frames[f] for f in sorted(frames)], []
        names, gaps = order_frames(list(frames), re.compile(r'^(\d+)$'))
        f0, r0 = next(iter(frames.items()))
        cut = r0.rfind(f0)  # the frame id's place in the path
        return [frames[n] for n in names], [r0[:cut] + g + r0[cut + len(f0):] for g in gaps]

    def read_frame(self, path: str):
        from ..formats.obj import read_obj
        return read_obj(path)
