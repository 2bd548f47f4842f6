"""4DME on disk: a label sheet (csv) of clips plus per-frame meshes.

The sheet's column names, the mesh format and the folder layout of 4DME are
unconfirmed (docs/datasets.md), so all three are configurable. Export the
official spreadsheet to csv (e.g. ``pandas.read_excel(...).to_csv(...)``).
"""
import bisect
import csv
import glob
import os.path as osp
import re
import string
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from ..temporal import SequenceSource

CLASSES = ('positive', 'negative', 'surprise', 'repression', 'others')
DEFAULT_COLUMNS = dict(subject='Subject', clip='Clip', onset='Onset', apex='Apex',
                       offset='Offset', emotion='Emotion')
#: spellings seen in micro-expression sheets -> the 4DME class
ALIASES = {'other': 'others', 'surprised': 'surprise', 'repressed': 'repression',
           'pos': 'positive', 'neg': 'negative'}


def split_labels(cell: str, separators: str = '|;,/+&') -> List[str]:
    """'Negative | positive' -> ['negative', 'positive'] (lower case, aliases
    resolved, order kept, duplicates dropped)."""
    parts = re.split('[' + re.escape(separators) + ']', cell or '')
    out = []
    for p in parts:
        p = ' '.join(p.strip().lower().split())
        p = ALIASES.get(p, p)
        if p and p not in out:
            out.append(p)
    return out


def pattern_regex(pattern: str, subject: str, clip: str) -> Tuple[str, 're.Pattern']:
    """Mesh path pattern -> (glob for one clip's frames, regex capturing
    ``frame`` as digits). ``{frame}`` may carry a format spec ({frame:05d})."""
    glob_parts, regex_parts = [], []
    for literal, field, spec, conv in string.Formatter().parse(pattern):
        glob_parts.append(glob.escape(literal))
        regex_parts.append(re.escape(literal))
        if field is None:
            continue
        if field == 'frame':
            glob_parts.append('*')
            regex_parts.append(r'(?P<frame>\d+)')
        elif field in ('subject', 'clip'):
            value = format({'subject': subject, 'clip': clip}[field], spec or '')
            glob_parts.append(glob.escape(value))
            regex_parts.append(re.escape(value))
        else:
            raise ValueError(f'mesh_pattern {pattern!r}: unknown field {{{field}}} '
                             '(use {subject}, {clip} and {frame})')
    return ''.join(glob_parts), re.compile(''.join(regex_parts))


@DATASETS.register_module()
class FourDMESequences(SequenceSource):
    """Clips of 4DME listed in a label sheet, with their per-frame meshes.

    Sheet (csv, first row = header): one row per clip with the columns named
    by ``columns`` (subject, clip, onset, apex, offset, emotion). Onset, apex
    and offset are frame numbers as in the mesh file names; an empty apex is
    allowed, an empty / 0 / past-the-end offset means "to the last frame",
    an empty onset "from the first". The emotion cell holds one class or
    several separated by any of ``separators`` ("negative|positive"):
    ``labels`` keeps them all in the sheet's order and ``expression`` is the
    FIRST one (the primary label, used as the class index by
    CachedViewDataset; multi-label metrics can read ``labels``).

    Frames: ``mesh_pattern`` relative to data_root, a format string with
    {subject}, {clip} and {frame} (default '{subject}/{clip}/{frame}.obj';
    {frame} matches any digits, zero-padded or not). ``.obj`` frames are read
    with read_obj, ``.wrl`` with read_vrml.

    Each record: ``source_path`` (the pattern up to {frame}, e.g. 'S01/c01';
    '/<clip>' is appended when that part has no {clip}),
    ``subject``, ``clip``, ``expression``, ``labels``, ``dataset`` '4dme',
    ``num_frames``, ``frames``, ``missing_frames``, ``onset``/``apex``/
    ``offset`` (sheet values) and ``onset_index``/``apex_index``/
    ``offset_index`` (0-based into ``frames``: the last frame whose number
    is <= the sheet's). Rows that fail (unknown label, no frames, onset
    after offset, duplicate clip) are listed as skipped.

    Args:
        data_root: the data folder.
        label_file: the csv, relative to data_root or absolute.
        columns: column names, keys as in :data:`DEFAULT_COLUMNS`.
        mesh_pattern: see above.
        classes: the allowed labels (default the 5 4DME classes).
        separators: characters separating labels in a cell.
        subjects: optional subject ids to keep.
        sampling: default 'apex' (onset..apex..offset, apex always sampled;
            falls back to 'segment' / 'uniform' when the sheet lacks them).
        **temporal: num_frames_sampled, min_frames, bad_frames, rescale,
            normalise (see :class:`SequenceSource`).
    """

    dataset_name = '4dme'

    def __init__(self, data_root: str, label_file: str = 'labels.csv',
                 columns: Optional[Dict[str, str]] = None,
                 mesh_pattern: str = '{subject}/{clip}/{frame}.obj',
                 classes: Sequence[str] = CLASSES, separators: str = '|;,/+&',
                 subjects: Optional[Sequence[str]] = None, sampling: str = 'apex',
                 **temporal):
        super().__init__(data_root, sampling=sampling, **temporal)
        self.label_file = label_file
        self.columns = dict(DEFAULT_COLUMNS, **(columns or {}))
        unknown = set(self.columns) - set(DEFAULT_COLUMNS)
        if unknown:
            raise ValueError(f'columns: unknown key(s) {sorted(unknown)}; keys are '
                             f'{sorted(DEFAULT_COLUMNS)}')
        if '{frame' not in mesh_pattern:
            raise ValueError(f'mesh_pattern {mesh_pattern!r} has no {{frame}} field')
        pattern_regex(mesh_pattern, 's', 'c')  # validates the fields
        self.mesh_pattern = mesh_pattern
        self.classes = [c.lower() for c in classes]
        self.separators = separators
        self.subjects = set(subjects) if subjects else None

    def _rows(self) -> List[Dict]:
        path = self.label_file if osp.isabs(self.label_file) else osp.join(
            self.data_root, self.label_file)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'4DME label sheet {path!r} not found (label_file={self.label_file!r}); '
                f'export the sheet to csv, or make synthetic data: python '
                f'tools/dataset_converters/make_synthetic.py --layout 4dme --out DIR')
        with open(path, newline='', encoding='utf-8-sig') as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in reader.fieldnames or []]
            need = [self.columns[k] for k in ('subject', 'clip', 'emotion')]
            absent = [c for c in need if c not in header]
            if absent:
                raise ValueError(f'{path}: no column(s) {absent}; the sheet has {header}; '
                                 f'set columns=dict(...) in the source config')
            return [{(k or '').strip(): (v or '').strip() for k, v in row.items()}
                    for row in reader]

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        """(records, skipped) with skipped = [dict(source_path, reason)]."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'4DME data_root {self.data_root!r} does not exist (or make synthetic '
                f'data: python tools/dataset_converters/make_synthetic.py --layout 4dme '
                f'--out DIR)')
        col = self.columns
        records, skipped, seen = [], [], set()
        for line, row in enumerate(self._rows(), start=2):
            subject, clip = row.get(col['subject'], ''), row.get(col['clip'], '')
            where = f'{self.label_file} line {line} ({subject}/{clip})'
            if not subject or not clip:
                skipped.append(dict(source_path=where, reason=f'{where}: empty subject or clip'))
                continue
            if self.subjects and subject not in self.subjects:
                continue
            try:
                record = self._record(row, subject, clip, seen)
            except ValueError as err:
                skipped.append(dict(source_path=f'{subject}/{clip}', reason=f'{where}: {err}'))
                continue
            records.append(record)
        return records, skipped

    def _record(self, row: Dict, subject: str, clip: str, seen: set) -> Dict:
        col = self.columns
        if (subject, clip) in seen:
            raise ValueError('duplicate clip (listed earlier in the sheet)')
        seen.add((subject, clip))
        labels = split_labels(row.get(col['emotion'], ''), self.separators)
        bad = [lab for lab in labels if lab not in self.classes]
        if not labels or bad:
            raise ValueError(f'emotion {row.get(col["emotion"], "")!r}: unknown label(s) '
                             f'{bad or "(empty)"}; classes are {self.classes}')
        prefix = self.mesh_pattern.split('{frame', 1)[0]
        source_path = prefix.format(subject=subject, clip=clip).rstrip('/_-. ')
        if '{clip' not in prefix:  # keep one cache file per clip
            source_path = f'{source_path}/{clip}' if source_path else f'{subject}/{clip}'
        frames, numbers, missing = self._frames(subject, clip)
        marks = {k: _frame_number(row.get(col[k], '')) for k in ('onset', 'apex', 'offset')}
        index = {k: _index_of(numbers, v) for k, v in marks.items()}
        if marks['offset'] in (None, 0) or index['offset'] is None:
            index['offset'] = None
        if marks['onset'] is not None and index['onset'] is None:
            index['onset'] = 0  # onset before the first mesh frame
        if (index['onset'] is not None and index['offset'] is not None
                and index['onset'] > index['offset']):
            raise ValueError(f"onset {marks['onset']} is after offset {marks['offset']}")
        return dict(source_path=source_path, dataset=self.dataset_name, subject=subject,
                    clip=clip, expression=labels[0], labels=labels,
                    num_frames=len(frames), frames=frames, missing_frames=missing,
                    **marks, **{f'{k}_index': v for k, v in index.items()})

    def _frames(self, subject: str, clip: str):
        pattern_glob, regex = pattern_regex(self.mesh_pattern, subject, clip)
        found = []
        for path in glob.glob(osp.join(glob.escape(self.data_root), pattern_glob)):
            rel = osp.relpath(path, self.data_root).replace(osp.sep, '/')
            m = regex.fullmatch(rel)
            if m:
                found.append((int(m['frame']), rel))
        if not found:
            raise ValueError(f'no mesh frames matching {pattern_glob!r} under data_root')
        found.sort()
        numbers = [n for n, _ in found]
        present = set(numbers)
        n0, r0 = found[0]
        digits = regex.fullmatch(r0).span('frame')
        width = digits[1] - digits[0]
        missing = [r0[:digits[0]] + f'{k:0{width}d}' + r0[digits[1]:]
                   for k in range(numbers[0], numbers[-1] + 1) if k not in present]
        return [r for _, r in found], numbers, missing

    def read_frame(self, path: str):
        if path.lower().endswith('.wrl'):
            from ..formats.vrml import read_vrml
            return read_vrml(path)
        from ..formats.obj import read_obj
        return read_obj(path)


def _frame_number(cell: str) -> Optional[int]:
    cell = (cell or '').strip()
    if not cell or cell.lower() in ('/', '-', 'na', 'n/a', 'nan', 'none'):
        return None
    try:
        return int(float(cell))
    except ValueError:
        raise ValueError(f'frame number {cell!r} is not a number') from None


def _index_of(numbers: List[int], value: Optional[int]) -> Optional[int]:
    """0-based index of the last frame numbered <= value (None if before all)."""
    if value is None:
        return None
    pos = bisect.bisect_right(numbers, value) - 1
    return pos if pos >= 0 else None
