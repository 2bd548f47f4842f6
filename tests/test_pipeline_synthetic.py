"""End to end on synthetic BU-3DFE-layout scans: prepare -> train -> test, as a user runs it."""
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, TINY_CONFIG, data_options, run_tool


@pytest.fixture(scope='module')
def prepared(synthetic_tree, tmp_path_factory):
    cache = tmp_path_factory.mktemp('cache') / 'views'
    run_tool('tools/prepare_data.py', TINY_CONFIG, '--workers', 2,
             *data_options(synthetic_tree, cache))
    return synthetic_tree, cache


def read_log_scalars(work_dir: Path):
    logs = sorted(work_dir.glob('*/vis_data/scalars.json'))
    assert logs, f'no scalars.json under {work_dir}'
    return [json.loads(line) for line in logs[-1].read_text().splitlines()]


def test_prepare_data_caches_every_scan(prepared):
    _, cache = prepared
    ann = json.loads((cache / 'annotations.json').read_text())
    report = json.loads((cache / 'prepare_report.json').read_text())
    assert report['found'] == 10 * 24 and report['converted'] == 240 and not report['skipped']
    assert ann['metainfo']['renderer']['image_size'] == 32
    first = ann['data_list'][0]
    views = np.load(cache / first['views'])
    assert views.shape == (3, 3, 32, 32) and views.dtype == np.uint8 and views.std() > 10
    assert {d['intensity'] for d in ann['data_list']} == {1, 2, 3, 4}
    assert not list(cache.rglob('*.tmp*'))


def test_tiny_training_learns_and_test_writes_metrics(prepared, tmp_path):
    data_root, cache = prepared
    work = tmp_path / 'work'
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', work,
             *data_options(data_root, cache), 'train_cfg.max_epochs=12',
             'param_scheduler.0.T_max=12')
    scalars = [s for s in read_log_scalars(work) if 'loss' in s]
    losses = [s['loss'] for s in scalars]
    assert len(losses) == 12 * 12  # 192 training scans / batch 16, 12 epochs
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])
    ckpt = (work / 'last_checkpoint').read_text().strip()
    out = tmp_path / 'metrics.json'
    run_tool('tools/test.py', TINY_CONFIG, ckpt, '--work-dir', work, '--out', out,
             *data_options(data_root, cache))
    m = json.loads(out.read_text())
    # held-out subjects (fold 0 of 5: 2 of 10), intensities 3-4, 6 classes
    assert m['num_samples'] == 2 * 12 == m['num_unique_samples']
    assert m['acc/zero_shot'] >= 100 / 6 + 10, m  # chance is 16.7%
    assert np.array(m['confusion_matrix']).sum() == 24


def write_bad_files(root: Path):
    """One truncated scan, one with an index past the vertex count, one bad name."""
    subject = sorted(p for p in root.iterdir() if p.is_dir())[0]
    scans = sorted(subject.glob('*_F3D.wrl'))
    text = scans[0].read_text()
    scans[0].write_text(text[:len(text) // 2])
    lines = scans[1].read_text().replace('coordIndex [\n', 'coordIndex [\n 0 1 999999 -1,\n', 1)
    scans[1].write_text(lines)
    shutil.copy(scans[2], subject / f'{subject.name}_XX03WH_F3D.wrl')
    return scans[0], scans[1]


def test_prepare_data_reports_bad_files_and_leaves_no_partial_cache(synthetic_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(synthetic_tree, root)
    truncated, bad_index = write_bad_files(root)
    cache = tmp_path / 'cache'
    proc = run_tool('tools/prepare_data.py', TINY_CONFIG, *data_options(root, cache))
    report = json.loads((cache / 'prepare_report.json').read_text())
    reasons = {s['source_path']: s['reason'] for s in report['skipped']}
    rel = lambda p: str(p.relative_to(root))  # noqa: E731
    assert 'truncated' in reasons[rel(truncated)] and truncated.name in reasons[rel(truncated)]
    assert '999999' in reasons[rel(bad_index)] and 'vertices' in reasons[rel(bad_index)]
    assert any('XX' in r for r in reasons.values())
    assert report['converted'] == 240 - 2
    assert truncated.name in proc.stderr + proc.stdout  # listed for the user too
    assert not (cache / 'views' / rel(truncated)).with_suffix('.npy').exists()
    assert not list(cache.rglob('*.tmp*'))


def test_prepare_data_fails_when_nothing_converts(tmp_path):
    root = tmp_path / 'only_bad' / 'F0001'
    root.mkdir(parents=True)
    (root / 'F0001_HA03WH_F3D.wrl').write_text('#VRML V2.0 utf8\nnot a mesh\n')
    proc = run_tool('tools/prepare_data.py', TINY_CONFIG,
                    *data_options(root.parent, tmp_path / 'cache'), check=False)
    assert proc.returncode != 0
    assert 'F0001_HA03WH_F3D.wrl' in proc.stderr + proc.stdout
    assert not (tmp_path / 'cache' / 'annotations.json').exists()


def test_two_process_cpu_job_counts_each_test_sample_once(synthetic_tree, tmp_path):
    root = tmp_path / 'tree'
    shutil.copytree(synthetic_tree, root)
    # drop one scan of a test subject so the test set is odd and the
    # distributed sampler must pad it
    cache = tmp_path / 'cache'
    run_tool('tools/prepare_data.py', TINY_CONFIG, *data_options(root, cache))
    ann = json.loads((cache / 'annotations.json').read_text())
    from smilezoo.datasets.splits import select_subjects
    test_subjects = select_subjects([d['subject'] for d in ann['data_list']],
                                    dict(num_folds=5, fold=0, seed=0, part='test'))
    victim = next(d for d in ann['data_list'] if d['subject'] in test_subjects and
                  d['intensity'] == 4)
    (root / victim['source_path']).unlink()
    run_tool('tools/prepare_data.py', TINY_CONFIG, *data_options(root, cache))
    work = tmp_path / 'work'
    opts = data_options(root, cache) + ['train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1']
    env = dict(PYTHON=__import__('sys').executable, PORT=str(29500 + os.getpid() % 1000))
    proc = __import__('subprocess').run(
        ['bash', 'tools/dist_train.sh', str(TINY_CONFIG), '2', '--work-dir', str(work), *opts],
        cwd=ROOT, env=dict(os.environ, HF_HUB_OFFLINE='1', **env), capture_output=True,
        text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert 'Distributed training: True' in proc.stdout + proc.stderr
    assert 'GPU number: 2' in proc.stdout + proc.stderr  # mmengine's name for world size
    ckpt = (work / 'last_checkpoint').read_text().strip()
    out = tmp_path / 'metrics.json'
    proc = __import__('subprocess').run(
        ['bash', 'tools/dist_test.sh', str(TINY_CONFIG), ckpt, '2', '--work-dir', str(work),
         '--out', str(out), *data_options(root, cache)],
        cwd=ROOT, env=dict(os.environ, HF_HUB_OFFLINE='1', **env), capture_output=True,
        text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-6000:]
    m = json.loads(out.read_text())
    assert m['num_samples'] == 2 * 12 - 1 == m['num_unique_samples']
    assert np.array(m['confusion_matrix']).sum() == 23


def test_train_without_the_licensed_data_says_where_it_looked_and_what_to_do(tmp_path):
    proc = run_tool('tools/train.py', 'configs/smile_vlm_bu3dfe_subset1.py', '--cfg-options',
                    f'data_preparation.source.data_root={tmp_path}/BU-3DFE',
                    f'data_preparation.out_dir={tmp_path}/cache',
                    check=False)
    assert proc.returncode != 0
    msg = proc.stderr
    assert f'{tmp_path}/cache/annotations.json does not exist' in msg
    assert f"data_root='{tmp_path}/BU-3DFE'" in msg and 'licensed' in msg
    assert 'make_synthetic.py --layout bu3dfe' in msg and 'prepare_data.py' in msg
    assert 'Traceback' not in msg
