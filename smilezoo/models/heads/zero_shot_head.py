"""Zero-shot classification by cosine similarity to text prototypes."""
import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS


@MODELS.register_module()
class ZeroShotHead(nn.Module):
    """scores = softmax(logit_scale * cos(z, prototype_c)) over classes; ``logit_scale``: the
    inverse temperature."""

    def __init__(self, logit_scale: float = 10.0):
        super().__init__()
        self.logit_scale = logit_scale

    def logits(self, z: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
        """z: (..., d), prototypes: (C, d) -> logit_scale * cos (..., C)."""
        cos = F.normalize(z, dim=-1) @ F.normalize(prototypes.to(z.dtype), dim=-1).T
        return self.logit_scale * cos

    def forward(self, z: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
        """z: (..., d), prototypes: (C, d) -> class probabilities (..., C)."""
        return self.logits(z, prototypes).softmax(dim=-1)
