"""Bosphorus on disk: subject folders ``bsNNN/`` of ``.bnt`` range grids
named ``bsNNN_{CLASS}_{CODE}_{k}`` (see docs/datasets.md)."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from ..formats import Mesh

#: E_* codes -> smilezoo's expression names; N_N is the neutral scan.
EMOTION_CODES = {'ANGER': 'angry', 'DISGUST': 'disgust', 'FEAR': 'fear',
                 'HAPPY': 'happy', 'SADNESS': 'sad', 'SURPRISE': 'surprise'}
#: CLASS part of a name: emotions, neutral, lower / upper / combined action
#: units, yaw / pitch / cross rotations, occlusions.
CLASSES = ('E', 'N', 'LFAU', 'UFAU', 'CAU', 'YR', 'PR', 'CR', 'O')
SIX_EMOTIONS = tuple(EMOTION_CODES.values())
NAME_RE = re.compile(r'^(?P<subject>bs\d{3})_(?P<cls>[A-Z]+)_'
                     r'(?P<code>[A-Za-z0-9]+)_(?P<take>\d+)\.bnt$')
SUBJECT_DIR = re.compile(r'^bs\d{3}$')


def parse_bosphorus_name(filename: str) -> Dict:
    """'bs000_E_HAPPY_0.bnt' -> dict(subject, scan_class, code, take,
    expression); ``expression`` is the emotion name for E_*, 'neutral' for
    N_N and None for action-unit, pose and occlusion scans.

    Raises ValueError naming the file and the part that does not parse.
    """
    name = osp.basename(filename)
    m = NAME_RE.match(name)
    if not m:
        raise ValueError(f'{filename}: name does not match Bosphorus\'s '
                         f'bsNNN_{{CLASS}}_{{CODE}}_{{k}}.bnt')
    cls, code = m['cls'], m['code']
    if cls not in CLASSES:
        raise ValueError(f'{filename}: unknown scan class {cls!r}; expected '
                         f'one of {CLASSES}')
    expression = None
    if cls == 'E':
        if code not in EMOTION_CODES:
            raise ValueError(f'{filename}: unknown emotion {code!r}; expected'
                             f' one of {sorted(EMOTION_CODES)}')
        expression = EMOTION_CODES[code]
    elif cls == 'N':
        if code != 'N':
            raise ValueError(f'{filename}: neutral scans are N_N, got N_{code}')
        expression = 'neutral'
    return dict(subject=m['subject'], scan_class=cls, code=code,
                take=int(m['take']), expression=expression)


@DATASETS.register_module()
class BosphorusScans:
    """Index of the raw Bosphorus scans under ``data_root``, read for
    prepare_data.

    Args:
        data_root: the folder holding ``bs000/``, ``bs001/`` ... or its
            parent (the distribution's ``BosphorusDB/`` sits inside it).
            ``source_path`` of a record is relative to ``data_root`` as
            given.
        expressions: expressions to keep (the six emotions by default; add
            'neutral' for the N_N scans). Action-unit, pose and occlusion
            scans are never kept (they are not listed as skipped either).
        require_all_expressions: keep only subjects with a scan of each of
            the six emotions, whatever ``expressions`` is (the common
            65-subject protocol).
        subjects: optional list of subject ids to keep.
        as_mesh: ``load`` returns a triangle mesh of the grid (True) or the
            bare valid points (False; rendered by the point splatter).

    Records: source_path, dataset='bosphorus', subject, expression,
    intensity=None (Bosphorus has none), sex=None, race=None,
    scan_type ('E_HAPPY', 'N_N', ...), take (k).
    """

    dataset_name = 'bosphorus'

    def __init__(self, data_root: str,
                 expressions: Sequence[str] = SIX_EMOTIONS,
                 require_all_expressions: bool = True,
                 subjects: Optional[Sequence[str]] = None,
                 as_mesh: bool = True):
        self.data_root = data_root
        self.expressions = set(expressions)
        unknown = self.expressions - set(SIX_EMOTIONS) - {'neutral'}
        if unknown:
            raise ValueError(f'unknown expressions {sorted(unknown)}; '
                             f'Bosphorus has {SIX_EMOTIONS} and neutral')
        self.require_all_expressions = require_all_expressions
        self.subjects = set(subjects) if subjects else None
        self.as_mesh = as_mesh

    def subject_folders(self) -> List[str]:
        """Subject folders relative to data_root: ``bsNNN`` or
        ``BosphorusDB/bsNNN``."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'Bosphorus data_root {self.data_root!r} does not exist. The '
                f'Bosphorus database is licensed by Bogazici University; '
                f'request it there and point data_root at the folder holding '
                f'bs000/, bs001/, ... (or at its parent holding BosphorusDB/)'
                f', or make synthetic data: python tools/dataset_converters/'
                f'make_synthetic.py --layout bosphorus --out DIR')
        for prefix in ('', 'BosphorusDB'):
            top = osp.join(self.data_root, prefix)
            if not osp.isdir(top):
                continue
            found = [osp.join(prefix, d) for d in sorted(os.listdir(top))
                     if SUBJECT_DIR.match(d) and osp.isdir(osp.join(top, d))]
            if found:
                return found
        raise FileNotFoundError(
            f'Bosphorus data_root {self.data_root!r} holds no subject folders '
            f'bsNNN/ (nor BosphorusDB/bsNNN/)')

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """Walk data_root. Returns (records, skipped): one record per kept
        scan, and every .bnt whose name did not parse, with the reason."""
        parsed, skipped = [], []
        for rel_dir in self.subject_folders():
            folder = osp.basename(rel_dir)
            for fname in sorted(os.listdir(osp.join(self.data_root, rel_dir))):
                if not fname.endswith('.bnt'):
                    continue
                rel = osp.join(rel_dir, fname)
                try:
                    info = parse_bosphorus_name(rel)
                except ValueError as e:
                    skipped.append(dict(source_path=rel, reason=str(e)))
                    continue
                if info['subject'] != folder:
                    skipped.append(dict(source_path=rel, reason=f'{rel}: file '
                                        f'of subject {info["subject"]} in '
                                        f'folder {folder}'))
                    continue
                parsed.append((rel, info))
        complete = None
        if self.require_all_expressions:
            shown: Dict[str, set] = {}
            for _, info in parsed:
                shown.setdefault(info['subject'], set()).add(info['expression'])
            complete = {s for s, e in shown.items() if e >= set(SIX_EMOTIONS)}
        records = []
        for rel, info in parsed:
            if (info['expression'] not in self.expressions
                    or (complete is not None and info['subject'] not in complete)
                    or (self.subjects and info['subject'] not in self.subjects)):
                continue
            records.append(dict(
                source_path=rel, dataset=self.dataset_name,
                subject=info['subject'], expression=info['expression'],
                intensity=None, sex=None, race=None,
                scan_type=f'{info["scan_class"]}_{info["code"]}',
                take=info['take']))
        return records, skipped

    def load(self, record: Dict) -> Mesh:
        """The scan's valid grid points as a Mesh (see ``as_mesh``)."""
        from ..formats.bnt import read_bnt
        scan = read_bnt(osp.join(self.data_root, record['source_path']))
        return scan.to_mesh(triangulate=self.as_mesh)
