"""Paths read from data files stay inside their root (issue 10, bullet 7):
smilezoo.utils.paths, a 4DME sheet row with a '../' subject or a symlinked
clip folder, and CachedViewDataset's ``views`` paths."""
import csv
import json
import os

import numpy as np
import pytest

from pipeline_helpers import ROOT, run_tool
from smilezoo.datasets.formats.obj import write_obj
from smilezoo.datasets.sources import FourDMESequences
from smilezoo.utils.paths import PathOutsideRootError, check_name, resolve_inside

TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0.5]], float)
FACES = [[0, 1, 2], [1, 3, 2]]
COLUMNS = dict(subject='Subject', clip='Clip')


def test_resolve_inside_refuses_absolute_dotdot_and_symlink_escapes(tmp_path):
    root, outside = tmp_path / 'root', tmp_path / 'outside'
    (root / 'a').mkdir(parents=True)
    outside.mkdir()
    assert resolve_inside(str(root), 'a/b.npy', 'x') == str(root / 'a' / 'b.npy')
    assert resolve_inside(str(root), 'a/./c', 'x') == str(root) + '/a/./c'
    assert check_name('S01_a.b', 'x') == 'S01_a.b'
    for bad, word in (('../x', "'..'"), ('a/../../x', "'..'"), ('a\\..\\..\\x', "'..'"),
                      ('/etc/passwd', 'absolute'), ('C:\\x', 'absolute'), ('', 'empty'),
                      ('a\0b', 'NUL')):
        with pytest.raises(PathOutsideRootError) as err:
            resolve_inside(str(root), bad, 'sheet.csv line 3: column Subject')
        assert 'sheet.csv line 3: column Subject' in str(err.value) and word in str(err.value)
    (root / 'link').symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathOutsideRootError, match='symbolic link') as err:
        resolve_inside(str(root), 'link/f.npy', 'ann.json: data_list[0].views')
    assert str(outside) in str(err.value)
    (root / 'inner').symlink_to(root / 'a', target_is_directory=True)
    assert resolve_inside(str(root), 'inner/f', 'x') == str(root / 'inner' / 'f')
    real_root = tmp_path / 'real'
    real_root.mkdir()
    (tmp_path / 'alias').symlink_to(real_root, target_is_directory=True)
    assert resolve_inside(str(tmp_path / 'alias'), 'f', 'x')  # a symlinked root is fine


def _clip(root, subject, clip, n=6):
    (root / subject / clip).mkdir(parents=True)
    for k in range(n):
        write_obj(root / subject / clip / f'{k:03d}.obj', TRI + 0.01 * k, FACES)


def _sheet(root, rows):
    with open(root / 'labels.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['Subject', 'Clip', 'Onset', 'Apex', 'Offset', 'Emotion'])
        writer.writerows(rows)


def _escape_tree(tmp_path):
    """data_root three levels down; '../../../x' from it is tmp_path/x, which
    holds a readable clip, as does the folder a symlinked subject points to."""
    root = tmp_path / 'd1' / 'd2' / 'data'
    _clip(root, 'S01', 'c1')
    _clip(tmp_path, 'x', 'c1')  # tmp_path/x/c1/*.obj: outside data_root
    _clip(tmp_path / 'elsewhere', 'S02', 'c2')
    (root / 'S02').symlink_to(tmp_path / 'elsewhere' / 'S02', target_is_directory=True)
    _sheet(root, [['S01', 'c1', 0, 2, 5, 'negative'],
                  ['../../../x', 'c1', 0, 2, 5, 'positive'],
                  ['S02', 'c2', 0, 2, 5, 'surprise'],
                  ['S01', '/tmp/c1', 0, 2, 5, 'others']])
    return root


def test_4dme_sheet_rows_leaving_data_root_are_refused(tmp_path):
    root = _escape_tree(tmp_path)
    records, skipped = FourDMESequences(str(root), label_file='labels.csv', columns=COLUMNS,
                                        mesh_pattern='{subject}/{clip}/{frame}.obj').scan()
    assert [r['source_path'] for r in records] == ['S01/c1']
    reasons = {s['source_path']: s['reason'] for s in skipped}
    assert set(reasons) == {'../../../x/c1', 'S02/c2', 'S01//tmp/c1'}
    assert 'labels.csv line 3' in reasons['../../../x/c1']
    assert "'Subject'" in reasons['../../../x/c1'] and "'..'" in reasons['../../../x/c1']
    assert 'symbolic link' in reasons['S02/c2']
    assert 'absolute' in reasons['S01//tmp/c1']


def test_prepare_data_reports_the_refused_row_and_writes_nothing_outside(tmp_path):
    root = _escape_tree(tmp_path)
    cache = tmp_path / 'd1' / 'd2' / 'cache'
    cfg = tmp_path / 'escape_4dme.py'
    cfg.write_text(
        f"_base_ = [{str(ROOT / 'tests' / 'configs' / 'tiny_4dme.py')!r}]\n"
        f"data_preparation = dict(source=dict(data_root={str(root)!r}, num_frames_sampled=4,"
        f" min_frames=2), out_dir={str(cache)!r})\n")
    proc = run_tool('tools/prepare_data.py', cfg)
    report = json.loads((cache / 'prepare_report.json').read_text())
    assert report['converted'] == 1
    reasons = {s['source_path']: s['reason'] for s in report['skipped']}
    assert "'..' would leave its root" in reasons['../../../x/c1']
    console = ' '.join((proc.stdout + proc.stderr).split())
    assert '../../../x/c1' in console and 'would leave its root' in console
    written = [p for p in tmp_path.rglob('*.npy') if cache not in p.parents]
    assert written == []  # no cache file outside out_dir


def _annotation(tmp_path, views):
    cache = tmp_path / 'cache'
    (cache / 'views').mkdir(parents=True)
    np.save(cache / 'views' / 'a.npy', np.zeros((1, 1, 2, 2), np.uint8))
    data = [dict(views='views/a.npy', subject='s1', expression='happy', intensity=None),
            dict(views=views, subject='s2', expression='happy', intensity=None)]
    ann = cache / 'annotations.json'
    ann.write_text(json.dumps(dict(metainfo=dict(format='smilezoo.cached_views', version=1),
                                   data_list=data)))
    return ann


@pytest.mark.parametrize('views, word', [('../../secret.npy', "'..'"),
                                         ('/etc/secret.npy', 'absolute'),
                                         ('link/secret.npy', 'symbolic link')])
def test_cached_view_dataset_refuses_views_outside_the_annotation_folder(tmp_path, views,
                                                                         word):
    from smilezoo.datasets.cached_view_dataset import CachedViewDataset
    ann = _annotation(tmp_path, views)
    (tmp_path / 'elsewhere').mkdir()
    os.symlink(tmp_path / 'elsewhere', ann.parent / 'link')
    with pytest.raises(PathOutsideRootError) as err:
        CachedViewDataset(str(ann), classes=['happy'])
    msg = str(err.value)
    assert str(ann) in msg and 'data_list[1].views' in msg and views in msg and word in msg
    good = _annotation(tmp_path / 'ok', 'views/a.npy')
    assert len(CachedViewDataset(str(good), classes=['happy'])) == 2
