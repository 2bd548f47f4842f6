"""In 2 gloo processes, the losses on halves of a batch equal (and have the gradients of)
the single-process losses on the whole batch: statistics are global, not per-GPU."""
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from smilezoo.models.losses import (CrossModalRedundancyLoss, MultiViewBarlowTwinsLoss,
                                    MultiViewInfoNCELoss)

WORLD = 2
B, N, D = 8, 3, 5


def make_inputs():
    g = torch.Generator().manual_seed(0)
    z_a = torch.randn(B, N, D, generator=g, dtype=torch.float64)
    return dict(z_a=z_a, z_b=z_a + 0.3 * torch.randn(B, N, D, generator=g, dtype=torch.float64),
                z_mv=torch.randn(B, D, generator=g, dtype=torch.float64),
                z_t=torch.randn(B, D, generator=g, dtype=torch.float64),
                pool=torch.tensor([0, 1, 0, 2, 1, 1, 2, 0]))


def losses_and_grads(x, sl):
    """Each loss on rows ``sl`` of the batch, with the gradients of its inputs."""
    leaf = {k: v[sl].clone().requires_grad_(v.is_floating_point()) for k, v in x.items()}
    out = {}
    fns = {
        'mv_bt': lambda: MultiViewBarlowTwinsLoss(lambda_offdiag=0.1)(leaf['z_a'], leaf['z_b']),
        'red': lambda: CrossModalRedundancyLoss(lambda_offdiag=0.1)(leaf['z_mv'], leaf['z_t']),
        'vl': lambda: MultiViewInfoNCELoss(temperature=0.5)(
            leaf['z_a'], leaf['z_mv'], leaf['z_t'], pool_ids=leaf['pool']),
    }
    for name, fn in fns.items():
        for v in leaf.values():
            v.grad = None
        loss = fn()
        loss.backward()
        out[name] = (loss.detach(), {k: v.grad.clone() for k, v in leaf.items()
                                     if v.grad is not None})
    return out


def worker(rank, init_file, result_file):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=WORLD)
    half = B // WORLD
    res = losses_and_grads(make_inputs(), slice(rank * half, (rank + 1) * half))
    torch.save(res, f'{result_file}.{rank}')
    dist.barrier()
    dist.destroy_process_group()


@pytest.fixture(scope='module')
def distributed_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('dist')
    mp.spawn(worker, args=(str(tmp / 'init'), str(tmp / 'res')), nprocs=WORLD, join=True)
    return [torch.load(tmp / f'res.{r}', weights_only=False) for r in range(WORLD)]


@pytest.mark.parametrize('name', ['mv_bt', 'red', 'vl'])
def test_two_process_loss_equals_single_process(distributed_results, name):
    single_loss, single_grads = losses_and_grads(make_inputs(), slice(0, B))[name]
    losses = torch.stack([r[name][0] for r in distributed_results])
    # DDP averages gradients, so the objective of a 2-process run is the mean of
    # the per-process losses: it must equal the single-process loss.
    assert losses.mean().item() == pytest.approx(single_loss.item(), rel=1e-9)
    if name in ('mv_bt', 'red'):  # global statistics: every process sees the same loss
        assert losses[0].item() == pytest.approx(losses[1].item(), rel=1e-12)
    half = B // WORLD
    for rank, r in enumerate(distributed_results):
        for key, grad in r[name][1].items():
            # after DDP's division by the world size
            expected = single_grads[key][rank * half:(rank + 1) * half]
            torch.testing.assert_close(grad / WORLD, expected, rtol=1e-9, atol=1e-12)


# The whole model: SmileVLM.loss in 2 gloo processes, each on half of the batch, inside
# DDP, against the single-process loss on the whole batch. Augmentations are the identity
# and every prompt pool has one prompt, so both runs draw the same; the model is in eval
# mode for its BatchNorm layers, whose batch statistics are per process in DDP (as in any
# DDP run without SyncBN: docs/performance.md).
MODEL_B = 8


def smile_vlm():
    from smilezoo.registry import MODELS
    torch.manual_seed(0)  # float64: the comparison is exact up to summation order
    identity = dict(type='BatchViewAugment', scale=(1.0, 1.0), rotate=0.0, translate=0.0,
                    jitter=0.0, noise_std=0.0, erase_prob=0.0)
    return MODELS.build(dict(
        type='SmileVLM', augment=identity,
        backbone=dict(type='VisionBackbone', model_name='timm/test_resnet'),
        projector=dict(type='MLPProjector', hidden_dim=32),
        fusion=dict(type='ViewAttentionFusion', hidden_dim=8),
        text_encoder=dict(type='SentenceTransformerTextEncoder'),
        losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', loss_weight=0.1),
                    vl=dict(type='MultiViewInfoNCELoss', temperature=0.5),
                    red=dict(type='CrossModalRedundancyLoss', loss_weight=0.1)),
        class_names=['happy', 'sad', 'surprise'],
        prompt_pools={'happy': ['a person smiling happily'], 'sad': ['a sad expression'],
                      'surprise': ['a surprised facial expression']})).double()


def model_batch():
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, 256, (MODEL_B, 3, 3, 32, 32), generator=g, dtype=torch.uint8)
    return x, [dict(gt_label=i % 3) for i in range(MODEL_B)]


def model_loss_and_grads(model, sl):
    core = getattr(model, 'module', model)  # DDP or the bare model
    core.eval()  # BatchNorm: running statistics (see above); loss() does not need train mode
    core.zero_grad()
    x, samples = model_batch()
    data = core.data_preprocessor(dict(inputs=x[sl], data_samples=samples[sl]), True)
    losses = model(data['inputs'].double(), data['data_samples'], mode='loss')
    sum(losses.values()).backward()  # DDP all-reduces (averages) the gradients here
    return ({k: v.detach() for k, v in losses.items()},
            {k: p.grad.clone() for k, p in core.named_parameters() if p.grad is not None})


def model_worker(rank, init_file, result_file, cache):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    os.environ['SMILEZOO_CACHE'] = cache
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=WORLD)
    from smilezoo.utils import register_all_modules
    register_all_modules()
    from torch.nn.parallel import DistributedDataParallel
    model = DistributedDataParallel(smile_vlm(), device_ids=None, broadcast_buffers=False)
    half = MODEL_B // WORLD
    torch.save(model_loss_and_grads(model, slice(rank * half, (rank + 1) * half)),
               f'{result_file}.{rank}')
    dist.barrier()
    dist.destroy_process_group()


def test_two_process_model_loss_and_gradients_equal_single_process(tmp_path):
    single_losses, single_grads = model_loss_and_grads(smile_vlm(), slice(0, MODEL_B))
    mp.spawn(model_worker, args=(str(tmp_path / 'init'), str(tmp_path / 'res'),
                                 os.environ['SMILEZOO_CACHE']), nprocs=WORLD, join=True)
    results = [torch.load(tmp_path / f'res.{r}', weights_only=False) for r in range(WORLD)]
    for name, single in single_losses.items():
        mean = torch.stack([r[0][name] for r in results]).mean()
        torch.testing.assert_close(mean, single, rtol=1e-9, atol=1e-12, msg=name)
    for r in results:  # after DDP's all-reduce every process holds the same gradient
        assert set(r[1]) == set(single_grads)
        for key, grad in r[1].items():
            torch.testing.assert_close(grad, single_grads[key], rtol=1e-7, atol=1e-12,
                                       msg=lambda m, key=key: f"{key}: {m}")
