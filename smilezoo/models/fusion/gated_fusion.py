"""Gated fusion: a learned sigmoid gate per view and per dimension."""
from typing import Optional

import torch
from torch import nn

from smilezoo.registry import MODELS
from .base import FusionOutput, ViewFusion, weight_dtype


@MODELS.register_module()
class GatedFusion(ViewFusion):
    """g_i = sigmoid(W z_i + b) in (0, 1)^d, fused = sum_i g_i * z_i / sum_i g_i: each dimension
    a convex combination of the available views with its own gates. ``weights[b, i]`` is the
    gate share of view i averaged over dimensions.

    Args:
        embed_dim, hidden_dim: d and the gating MLP's width (0: a single Linear(d, d)).
    """

    def __init__(self, embed_dim: int, hidden_dim: int = 0):
        super().__init__()
        if hidden_dim:
            self.gate = nn.Sequential(nn.Linear(embed_dim, hidden_dim), nn.ReLU(inplace=True),
                                      nn.Linear(hidden_dim, embed_dim))
        else:
            self.gate = nn.Linear(embed_dim, embed_dim)

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        logits = self.gate(z)  # (B, N, d); gates and shares in float32 under autocast
        g = torch.sigmoid(logits.to(weight_dtype(logits)))
        if view_mask is not None:
            g = g * view_mask[..., None].to(g.dtype)
        share = g / g.sum(dim=1, keepdim=True).clamp_min(1e-6)  # (B, N, d)
        return (share * z).sum(dim=1), share.mean(dim=-1)
