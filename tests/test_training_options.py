"""Training options of docs/performance.md: each runs a train step on the CPU with a
finite loss; gradient checkpointing and channels_last leave the numbers unchanged;
bf16 autocast keeps the losses in float32; benchmark_train.py prints its JSON."""
import contextlib
import copy
import json

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from pipeline_helpers import TINY_CONFIG, run_tool
from smilezoo.models.backbones import OpenCLIPVisionBackbone, TimmBackbone
from smilezoo.models.losses import (CrossModalRedundancyLoss, MultiViewBarlowTwinsLoss,
                                    MultiViewInfoNCELoss)
from smilezoo.registry import MODELS
from zoo_helpers import load_tool, tiny_smile_vlm_cfg


def tiny_model(backbone=None, **over):
    cfg = tiny_smile_vlm_cfg(
        dict(type='VisionBackbone', model_name='timm/test_resnet', **(backbone or {})), **over)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(b=6, n=3, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randint(0, 256, (b, n, 3, size, size), generator=g, dtype=torch.uint8)
    return dict(inputs=inputs, data_samples=[dict(gt_label=i % 3) for i in range(b)])


class CPUBf16OptimWrapper(OptimWrapper):
    """What AmpOptimWrapper(dtype='bfloat16') does, on the CPU (mmengine's own asserts
    a GPU): the forward pass under bf16 autocast, no loss scaling."""

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model), autocast(device_type='cpu', dtype=torch.bfloat16):
            yield


OPTIONS = {
    'default': (dict(), dict()),
    'grad_checkpointing': (dict(grad_checkpointing=True), dict()),
    'channels_last': (dict(channels_last=True), dict()),
    'reuse_aug_as_clean': (dict(), dict(reuse_aug_as_clean=True)),
    'bf16_autocast': (dict(), dict()),
    'all_together': (dict(grad_checkpointing=True, channels_last=True),
                     dict(reuse_aug_as_clean=True)),
}


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_each_option_trains_one_step_with_a_finite_loss(name):
    backbone, over = OPTIONS[name]
    model = tiny_model(backbone, **over)
    model.train()
    wrapper = CPUBf16OptimWrapper if name in ('bf16_autocast', 'all_together') else OptimWrapper
    optim = wrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = next(model.backbone.parameters()).detach().clone()
    losses = model.train_step(batch(), optim)
    assert set(losses) == {'loss', 'loss_mv_bt', 'loss_vl', 'loss_red'}
    for k, v in losses.items():
        assert v.dtype == torch.float32 and torch.isfinite(v), (k, v)
    assert not torch.equal(before, next(model.backbone.parameters()))  # the step happened
    if backbone.get('grad_checkpointing'):
        assert model.backbone.model.grad_checkpointing
    if backbone.get('channels_last'):
        conv = next(m for m in model.backbone.modules() if isinstance(m, torch.nn.Conv2d))
        assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_compiled_train_step_runs_with_a_finite_loss():
    """``compile=dict(backend=...)`` as mmengine's Runner applies it:
    torch.compile(model.train_step). The 'aot_eager' backend traces forward and
    backward like inductor but skips code generation (inductor takes ~90 s here; its
    speed is measured in docs/performance.md)."""
    model = tiny_model()
    model.train()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    step = torch.compile(model.train_step, backend='aot_eager')
    for _ in range(2):  # the second call runs the cached graphs
        losses = step(batch(), optim)
        assert set(losses) == {'loss', 'loss_mv_bt', 'loss_vl', 'loss_red'}
        assert all(torch.isfinite(v) for v in losses.values())


def grads_of_one_loss(model, data, seed=0):
    model.train()
    model.zero_grad()
    x = model.data_preprocessor(copy.deepcopy(data), True)
    torch.manual_seed(seed)  # same augmentations and prompts in both runs
    losses = model.loss(x['inputs'], x['data_samples'])
    sum(losses.values()).backward()
    return ({k: v.detach() for k, v in losses.items()},
            {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None})


def test_grad_checkpointing_gives_the_same_gradients_in_smile_vlm():
    plain = tiny_model()
    ckpt = tiny_model(dict(grad_checkpointing=True))
    ckpt.load_state_dict(plain.state_dict())
    data = batch()
    loss_a, grad_a = grads_of_one_loss(plain, data)
    loss_b, grad_b = grads_of_one_loss(ckpt, data)
    for k in loss_a:
        torch.testing.assert_close(loss_b[k], loss_a[k], rtol=1e-5, atol=1e-6)
    assert set(grad_a) == set(grad_b) and any(k.startswith('backbone.') for k in grad_a)
    for k in grad_a:
        torch.testing.assert_close(grad_b[k], grad_a[k], rtol=1e-4, atol=1e-6, msg=k)
    # the recomputed forward must not update BatchNorm's running statistics again
    bufs_a, bufs_b = dict(plain.named_buffers()), dict(ckpt.named_buffers())
    assert any('num_batches_tracked' in k for k in bufs_a)
    for k in bufs_a:
        torch.testing.assert_close(bufs_b[k], bufs_a[k], rtol=1e-5, atol=1e-7, msg=k)


def backbone_grads(bb, x):
    bb.zero_grad()
    out = bb(x)
    out.square().mean().backward()
    return out.detach(), {k: p.grad.clone() for k, p in bb.named_parameters()
                          if p.grad is not None}


def test_grad_checkpointing_of_an_open_clip_vit_tower():
    torch.manual_seed(0)
    plain = OpenCLIPVisionBackbone('ViT-S-32', pretrained=None, image_size=32)
    ckpt = OpenCLIPVisionBackbone('ViT-S-32', pretrained=None, image_size=32,
                                  grad_checkpointing=True)
    ckpt.load_state_dict(plain.state_dict())
    assert ckpt.visual.transformer.grad_checkpointing
    x = torch.rand(4, 3, 32, 32)
    out_a, grad_a = backbone_grads(plain.train(), x)
    out_b, grad_b = backbone_grads(ckpt.train(), x)
    torch.testing.assert_close(out_b, out_a)
    assert set(grad_a) == set(grad_b)
    for k in grad_a:
        torch.testing.assert_close(grad_b[k], grad_a[k], rtol=1e-4, atol=1e-6, msg=k)


def test_grad_checkpointing_refused_where_it_would_do_nothing():
    with pytest.raises(ValueError, match='grad_checkpointing=False'):
        OpenCLIPVisionBackbone('RN50', pretrained=None, image_size=32, grad_checkpointing=True)


def test_channels_last_keeps_outputs_and_gradients():
    torch.manual_seed(0)
    plain = TimmBackbone('resnet10t', in_chans=3)
    cl = TimmBackbone('resnet10t', in_chans=3, channels_last=True)
    cl.load_state_dict(plain.state_dict())
    x = torch.rand(6, 3, 32, 32)
    for mode in ('eval', 'train'):
        out_a, grad_a = backbone_grads(getattr(plain, mode)(), x)
        out_b, grad_b = backbone_grads(getattr(cl, mode)(), x)
        torch.testing.assert_close(out_b, out_a, rtol=1e-4, atol=1e-5)
        for k in grad_a:
            torch.testing.assert_close(grad_b[k], grad_a[k], rtol=1e-3, atol=1e-5, msg=k)


def test_bf16_autocast_runs_the_backbone_in_bf16_and_the_losses_in_float32():
    model = tiny_model()
    model.train()
    x = model.data_preprocessor(batch(), True)
    with autocast(device_type='cpu', dtype=torch.bfloat16):
        z = model.embed_views(x['inputs'])
        losses = model.loss(x['inputs'], x['data_samples'])
    assert z.dtype == torch.bfloat16  # autocast is on for the towers
    for k, v in losses.items():
        assert v.dtype == torch.float32 and torch.isfinite(v), k
    sum(losses.values()).backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


@pytest.mark.parametrize('name', ['mv_bt', 'vl', 'red'])
def test_losses_compute_in_float32_under_autocast(name):
    """bf16 embeddings under autocast give exactly the loss of the same embeddings
    upcast to float32 without autocast (a bf16 matmul would not)."""
    g = torch.Generator().manual_seed(0)
    b, n, d = 16, 3, 64
    z_a = torch.randn(b, n, d, generator=g)
    z_b = z_a + 0.3 * torch.randn(b, n, d, generator=g)
    z_mv, z_t = z_a.mean(1), torch.randn(b, d, generator=g)
    pool = torch.arange(b) % 4
    fns = {'mv_bt': lambda a, bb, mv, t: MultiViewBarlowTwinsLoss()(a, bb),
           'vl': lambda a, bb, mv, t: MultiViewInfoNCELoss()(a, mv, t, pool_ids=pool),
           'red': lambda a, bb, mv, t: CrossModalRedundancyLoss()(mv, t)}
    half = [t.bfloat16().requires_grad_() for t in (z_a, z_b, z_mv)]
    with autocast(device_type='cpu', dtype=torch.bfloat16):
        got = fns[name](*half, z_t)
    want = fns[name](*(t.detach().float() for t in half), z_t)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-6)
    got.backward()
    assert any(t.grad is not None and t.grad.dtype == torch.bfloat16 for t in half)


# ----------------------------------------------------------------------------- benchmark

EXPECTED_KEYS = {'config', 'machine', 'settings', 'full_step', 'bare_backbone_step',
                 'overhead_ratio', 'overhead_ratio_paired', 'dataloader', 'memory_method',
                 'wall_s'}
STEP_KEYS = {'median_s', 'times_s', 'samples_per_s', 'images_per_s'}


def check_result(res, steps, batch_size, passes=3):
    assert EXPECTED_KEYS <= set(res)
    for key in ('device', 'device_name', 'torch', 'torch_threads', 'loadavg_before',
                'loadavg_after'):
        assert key in res['machine'], key
    s = res['settings']
    assert s['batch_size'] == batch_size and s['backbone_calls_per_step'] == 1
    assert s['backbone_images_per_step'] == batch_size * 3 * passes and s['passes'] == passes
    for kind in ('full_step', 'bare_backbone_step'):
        assert STEP_KEYS <= set(res[kind]) and len(res[kind]['times_s']) == steps
        assert res[kind]['median_s'] > 0
        assert ('peak_rss_mib' in res[kind]) or ('peak_mib' in res[kind])
    assert res['overhead_ratio'] == pytest.approx(
        res['full_step']['median_s'] / res['bare_backbone_step']['median_s'], rel=1e-2)


def test_benchmark_train_prints_json_on_random_data(tmp_path):
    out = tmp_path / 'bench.json'
    proc = run_tool('tools/analysis_tools/benchmark_train.py', TINY_CONFIG, '--steps', 2,
                    '--warmup', 0, '--batch-size', 4, '--device', 'cpu', '--data', 'random',
                    '--out', out, env=dict(OMP_NUM_THREADS='1'))
    res = json.loads(proc.stdout)  # stdout is the JSON alone (logs go to stderr)
    assert json.loads(out.read_text()) == res
    check_result(res, steps=2, batch_size=4)
    assert res['settings']['data'].startswith('random uint8 views')
    assert res['settings']['input_dtype'] == 'uint8' and res['settings']['amp'] is False


def load_benchmark_module():
    return load_tool('tools/analysis_tools/benchmark_train.py', 'benchmark_train')


def write_view_cache(root, subjects=10, size=16):
    """A cached-view annotation file with random uint8 views (6 classes, 1 scan each)."""
    classes = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
    rng = np.random.default_rng(0)
    items = []
    for s in range(subjects):
        for c in classes:
            rel = f'views/S{s:02d}_{c}.npy'
            (root / 'views').mkdir(parents=True, exist_ok=True)
            np.save(root / rel, rng.integers(0, 256, (3, 3, size, size), dtype=np.uint8))
            items.append(dict(subject=f'S{s:02d}', expression=c, intensity=3, views=rel))
    meta = dict(format='smilezoo.cached_views', version=1, renderer=dict(
        type='MultiViewRenderer', yaws=[-30, 0, 30], image_size=size, modes=['normal']))
    (root / 'annotations.json').write_text(json.dumps(dict(metainfo=meta, data_list=items)))
    return root / 'annotations.json'


VARIANT = 'model.backbone.channels_last=True model.reuse_aug_as_clean=False'


def test_benchmark_train_on_cached_views_with_bf16_and_the_loader(tmp_path):
    ann = write_view_cache(tmp_path)
    bench = load_benchmark_module()
    res = bench.main([str(TINY_CONFIG), '--steps', '2', '--warmup', '1', '--batch-size', '4',
                      '--device', 'cpu', '--loader-batches', '3',
                      '--variant', VARIANT,
                      '--cfg-options',
                      f'train_dataloader.dataset.ann_file={ann}',
                      'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
                      'optim_wrapper.type=AmpOptimWrapper', 'optim_wrapper.dtype=bfloat16',
                      'model.reuse_aug_as_clean=True'])
    check_result(res, steps=2, batch_size=4, passes=2)
    s = res['settings']
    assert s['data'].startswith('real cached views') and s['input_shape'] == [4, 3, 3, 16, 16]
    assert s['amp'] is True and s['dtype'] == 'bfloat16' and s['reuse_aug_as_clean'] is True
    variant = res['variants'][VARIANT]
    assert variant['settings']['channels_last'] is True
    assert variant['settings']['backbone_images_per_step'] == 4 * 3 * 3  # 3 passes again
    assert len(variant['full_step']['times_s']) == 2 and variant['full_step']['median_s'] > 0
    assert 'speedup_vs_full_step' in variant['full_step']
    loader = res['dataloader']
    assert loader['batches'] == 3 and loader['samples_per_s'] > 0
    assert loader['input_dtype'] == 'uint8'  # views stay uint8 until the model's preprocessor


def test_find_max_batch_doubles_until_out_of_memory():
    bench = load_benchmark_module()

    def fake_step(b):  # a device that fits 40 samples
        if b > 40:
            raise torch.cuda.OutOfMemoryError('CUDA out of memory (simulated)')
        return 100.0 * b

    res = bench.search_max_batch(fake_step, start=5)
    assert res['max_batch_size'] == 40
    assert [t['batch_size'] for t in res['tried']] == [5, 10, 20, 40, 80]
    assert [t['fits'] for t in res['tried']] == [True, True, True, True, False]
    assert bench.search_max_batch(fake_step, start=8, cap=16)['reached_cap'] is True
    with pytest.raises(SystemExit, match='even batch size 64'):
        bench.search_max_batch(fake_step, start=64)
    with pytest.raises(SystemExit, match='needs --device cuda'):
        bench.find_max_batch(None, torch.device('cpu'), 4, 6)
