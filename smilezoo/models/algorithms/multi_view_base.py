"""What every multi-view expression model shares: shared backbone, projector, fusion."""
import copy
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from smilezoo.registry import MODELS


class MultiViewModel(BaseModel):
    """Backbone f_v shared by the N views, projector g_v to d dims, view fusion.

    Subclasses implement ``loss`` and ``predict``. Inputs are (B, N, C, H, W)
    views in [0, 1].

    Args:
        backbone, projector, fusion, augment: configs (``projector.in_dim`` and
            ``fusion.embed_dim`` are filled in when missing).
        embed_dim: d, the projector's output size.
    """

    def __init__(self, backbone: dict, projector: dict, fusion: dict, embed_dim: int,
                 augment: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor or dict(
            type='MultiViewDataPreprocessor'), init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        projector = copy.deepcopy(projector)
        projector.setdefault('in_dim', self.backbone.out_dim)
        projector.setdefault('out_dim', embed_dim)
        self.projector = MODELS.build(projector)
        fusion = copy.deepcopy(fusion)
        fusion.setdefault('embed_dim', projector['out_dim'])
        self.fusion = MODELS.build(fusion)
        self.augment = MODELS.build(augment or dict(type='BatchViewAugment'))

    def embed_views(self, x: torch.Tensor) -> torch.Tensor:
        """(..., N, C, H, W) views -> (..., N, d) projected embeddings, one backbone call."""
        lead = x.shape[:-3]
        z = self.projector(self.backbone(x.flatten(0, len(lead) - 1)))
        return z.view(*lead, -1)

    @torch.no_grad()
    def extract_feat(self, inputs: torch.Tensor, view_mask: Optional[torch.Tensor] = None
                     ) -> Dict[str, torch.Tensor]:
        """Embeddings for probes and plots: 'fused' (B, d), 'views' (B, N, d),
        'weights' (B, N)."""
        z = self.embed_views(inputs)
        fused, w = self.fusion(z, view_mask)
        return dict(fused=fused, views=z, weights=w)

    def forward(self, inputs: torch.Tensor, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)['fused']
        raise RuntimeError(f'{type(self).__name__}: invalid mode {mode!r}')

    @staticmethod
    def pack_predictions(scores: torch.Tensor, view_scores: torch.Tensor,
                         feats: Dict[str, torch.Tensor],
                         data_samples: Optional[List[dict]]) -> List[dict]:
        """scores (B, C), view_scores (B, N, C) -> one dict per sample with
        pred_label, pred_score (C,), view_weights (N,), view_pred_labels (N,),
        embedding (d,), plus the input sample's own keys."""
        results = []
        for i in range(scores.shape[0]):
            r = dict(data_samples[i]) if data_samples is not None else {}
            r.update(pred_label=int(scores[i].argmax()), pred_score=scores[i].cpu(),
                     view_weights=feats['weights'][i].cpu(),
                     view_pred_labels=view_scores[i].argmax(-1).cpu(),
                     embedding=feats['fused'][i].cpu())
            results.append(r)
        return results
