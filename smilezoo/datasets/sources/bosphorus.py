"""Bosphorus on disk: subject folders ``bsNNN/`` of ``.bnt`` range grids named
``bsNNN_{CLASS}_{CODE}_{k}`` (docs/datasets.md), as the release unpacks:
``BosphorusDB/bs000/bs000_E_HAPPY_0.{bnt,lm2,lm3,png}`` (some copies split it into
``BosphorusDB_p1/``, ``BosphorusDB_p2/`` ...; other files are ignored)."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from smilezoo.structures import Mesh

from .base import ScanSource, match_name, subject_files

#: E_* codes -> smilezoo's expression names; N_N is the neutral scan.
EMOTION_CODES = {'ANGER': 'angry', 'DISGUST': 'disgust', 'FEAR': 'fear',
                 'HAPPY': 'happy', 'SADNESS': 'sad', 'SURPRISE': 'surprise'}
#: CLASS part of a name: emotions, neutral, lower/upper/combined action units, yaw/pitch/cross
#: rotations, occlusions.
CLASSES = ('E', 'N', 'LFAU', 'UFAU', 'CAU', 'YR', 'PR', 'CR', 'O')
SIX_EMOTIONS = tuple(EMOTION_CODES.values())
NAME_RE = re.compile(r'^(?P<subject>bs\d{3})_(?P<cls>[A-Z]+)_'
                     r'(?P<code>[A-Za-z0-9]+)_(?P<take>\d+)\.bnt$')
SUBJECT_DIR = re.compile(r'^bs\d{3}$')
DB_DIR = re.compile(r'^BosphorusDB(_p\d+)?$')
#: The 65 subjects of the FER protocol (one public list, docs/datasets.md).
PROTOCOL_SUBJECTS = tuple(f'bs{i:03d}' for i in range(105)
                          if i not in (7, 10, 13, 20, 92) and not 47 <= i <= 81)
SUBJECT_RULES = {
    'protocol': 'the built-in list of the FER protocol\'s 65 subjects',
    'all_six': 'the all-six-expressions rule: subjects with a scan of each of the six emotions',
    'all': 'every subject found',
}


def parse_bosphorus_name(filename: str) -> Dict:
    """'bs000_E_HAPPY_0.bnt' -> dict(subject, scan_class, code, take, expression);
    ``expression`` is the emotion name for E_*, 'neutral' for N_N and None for action-unit,
    pose and occlusion scans. ValueError naming the file and the part that does not parse."""
    m = match_name(NAME_RE, filename, "Bosphorus's bsNNN_{CLASS}_{CODE}_{k}.bnt")
    cls, code = m['cls'], m['code']
    if cls not in CLASSES:
        raise ValueError(f'{filename}: unknown scan class {cls!r}; expected one of {CLASSES}')
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
    return dict(subject=m['subject'], scan_class=cls, code=code, take=int(m['take']),
                expression=expression)


@DATASETS.register_module()
class BosphorusScans(ScanSource):
    """Index of the raw Bosphorus scans under ``data_root`` (the folder holding ``bs000/`` ...
    or its parent holding ``BosphorusDB/``; ``source_path`` is relative to it as given).

    Args:
        expressions: expressions to keep (add 'neutral' for the N_N scans); action-unit, pose
            and occlusion scans are never kept (nor listed as skipped).
        subject_rule: 'protocol' (:data:`PROTOCOL_SUBJECTS`), 'all_six' (subjects with a scan
            of each of the six emotions, whatever ``expressions`` is) or 'all'.
        require_all_expressions: older spelling: True = 'all_six', False = 'all' (only when
            ``subject_rule`` is not given).
        as_mesh: ``load`` gives a triangle mesh of the grid (True) or the bare valid points.

    Records: source_path, dataset='bosphorus', subject, expression, intensity=None, sex=None,
    race=None, scan_type ('E_HAPPY', 'N_N', ...), take (k). After :meth:`scan`, ``selection``
    is the report's block (docs/data_preparation.md); under 'all_six' every scan the rule
    excluded (one kept otherwise) is also in ``skipped``, naming the emotions its subject lacks,
    so one misnamed file cannot silently drop a subject.
    """

    dataset_name = 'bosphorus'

    def __init__(self, data_root: str, expressions: Sequence[str] = SIX_EMOTIONS,
                 subject_rule: Optional[str] = None,
                 require_all_expressions: Optional[bool] = None,
                 subjects: Optional[Sequence[str]] = None, as_mesh: bool = True):
        self.data_root = data_root
        self.expressions = set(expressions)
        unknown = self.expressions - set(SIX_EMOTIONS) - {'neutral'}
        if unknown:
            raise ValueError(f'unknown expressions {sorted(unknown)}; Bosphorus has '
                             f'{SIX_EMOTIONS} and neutral')
        if subject_rule is None:
            subject_rule = {None: 'protocol', True: 'all_six', False: 'all'}.get(
                require_all_expressions, 'protocol')
        elif require_all_expressions is not None and \
                (subject_rule == 'all_six') != bool(require_all_expressions):
            raise ValueError(f'subject_rule={subject_rule!r} contradicts '
                             f'require_all_expressions={require_all_expressions!r}; '
                             f'give only subject_rule')
        if subject_rule not in SUBJECT_RULES:
            raise ValueError(f'subject_rule {subject_rule!r}: expected one of '
                             f'{sorted(SUBJECT_RULES)}')
        self.subject_rule = subject_rule
        self.selection: Optional[Dict] = None
        self.subjects = set(subjects) if subjects else None
        self.as_mesh = as_mesh

    def subject_folders(self) -> List[str]:
        """Subject folders relative to data_root: ``bsNNN``, or ``BosphorusDB*/bsNNN`` when
        data_root holds none directly (every ``BosphorusDB``, ``BosphorusDB_p1`` ... folder, in
        name order)."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'Bosphorus data_root {self.data_root!r} does not exist. The '
                f'Bosphorus database is licensed by Bogazici University; '
                f'request it there and point data_root at the folder holding '
                f'bs000/, bs001/, ... (or at its parent holding BosphorusDB/)'
                f', or make synthetic data: python tools/dataset_converters/'
                f'make_synthetic.py --layout bosphorus --out DIR')

        def subjects_in(top: str) -> List[str]:
            folder = osp.join(self.data_root, top)
            return [osp.join(top, d) for d in sorted(os.listdir(folder))
                    if SUBJECT_DIR.match(d) and osp.isdir(osp.join(folder, d))]

        found = subjects_in('')
        if not found:
            for top in sorted(os.listdir(self.data_root)):
                if DB_DIR.match(top) and osp.isdir(osp.join(self.data_root, top)):
                    found += subjects_in(top)
        if found:
            return found
        raise FileNotFoundError(
            f'Bosphorus data_root {self.data_root!r} holds no subject folders '
            f'bsNNN/ (nor BosphorusDB/bsNNN/)')

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """(records, skipped): one record per kept scan, and every .bnt whose name did not
        parse, with the reason."""
        parsed, skipped, first_dir = [], [], {}
        for rel_dir in self.subject_folders():
            folder = osp.basename(rel_dir)
            if first_dir.setdefault(folder, rel_dir) != rel_dir:
                skipped.append(dict(source_path=rel_dir, reason=(
                    f'{rel_dir}: subject {folder} is also in {first_dir[folder]} '
                    f'(only that folder is read)')))
                continue
            parsed += subject_files(self.data_root, rel_dir, '.bnt', parse_bosphorus_name,
                                    skipped)
        shown: Dict[str, set] = {}
        for _, info in parsed:
            shown.setdefault(info['subject'], set()).add(info['expression'])
        lacks = {subj: [e for e in SIX_EMOTIONS if e not in got] for subj, got in shown.items()}
        chosen = dict(protocol=set(PROTOCOL_SUBJECTS), all=set(shown),
                      all_six={subj for subj, miss in lacks.items() if not miss})[self.subject_rule]
        records, left_out = [], {}
        for rel, info in parsed:
            subj = info['subject']
            if info['expression'] not in self.expressions or (
                    self.subjects and subj not in self.subjects):
                continue
            if subj not in chosen:
                left_out[subj] = left_out.get(subj, 0) + 1
                if self.subject_rule == 'all_six':
                    skipped.append(dict(source_path=rel, reason=(
                        f'{rel}: not used: subject {subj} has no scan of {", ".join(lacks[subj])} '
                        f'(subject_rule=\'all_six\')')))
                continue
            records.append(dict(
                source_path=rel, dataset=self.dataset_name, subject=subj,
                expression=info['expression'], intensity=None, sex=None, race=None,
                scan_type=f'{info["scan_class"]}_{info["code"]}', take=info['take']))
        self.selection = self._selection(records, shown, lacks, left_out)
        return records, skipped

    def _selection(self, records, shown, lacks, left_out) -> Dict:
        """The report's ``selection`` block (see the class docstring)."""
        used = sorted({r['subject'] for r in records})
        out = dict(rule=self.subject_rule, description=SUBJECT_RULES[self.subject_rule],
                   subjects_used=used, left_out={s: left_out[s] for s in sorted(left_out)})
        summary = (f'Bosphorus subjects chosen by {self.subject_rule!r} '
                   f'({SUBJECT_RULES[self.subject_rule]}): {len(used)} used')
        if self.subject_rule == 'protocol':
            wanted = [s for s in PROTOCOL_SUBJECTS if not self.subjects or s in self.subjects]
            out['missing'] = [s for s in wanted if s not in shown]
            out['incomplete'] = {s: lacks[s] for s in wanted if s in shown and lacks[s]}
            if out['missing']:
                summary += (f'; {len(out["missing"])} listed subject(s) not found: '
                            f'{", ".join(out["missing"][:10])}'
                            + (', ...' if len(out['missing']) > 10 else ''))
            if out['incomplete']:
                summary += '; listed but lacking an emotion: ' + ', '.join(
                    f'{s} ({", ".join(m)})' for s, m in list(out['incomplete'].items())[:10])
        if left_out:
            names = [f'{s} lacks {", ".join(lacks[s])}' if self.subject_rule == 'all_six' else s
                     for s in sorted(left_out)]
            summary += (f'; {len(left_out)} subject(s) left out ({sum(left_out.values())} '
                        f'scans): ' + ', '.join(names[:10]) + (', ...' if len(names) > 10 else ''))
        out['summary'] = summary
        return out

    @property
    def load_settings(self) -> Dict:
        return dict(as_mesh=bool(self.as_mesh))

    def load(self, record: Dict) -> Mesh:
        """The scan's valid grid points as a Mesh (see ``as_mesh``)."""
        from ..formats.bnt import read_bnt
        scan = read_bnt(osp.join(self.data_root, record['source_path']))
        return scan.to_mesh(triangulate=self.as_mesh)
