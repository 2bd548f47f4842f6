"""Losses in float32 under mixed precision (why: docs/performance.md, bf16 AMP): ``float32_loss``
runs a loss's ``forward`` with autocast disabled and its float16/bfloat16 tensor arguments cast
to float32 (float32, float64 stay), so the gradient flows back to the half-precision embeddings.
"""
import functools

import torch

HALF = (torch.float16, torch.bfloat16)


def _to_float32(x):
    return x.float() if isinstance(x, torch.Tensor) and x.dtype in HALF else x


def float32_loss(forward):
    """Decorator for ``nn.Module.forward`` of a loss (see the module docstring)."""

    @functools.wraps(forward)
    def wrapper(self, *args, **kwargs):
        device = next((a.device for a in (*args, *kwargs.values())
                       if isinstance(a, torch.Tensor)), torch.device('cpu'))
        with torch.autocast(device_type=device.type, enabled=False):
            return forward(self, *map(_to_float32, args),
                           **{k: _to_float32(v) for k, v in kwargs.items()})

    return wrapper
