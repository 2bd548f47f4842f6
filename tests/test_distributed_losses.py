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
