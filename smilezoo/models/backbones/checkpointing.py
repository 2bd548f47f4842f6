"""BatchNorm running statistics under gradient checkpointing: the recomputed forward of the
backward pass would update them a second time per step (docs/performance.md), so they are
restored after it; checkpointing then changes neither gradients nor statistics."""
import torch
from torch import nn


def _in_backward() -> bool:
    return torch._C._current_graph_task_id() != -1


def _save(module, args):
    if module.training and module.track_running_stats and _in_backward():
        module._stats_before_recompute = [b.detach().clone() for b in (
            module.running_mean, module.running_var, module.num_batches_tracked)]


def _restore(module, args, output):
    saved = module.__dict__.pop('_stats_before_recompute', None)
    if saved is not None:
        with torch.no_grad():
            for buf, old in zip((module.running_mean, module.running_var,
                                 module.num_batches_tracked), saved):
                buf.copy_(old)


def keep_batchnorm_stats_in_recompute(model: nn.Module) -> int:
    """Hook every BatchNorm of ``model`` (see the module docstring); returns how many."""
    if not hasattr(torch._C, '_current_graph_task_id'):  # private API: skip if gone
        return 0
    n = 0
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
            m.register_forward_pre_hook(_save)
            m.register_forward_hook(_restore)
            n += 1
    return n
