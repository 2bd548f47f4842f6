"""Mixed precision on the CPU (AnyDeviceAmpOptimWrapper): tools/train.py --amp trains a
tiny config in bf16 and resumes from its checkpoint; losses and fusion weights stay
float32 under autocast; the loss scaler's state survives a checkpoint."""
import argparse
import importlib.util
import io
import json

import pytest
import torch

from pipeline_helpers import ROOT, TINY_CONFIG, run_tool
from smilezoo.engine import AnyDeviceAmpOptimWrapper
from smilezoo.registry import MODELS, OPTIM_WRAPPERS
from test_training_options import batch, tiny_model, write_view_cache

FUSIONS = [dict(type='ViewAttentionFusion', embed_dim=32, hidden_dim=8),
           dict(type='MeanFusion'),
           dict(type='GatedFusion', embed_dim=32),
           dict(type='CrossViewTransformerFusion', embed_dim=32, num_heads=2, ffn_dim=32),
           dict(type='MaxFusion')]


@pytest.mark.parametrize('cfg', FUSIONS, ids=[c['type'] for c in FUSIONS])
def test_fusion_weights_are_float32_and_sum_to_one_under_bf16_autocast(cfg):
    torch.manual_seed(0)
    fusion = MODELS.build(cfg)
    z = torch.randn(5, 3, 32).bfloat16()  # what the projector gives under autocast
    mask = torch.ones(5, 3, dtype=torch.bool)
    mask[1, 2] = False
    with torch.autocast('cpu', dtype=torch.bfloat16):
        fused, weights = fusion(z, mask)
    assert fused.shape == (5, 32) and torch.isfinite(fused.float()).all()
    assert weights.dtype == torch.float32
    torch.testing.assert_close(weights.sum(1), torch.ones(5), rtol=0, atol=1e-6)
    assert weights[1, 2] == 0 and (weights >= 0).all()


def test_a_train_step_runs_the_towers_in_bf16_and_losses_and_weights_in_float32():
    model = tiny_model()
    model.train()
    wrapper = OPTIM_WRAPPERS.build(dict(type='AnyDeviceAmpOptimWrapper',
                                        optimizer=torch.optim.AdamW(model.parameters(), 1e-3)))
    assert wrapper.cast_dtype == torch.bfloat16 and wrapper.loss_scaler is None
    seen = {}
    model.backbone.register_forward_hook(lambda m, a, out: seen.update(backbone=out.dtype))
    model.fusion.register_forward_hook(lambda m, a, out: seen.update(weights=out[1].detach()))
    before = next(model.backbone.parameters()).detach().clone()
    losses = model.train_step(batch(), wrapper)
    assert seen['backbone'] == torch.bfloat16  # autocast was on
    assert seen['weights'].dtype == torch.float32
    torch.testing.assert_close(seen['weights'].sum(1), torch.ones(len(seen['weights'])),
                               rtol=0, atol=1e-6)
    for k, v in losses.items():
        assert v.dtype == torch.float32 and torch.isfinite(v), (k, v)
    assert not torch.equal(before, next(model.backbone.parameters()))  # the step happened
    assert next(model.backbone.parameters()).dtype == torch.float32  # weights stay float32


def fp16_pair(seed=0):
    torch.manual_seed(seed)
    lin = torch.nn.Linear(4, 2)
    return lin, AnyDeviceAmpOptimWrapper(
        optimizer=torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9), dtype='float16',
        loss_scale=dict(init_scale=1024., growth_interval=1))


def weights_only_round_trip(state):
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)  # plain tensors, numbers and strings only


def test_the_loss_scaler_state_survives_a_checkpoint(monkeypatch):
    lin, wrapper = fp16_pair()
    for _ in range(2):  # growth_interval=1: the scale doubles after each finite step
        with wrapper.optim_context(lin):
            out = lin(torch.randn(8, 4))
        assert out.dtype == torch.float16
        wrapper.update_params(out.float().square().mean())
    assert wrapper.loss_scaler.get_scale() == 4096.0
    state = weights_only_round_trip(wrapper.state_dict())
    assert state['amp'] == dict(device_type='cpu', dtype='float16')
    _, fresh = fp16_pair(seed=1)
    assert fresh.loss_scaler.get_scale() == 1024.0
    fresh.load_state_dict(state)
    assert fresh.loss_scaler.state_dict() == wrapper.loss_scaler.state_dict()
    assert fresh.optimizer.state_dict()['state'][0]['momentum_buffer'].equal(
        wrapper.optimizer.state_dict()['state'][0]['momentum_buffer'])
    # a bf16 run resuming this float16 checkpoint: told, and the scaler state left out
    logs = []
    monkeypatch.setattr('smilezoo.engine.amp_optim_wrapper.print_log',
                        lambda msg, **kw: logs.append(msg))
    bf16 = AnyDeviceAmpOptimWrapper(optimizer=torch.optim.SGD(lin.parameters(), lr=0.1))
    bf16.load_state_dict(state)
    assert bf16.loss_scaler is None
    assert any('trained with float16' in m and 'uses bfloat16' in m for m in logs), logs
    assert any('not loaded' in m for m in logs), logs


def test_cpu_refuses_a_dtype_it_cannot_autocast():
    lin = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match='optim_wrapper.dtype'):
        AnyDeviceAmpOptimWrapper(optimizer=torch.optim.SGD(lin.parameters(), lr=0.1),
                                 dtype='float64')


def test_the_bf16_schedule_and_mmengines_amp_type_build_on_the_cpu():
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(ROOT / 'configs/_base_/schedules/adamw_lr1e-4_amp_bf16.py')
    wrapper = build_optim_wrapper(torch.nn.Linear(2, 2), cfg.optim_wrapper)
    assert type(wrapper) is AnyDeviceAmpOptimWrapper
    assert wrapper.cast_dtype == torch.bfloat16 and wrapper.loss_scaler is None
    # tools/train.py builds it for mmengine's AmpOptimWrapper, which asserts a GPU
    spec = importlib.util.spec_from_file_location('train_tool', ROOT / 'tools' / 'train.py')
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    args = argparse.Namespace(cfg_options=None, launcher='none', work_dir='w', amp=False,
                              resume=None, no_validate=False, auto_scale_lr=False)
    amp_cfg = Config(dict(optim_wrapper=dict(type='AmpOptimWrapper', dtype='bfloat16')))
    assert train.merge_args(amp_cfg, args).optim_wrapper.type == 'AnyDeviceAmpOptimWrapper'
    plain_cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper')))
    assert train.merge_args(plain_cfg, args).optim_wrapper.type == 'OptimWrapper'
    args.amp = True
    assert train.merge_args(plain_cfg, args).optim_wrapper.type == 'AnyDeviceAmpOptimWrapper'


def step_losses(work):
    rows = [json.loads(line) for log in sorted(work.glob('*/vis_data/scalars.json'))
            for line in log.read_text().splitlines()]
    return {r['step']: r['loss'] for r in rows if 'loss' in r}


def test_train_py_amp_trains_a_tiny_config_in_bf16_on_the_cpu_and_resumes(tmp_path):
    # 32 px, batch 16. At 16 px resnet10t's layer4 sees 1 x 1 feature maps, and on an
    # Intel AMX CPU the bf16 backward of its first conv gave NaN gradients in about 1 of 5
    # fresh processes (0 of 20 at 32 px); FiniteTrainingHook now stops such a run.
    ann = write_view_cache(tmp_path / 'cache', subjects=6, size=32)
    opts = ['--cfg-options', f'data_preparation.out_dir={ann.parent}',
            'log_processor.window_size=1', 'default_hooks.logger.interval=1']
    work = tmp_path / 'work'
    env = dict(OMP_NUM_THREADS='1')
    run_tool('tools/train.py', TINY_CONFIG, '--amp', '--no-validate', '--work-dir', work,
             *opts, 'train_cfg.max_epochs=1', env=env)
    first = step_losses(work)
    n = len(first)  # steps in an epoch (the training subjects' samples // 16)
    assert n >= 1 and sorted(first) == list(range(1, n + 1))
    assert all(v == v and abs(v) < 1e6 for v in first.values())  # finite
    ckpt = torch.load(work / 'epoch_1.pth', map_location='cpu', weights_only=False)
    optim_state = weights_only_round_trip(ckpt['optimizer'])
    assert optim_state['amp'] == dict(device_type='cpu', dtype='bfloat16')
    assert 'loss_scaler' not in optim_state  # bf16: no loss scaling
    proc = run_tool('tools/train.py', TINY_CONFIG, '--amp', '--no-validate', '--work-dir',
                    work, '--resume', *opts, 'train_cfg.max_epochs=2', env=env)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 1' in log and 'trained with' not in log
    resumed = step_losses(work)
    assert sorted(resumed) == list(range(1, 2 * n + 1))
    assert all(v == v and abs(v) < 1e6 for v in resumed.values())
    last = torch.load(work / 'epoch_2.pth', map_location='cpu', weights_only=False)
    assert last['optimizer']['amp'] == dict(device_type='cpu', dtype='bfloat16')
    steps = [s['step'] for s in last['optimizer']['state'].values()]
    assert steps and all(float(s) == 2 * n for s in steps)  # AdamW's count went on from n
