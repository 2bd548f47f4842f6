"""tools/analysis_tools/fusion_analysis.py on a tiny SMILE-VLM (random weights) and
its own random view cache: the fused accuracy is the model's, the bounds hold,
the gradient paths name the losses that see the fused embedding, mismatches and
misfit checkpoints are refused."""
import json

import numpy as np
import pytest
import torch

from pipeline_helpers import TINY_CONFIG
from zoo_helpers import load_tool, model_and_checkpoint, write_random_view_cache

TOOL = 'tools/analysis_tools/fusion_analysis.py'


@pytest.fixture(scope='module')
def tool():
    return load_tool(TOOL, 'fusion_analysis_tool')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """(cfg_options, model, checkpoint): 5 subjects x 6 expressions x 2
    intensities at 32 px; the test split is one subject (12 samples)."""
    root = tmp_path_factory.mktemp('fusion_analysis')
    ann = write_random_view_cache(root / 'cache')
    options = {'data_preparation.out_dir': str(ann.parent), 'test_dataloader.batch_size': 5,
               'train_dataloader.batch_size': 8}
    cfg, model, ckpt = model_and_checkpoint(TINY_CONFIG, options, root / 'tiny.pth')
    return options, cfg, model, ckpt


@pytest.fixture(scope='module')
def result(tool, setup, tmp_path_factory):
    options, _, _, ckpt = setup
    out = tmp_path_factory.mktemp('out') / 'analysis.json'
    argv = [str(TINY_CONFIG), str(ckpt), '--out', str(out), '--grad-batches', '1',
            '--cfg-options', *[f'{k}={v}' for k, v in options.items()]]
    res = tool.main(argv)
    assert json.loads(out.read_text()) == json.loads(json.dumps(res))
    return res


def test_fused_accuracy_is_the_models_and_bounds_hold(result, setup):
    from mmengine.runner import Runner
    _, cfg, model, _ = setup
    gt, pred = [], []
    for data in Runner.build_dataloader(dict(cfg.test_dataloader, num_workers=0,
                                             persistent_workers=False)):
        data = model.data_preprocessor(data, False)
        out = model.predict(data['inputs'], data['data_samples'])
        gt += [int(s['gt_label']) for s in data['data_samples']]
        pred += [r['pred_label'] for r in out]
    acc = result['accuracy']
    assert result['num_samples'] == len(gt) == 12
    assert acc['fused'] == pytest.approx(100.0 * np.mean(np.array(gt) == np.array(pred)), abs=1e-3)
    assert result['view_names'] == ['left', 'front', 'right']
    views = [acc[f'view_{v}'] for v in result['view_names']]
    assert acc['best_view_acc'] == max(views)
    # a weighted sum's prediction is one of the convex weightings; a single view is one too
    assert max(views) <= acc['oracle_any_view'] <= acc['oracle_convex_weights']
    assert acc['fused'] <= acc['oracle_convex_weights']
    assert acc['best_constant_weights_on_test']['acc'] >= acc['mean_embedding'] - 1e-9
    err = result['errors']
    assert err['all_right'] + err['all_wrong'] + err['split'] == pytest.approx(1.0, abs=1e-3)
    assert sum(result['weights']['mean'].values()) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= result['weights']['entropy_over_log_n'] <= 1.0
    assert set(result['symmetry']) == {'left-right'}
    assert len(result['samples']) == 12


def test_training_path_names_the_losses_that_see_the_fused_embedding(result):
    path = result['training_path']
    # L_vl (its fused InfoNCE term) and L_red take z^mv; L_mv_bt only the augmented views
    assert path['terms_reaching_fusion'] == ['loss_red', 'loss_vl']
    assert path['terms']['loss_mv_bt']['grad_norm_fusion'] == 0.0
    assert path['terms']['loss_mv_bt']['grad_norm_all'] > 0.0


def test_mirroring_flips_columns_and_the_normal_x_on_the_face(tool):
    x = torch.zeros(1, 3, 2, 3)
    x[0, :, 0, 0] = torch.tensor([0.8, 0.5, 0.9])  # a face pixel, normal x > 0
    m = tool.mirror_views(x, ['normal'])
    assert torch.allclose(m[0, :, 0, 2], torch.tensor([0.2, 0.5, 0.9]))
    assert m[0, :, 0, :2].abs().sum() == 0 and m[0, :, 1].abs().sum() == 0  # background
    assert torch.allclose(tool.mirror_views(m, ['normal']), x)
    assert tool.symmetric_pairs([-30, 0, 30]) == [(0, 2)]


def test_convex_oracle_finds_a_mix_no_single_view_gets_right(tool):
    protos = np.eye(3)
    views = np.array([[[0.45, 0.55, 0.0], [0.45, 0.0, 0.55]]])  # each view is wrong
    gt = np.array([0])
    assert not (views[0] @ protos.T).argmax(-1).tolist().count(0)
    assert tool.convex_oracle(views, gt, protos).tolist() == [True]  # 0.5 / 0.5 is right
    assert tool.convex_oracle(views, np.array([1]), protos).tolist() == [True]


def test_a_result_json_mismatch_and_a_misfit_checkpoint_are_refused(tool, result, setup,
                                                                    tmp_path):
    ref = {f'acc/view_{i}': result['accuracy'][f'view_{v}']
           for i, v in enumerate(result['view_names'])}
    ref.update({'acc/zero_shot': result['accuracy']['fused'], 'num_samples': 12})
    path = tmp_path / 'result.json'
    path.write_text(json.dumps({'evaluations': {'zero_shot': ref}}))
    assert tool.check_result(result, str(path))['all_equal']
    ref['acc/zero_shot'] += 1.0
    path.write_text(json.dumps({'evaluations': {'zero_shot': ref}}))
    check = tool.check_result(result, str(path))
    assert not check['all_equal'] and not check['rows']['fused']['equal']
    options, _, model, _ = setup
    state = {k: v for k, v in model.state_dict().items() if not k.startswith('fusion.')}
    bad = tmp_path / 'misfit.pth'
    torch.save({'state_dict': state}, bad)
    with pytest.raises(SystemExit, match='does not fit'):
        tool.main([str(TINY_CONFIG), str(bad), '--grad-batches', '0', '--cfg-options',
                   *[f'{k}={v}' for k, v in options.items()]])


def test_combine_averages_the_folds(tool, tmp_path):
    files = []
    for k, acc in enumerate((80.0, 90.0)):
        p = tmp_path / f'fold_{k}.json'
        p.write_text(json.dumps(dict(accuracy=dict(fused=acc, best_view='front'),
                                     weights=dict(mean={'left': 0.2 + 0.1 * k}),
                                     samples=[dict(gt=0)])))
        files.append(str(p))
    res = tool.combine(files)
    assert res['mean']['accuracy'] == {'fused': 85.0}
    assert res['std']['accuracy']['fused'] == 5.0
    assert res['mean']['weights']['mean']['left'] == pytest.approx(0.25)
    assert res['num_folds'] == 2 and len(res['folds']) == 2
