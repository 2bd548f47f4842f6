"""Cross-process helpers that keep gradients, so the losses see the global batch: each process's
loss depends on every process's inputs, so the backward passes sum the upstream gradient over
processes (torch.distributed.nn's all_reduce); DDP's average then gives the gradient of the
single-process loss on the global batch (tests/test_distributed_losses.py).
"""
import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_fn


def is_dist() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_dist() else 0


class _AllGatherCat(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x):
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        ctx.rows = (dist.get_rank() * x.shape[0], (dist.get_rank() + 1) * x.shape[0])
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad[ctx.rows[0]:ctx.rows[1]]


def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    """Sum ``x`` over processes, differentiably; identity in one process."""
    return dist_fn.all_reduce(x) if is_dist() else x


def all_gather_cat(x: torch.Tensor) -> torch.Tensor:
    """Concatenate ``x`` (B, ...) of every process along dim 0 in rank order, differentiably
    (ids: without gradient); identity in one process. Every process must pass the same B."""
    if not is_dist():
        return x
    if not x.is_floating_point():
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts, dim=0)
    return _AllGatherCat.apply(x)
