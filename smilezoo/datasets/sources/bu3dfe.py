"""BU-3DFE on disk: subject folders of VRML scans named by subject, expression, intensity
and race (docs/datasets.md)::

    <release>/F0001/F0001_AN01WH_F3D.wrl  F0001_AN01WH_F3D.bmp  F0001_AN01WH_F3D.bnd
                    F0001_AN01WH_RAW.wrl  (textured by the _F3D.bmp) ...

``_F3D.wrl`` is the cropped face (the FER scans), ``_RAW.wrl`` the whole capture (render it with
the renderer's ``face_crop``); the ``_F3D.bnd`` landmarks (83 ``index x y z`` lines) serve both.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from smilezoo.structures import Mesh

from .base import BINGHAMTON, ScanSource, match_name, require_data_root, subject_files

EXPRESSION_CODES = {'AN': 'angry', 'DI': 'disgust', 'FE': 'fear', 'HA': 'happy',
                    'SA': 'sad', 'SU': 'surprise', 'NE': 'neutral'}
SIX_EXPRESSIONS = ('angry', 'disgust', 'fear', 'happy', 'sad', 'surprise')
RACES = ('WH', 'BL', 'AE', 'AM', 'IN', 'LA')
SCAN_TYPES = ('F3D', 'RAW')
NAME_RE = re.compile(r'^(?P<subject>(?P<sex>[FM])\d{4})_(?P<code>[A-Z]{2})(?P<intensity>\d{2})'
                     r'(?P<race>[A-Z]{2})_(?P<type>F3D|RAW)\.wrl$')


def parse_bu3dfe_name(filename: str) -> Dict:
    """'F0001_HA03WH_F3D.wrl' -> dict(subject, sex, expression, intensity, race, scan_type);
    ValueError naming the file and the part that does not parse."""
    m = match_name(NAME_RE, filename, "BU-3DFE's {F|M}NNNN_{EXP}{II}{RACE}_{F3D|RAW}.wrl")
    code, intensity, race = m['code'], int(m['intensity']), m['race']
    if code not in EXPRESSION_CODES:
        raise ValueError(f'{filename}: unknown expression code {code!r}; expected one of '
                         f'{sorted(EXPRESSION_CODES)}')
    if race not in RACES:
        raise ValueError(f'{filename}: unknown race code {race!r}; expected one of {RACES}')
    if (code == 'NE') != (intensity == 0) or intensity > 4:
        raise ValueError(f'{filename}: intensity {intensity:02d} is invalid for {code} '
                         f'(neutral is 00, expressions 01-04)')
    return dict(subject=m['subject'], sex=m['sex'], expression=EXPRESSION_CODES[code],
                intensity=intensity, race=race, scan_type=m['type'])


@DATASETS.register_module()
class BU3DFEScans(ScanSource):
    """Index of the raw BU-3DFE scans under ``data_root`` (the folder of F0001/, M0001/, ...).

    Each record: ``source_path`` ('F0001/F0001_AN01WH_F3D.wrl'), ``dataset``, the parsed name
    (:func:`parse_bu3dfe_name`), and ``texture`` / ``landmarks`` (the scan's ``_F3D.bmp`` /
    ``_F3D.bnd``, also for RAW scans) when those files exist.

    Args:
        scan_type: 'F3D' or 'RAW' (see the module).
        expressions: expressions to keep (EXPRESSION_CODES values).
        intensities: intensity levels to keep (1-4; neutral is 0).
        subset: the protocols: 'I' = the six expressions at intensities 3-4, 'II' = at all
            four (no neutral); overrides ``expressions`` and ``intensities``.
        landmarks: :meth:`load` reads the ``_F3D.bnd`` landmarks into the Mesh (a broken
            ``.bnd`` fails the scan with the file named).
    """

    dataset_name = 'bu3dfe'
    SUBSETS = {'I': (3, 4), 'II': (1, 2, 3, 4)}

    def __init__(self, data_root: str, scan_type: str = 'F3D',
                 expressions: Sequence[str] = SIX_EXPRESSIONS,
                 intensities: Sequence[int] = (1, 2, 3, 4),
                 subjects: Optional[Sequence[str]] = None, subset: Optional[str] = None,
                 landmarks: bool = True):
        if scan_type not in SCAN_TYPES:
            raise ValueError(f'BU3DFEScans: scan_type={scan_type!r}, expected one of '
                             f'{SCAN_TYPES} (F3D: cropped face; RAW: whole capture)')
        if subset is not None:
            if subset not in self.SUBSETS:
                raise ValueError(f'BU3DFEScans: subset={subset!r}, expected one of '
                                 f'{sorted(self.SUBSETS)} (or None)')
            expressions = SIX_EXPRESSIONS
            intensities = self.SUBSETS[subset]
        self.data_root = data_root
        self.scan_type = scan_type
        self.expressions = set(expressions)
        self.intensities = set(intensities) | ({0} if 'neutral' in self.expressions else set())
        self.subjects = set(subjects) if subjects else None
        self.landmarks = bool(landmarks)

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """(records, skipped): one record per kept scan, and every .wrl whose name did not
        parse, with the reason."""
        require_data_root(self.data_root, 'BU-3DFE', 'bu3dfe', (
            'BU-3DFE', BINGHAMTON, 'folder holding F0001/, M0001/, ...'))
        records, skipped = [], []
        for folder in sorted(os.listdir(self.data_root)):
            sub_dir = osp.join(self.data_root, folder)
            if not (osp.isdir(sub_dir) and re.fullmatch(r'[FM]\d{4}', folder)):
                continue
            for rel, info in subject_files(self.data_root, folder, '.wrl', parse_bu3dfe_name,
                                           skipped):
                if (info['scan_type'] != self.scan_type or info['expression'] not in
                        self.expressions or info['intensity'] not in self.intensities
                        or (self.subjects and info['subject'] not in self.subjects)):
                    continue
                record = dict(source_path=rel, dataset=self.dataset_name, **info)
                stem = osp.basename(rel)[:-len(f'_{info["scan_type"]}.wrl')]
                for key, ext in (('texture', '.bmp'), ('landmarks', '.bnd')):
                    sibling = f'{stem}_F3D{ext}'
                    if osp.isfile(osp.join(sub_dir, sibling)):
                        record[key] = f'{folder}/{sibling}'
                records.append(record)
        return records, skipped

    def load(self, record: Dict) -> Mesh:
        """The scan's Mesh, with ``landmarks`` (83, 3) from its ``.bnd`` (see ``landmarks``)."""
        from ..formats.bnd import read_bnd
        from ..formats.vrml import read_vrml
        mesh = read_vrml(osp.join(self.data_root, record['source_path']))
        if self.landmarks and record.get('landmarks'):
            mesh.landmarks = read_bnd(osp.join(self.data_root, record['landmarks'])).points
        return mesh
