"""The self-supervised baseline: the multi-view network trained with Barlow Twins only."""
from typing import Dict, List, Optional

import torch

from smilezoo.registry import MODELS
from .multi_view_base import MultiViewModel


@MODELS.register_module()
class BarlowTwinsMultiView(MultiViewModel):
    """SMILE-VLM's backbone, projector and fusion trained with the multi-view Barlow Twins
    loss between two augmentations of each view (in the spirit of MiFaR). No text encoder, no
    classifier: ``predict`` gives embeddings and view weights, a linear probe the accuracy
    (``cv_evaluations = ['linear_probe']``, EmbeddingMetric).

    Args:
        embed_dim, losses: d, and ``dict(mv_bt=<loss config>)`` (SmileVLM's key).
    """
    predicts_classes = False

    def __init__(self, backbone: dict, projector: dict, fusion: dict, losses: dict,
                 embed_dim: int = 384, augment: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg=None):
        super().__init__(backbone, projector, fusion, embed_dim, augment, data_preprocessor,
                         init_cfg)
        if set(losses) != {'mv_bt'}:
            raise KeyError(f'model.losses has key(s) {sorted(losses)}; BarlowTwinsMultiView '
                           f"trains with 'mv_bt' only")
        self.mv_bt = MODELS.build(losses['mv_bt'])

    def loss(self, inputs: torch.Tensor, data_samples: List[dict]) -> Dict[str, torch.Tensor]:
        """inputs: (B, N, C, H, W); the labels are not read. Both augmented copies of all
        views go through the backbone in one call."""
        flat = inputs.flatten(0, 1)
        z = self.embed_views(torch.stack([self.augment(flat), self.augment(flat)]).view(
            2, *inputs.shape))
        return dict(loss_mv_bt=self.mv_bt(z[0], z[1]))

    def class_scores(self, feats: Dict[str, torch.Tensor]) -> None:
        return None
