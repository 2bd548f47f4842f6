"""What every multi-view expression model shares (``MultiViewModel``)."""
import copy
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.model import BaseModel

from smilezoo.registry import MODELS


class MultiViewModel(BaseModel):
    """Backbone f_v shared by the N views, projector g_v to d dims, view fusion; subclasses
    implement ``loss`` and ``class_scores``. Inputs are (B, N, C, H, W) views in [0, 1], or
    (B, N, P, C) point views with a point backbone.

    Args:
        backbone, projector, fusion, augment: configs (``projector.in_dim``/``out_dim``
            and ``fusion.embed_dim`` are filled in when missing).
        embed_dim: d, the projector's output size.
        embed_dim_source: what fixes d, for the error when ``projector.out_dim`` differs.
    """
    predicts_classes = True  # False: ``class_scores`` is None (no pred_label)

    def __init__(self, backbone: dict, projector: dict, fusion: dict, embed_dim: int,
                 augment: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg=None, embed_dim_source: str = 'model.embed_dim'):
        super().__init__(data_preprocessor=data_preprocessor or dict(
            type='MultiViewDataPreprocessor'), init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        projector = copy.deepcopy(projector)
        projector.setdefault('in_dim', self.backbone.out_dim)
        projector.setdefault('out_dim', embed_dim)
        if projector['out_dim'] != embed_dim:
            raise ValueError(f'model.projector.out_dim={projector["out_dim"]} must equal '
                             f'{embed_dim_source} ({embed_dim})')
        if projector.get('residual') and projector['in_dim'] != embed_dim:
            raise ValueError(f'model.projector.residual=True starts g_v as the identity, so the '
                             f'backbone output size {projector["in_dim"]} must equal '
                             f'{embed_dim_source} ({embed_dim}); set '
                             f'model.projector.residual=False')
        self.projector = MODELS.build(projector)
        fusion = copy.deepcopy(fusion)
        fusion.setdefault('embed_dim', embed_dim)
        self.fusion = MODELS.build(fusion)
        self.augment = MODELS.build(augment or dict(type='BatchViewAugment'))

    def embed_views(self, x: torch.Tensor) -> torch.Tensor:
        """(..., N, *view) views -> (..., N, d) projected embeddings, one backbone call;
        a view is (C, H, W), or what the backbone's ``view_ndim`` says ((P, C) points)."""
        lead = x.shape[:-getattr(self.backbone, 'view_ndim', 3)]
        z = self.projector(self.backbone(x.flatten(0, len(lead) - 1)))
        return z.view(*lead, -1)

    @torch.no_grad()
    def extract_feat(self, inputs: torch.Tensor, view_mask: Optional[torch.Tensor] = None
                     ) -> Dict[str, torch.Tensor]:
        """Embeddings 'fused' (B, d), 'views' (B, N, d), 'weights' (B, N) for probes, plots."""
        z = self.embed_views(inputs)
        fused, w = self.fusion(z, view_mask)
        return dict(fused=fused, views=z, weights=w)

    def forward(self, inputs: torch.Tensor, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.fusion(self.embed_views(inputs))[0]
        raise RuntimeError(f'{type(self).__name__}: invalid mode {mode!r}')

    def class_scores(self, feats: Dict[str, torch.Tensor]
                     ) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """``extract_feat`` output -> class probabilities (scores (B, C), view_scores
        (B, N, C)), or None for a model without a classifier."""
        raise NotImplementedError

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor, data_samples: Optional[List[dict]] = None,
                view_mask: Optional[torch.Tensor] = None) -> List[dict]:
        """One dict per sample: the input sample's own keys (gt_label, subject, ...),
        view_weights (N,), embedding (d,) and, when the model classifies, pred_label,
        pred_score (C,), view_pred_labels (N,)."""
        feats = self.extract_feat(inputs, view_mask)
        scores = self.class_scores(feats)
        results = []
        for i in range(inputs.shape[0]):
            r = dict(data_samples[i]) if data_samples is not None else {}
            r.update(view_weights=feats['weights'][i].cpu(), embedding=feats['fused'][i].cpu())
            if scores is not None:
                r.update(pred_label=int(scores[0][i].argmax()), pred_score=scores[0][i].cpu(),
                         view_pred_labels=scores[1][i].argmax(-1).cpu())
            results.append(r)
        return results
