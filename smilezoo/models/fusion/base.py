"""What every fusion head shares: the call contract, input checks, view pooling and
view weights computed in float32."""
from typing import Optional, Tuple

import torch
from torch import nn

FusionOutput = Tuple[torch.Tensor, torch.Tensor]  # fused (B, d), weights (B, N)


def pool_views(z: torch.Tensor) -> torch.Tensor:
    """(B, N, d) -> itself; (B, N, d, H, W) feature maps -> (B, N, d) by global average."""
    return z.flatten(3).mean(-1) if z.dim() > 3 else z


def weight_dtype(x: torch.Tensor) -> torch.dtype:
    """float32 for half-precision ``x`` (fusion weights never run in bf16/fp16), else x's."""
    return torch.promote_types(x.dtype, torch.float32)


def masked_softmax(scores: torch.Tensor, view_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """(B, N) scores -> (B, N) softmax over views in at least float32 (docs/performance.md);
    views with ``view_mask`` False get weight 0."""
    scores = scores.to(weight_dtype(scores))
    if view_mask is not None:
        scores = scores.masked_fill(~view_mask, float('-inf'))
    return scores.softmax(dim=1)


class ViewFusion(nn.Module):
    """Base of every fusion head: ``forward(z, view_mask) -> (fused, weights)``.

    ``z`` is (B, N, d) view embeddings or (B, N, d, H, W) maps (averaged to (B, N, d)
    first); ``view_mask`` (B, N) bool or None, False marks a missing view, every sample keeps
    one. ``fused`` is (B, d); ``weights`` (B, N) are non-negative, sum to one over the
    available views, are 0 for missing ones and at least float32. Subclasses implement
    ``fuse``; ``embed_dim`` (d, filled in by the model) is taken by heads without parameters too.
    """

    def __init__(self, embed_dim: Optional[int] = None):
        super().__init__()

    def forward(self, z: torch.Tensor, view_mask: Optional[torch.Tensor] = None) -> FusionOutput:
        name = type(self).__name__
        if z.dim() not in (3, 5) or view_mask is not None and view_mask.shape != z.shape[:2]:
            raise ValueError(f'{name}: z of shape {tuple(z.shape)}, view_mask of shape '
                             f'{None if view_mask is None else tuple(view_mask.shape)}; '
                             f'expected (B, N, d) or (B, N, d, H, W), and (B, N) or None')
        if view_mask is not None:
            view_mask = view_mask.bool()
            if not bool(view_mask.any(dim=1).all()):
                raise ValueError(f'{name}: view_mask hides every view of a sample; '
                                 f'keep at least one')
        return self.fuse(pool_views(z), view_mask)

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        """z: (B, N, d), view_mask: (B, N) bool or None -> fused (B, d), weights (B, N)."""
        raise NotImplementedError
