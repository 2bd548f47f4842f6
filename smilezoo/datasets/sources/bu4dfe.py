"""BU-4DFE on disk: ``F001/Angry/000.wrl`` ... one VRML file per frame
(see docs/datasets.md)."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from ..temporal import SequenceSource

EXPRESSION_FOLDERS = {'angry': 'angry', 'disgust': 'disgust', 'fear': 'fear',
                      'happy': 'happy', 'sad': 'sad', 'surprise': 'surprise'}
SUBJECT_RE = re.compile(r'^[FM]\d{3}$')
FRAME_RE = re.compile(r'^(\d+)\.wrl$')


def order_frames(names: Sequence[str], pattern=FRAME_RE) -> Tuple[List[str], List[str]]:
    """Frame file names -> (names sorted by frame number, names of the
    numbers missing in between, zero-padded like the others).

    ``pattern`` captures the number as group 1 and must match every name.
    """
    numbered = sorted((int(pattern.match(n).group(1)), n) for n in names)
    if not numbered:
        return [], []
    digits = {len(pattern.match(n).group(1)) for _, n in numbered}
    width = digits.pop() if len(digits) == 1 else 0
    first = numbered[0][1]
    match = pattern.match(first)
    head, tail = first[:match.start(1)], first[match.end(1):]
    present = {k for k, _ in numbered}
    missing = [f'{head}{k:0{width}d}{tail}'
               for k in range(numbered[0][0], numbered[-1][0] + 1) if k not in present]
    return [n for _, n in numbered], missing


@DATASETS.register_module()
class BU4DFESequences(SequenceSource):
    """Index of the raw BU-4DFE sequences under ``data_root``.

    Layout: subject folders ``F001/``, ``M001/`` holding expression folders
    ``Angry Disgust Fear Happy Sad Surprise`` (matched case-insensitively)
    of frames ``000.wrl``, ``001.wrl``, ... (any number of digits; the
    ``.jpg`` textures and other files are ignored). Other top-level folders
    (e.g. the viewer program shipped with the data) are ignored; unknown
    folders inside a subject and ``.wrl`` files not named by a frame number
    are listed as skipped.

    Each record: ``source_path`` 'F001/Angry', ``subject``, ``sex``,
    ``expression`` (lower case: angry disgust fear happy sad surprise),
    ``dataset`` 'bu4dfe', ``num_frames``, ``frames`` (paths relative to
    data_root, by frame number), ``missing_frames`` (the files a gap in the
    numbering would have had).

    Args:
        data_root: folder holding F001/, M001/, ...
        expressions: expressions to keep.
        subjects: optional subject ids to keep.
        **temporal: num_frames_sampled, sampling, min_frames, bad_frames,
            rescale, normalise (see :class:`SequenceSource`).
    """

    dataset_name = 'bu4dfe'

    def __init__(self, data_root: str,
                 expressions: Sequence[str] = tuple(EXPRESSION_FOLDERS.values()),
                 subjects: Optional[Sequence[str]] = None, **temporal):
        super().__init__(data_root, **temporal)
        unknown = set(expressions) - set(EXPRESSION_FOLDERS.values())
        if unknown:
            raise ValueError(f'unknown BU-4DFE expressions {sorted(unknown)}; '
                             f'choose from {sorted(EXPRESSION_FOLDERS.values())}')
        self.expressions = set(expressions)
        self.subjects = set(subjects) if subjects else None

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """Walk data_root: (records, skipped) with skipped = [dict(source_path,
        reason)]."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'BU-4DFE data_root {self.data_root!r} does not exist. BU-4DFE is licensed '
                f'by Binghamton University; request it there and point data_root at the '
                f'folder holding F001/, M001/, ... (or make synthetic data: python '
                f'tools/dataset_converters/make_synthetic.py --layout bu4dfe --out DIR)')
        records, skipped = [], []
        for subject in sorted(os.listdir(self.data_root)):
            sub_dir = osp.join(self.data_root, subject)
            if not (SUBJECT_RE.match(subject) and osp.isdir(sub_dir)):
                continue  # viewer program, documents, ...
            if self.subjects and subject not in self.subjects:
                continue
            for folder in sorted(os.listdir(sub_dir)):
                seq_dir = osp.join(sub_dir, folder)
                rel = f'{subject}/{folder}'
                if not osp.isdir(seq_dir):
                    continue
                expression = EXPRESSION_FOLDERS.get(folder.lower())
                if expression is None:
                    skipped.append(dict(source_path=rel, reason=(
                        f'{rel}: unknown expression folder {folder!r}; BU-4DFE has '
                        f'{sorted(f.capitalize() for f in EXPRESSION_FOLDERS)}')))
                    continue
                if expression not in self.expressions:
                    continue
                names = [n for n in os.listdir(seq_dir) if n.lower().endswith('.wrl')]
                for n in names:
                    if not FRAME_RE.match(n):
                        skipped.append(dict(source_path=f'{rel}/{n}', reason=(
                            f'{rel}/{n}: not a frame file name (expected NNN.wrl)')))
                names = [n for n in names if FRAME_RE.match(n)]
                if not names:
                    skipped.append(dict(source_path=rel, reason=f'{rel}: no NNN.wrl frames'))
                    continue
                ordered, missing = order_frames(names)
                records.append(dict(
                    source_path=rel, dataset=self.dataset_name, subject=subject,
                    sex=subject[0], expression=expression, num_frames=len(ordered),
                    frames=[f'{rel}/{n}' for n in ordered],
                    missing_frames=[f'{rel}/{n}' for n in missing]))
        return records, skipped

    def read_frame(self, path: str):
        from ..formats.vrml import read_vrml
        return read_vrml(path)
