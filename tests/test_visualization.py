"""Pictures: evaluation pictures of tools/test.py, view grids of
tools/visualize_views.py, log curves and summary of analyze_logs.py, and the
cross-validation pictures, on tiny synthetic runs (1 epoch, 32 px)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, TINY_CONFIG, data_options, run_tool

TINY_4D = ROOT / 'tests' / 'configs' / 'tiny_bu4dfe.py'
PICTURES = ('confusion_matrix.png', 'f1_per_class.png', 'view_weights.png', 'embeddings.png')


def assert_picture(path: Path, min_std: float = 0.05, min_colours: int = 16):
    """A PNG that shows something: not one flat colour, pixel spread above a threshold."""
    import matplotlib.image as mpimg
    assert path.is_file(), f'{path} was not written'
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100, img.shape
    rgb = img[..., :3]
    assert rgb.std() > min_std, f'{path}: pixel std {rgb.std():.4f}'
    colours = np.unique((rgb.reshape(-1, 3) * 255).round().astype(np.uint8), axis=0)
    assert len(colours) >= min_colours, f'{path}: only {len(colours)} colours'
    assert not list(path.parent.glob(f'.{path.name}.tmp*')), 'temporary file left behind'
    return img


def read_scalars(work: Path):
    logs = sorted(work.glob('*/vis_data/scalars.json'))
    assert logs, f'no scalars.json under {work}'
    return [json.loads(line) for line in logs[-1].read_text().splitlines()]


@pytest.fixture(scope='module')
def runs(synthetic_tree, tmp_path_factory):
    """Two tiny 1-epoch trainings (with a validation) on one cache, and a test
    of the first with tools/test.py."""
    tmp = tmp_path_factory.mktemp('viz')
    cache = tmp / 'cache'
    opts = data_options(synthetic_tree, cache)
    run_tool('tools/prepare_data.py', TINY_CONFIG, *opts)
    one_epoch = ['train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1', 'train_cfg.val_interval=1']
    work_a, work_b = tmp / 'run_a', tmp / 'run_b'
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', work_a, *opts, *one_epoch)
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', work_b, *opts, *one_epoch,
             'optim_wrapper.optimizer.lr=0.003', 'train_dataloader.batch_size=32',
             'default_hooks.logger.interval=2')
    ckpt = (work_a / 'last_checkpoint').read_text().strip()
    proc = run_tool('tools/test.py', TINY_CONFIG, ckpt, '--work-dir', work_a, *opts)
    return dict(cache=cache, opts=opts, work_a=work_a, work_b=work_b, test_proc=proc)


@pytest.fixture(scope='module')
def cache_4d(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('viz4d')
    tree, cache = tmp / 'bu4dfe', tmp / 'cache'
    run_tool('tools/dataset_converters/make_synthetic.py', '--layout', 'bu4dfe', '--out', tree,
             '--subjects', 4, '--frames', 8, '--resolution', 800, '--seed', 2, '--no-progress')
    opts = data_options(tree, cache)
    run_tool('tools/prepare_data.py', TINY_4D, *opts)
    # 4 subjects cannot fill the config's 5 folds: show every subject
    return opts + ['train_dataloader.dataset.subject_split=None']


# --------------------------------------------------------------------------- tools/test.py
def test_test_tool_writes_every_evaluation_picture(runs):
    pictures = runs['work_a'] / 'pictures'
    for name in PICTURES:
        assert_picture(pictures / name)
    assert 'evaluation pictures written to' in runs['test_proc'].stdout + runs['test_proc'].stderr
    pred = np.load(pictures / 'predictions.npz')
    metrics = json.loads((runs['work_a'] / 'metrics_test.json').read_text())
    n = metrics['num_samples']
    assert pred['gt'].shape == pred['pred'].shape == (n,)
    assert pred['view_weights'].shape == (n, 3)
    np.testing.assert_allclose(pred['view_weights'].sum(1), 1.0, atol=1e-4)
    assert pred['embeddings'].shape[0] == n and pred['prototypes'].shape == (6, 384)
    assert list(pred['class_names']) == metrics['class_names']
    assert list(pred['view_names']) == ['left', 'front', 'right']
    # the pictures' numbers are the metric's
    cm = np.zeros((6, 6), int)
    np.add.at(cm, (pred['gt'], pred['pred']), 1)
    assert cm.tolist() == metrics['confusion_matrix']
    np.testing.assert_allclose(pred['view_weights'].mean(0), metrics['view_weights/mean'],
                               atol=1e-5)
    # metric keys are unchanged by the pictures
    assert 'acc/zero_shot' in metrics and not any('picture' in k for k in metrics)


def test_test_tool_adds_the_pictures_hook_once(monkeypatch):
    """In-process (a whole test.py run per flag would be slow): --no-pictures
    skips add_pictures_hook; a config's own hook is kept, not doubled."""
    import importlib.util

    from mmengine.config import Config
    spec = importlib.util.spec_from_file_location('smilezoo_test_tool', ROOT / 'tools' / 'test.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    cfg = Config(dict(custom_hooks=[dict(type='StepSeedHook')]))
    tool.add_pictures_hook(cfg, 'w/pictures')
    assert cfg.custom_hooks[-1] == dict(type='EvaluationPicturesHook', out_dir='w/pictures')
    own = Config(dict(custom_hooks=[dict(type='EvaluationPicturesHook', out_dir='mine')]))
    tool.add_pictures_hook(own, 'w/pictures')
    assert own.custom_hooks == [dict(type='EvaluationPicturesHook', out_dir='mine')]
    tool.add_pictures_hook(own, 'elsewhere', explicit=True)
    assert own.custom_hooks == [dict(type='EvaluationPicturesHook', out_dir='elsewhere')]
    monkeypatch.setattr('sys.argv', ['test.py', 'cfg.py', 'ckpt.pth', '--no-pictures'])
    monkeypatch.setenv('LOCAL_RANK', '0')  # parse_args sets it; restored afterwards
    assert tool.parse_args().no_pictures


# --------------------------------------------------------------------------- view grids
@pytest.mark.parametrize('augment', [False, True])
def test_view_grid_3d(runs, tmp_path, augment):
    out = tmp_path / 'views.png'
    args = ['--augment'] if augment else []
    proc = run_tool('tools/visualize_views.py', TINY_CONFIG, '--num', 4, '--split', 'test',
                    '--out', out, *args, *runs['opts'])
    assert '4 samples x 3 views' in proc.stdout
    img = assert_picture(out)
    if augment:  # 3 views x (clean, A, B) columns: a wide picture
        assert img.shape[1] > 1.5 * img.shape[0]
    else:
        assert img.shape[0] > img.shape[1]
    assert not list(tmp_path.glob('.*tmp*'))


@pytest.mark.parametrize('augment', [False, True])
def test_view_grid_4d(cache_4d, tmp_path, augment):
    out = tmp_path / 'views4d.png'
    args = ['--augment'] if augment else []
    run_tool('tools/visualize_views.py', TINY_4D, '--num', 3, '--out', out, '--seed', 1,
             *args, *cache_4d)
    assert_picture(out)


def test_view_grid_title_and_columns():
    """In-process: view names from the yaws, 4D said in the title, augmentations
    drawn as in training (two different versions of each view)."""
    from smilezoo.visualization.view_grid import (augment_views, build_augment, describe_views,
                                                  pick_indices, view_names)
    assert view_names(dict(renderer=dict(yaws=[-30, 0, 30])), 3) == [
        'left (yaw -30°)', 'front (yaw +0°)', 'right (yaw +30°)']
    assert view_names({}, 2) == ['view_0', 'view_1']
    meta4d = dict(renderer=dict(modes=['normal'], image_size=32),
                  temporal=dict(pooling='approx_rank_pooling', num_frames_sampled=8))
    assert describe_views(meta4d).startswith('4D: dynamic images')
    assert 'dynamic' not in describe_views(dict(renderer=dict(modes=['normal'])))
    idx = pick_indices([0] * 5 + [1] * 5 + [2] * 5, 4, seed=0)
    assert len(idx) == 4 and {i // 5 for i in idx} == {0, 1, 2}
    from mmengine.config import Config
    views = (np.random.default_rng(0).random((2, 3, 3, 16, 16)) * 255).astype(np.uint8)
    a, b = augment_views(views, build_augment(Config(dict(model=dict()))), seed=0)
    assert a.shape == b.shape == (2, 3, 3, 16, 16) and not np.allclose(a, b)
    assert 0 <= a.min() and a.max() <= 1


def test_view_grid_draws_point_views(tmp_path):
    """(K, N, P, C) point views: drawn from each view's camera (a traceback
    before), augmented by the point augment, and said to be points."""
    from mmengine.config import Config
    from matplotlib.image import imread

    from smilezoo.visualization.view_grid import augment_views, build_augment, \
        describe_views, draw_view_grid
    rng = np.random.default_rng(0)
    xyz = rng.uniform(-1, 1, (2, 3, 64, 3))
    normal = np.broadcast_to([0.0, 0.0, 1.0], xyz.shape)
    views = np.concatenate([xyz, normal], -1).astype(np.float16)
    meta = dict(renderer=dict(type='PointViewRenderer', num_points=64, yaws=[-30, 0, 30]))
    assert describe_views(meta).startswith('point views of 64 points')
    assert 'dynamic' not in describe_views(dict(meta, temporal=dict(
        pooling='last_frame_with_displacement', num_frames_sampled=6)))
    augment = build_augment(Config(dict(model=dict(augment=dict(type='BatchPointAugment')))))
    a, b = augment_views(views, augment, seed=0)
    assert a.shape == b.shape == (2, 3, 64, 6) and not np.allclose(a, b)
    path = draw_view_grid(dict(views=views, labels=['happy\nF0001', 'sad\nF0002'],
                               metainfo=meta, size=2), str(tmp_path / 'points.png'),
                          title='points', augment=augment)
    image = imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 3 * image.shape[0] / 2
    # the points face the camera (normal +z): drawn in the normal-map colour (0.5, 0.5, 1)
    blueish = (image[..., 2] > 0.9) & (np.abs(image[..., 0] - 0.5) < 0.1)
    assert blueish.sum() > 100


def test_view_grid_without_cache_says_how_to_make_it(tmp_path):
    ann = tmp_path / 'nowhere' / 'annotations.json'
    proc = run_tool('tools/visualize_views.py', TINY_CONFIG, '--out', tmp_path / 'v.png',
                    '--cfg-options', f'data_preparation.source.data_root={tmp_path}/raw',
                    f'data_preparation.out_dir={ann.parent}', check=False)
    assert proc.returncode != 0
    assert f'{ann} does not exist' in proc.stderr
    assert 'prepare_data.py' in proc.stderr and 'Traceback' not in proc.stderr
    assert not (tmp_path / 'v.png').exists()


# --------------------------------------------------------------------------- log curves
def test_analyze_logs_plot_two_runs(runs, tmp_path):
    out = tmp_path / 'curves.png'
    proc = run_tool('tools/analysis_tools/analyze_logs.py', 'plot', runs['work_a'],
                    runs['work_b'], '--keys', 'loss', 'acc/zero_shot', '--out', out,
                    '--legend', 'lr 1e-3, batch 16', 'lr 3e-3, batch 32')
    assert '2 key(s) of 2 run(s)' in proc.stdout
    assert_picture(out)
    out_iter = tmp_path / 'curves_iter.png'
    run_tool('tools/analysis_tools/analyze_logs.py', 'plot', runs['work_a'], '--keys', 'loss',
             'loss_vl', 'f1/macro', '--x', 'iter', '--out', out_iter)
    assert_picture(out_iter)


def parse_summary(text: str):
    """{(run, key, mode): (final, best)} from the rich table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r'[│┃]', line)[1:-1]]
        if len(cells) == 8 and cells[2] in ('train', 'val'):
            best = cells[5].split(' ')[0]
            rows[(cells[0], cells[1], cells[2])] = (
                float(cells[3]), None if best == '-' else float(best))
    return rows


def test_analyze_logs_summary_equals_scalars(runs):
    proc = run_tool('tools/analysis_tools/analyze_logs.py', 'summary', runs['work_a'],
                    runs['work_b'], '--keys', 'loss', 'acc/zero_shot', 'lr')
    rows = parse_summary(proc.stdout)
    assert len(rows) == 6, proc.stdout
    for name in ('run_a', 'run_b'):
        entries = read_scalars(runs[f'work_{name[-1]}'])
        losses = [e['loss'] for e in entries if 'iter' in e]
        accs = [e['acc/zero_shot'] for e in entries if 'acc/zero_shot' in e]
        lrs = [e['lr'] for e in entries if 'iter' in e]
        final, best = rows[(name, 'loss', 'train')]
        assert final == pytest.approx(losses[-1], rel=1e-5)
        assert best == pytest.approx(min(losses), rel=1e-5)
        final, best = rows[(name, 'acc/zero_shot', 'val')]
        assert final == pytest.approx(accs[-1], rel=1e-5)
        assert best == pytest.approx(max(accs), rel=1e-5)
        assert rows[(name, 'lr', 'train')] == (pytest.approx(lrs[-1], rel=1e-5), None)
    assert '12 iterations per epoch' in proc.stdout  # 192 training scans / batch 16


def test_analyze_logs_errors_are_clear(runs, tmp_path):
    proc = run_tool('tools/analysis_tools/analyze_logs.py', 'plot', runs['work_a'], '--keys',
                    'loss', 'acc/nonsense', '--out', tmp_path / 'x.png', check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert "has no 'acc/nonsense'" in proc.stderr
    assert 'scalars.json' in proc.stderr and 'acc/zero_shot' in proc.stderr  # keys present
    assert not (tmp_path / 'x.png').exists()
    missing = tmp_path / 'no_such_run'
    proc = run_tool('tools/analysis_tools/analyze_logs.py', 'summary', missing, check=False)
    assert proc.returncode != 0 and str(missing) in proc.stderr
    empty = tmp_path / 'empty_run'
    (empty / '20260101_000000').mkdir(parents=True)
    proc = run_tool('tools/analysis_tools/analyze_logs.py', 'plot', empty, check=False)
    assert proc.returncode != 0 and str(empty) in proc.stderr
    assert 'vis_data' in proc.stderr and 'scalars.json' in proc.stderr


def test_log_reader_merges_resumed_runs_and_finds_iters_per_epoch(tmp_path):
    from smilezoo.visualization.log_curves import load_run, series
    work = tmp_path / 'work'
    first = [dict(lr=1.0, loss=5.0 - i, epoch=1 + (i - 1) // 4, iter=i, step=i)
             for i in (2, 4, 6, 8)] + [dict(**{'acc/x': 10.0}, step=1)]
    resumed = [dict(lr=1.0, loss=9.0, epoch=2, iter=8, step=8),  # repeated: replaced
               dict(lr=1.0, loss=0.5, epoch=3, iter=10, step=10), dict(**{'acc/x': 30.0}, step=2)]
    for stamp, entries in (('20260101_000000', first), ('20260102_000000', resumed)):
        d = work / stamp / 'vis_data'
        d.mkdir(parents=True)
        (d / 'scalars.json').write_text(''.join(json.dumps(e) + '\n' for e in entries)
                                        + '{"truncated": ')
    latest = load_run(work)
    assert len(latest.files) == 1 and [e['iter'] for e in latest.train] == [8, 10]
    merged = load_run(work, all_timestamps=True)
    assert [e['iter'] for e in merged.train] == [2, 4, 6, 8, 10]
    assert merged.train[3]['loss'] == 9.0
    assert merged.iters_per_epoch == 4
    (mode, xs, ys), = series(merged, 'loss')
    assert mode == 'train' and xs.tolist() == [0.5, 1.0, 1.5, 2.0, 2.5]
    (mode, xs, ys), = series(merged, 'acc/x', x='iter')
    assert mode == 'val' and xs.tolist() == [4.0, 8.0] and ys.tolist() == [10.0, 30.0]


# --------------------------------------------------------------------------- cross-validation
def test_cross_validation_pictures_per_fold_and_summed(tmp_path):
    """In-process, on made-up fold results: the fold config gets the pictures
    hook; the report draws the summed confusion matrix and F1 and pools the
    folds' view weights."""
    from mmengine.config import Config

    from smilezoo.evaluation.cross_validation.folds import fold_config
    from smilezoo.evaluation.cross_validation.report import write_report
    from smilezoo.visualization.evaluation_plots import save_predictions
    cfg = Config.fromfile(str(TINY_CONFIG))
    fcfg = fold_config(cfg, ['a'], ['b'], str(tmp_path / 'v' / 'fold_0'), 'v_fold0')
    hooks = [h for h in fcfg.custom_hooks if h['type'] == 'EvaluationPicturesHook']
    assert len(hooks) == 1 and hooks[0]['out_dir'] == str(tmp_path / 'v' / 'fold_0' / 'pictures')
    names = ['angry', 'happy', 'sad']
    rng = np.random.default_rng(0)
    results = []
    for k in range(2):
        gt = np.repeat(np.arange(3), 5)
        pred = np.where(rng.random(15) < 0.6, gt, rng.integers(0, 3, 15))
        cm = np.zeros((3, 3), int)
        np.add.at(cm, (gt, pred), 1)
        w = rng.dirichlet([4, 2, 2], 15)
        save_predictions(str(tmp_path / 'v' / f'fold_{k}' / 'pictures' / 'predictions.npz'),
                         gt=gt, pred=pred, view_weights=w, class_names=np.array(names),
                         view_names=np.array(['left', 'front', 'right']))
        ev = {'acc/zero_shot': 100 * float((gt == pred).mean()), 'f1/macro': 0.5,
              'confusion_matrix': cm.tolist(), 'class_names': names}
        results.append(dict(evaluations=dict(zero_shot=ev)))
    report = write_report(str(tmp_path), dict(v=results), [['a'], ['b']], 0)
    pics = report['results']['v']['zero_shot']['pictures']
    assert set(pics) == {'confusion', 'f1', 'view_weights'}
    assert pics['confusion'] == 'confusion_v_zero_shot.png'
    for rel in pics.values():
        assert_picture(tmp_path / rel)
    md = (tmp_path / 'cv_report.md').read_text()
    assert '(pictures/v_zero_shot_view_weights.png)' in md
