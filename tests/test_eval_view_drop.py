"""tools/analysis_tools/eval_view_drop.py on a tiny SMILE-VLM (random weights) and
its own random view cache: the all-views row is the model's own zero-shot
accuracy, dropping every view but one equals keeping only that one, and a
checkpoint that does not fit, one that would run code, or an option key the
config lacks ends the tool with one message (before the fix the misfit went
through mmengine's loader as a traceback and an unknown key was merged silently)."""
import json

import numpy as np
import pytest
import torch

from pipeline_helpers import ROOT, TINY_CONFIG
from zoo_helpers import load_tool, model_and_checkpoint, write_random_view_cache

TOOL = 'tools/analysis_tools/eval_view_drop.py'


@pytest.fixture(scope='module')
def tool():
    return load_tool(TOOL, 'eval_view_drop_tool')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """(argv options, cfg, model, checkpoint): the test split is one subject
    (12 samples of 3 views at 32 px)."""
    root = tmp_path_factory.mktemp('view_drop')
    ann = write_random_view_cache(root / 'cache')
    options = {'data_preparation.out_dir': str(ann.parent), 'test_dataloader.batch_size': 5}
    cfg, model, ckpt = model_and_checkpoint(TINY_CONFIG, options, root / 'tiny.pth')
    return ['--cfg-options', *[f'{k}={v}' for k, v in options.items()]], cfg, model, ckpt


def model_accuracy(cfg, model, view_mask_of=None):
    """% of the test set the model gets right, with ``view_mask_of(batch, n_views)``."""
    from mmengine.runner import Runner
    right = total = 0
    loader = Runner.build_dataloader(dict(cfg.test_dataloader, num_workers=0,
                                          persistent_workers=False))
    with torch.no_grad():
        for data in loader:
            data = model.data_preprocessor(data, False)
            x = data['inputs']
            mask = view_mask_of(x.shape[0], x.shape[1]) if view_mask_of else None
            out = model.predict(x, data['data_samples'], view_mask=mask)
            gt = [int(s['gt_label']) for s in data['data_samples']]
            right += sum(int(r['pred_label']) == g for r, g in zip(out, gt))
            total += len(gt)
    return 100.0 * right / total


def test_rows_are_the_models_accuracies_with_those_views(tool, setup, tmp_path):
    argv, cfg, model, ckpt = setup
    out = tmp_path / 'sub' / 'view_drop.json'
    res = tool.main([str(TINY_CONFIG), str(ckpt), '--out', str(out), *argv])
    assert json.loads(out.read_text()) == json.loads(json.dumps(res))
    assert res['num_samples'] == 12 and res['num_views'] == 3
    assert set(res) >= {'all', 'drop_view_0', 'drop_view_1', 'drop_view_2',
                        'only_view_0', 'only_view_1', 'only_view_2'}
    assert res['all']['acc'] == pytest.approx(model_accuracy(cfg, model))

    def only(i):
        def mask(b, n):
            m = torch.zeros(b, n, dtype=torch.bool)
            m[:, i] = True
            return m
        return mask
    for i in range(3):
        assert res[f'only_view_{i}']['acc'] == pytest.approx(model_accuracy(cfg, model, only(i)))
    # cluster accuracy relabels classes at best, so it is never below plain accuracy
    for row in (v for v in res.values() if isinstance(v, dict)):
        assert 0.0 <= row['acc'] <= row['cluster_acc'] <= 100.0


def test_misfit_checkpoint_is_refused_with_one_message(tool, setup, tmp_path):
    argv, _, model, _ = setup
    state = {k: v for k, v in model.state_dict().items() if not k.startswith('fusion.')}
    bad = tmp_path / 'misfit.pth'
    torch.save({'state_dict': state}, bad)
    with pytest.raises(SystemExit, match=r'does not fit the model of .*missing'):
        tool.main([str(TINY_CONFIG), str(bad), *argv])
    wide = dict(model.state_dict())
    key = next(k for k, v in wide.items() if v.ndim == 2)
    wide[key] = torch.zeros(wide[key].shape[0] + 1, wide[key].shape[1])
    torch.save({'state_dict': wide}, bad)
    with pytest.raises(SystemExit, match=r'another shape'):
        tool.main([str(TINY_CONFIG), str(bad), *argv])


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        from pathlib import Path
        return Path.touch, (Path(self.marker),)


def test_a_checkpoint_that_runs_code_is_not_unpickled(tool, setup, tmp_path):
    argv, _, model, _ = setup
    marker = tmp_path / 'payload_ran'
    bad = tmp_path / 'payload.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': Payload(str(marker))}, bad)
    with pytest.raises(SystemExit, match='refus|not allowed|unsafe'):
        tool.main([str(TINY_CONFIG), str(bad), *argv])
    assert not marker.exists()


def test_an_option_key_the_config_lacks_is_an_error(tool, setup, capsys):
    argv, _, _, ckpt = setup
    with pytest.raises(SystemExit) as info:
        tool.main([str(TINY_CONFIG), str(ckpt), *argv, 'test_dataloader.batch_sizee=3'])
    assert info.value.code == 2
    assert 'batch_sizee' in capsys.readouterr().err


def test_a_supervised_model_is_scored_by_its_classifier(tool, setup, tmp_path):
    """Before: AttributeError (the tool read SmileVLM's class_names)."""
    argv = setup[0]
    config = str(ROOT / 'tests' / 'configs' / 'tiny_supervised.py')
    options = {k: (int(v) if v.isdigit() else v) for k, v in (a.split('=', 1) for a in argv[1:])}
    cfg, model, ckpt = model_and_checkpoint(config, options, tmp_path / 'supervised.pth')
    res = tool.main([config, str(ckpt), *argv])
    assert res['num_samples'] == 12
    assert res['all']['acc'] == pytest.approx(model_accuracy(cfg, model))


def test_cluster_accuracy_is_accuracy_after_the_best_relabelling():
    from smilezoo.evaluation.view_drop import cluster_accuracy
    gt = np.array([0, 0, 1, 1, 2, 2])
    assert cluster_accuracy(gt, (gt + 1) % 3, 3) == 100.0  # names swapped, clusters right
    assert cluster_accuracy(gt, np.zeros(6, int), 3) == pytest.approx(100.0 / 3)
