"""BU-4DFE on disk, as the release ships it (docs/datasets.md)::

    <release>/F001/Angry/000.wrl 000.jpg 001.wrl 001.jpg ...  (Disgust Fear Happy Sad Surprise)
    <release>/BU_WrlViewer_V2/ ...                          (viewer program: skipped)
    <release>/BU4DFE_BND_V1.1/F001/Angry/000.bnd ...          (landmarks, shipped apart)
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from .base import BINGHAMTON, SequenceSource, optional_folder, require_data_root

__all__ = ['BU4DFESequences', 'EXPRESSION_FOLDERS', 'LANDMARK_DIR', 'order_frames']

EXPRESSION_FOLDERS = {e: e for e in ('angry', 'disgust', 'fear', 'happy', 'sad', 'surprise')}
SUBJECT_RE = re.compile(r'^[FM]\d{3}$')
FRAME_RE = re.compile(r'^(\d+)\.wrl$')
#: the landmark release's folder name
LANDMARK_DIR = 'BU4DFE_BND_V1.1'


def order_frames(names: Sequence[str], pattern=FRAME_RE) -> Tuple[List[str], List[str]]:
    """Frame file names -> (names sorted by frame number, names of the numbers missing in
    between, zero-padded like the others). ``pattern`` captures the number as group 1 and must
    match every name."""
    numbered = sorted((int(pattern.match(n).group(1)), n) for n in names)
    if not numbered:
        return [], []
    digits = {len(pattern.match(n).group(1)) for _, n in numbered}
    width = digits.pop() if len(digits) == 1 else 0
    match = pattern.match(numbered[0][1])
    head, tail = match.string[:match.start(1)], match.string[match.end(1):]
    present = {k for k, _ in numbered}
    missing = [f'{head}{k:0{width}d}{tail}'
               for k in range(numbered[0][0], numbered[-1][0] + 1) if k not in present]
    return [n for _, n in numbered], missing


@DATASETS.register_module()
class BU4DFESequences(SequenceSource):
    """Index of the raw BU-4DFE sequences under ``data_root`` (the folder of F001/, M001/).

    Expression folders match in any case; frames ``000.wrl``, ``001.wrl``, ... may have any
    number of digits (other files are ignored). Top-level entries that are not subject folders
    are ignored without a report line; unknown folders inside a subject and ``.wrl`` files not
    named by a frame number are listed as skipped. With the landmark release found, each frame
    read gets ``Mesh.landmarks`` (83, 3) from ``<landmark_root>/F001/Angry/000.bnd`` when that
    file exists, and records hold ``landmark_frames`` (how many frames have one).

    Each record: ``source_path`` 'F001/Angry', ``subject``, ``sex``, ``expression`` (lower
    case), ``dataset`` 'bu4dfe', ``num_frames``, ``frames`` (relative to data_root, by frame
    number), ``missing_frames`` (the files a gap in the numbering would have had).

    Args:
        landmark_root: the landmark release folder; 'auto': ``BU4DFE_BND_V1.1`` in data_root or
            beside it; None: landmarks not read.
        **temporal: the options of :class:`SequenceSource`.
    """

    dataset_name = 'bu4dfe'

    def __init__(self, data_root: str,
                 expressions: Sequence[str] = tuple(EXPRESSION_FOLDERS.values()),
                 subjects: Optional[Sequence[str]] = None, landmark_root: Optional[str] = 'auto',
                 **temporal):
        super().__init__(data_root, **temporal)
        unknown = set(expressions) - set(EXPRESSION_FOLDERS.values())
        if unknown:
            raise ValueError(f'unknown BU-4DFE expressions {sorted(unknown)}; '
                             f'choose from {sorted(EXPRESSION_FOLDERS.values())}')
        self.expressions = set(expressions)
        self.subjects = set(subjects) if subjects else None
        self.landmark_root = landmark_root

    def landmark_folder(self) -> Optional[str]:
        """The landmark release folder in use, or None."""
        root = osp.abspath(self.data_root)
        candidates = [osp.join(root, LANDMARK_DIR), osp.join(osp.dirname(root), LANDMARK_DIR)]
        return optional_folder(self.landmark_root, candidates, 'BU-4DFE landmark_root',
                               f'{LANDMARK_DIR}/ in or beside data_root')

    def landmark_file(self, frame_path: str) -> Optional[str]:
        """``.bnd`` file of a frame (absolute or relative to data_root), or None."""
        folder = self.landmark_folder()
        rel = osp.relpath(osp.join(self.data_root, frame_path), self.data_root)
        if folder is None or rel.startswith('..'):
            return None
        bnd = osp.join(folder, osp.splitext(rel)[0] + '.bnd')
        return bnd if osp.isfile(bnd) else None

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        require_data_root(self.data_root, 'BU-4DFE', 'bu4dfe', (
            'BU-4DFE', BINGHAMTON, 'folder holding F001/, M001/, ...'))
        records, skipped = [], []
        for subject in sorted(os.listdir(self.data_root)):
            sub_dir = osp.join(self.data_root, subject)
            if not (SUBJECT_RE.match(subject) and osp.isdir(sub_dir)) or (
                    self.subjects and subject not in self.subjects):
                continue  # the viewer program, documents, ... or a subject not asked for
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
                skipped += [dict(source_path=f'{rel}/{n}', reason=f'{rel}/{n}: not a frame file '
                                 f'name (expected NNN.wrl)')
                            for n in names if not FRAME_RE.match(n)]
                names = [n for n in names if FRAME_RE.match(n)]
                if not names:
                    skipped.append(dict(source_path=rel, reason=f'{rel}: no NNN.wrl frames'))
                    continue
                ordered, missing = order_frames(names)
                record = dict(
                    source_path=rel, dataset=self.dataset_name, subject=subject,
                    sex=subject[0], expression=expression, num_frames=len(ordered),
                    frames=[f'{rel}/{n}' for n in ordered],
                    missing_frames=[f'{rel}/{n}' for n in missing])
                with_bnd = sum(self.landmark_file(f) is not None for f in record['frames'])
                if with_bnd:
                    record['landmark_frames'] = with_bnd
                records.append(record)
        return records, skipped

    def read_frame(self, path: str):
        """A frame's Mesh, with ``landmarks`` (83, 3) when its .bnd exists."""
        from ..formats.bnd import read_bnd
        from ..formats.vrml import read_vrml
        mesh = read_vrml(path)
        bnd = self.landmark_file(path)
        if bnd is not None:
            mesh.landmarks = read_bnd(bnd).points
        return mesh
