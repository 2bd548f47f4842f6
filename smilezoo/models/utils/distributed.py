"""Cross-process helpers that keep gradients (used by the losses).

In a distributed run the batch statistics of SMILE-VLM's losses must see the
global batch: sums are all-reduced and the InfoNCE candidates all-gathered with
``torch.distributed.nn`` so that gradients flow back to every process.
"""
import torch
import torch.distributed as dist


def is_dist() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    """Sum ``x`` over processes, differentiably; identity in one process."""
    if not is_dist():
        return x
    from torch.distributed.nn.functional import all_reduce
    return all_reduce(x, op=dist.ReduceOp.SUM)


def all_gather_cat(x: torch.Tensor) -> torch.Tensor:
    """Concatenate ``x`` (B, ...) of every process along dim 0 in rank order,
    differentiably; identity in one process. All processes must pass the same B."""
    if not is_dist():
        return x
    from torch.distributed.nn.functional import all_gather
    return torch.cat(all_gather(x), dim=0)


def rank() -> int:
    return dist.get_rank() if is_dist() else 0
