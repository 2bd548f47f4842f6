"""4DME as released (docs/datasets.md, "Confirmed from public sources"): the
label workbook '4DME_Labelling_Micro_release v1.xlsx' (written here with
openpyxl, the release's columns) read with the source's defaults; the
multi-label flag columns; the error when no mesh frames match the (still
unconfirmed) mesh pattern."""
import numpy as np
import openpyxl
import pytest
from mmengine.config import Config

from pipeline_helpers import ROOT
from smilezoo.datasets.formats.obj import write_obj
from smilezoo.datasets.sources import FourDMESequences
from smilezoo.datasets.sources.fourdme import (DEFAULT_COLUMNS, RELEASE_LABEL_COLUMNS,
                                               RELEASE_LABEL_FILE)

WORKBOOK = '4DME_Labelling_Micro_release v1.xlsx'
#: the release's columns, in the order the public readers list them
HEADER = ['sub_ID', 'fold_name', 'Emotion', 'Onset', 'Apex', 'Offset', 'AUs',
          'Positive', 'Negative', 'Surprise', 'Repression', 'Others']
TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float)


def write_workbook(path, rows, header=HEADER, title=None, sheet='Sheet1', extra_sheet=None):
    book = openpyxl.Workbook()
    if extra_sheet:  # a first sheet that is not the labels
        book.active.title = extra_sheet
        book.active.append(['notes'])
        ws = book.create_sheet(sheet)
    else:
        ws = book.active
        ws.title = sheet
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)


def clip(root, subject, name, frames):
    folder = root / subject / name
    folder.mkdir(parents=True)
    for k in frames:
        write_obj(folder / f'{k}.obj', TRI + 0.01 * k, [[0, 1, 2]])


@pytest.fixture
def release(tmp_path):
    """A release-shaped tree: the workbook at the top, numeric cells as Excel
    stores them, one clip folder per row (mesh layout: the default pattern)."""
    root = tmp_path / '4DME'
    root.mkdir()
    clip(root, 'S01', 'S01_Micro_01', range(100, 112))
    clip(root, 'S01', 'S01_Micro_02', range(50, 60))
    clip(root, 'S02', 'S02_Micro_01', range(7, 15))
    clip(root, 'S02', 'S02_Micro_02', range(0, 5))
    rows = [
        ['S01', 'S01_Micro_01', 'Negative', 102, 105, 110, 'AU4+AU7(1)', 0, 1, 0, 0, 0],
        # multi-label: the Emotion cell first, then the flagged classes
        ['S01', 'S01_Micro_02', 'Negative', 51, 53, 58, 'AU14', 1, 1, None, None, None],
        # empty Emotion: the flag stands in
        ['S02', 'S02_Micro_01', None, 8.0, 10.0, 14.0, 'AU1+AU2', 0, 0, 1, 0, 0],
        ['S02', 'S02_Micro_02', 'Others', 1, 2, 3, '', 0, 0, 0, 0, 'maybe'],  # bad flag
        ['S03', 'S03_Micro_01', 'Repression', 1, 2, 3, 'AU12', 0, 0, 0, 1, 0],  # no frames
    ]
    write_workbook(root / WORKBOOK, rows)
    return root


def test_release_defaults_read_the_workbook(release):
    assert RELEASE_LABEL_FILE == WORKBOOK
    assert DEFAULT_COLUMNS == dict(subject='sub_ID', clip='fold_name', onset='Onset',
                                   apex='Apex', offset='Offset', emotion='Emotion')
    assert list(RELEASE_LABEL_COLUMNS.values()) == HEADER[-5:]
    records, skipped = FourDMESequences(str(release)).scan()  # defaults only
    by_clip = {r['clip']: r for r in records}
    assert list(by_clip) == ['S01_Micro_01', 'S01_Micro_02', 'S02_Micro_01']
    first = by_clip['S01_Micro_01']
    assert first['subject'] == 'S01' and first['source_path'] == 'S01/S01_Micro_01'
    assert first['labels'] == ['negative'] and first['expression'] == 'negative'
    assert (first['onset'], first['apex'], first['offset']) == (102, 105, 110)
    assert (first['onset_index'], first['apex_index'], first['offset_index']) == (2, 5, 10)
    assert first['frames'][0] == 'S01/S01_Micro_01/100.obj' and first['num_frames'] == 12
    assert by_clip['S01_Micro_02']['labels'] == ['negative', 'positive']
    third = by_clip['S02_Micro_01']
    assert third['labels'] == ['surprise'] and third['onset'] == 8  # 8.0 in the cell
    reasons = {s['source_path']: s['reason'] for s in skipped}
    assert set(reasons) == {'S02/S02_Micro_02', 'S03/S03_Micro_01'}
    assert f'{WORKBOOK} row 5' in reasons['S02/S02_Micro_02']
    assert "column 'Others': flag 'maybe' is not 0 or 1" in reasons['S02/S02_Micro_02']


def test_no_frames_error_names_the_pattern_an_example_and_what_is_unknown(release):
    _, skipped = FourDMESequences(str(release)).scan()
    reason = {s['source_path']: s['reason'] for s in skipped}['S03/S03_Micro_01']
    assert f'{WORKBOOK} row 6' in reason
    assert "mesh_pattern '{subject}/{clip}/{frame}.obj'" in reason
    assert str(release / 'S03' / 'S03_Micro_01' / '0.obj') in reason  # one example path
    assert 'not confirmed' in reason and 'data_preparation.source.mesh_pattern' in reason


def test_workbook_options_header_search_sheet_and_errors(release, tmp_path):
    rows = [['S01', 'S01_Micro_01', 'Surprise', 100, 101, 111, '', 0, 0, 1, 0, 0]]
    path = tmp_path / 'other.xlsx'
    write_workbook(path, rows, title='4DME micro-expression labels', sheet='Micro',
                   extra_sheet='Readme')
    src = FourDMESequences(str(release), label_file=str(path), sheet='Micro')
    records, skipped = src.scan()
    assert [r['clip'] for r in records] == ['S01_Micro_01'] and not skipped
    assert records[0]['labels'] == ['surprise']
    with pytest.raises(ValueError, match=r"no worksheet 'Labels' \(sheet\).*'Micro'"):
        FourDMESequences(str(release), label_file=str(path), sheet='Labels').scan()
    # the first sheet (Readme) has no header with sub_ID / fold_name
    with pytest.raises(ValueError, match=r"no column\(s\) \['sub_ID', 'fold_name'"):
        FourDMESequences(str(release), label_file=str(path)).scan()
    broken = tmp_path / 'broken.xlsx'
    broken.write_bytes(b'not a zip')
    with pytest.raises(ValueError, match='not a readable .xlsx workbook') as err:
        FourDMESequences(str(release), label_file=str(broken)).scan()
    assert str(broken) in str(err.value)
    with pytest.raises(FileNotFoundError, match=WORKBOOK):
        FourDMESequences(str(tmp_path)).scan()


def test_the_paper_config_uses_the_release_defaults():
    cfg = Config.fromfile(str(ROOT / 'configs' / 'smile_vlm_4dme.py'))
    source = cfg.data_preparation.source
    assert source.type == 'FourDMESequences' and source.data_root == 'data/4DME'
    assert source.label_file == WORKBOOK
    assert dict(source.columns) == DEFAULT_COLUMNS
    assert dict(source.label_columns) == RELEASE_LABEL_COLUMNS
