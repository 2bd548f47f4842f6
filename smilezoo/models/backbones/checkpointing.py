"""BatchNorm statistics under gradient checkpointing.

Checkpointing runs a block's forward a second time during the backward pass.
In training mode each BatchNorm then updates its running mean and variance
twice per step with the same batch (measured: timm's resnet10t with
``set_grad_checkpointing`` counted 2 batches per step in 11 of its 14
BatchNorm layers), so the model evaluates with different statistics than
without checkpointing. ``keep_batchnorm_stats_in_recompute`` restores them
after every forward that runs inside a backward pass, so checkpointing changes
neither the gradients nor the running statistics.
"""
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
