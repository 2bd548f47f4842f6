"""A user's own fusion head, registered into smilezoo's MODELS from outside smilezoo.

Loaded by a config with
    custom_imports = dict(imports=['projects.example_fusion.confidence_fusion'],
                          allow_failed_imports=False)
and selected with ``model.fusion.type='ConfidenceWeightedFusion'``.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.models.fusion.base import ViewFusion, masked_softmax
from smilezoo.registry import MODELS


@MODELS.register_module()
class ConfidenceWeightedFusion(ViewFusion):
    """Weights each view by how much it agrees with the other available views.

    The confidence of view i is the cosine similarity between z_i and the mean
    of the other available views (0 when it is the only one), times a learned
    scale, plus a learned prior for the view's position (e.g. frontal):

        c_i = scale * cos(z_i, mean_{j != i} z_j) + bias_i,
        w = softmax(c) over available views,   fused = sum_i w_i z_i.

    A view that disagrees with the rest (occluded, badly rendered) gets less weight.
    ``ViewFusion.forward`` checks the inputs, pools feature maps and calls ``fuse``.

    Args:
        embed_dim: d (filled in by SmileVLM; unused, kept for the interface).
        num_views: maximum N (size of the per-position prior).
        init_scale: initial value of the learned scale.
    """

    def __init__(self, embed_dim: Optional[int] = None, num_views: int = 3,
                 init_scale: float = 5.0):
        super().__init__()
        self.agreement_scale = nn.Parameter(torch.tensor(float(init_scale)))
        self.view_bias = nn.Parameter(torch.zeros(num_views))

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]
             ) -> Tuple[torch.Tensor, torch.Tensor]:
        """z: (B, N, d); view_mask: (B, N) bool (False: missing) or None
        -> fused (B, d), weights (B, N) (sum to one, 0 for missing views)."""
        b, n, _ = z.shape
        keep = torch.ones(b, n, dtype=torch.bool, device=z.device) if view_mask is None \
            else view_mask
        k = keep[..., None].to(z.dtype)
        total, count = (z * k).sum(1, keepdim=True), k.sum(1, keepdim=True)
        others = (total - z * k) / (count - k).clamp_min(1)      # leave-one-out mean
        agree = F.cosine_similarity(z, others, dim=-1)          # (B, N)
        agree = agree * ((count - k).squeeze(-1) > 0)           # alone: no evidence
        scores = self.agreement_scale * agree + self.view_bias[:n]
        weights = masked_softmax(scores, keep)  # float32 even under autocast
        return torch.einsum('bn,bnd->bd', weights.to(z.dtype), z), weights
