"""Parameter-free fusions: the mean and the element-wise max over the available views."""
from typing import Optional

import torch
from torch import nn

from smilezoo.registry import MODELS
from .base import FusionOutput, ViewFusion, masked_softmax, weight_dtype


@MODELS.register_module()
class MeanFusion(ViewFusion):
    """Uniform average of the available views, the no-attention baseline; ``weights`` are
    1 / (number of available views)."""

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        weights = masked_softmax(torch.zeros(z.shape[:2], device=z.device, dtype=z.dtype),
                                 view_mask)
        return torch.einsum('bn,bnd->bd', weights.to(z.dtype), z), weights


@MODELS.register_module()
class MaxFusion(ViewFusion):
    """Element-wise max over the available views: fused[b, k] = max_i z[b, i, k]; the
    ``weights`` (no natural ones) are the share of the d dimensions whose max is view i's."""

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        if view_mask is not None:
            z = z.masked_fill(~view_mask[..., None], float('-inf'))
        fused, winner = z.max(dim=1)
        weights = nn.functional.one_hot(winner, z.shape[1]).to(weight_dtype(fused)).mean(dim=1)
        return fused, weights
