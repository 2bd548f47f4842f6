"""The supervised baseline: the same multi-view network trained with cross-entropy."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS
from .multi_view_base import MultiViewModel


@MODELS.register_module()
class SupervisedMultiView(MultiViewModel):
    """Backbone, projector and fusion as SMILE-VLM, then a linear classifier on the fused
    embedding, trained with cross-entropy on the labels (one augmented copy of each view per
    step); each view alone is classified by the same head for the per-view figures.

    Args:
        num_classes, embed_dim, label_smoothing: C, d and the cross-entropy's smoothing.
    """

    def __init__(self, backbone: dict, projector: dict, fusion: dict, num_classes: int,
                 embed_dim: int = 384, augment: Optional[dict] = None, label_smoothing: float = 0.0,
                 data_preprocessor: Optional[dict] = None, init_cfg=None):
        super().__init__(backbone, projector, fusion, embed_dim, augment, data_preprocessor,
                         init_cfg)
        self.classifier = nn.Linear(embed_dim, num_classes)
        self.label_smoothing = label_smoothing

    def loss(self, inputs: torch.Tensor, data_samples: List[dict]) -> Dict[str, torch.Tensor]:
        """inputs: (B, N, C, H, W); data_samples: B dicts with 'gt_label'."""
        z = self.embed_views(self.augment(inputs.flatten(0, 1)).view_as(inputs))
        fused, _ = self.fusion(z)
        labels = torch.as_tensor([s['gt_label'] for s in data_samples], device=inputs.device)
        return dict(loss_ce=F.cross_entropy(self.classifier(fused), labels,
                                            label_smoothing=self.label_smoothing))

    def class_scores(self, feats: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(B, C) and (B, N, C) softmaxed classifier scores of the fused and each view."""
        return (self.classifier(feats['fused']).softmax(-1),
                self.classifier(feats['views']).softmax(-1))
