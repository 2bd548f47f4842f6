"""View-aware fusion (paper eq. 5 and 7)."""
from typing import Optional

import torch
from torch import nn

from smilezoo.registry import MODELS
from .base import FusionOutput, ViewFusion, masked_softmax


@MODELS.register_module()
class ViewAttentionFusion(ViewFusion):
    """s_i = MLP(pool(z'_i)), w = softmax(s) over views, z^mv = sum_i w_i z'_i.

    Args:
        embed_dim, hidden_dim: d, the size of each view embedding, and the scoring MLP's width.
    """

    def __init__(self, embed_dim: int, hidden_dim: int = 128):
        super().__init__()
        self.score = nn.Sequential(
            nn.Linear(embed_dim, hidden_dim), nn.ReLU(inplace=True),
            nn.Linear(hidden_dim, 1))

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        weights = masked_softmax(self.score(z).squeeze(-1), view_mask)
        return torch.einsum('bn,bnd->bd', weights.to(z.dtype), z), weights
