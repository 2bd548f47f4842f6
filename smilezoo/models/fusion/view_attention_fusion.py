"""View-aware fusion (paper eq. 5 and 7) and the plain mean baseline."""
from typing import Optional, Tuple

import torch
from torch import nn

from smilezoo.registry import MODELS


def pool_views(z: torch.Tensor) -> torch.Tensor:
    """(B, N, d) -> itself; (B, N, d, H, W) feature maps -> (B, N, d) by global average."""
    return z.flatten(3).mean(-1) if z.dim() > 3 else z


def weight_dtype(x: torch.Tensor) -> torch.dtype:
    """float32 for half-precision ``x`` (fusion weights never run in bf16/fp16), else
    its own dtype (float32, float64)."""
    return torch.promote_types(x.dtype, torch.float32)


def masked_softmax(scores: torch.Tensor, view_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """(B, N) scores -> (B, N) softmax over views in at least float32 (under autocast
    the scores are bf16: a bf16 softmax sums to one only to ~3 digits); views with
    ``view_mask`` False get weight 0."""
    scores = scores.to(weight_dtype(scores))
    if view_mask is not None:
        scores = scores.masked_fill(~view_mask.bool(), float('-inf'))
    return scores.softmax(dim=1)


@MODELS.register_module()
class ViewAttentionFusion(nn.Module):
    """s_i = MLP(pool(z'_i)), w = softmax(s) over views, z^mv = sum_i w_i z'_i.

    Args:
        embed_dim: d, the size of each view embedding.
        hidden_dim: width of the scoring MLP.
    """

    def __init__(self, embed_dim: int, hidden_dim: int = 128):
        super().__init__()
        self.score = nn.Sequential(
            nn.Linear(embed_dim, hidden_dim), nn.ReLU(inplace=True),
            nn.Linear(hidden_dim, 1))

    def forward(self, z: torch.Tensor, view_mask: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            z: (B, N, d) view embeddings (or (B, N, d, H, W) maps).
            view_mask: optional (B, N) bool, False for a missing view.
        Returns:
            fused (B, d) and weights (B, N), non-negative and summing to one.
        """
        pooled = pool_views(z)
        weights = masked_softmax(self.score(pooled).squeeze(-1), view_mask)
        return torch.einsum('bn,bnd->bd', weights.to(pooled.dtype), pooled), weights


@MODELS.register_module()
class MeanFusion(nn.Module):
    """Uniform average of the (available) views: the no-attention baseline."""

    def __init__(self, embed_dim: Optional[int] = None):
        super().__init__()

    def forward(self, z: torch.Tensor, view_mask: Optional[torch.Tensor] = None):
        pooled = pool_views(z)
        scores = torch.zeros(pooled.shape[:2], device=z.device, dtype=pooled.dtype)
        weights = masked_softmax(scores, view_mask)
        return torch.einsum('bn,bnd->bd', weights.to(pooled.dtype), pooled), weights
