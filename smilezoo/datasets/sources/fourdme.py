"""4DME on disk: the released label workbook (or a csv) of clips plus per-frame meshes (how the
release stores them is not confirmed: :data:`MESH_UNCONFIRMED`). The workbook is read with
openpyxl, values only (no formula or macro runs).
"""
import bisect
import csv
import glob
import os.path as osp
import re
import string
from typing import Dict, List, Optional, Sequence, Tuple

from smilezoo.registry import DATASETS
from smilezoo.utils.paths import check_name, resolve_inside
from .base import SequenceSource, require_data_root

CLASSES = ('positive', 'negative', 'surprise', 'repression', 'others')
#: the label workbook of the release (its name, at the top of data_root)
RELEASE_LABEL_FILE = '4DME_Labelling_Micro_release v1.xlsx'
#: role -> column name, as in the release's workbook
DEFAULT_COLUMNS = dict(subject='sub_ID', clip='fold_name', onset='Onset', apex='Apex',
                       offset='Offset', emotion='Emotion')
#: class -> the release's multi-label flag column (used when the sheet has it)
RELEASE_LABEL_COLUMNS = dict(positive='Positive', negative='Negative', surprise='Surprise',
                             repression='Repression', others='Others')
#: spellings seen in micro-expression sheets -> the 4DME class
ALIASES = {'other': 'others', 'surprised': 'surprise', 'repressed': 'repression',
           'pos': 'positive', 'neg': 'negative'}
_TRUE = {'1', 'true', 'yes', 'y', 'x'}
_FALSE = {'', '0', 'false', 'no', 'n', '-', 'nan', 'none'}
_HEADER_SEARCH_ROWS = 20
MESH_UNCONFIRMED = ('how 4DME stores its 4D meshes is not confirmed by public sources: set '
                    'data_preparation.source.mesh_pattern to your copy\'s layout '
                    '({subject}, {clip}, {frame} fields)')


def split_labels(cell: str, separators: str = '|;,/+&') -> List[str]:
    """'Negative | positive' -> ['negative', 'positive'] (lower case, aliases resolved, order
    kept, duplicates dropped)."""
    parts = (' '.join(p.lower().split())
             for p in re.split(f'[{re.escape(separators)}]', cell or ''))
    return list(dict.fromkeys(ALIASES.get(p, p) for p in parts if p))


def pattern_regex(pattern: str, subject: str, clip: str) -> Tuple[str, 're.Pattern']:
    """Mesh path pattern -> (glob for one clip's frames, regex capturing ``frame`` as digits).
    ``{frame}`` may carry a format spec ({frame:05d})."""
    globs, regexes = [], []
    for literal, field, spec, _ in string.Formatter().parse(pattern):
        text = literal
        if field in ('subject', 'clip'):
            text += format({'subject': subject, 'clip': clip}[field], spec or '')
        elif field not in (None, 'frame'):
            raise ValueError(f'mesh_pattern {pattern!r}: unknown field {{{field}}} '
                             '(use {subject}, {clip} and {frame})')
        globs.append(glob.escape(text) + ('*' if field == 'frame' else ''))
        regexes.append(re.escape(text) + (r'(?P<frame>\d+)' if field == 'frame' else ''))
    return ''.join(globs), re.compile(''.join(regexes))


@DATASETS.register_module()
class FourDMESequences(SequenceSource):
    """Clips of 4DME listed in a label sheet, with their per-frame meshes (the sheet cells'
    rules: docs/datasets.md, "4D data").

    Sheet: a workbook (first worksheet or ``sheet``; the header is the first of its first 20
    rows holding the subject and clip columns) or a csv (first row = header); one row per clip.
    ``labels``: the emotion cell's classes (split at ``separators``) in the sheet's order, then
    those of the ``label_columns`` flags set (1 / 0, empty = 0), which stand in for an empty
    emotion cell; ``expression`` is the first.

    Each record: ``source_path`` (``mesh_pattern`` up to {frame}, e.g. 'S01/c01'; '/<clip>'
    appended when that part has no {clip}), ``subject``, ``clip``, ``expression``, ``labels``,
    ``dataset`` '4dme', ``num_frames``, ``frames``, ``missing_frames``, ``onset``/``apex``/
    ``offset`` (sheet values) and ``onset_index``/``apex_index``/``offset_index`` (0-based
    into ``frames``: the last frame numbered <= the sheet's, 0 for an onset before the first;
    None for an empty cell or a 0 offset). A row that fails (unknown label, no frames, onset
    after offset, duplicate clip, a subject or clip name absolute or holding '..', a frame
    outside data_root through a symbolic link) is skipped with the reason.

    Args:
        label_file: the workbook (.xlsx / .xlsm) or csv, relative to data_root or absolute.
        columns: role -> column name; given keys replace those of :data:`DEFAULT_COLUMNS`.
        label_columns: class -> flag column (absent ones ignored; None or {}: the emotion cell
            only).
        mesh_pattern: frame files relative to data_root, with {subject}, {clip} and {frame}
            ({frame} matches any digits, zero-padded or not); ``.obj`` or ``.wrl``.
        **temporal: the other options of :class:`SequenceSource`.
    """

    dataset_name = '4dme'

    def __init__(self, data_root: str, label_file: str = RELEASE_LABEL_FILE,
                 columns: Optional[Dict[str, str]] = None,
                 label_columns: Optional[Dict[str, str]] = RELEASE_LABEL_COLUMNS,
                 sheet: Optional[str] = None, mesh_pattern: str = '{subject}/{clip}/{frame}.obj',
                 classes: Sequence[str] = CLASSES, separators: str = '|;,/+&',
                 subjects: Optional[Sequence[str]] = None, sampling: str = 'apex', **temporal):
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
        self.label_columns = dict(label_columns or {})
        bad = [k for k in self.label_columns if k.lower() not in self.classes]
        if bad:
            raise ValueError(f'label_columns: {bad} are not classes; classes are {self.classes}')
        self.sheet = sheet
        self.separators = separators
        self.subjects = set(subjects) if subjects else None

    def _rows(self) -> List[Tuple[str, Dict[str, str]]]:
        """[(where, row)] with ``where`` = 'FILE row N' (workbook) or 'FILE line N' (csv) and
        row = column -> stripped text."""
        path = osp.join(self.data_root, self.label_file)  # an absolute label_file stays
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'4DME label sheet {path!r} not found (label_file={self.label_file!r}; the '
                f'release ships {RELEASE_LABEL_FILE!r}: put it in data_root or set '
                f'data_preparation.source.label_file), or make synthetic data: python '
                f'tools/dataset_converters/make_synthetic.py --layout 4dme --out DIR')
        if path.lower().endswith(('.xlsx', '.xlsm')):
            header, rows = self._read_workbook(path)
            kind = 'row'
        elif path.lower().endswith('.xls'):
            raise ValueError(f'{path}: old .xls workbooks are not read; save it as .xlsx '
                             f'or export it to csv')
        else:
            with open(path, newline='', encoding='utf-8-sig') as f:
                reader = csv.reader(f)
                header = next(reader, [])
                rows = list(enumerate(reader, start=2))
            kind = 'line'
        header = [str(h).strip() for h in header]
        need = [self.columns[k] for k in ('subject', 'clip')]
        if not any(c in header for c in self.label_columns.values()):
            need.append(self.columns['emotion'])  # flag columns may stand in for it
        absent = [c for c in need if c not in header]
        if absent:
            raise ValueError(f'{path}: no column(s) {absent}; the sheet has {header}; '
                             f'set data_preparation.source.columns=dict(...) in the config')
        name = osp.basename(self.label_file)
        out = []
        for number, values in rows:
            row = {h: (v or '').strip() for h, v in zip(header, values) if h}
            if any(row.values()):
                out.append((f'{name} {kind} {number}', row))
        return out

    def _read_workbook(self, path: str):
        """(header, [(excel row number, [cell text])]) of the sheet."""
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
            raise ValueError(f'{path}: not a readable .xlsx workbook ({err})') from None
        try:
            if self.sheet is None:
                sheet = book.worksheets[0]
            elif self.sheet in book.sheetnames:
                sheet = book[self.sheet]
            else:
                raise ValueError(f'{path}: no worksheet {self.sheet!r} (sheet); the '
                                 f'workbook has {book.sheetnames}')
            table = [list(map(_cell_text, values)) for values in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
        need = {self.columns['subject'], self.columns['clip']}
        for i, values in enumerate(table[:_HEADER_SEARCH_ROWS]):
            if need <= {v.strip() for v in values}:
                return values, list(enumerate(table[i + 1:], start=i + 2))
        return (table[0] if table else []), []

    def scan(self) -> Tuple[List[Dict], List[Dict]]:
        require_data_root(self.data_root, '4DME', '4dme')
        col = self.columns
        records, skipped, seen = [], [], set()
        for at, row in self._rows():
            subject, clip = row.get(col['subject'], ''), row.get(col['clip'], '')
            where = f'{at} ({subject}/{clip})'
            if not subject or not clip:
                skipped.append(dict(source_path=where, reason=f'{where}: empty subject or clip'))
                continue
            if self.subjects and subject not in self.subjects:
                continue
            try:
                check_name(subject, f"column {col['subject']!r}")
                check_name(clip, f"column {col['clip']!r}")
                records.append(self._record(row, subject, clip, seen))
            except ValueError as err:
                skipped.append(dict(source_path=f'{subject}/{clip}', reason=f'{where}: {err}'))
        return records, skipped

    def _record(self, row: Dict, subject: str, clip: str, seen: set) -> Dict:
        col = self.columns
        if (subject, clip) in seen:
            raise ValueError('duplicate clip (listed earlier in the sheet)')
        seen.add((subject, clip))
        labels = split_labels(row.get(col['emotion'], ''), self.separators)
        bad = [lab for lab in labels if lab not in self.classes]
        for cls, column in self.label_columns.items():
            if column in row and _flag(row[column], column) and cls.lower() not in labels:
                labels.append(cls.lower())
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
        if None not in (index['onset'], index['offset']) and index['onset'] > index['offset']:
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
                resolve_inside(self.data_root, rel, 'mesh frame')
                found.append((int(m['frame']), rel))
        if not found:
            example = self.mesh_pattern.format(subject=subject, clip=clip, frame=0)
            raise ValueError(
                f'no mesh frames found with mesh_pattern {self.mesh_pattern!r} (tried '
                f'{osp.join(self.data_root, pattern_glob)!r}, e.g. '
                f'{osp.join(self.data_root, example)!r}); {MESH_UNCONFIRMED}')
        found.sort()
        numbers = [n for n, _ in found]
        present = set(numbers)
        r0 = found[0][1]
        lo, hi = regex.fullmatch(r0).span('frame')
        missing = [r0[:lo] + f'{k:0{hi - lo}d}' + r0[hi:]
                   for k in range(numbers[0], numbers[-1] + 1) if k not in present]
        return [r for _, r in found], numbers, missing

    def read_frame(self, path: str):
        if path.lower().endswith('.wrl'):
            from ..formats.vrml import read_vrml
            return read_vrml(path)
        from ..formats.obj import read_obj
        return read_obj(path)


def _cell_text(value) -> str:
    """A workbook cell as the csv text it would export to (12.0 -> '12')."""
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flag(cell: str, column: str) -> bool:
    """A multi-label flag cell: 1 / yes / x -> True, empty / 0 / no -> False."""
    text = (cell or '').strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    try:
        return float(text) != 0
    except ValueError:
        raise ValueError(f'column {column!r}: flag {cell!r} is not 0 or 1') from None


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
