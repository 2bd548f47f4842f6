"""4D data end to end: synthetic BU-4DFE / BP4D / 4DME trees in their real
formats -> sequence sources -> tools/prepare_data.py -> cached dynamic images."""
import csv
import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, TINY_CONFIG, run_tool
from smilezoo.datasets import CachedViewDataset
from smilezoo.datasets.formats import write_obj
from smilezoo.datasets.sources import BP4DSequences, BU4DFESequences, FourDMESequences
from smilezoo.datasets.synthetic import make_bp4d, make_bu4dfe
from smilezoo.datasets.synthetic.sequences import activation_curve, bump_curve
from smilezoo.datasets.view_cache import prepare_view_cache

RES = 800  # vertices per frame: small keeps the file fast
GARBAGE = '#VRML V2.0 utf8\nnot a mesh\n'


@pytest.fixture(scope='module')
def bu4dfe_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp('s4d') / 'bu4dfe'
    make_bu4dfe(out, 2, seed=1, resolution=RES, frames=10, progress=False)
    return out


@pytest.fixture(scope='module')
def bp4d_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp('s4d') / 'bp4d'
    make_bp4d(out, 2, seed=1, resolution=RES, frames=10, progress=False)
    return out


@pytest.fixture(scope='module')
def fourdme_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp('s4d') / '4dme'
    proc = run_tool('tools/dataset_converters/make_synthetic.py', '--layout', '4dme', '--out',
                    out, '--subjects', 2, '--clips', 5, '--frames', 12, '--resolution', RES,
                    '--seed', 1, '--no-progress')
    assert '10 sequences' in proc.stdout
    return out


def prepare(tmp_path, source: dict):
    """tools/prepare_data.py on tiny_synthetic with ``source`` swapped in:
    (report, annotations, cache dir, process)."""
    cache = tmp_path / 'cache'
    cfg = tmp_path / 'prepare_4d.py'
    cfg.write_text(f"_base_ = [{str(TINY_CONFIG)!r}]\n"
                   f"data_preparation = dict(source=dict(_delete_=True, **{source!r}), "
                   f"out_dir={str(cache)!r})\n")
    proc = run_tool('tools/prepare_data.py', cfg)
    report = json.loads((cache / 'prepare_report.json').read_text())
    ann = json.loads((cache / 'annotations.json').read_text())
    assert not list(cache.rglob('*.tmp*'))
    return report, ann, cache, proc


def check_views(cache, ann, num):
    assert len(ann['data_list']) == num
    for entry in ann['data_list']:
        views = np.load(cache / entry['views'])
        assert views.shape == (3, 3, 32, 32) and views.dtype == np.uint8
        # static background: no change -> 0.5; the face changes
        assert (views[:, :, 0, 0] == 128).all()
        assert views.std() > 3 and len(np.unique(views)) > 20
    assert ann['metainfo']['temporal']['pooling'] == 'approx_rank_pooling'


def sampled(source, source_path):
    """The distinct frames ``source`` samples from one sequence."""
    records = {r['source_path']: r for r in source.scan()[0]}
    rec = records[source_path]
    return [rec['frames'][i] for i in dict.fromkeys(source.sample(rec).tolist())]


# --------------------------------------------------------------------------
# BU-4DFE
# --------------------------------------------------------------------------
def test_bu4dfe_prepare_with_bad_and_missing_frames(bu4dfe_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(bu4dfe_tree, root)
    opts = dict(type='BU4DFESequences', data_root=str(root), num_frames_sampled=8,
                min_frames=6)
    source = BU4DFESequences(**{k: v for k, v in opts.items() if k != 'type'})
    angry = sampled(source, 'F001/Angry')
    text = (root / angry[3]).read_text()
    (root / angry[3]).write_text(text[:len(text) // 2])  # truncated frame
    happy = sampled(source, 'F001/Happy')
    for rel in happy[1:6]:  # 5 of 8 frames unreadable: too few left
        (root / rel).write_text(GARBAGE)
    sad = sorted((root / 'M001' / 'Sad').glob('*.wrl'))
    sad[4].unlink()  # a gap in the numbering
    report, ann, cache, proc = prepare(tmp_path, opts)

    assert report['found'] == 12 and report['converted'] == 11 and report['failed'] == 1
    assert [s['source_path'] for s in report['skipped']] == ['F001/Happy']
    reason = report['skipped'][0]['reason']
    assert 'sequence F001/Happy' in reason and 'only 3 readable frame(s) of 8' in reason
    assert all(rel in reason for rel in happy[1:6])
    assert 'F001/Happy' in proc.stdout + proc.stderr
    problems = {p['frame']: p for p in report['frame_problems']}
    assert problems[angry[3]]['source_path'] == 'F001/Angry'
    assert 'truncated' in problems[angry[3]]['reason']
    gap = f'M001/Sad/{sad[4].name}'
    assert problems[gap]['reason'].startswith('missing')
    check_views(cache, ann, 11)
    entries = {d['source_path']: d for d in ann['data_list']}
    assert angry[3] not in entries['F001/Angry']['frames_used']
    assert len(entries['F001/Angry']['frames_used']) == 7
    assert entries['F001/Angry']['frame_problems'][0]['frame'] == angry[3]
    assert not any(d['source_path'].startswith('viewer') for d in ann['data_list'])
    assert {d['expression'] for d in ann['data_list']} == {
        'angry', 'disgust', 'fear', 'happy', 'sad', 'surprise'}

    # training-time dataset reads it (no intensities for 4D)
    data = CachedViewDataset(str(cache / 'annotations.json'),
                             classes=['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise'],
                             pipeline=[dict(type='LoadCachedViews'), dict(type='PackViewInputs')])
    assert len(data) == 11 and tuple(data[0]['inputs'].shape) == (3, 3, 32, 32)

    # a rerun reuses the cache and keeps the frame problems; changed temporal
    # settings re-render
    renderer = ann['metainfo']['renderer']
    again = prepare_view_cache(opts, renderer, str(cache), progress=False)
    assert again['reused'] == 11 and again['rendered'] == 0
    assert {p['frame'] for p in again['frame_problems']} == set(problems)
    changed = prepare_view_cache(dict(opts, num_frames_sampled=6), renderer, str(cache),
                                 progress=False, limit=2)
    assert changed['reused'] == 0 and changed['rendered'] + changed['failed'] == 2


def test_bu4dfe_source_layout(bu4dfe_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(bu4dfe_tree, root)
    (root / 'F001' / 'Contempt').mkdir()
    shutil.copy(root / 'F001' / 'Angry' / '000.wrl', root / 'F001' / 'Angry' / 'extra.wrl')
    (root / 'F001' / 'Fear' / '000.wrl').rename(root / 'F001' / 'Fear' / '100.wrl')
    records, skipped = BU4DFESequences(str(root)).scan()
    assert len(records) == 12 and {r['subject'] for r in records} == {'F001', 'M001'}
    reasons = {s['source_path']: s['reason'] for s in skipped}
    assert 'unknown expression folder' in reasons['F001/Contempt']
    assert 'not a frame file name' in reasons['F001/Angry/extra.wrl']
    fear = next(r for r in records if r['source_path'] == 'F001/Fear')
    assert fear['frames'][-1] == 'F001/Fear/100.wrl' and fear['frames'][0] == 'F001/Fear/001.wrl'
    assert fear['missing_frames'][0] == f'F001/Fear/{fear["num_frames"]:03d}.wrl'
    assert len(fear['missing_frames']) == 100 - fear['num_frames']
    some = BU4DFESequences(str(root), expressions=['happy', 'sad'], subjects=['M001']).scan()[0]
    assert [r['source_path'] for r in some] == ['M001/Happy', 'M001/Sad']
    with pytest.raises(ValueError, match='unknown BU-4DFE expressions'):
        BU4DFESequences(str(root), expressions=['joy'])
    with pytest.raises(FileNotFoundError, match='make_synthetic.py --layout bu4dfe'):
        BU4DFESequences(str(root / 'nope')).scan()


def test_bu4dfe_synthetic_is_deterministic_and_posed(tmp_path):
    a, b = tmp_path / 'a', tmp_path / 'b'
    make_bu4dfe(a, 2, seed=3, resolution=300, frames=5, progress=False)
    make_bu4dfe(b, 2, seed=3, resolution=300, frames=5, progress=False, workers=2)
    files = sorted(p.relative_to(a) for p in a.rglob('*') if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob('*') if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert Path(a / 'viewer' / 'BU4D_Viewer.exe').is_file()
    # regenerating with fewer subjects removes the old subject folder
    make_bu4dfe(a, 1, seed=3, resolution=300, frames=5, progress=False)
    assert not (a / 'M001').exists() and (a / 'F001' / 'Sad').is_dir()
    with pytest.raises(FileExistsError):
        make_bu4dfe(tmp_path, 1, seed=3, resolution=300, frames=5, progress=False)
    # neutral -> apex -> neutral
    curve = activation_curve(30, 4, 12, 17, 26)
    assert curve[0] == curve[-1] == 0 and curve[12:18].min() == 1
    assert (np.diff(curve[4:13]) >= 0).all() and (np.diff(curve[17:27]) <= 0).all()
    assert bump_curve(10, [(0.5, 1, 3, 4, 6), (0.8, 2, 3, 5, 8)]).max() == 1


# --------------------------------------------------------------------------
# BP4D
# --------------------------------------------------------------------------
def test_bp4d_prepare_with_bad_frames(bp4d_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(bp4d_tree, root)
    opts = dict(type='BP4DSequences', data_root=str(root), num_frames_sampled=8,
                min_frames=6, tasks=['T1', 'T3', 'T6', 'T8'])
    source = BP4DSequences(**{k: v for k, v in opts.items() if k != 'type'})
    surprise = sampled(source, 'F001/T3')
    lines = (root / surprise[2]).read_text().splitlines()
    face = next(i for i, line in enumerate(lines) if line.startswith('f '))
    lines.insert(face, 'f 1 2 999999')  # index past the vertex count
    (root / surprise[2]).write_text('\n'.join(lines) + '\n')
    pain = sampled(source, 'M001/T6')
    for rel in pain[:4]:
        (root / rel).write_text('v 1 2\n')
    report, ann, cache, _ = prepare(tmp_path, opts)

    assert report['found'] == 8 and report['converted'] == 7
    assert report['skipped'][0]['source_path'] == 'M001/T6'
    assert all(rel in report['skipped'][0]['reason'] for rel in pain[:4])
    problem = next(p for p in report['frame_problems'] if p['frame'] == surprise[2])
    assert '999999' in problem['reason'] and 'out of range' in problem['reason']
    check_views(cache, ann, 7)
    assert {(d['task'], d['expression']) for d in ann['data_list']} == {
        ('T1', 'happy'), ('T3', 'surprise'), ('T6', 'pain'), ('T8', 'disgust')}


def test_bp4d_source_options(tmp_path):
    tri = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float)
    flat = tmp_path / 'flat'
    flat.mkdir()
    for subject, task, frames in (('F001', 'T1', (5, 6, 8)), ('M002', 'T9', (1, 2)),
                                  ('F001', 'T8', (10, 11))):
        for k in frames:
            write_obj(flat / f'{subject}_{task}_{k:04d}.obj', tri, [[0, 1, 2]])
    (flat / 'notes.obj').write_text('v 0 0 0\n')
    (flat / 'F001_T1_0005.bmp').write_bytes(b'BM')
    regex = r'(?P<subject>[FM]\d{3})_(?P<task>T\d)_(?P<frame>\d+)\.obj'
    records, skipped = BP4DSequences(str(tmp_path), path_regex=r'flat/' + regex).scan()
    assert [(r['source_path'], r['expression']) for r in records] == [
        ('F001/T1', 'happy'), ('F001/T8', 'disgust')]  # shared folder -> subject/task
    assert records[0]['frames'] == ['flat/F001_T1_0005.obj', 'flat/F001_T1_0006.obj',
                                    'flat/F001_T1_0008.obj']
    assert records[0]['missing_frames'] == ['flat/F001_T1_0007.obj']
    reasons = {s['source_path']: s['reason'] for s in skipped}
    assert 'path_regex' in reasons['flat/notes.obj']
    assert "task 'T9' has no class" in reasons['M002/T9']
    custom = BP4DSequences(str(tmp_path), path_regex='flat/' + regex,
                           task_to_class=dict(T1='amusement', T9='other'), tasks=['T9'])
    assert [r['expression'] for r in custom.scan()[0]] == ['other']
    with pytest.raises(ValueError, match='lacks the named group'):
        BP4DSequences(str(tmp_path), path_regex=r'(?P<subject>\w+)/(?P<frame>\d+)\.obj')
    with pytest.raises(ValueError, match='have no class'):
        BP4DSequences(str(tmp_path), tasks=['T9'])


# --------------------------------------------------------------------------
# 4DME
# --------------------------------------------------------------------------
def read_sheet(root):
    with open(root / 'labels.csv', newline='') as f:
        return list(csv.DictReader(f))


def write_sheet(root, rows, header=None):
    header = header or list(rows[0])
    with open(root / 'labels.csv', 'w', newline='') as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


SYNTHETIC_COLUMNS = dict(subject='Subject', clip='Clip')  # the synthetic sheet's names


def test_4dme_prepare_multilabel_and_apex_sampling(fourdme_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(fourdme_tree, root)
    rows = read_sheet(root)
    assert len(rows) == 10 and {r['Type'] for r in rows} == {'micro'}
    rows[0]['Emotion'] = 'Negative | positive'  # multi-label, odd spelling
    rows.append(dict(rows[1], Clip='X99', Emotion='happy'))  # unknown label -> skipped
    write_sheet(root, rows)
    opts = dict(type='FourDMESequences', data_root=str(root), num_frames_sampled=8,
                min_frames=4, label_file='labels.csv', columns=SYNTHETIC_COLUMNS)
    source = FourDMESequences(**{k: v for k, v in opts.items() if k != 'type'})
    bad_clip = f"{rows[2]['Subject']}/{rows[2]['Clip']}"
    bad = sampled(source, bad_clip)
    (root / bad[1]).write_text('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2\n')
    few_clip = f"{rows[3]['Subject']}/{rows[3]['Clip']}"
    for rel in sampled(source, few_clip)[1:]:
        (root / rel).unlink()  # segment frames gone: not enough left
    report, ann, cache, _ = prepare(tmp_path, opts)

    assert report['found'] == 10 and report['converted'] == 9
    skipped = {s['source_path']: s['reason'] for s in report['skipped']}
    assert "unknown label(s) ['happy']" in skipped[f"{rows[1]['Subject']}/X99"]
    assert 'duplicate clip' not in ' '.join(skipped.values())
    assert 'need' in skipped[few_clip]
    problem = next(p for p in report['frame_problems'] if p['frame'] == bad[1])
    assert 'face has 2 corner' in problem['reason']
    check_views(cache, ann, 9)
    entries = {d['source_path']: d for d in ann['data_list']}
    first = entries[f"{rows[0]['Subject']}/{rows[0]['Clip']}"]
    assert first['labels'] == ['negative', 'positive'] and first['expression'] == 'negative'
    for row in rows[4:10]:
        entry = entries[f"{row['Subject']}/{row['Clip']}"]
        assert entry['labels'] == row['Emotion'].split('|')
        apex = f"{row['Subject']}/{row['Clip']}/{int(row['Apex']):05d}.obj"
        assert apex in entry['frames_used']  # apex sampling
        numbers = [int(Path(f).stem) for f in entry['frames_used']]
        assert min(numbers) == int(row['Onset']) and max(numbers) == int(row['Offset'])


def test_4dme_sheet_options(tmp_path):
    tri = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float)
    for clip, frames in (('a', range(10, 20)), ('b', range(3, 9)), ('c', range(5))):
        for k in frames:
            (tmp_path / 'P7').mkdir(exist_ok=True)
            write_obj(tmp_path / 'P7' / f'{clip}_{k:04d}.obj', tri, [[0, 1, 2]])
    header = ['sub', 'clip id', 'on', 'peak', 'off', 'labels']
    rows = [dict(zip(header, r)) for r in (
        ['P7', 'a', '12', '15', '0', 'Surprise;Others'],  # offset 0: to the end
        ['P7', 'b', '7', '', '4', 'negative'],  # onset after offset
        ['P7', 'c', '', '', '', 'Repressed'],
        ['P7', 'a', '1', '2', '3', 'positive'],  # duplicate
        ['P7', 'z', '1', '2', '3', 'positive'],  # no frames
    )]
    write_sheet(tmp_path, rows, header)
    columns = dict(subject='sub', clip='clip id', onset='on', apex='peak', offset='off',
                   emotion='labels')
    src = FourDMESequences(str(tmp_path), columns=columns, label_file='labels.csv',
                           mesh_pattern='{subject}/{clip}_{frame:04d}.obj',
                           num_frames_sampled=4)
    records, skipped = src.scan()
    a, c = records
    assert a['source_path'] == 'P7/a' and a['labels'] == ['surprise', 'others']
    assert (a['onset_index'], a['apex_index'], a['offset_index']) == (2, 5, None)
    assert c['expression'] == 'repression' and c['onset_index'] is None
    np.testing.assert_array_equal(src.sample(a), [2, 5, 7, 9])  # apex .. end
    np.testing.assert_array_equal(src.sample(c), [0, 1, 3, 4])  # whole clip
    reasons = ' | '.join(s['reason'] for s in skipped)
    assert 'onset 7 is after offset 4' in reasons and 'duplicate clip' in reasons
    assert 'no mesh frames' in reasons
    with pytest.raises(ValueError, match=r"no column\(s\) \['sub_ID'"):
        FourDMESequences(str(tmp_path), label_file='labels.csv').scan()
    with pytest.raises(ValueError, match='unknown field'):
        FourDMESequences(str(tmp_path), mesh_pattern='{subject}/{take}/{frame}.obj')


def test_make_synthetic_rejects_frames_for_3d_layouts(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'make_synthetic', ROOT / 'tools' / 'dataset_converters' / 'make_synthetic.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(['--layout', 'bu3dfe', '--out', str(tmp_path / 'x'), '--frames', '10']) == 2
    assert '--frames does not apply' in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()
