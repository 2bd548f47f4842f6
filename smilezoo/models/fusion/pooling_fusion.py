"""Parameter-light fusions: element-wise max over the available views."""
from typing import Optional, Tuple

import torch
from torch import nn

from smilezoo.registry import MODELS
from .view_attention_fusion import pool_views, weight_dtype


@MODELS.register_module()
class MaxFusion(nn.Module):
    """Element-wise max over the available views: fused[b, k] = max_i z[b, i, k].

    There are no natural weights; ``weights[b, i]`` is the share of the d
    dimensions whose max comes from view i (non-negative, sums to one, 0 for
    masked views), a measure of how much each view contributes.
    """

    def __init__(self, embed_dim: Optional[int] = None):
        super().__init__()

    def forward(self, z: torch.Tensor, view_mask: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """z: (B, N, d) (or (B, N, d, H, W) maps), view_mask: (B, N) bool or None
        -> fused (B, d), weights (B, N)."""
        pooled = pool_views(z)
        if view_mask is not None:
            pooled = pooled.masked_fill(~view_mask.bool()[..., None], float('-inf'))
        fused, winner = pooled.max(dim=1)
        n = pooled.shape[1]
        weights = nn.functional.one_hot(winner, n).to(weight_dtype(fused)).mean(dim=1)
        return fused, weights
