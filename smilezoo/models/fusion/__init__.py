"""Fusion heads: combine N view embeddings (B, N, d) into one (B, d).

Every fusion implements ``forward(z (B, N, d), view_mask (B, N) bool or None)
-> (fused (B, d), weights (B, N))``; ``view_mask`` False marks a missing view,
and ``weights`` are non-negative, sum to one over the available views and are
0 for missing ones (see each class for what they mean when the fusion has no
natural weights).
"""
from .cross_view_transformer import CrossViewTransformerFusion
from .gated_fusion import GatedFusion
from .pooling_fusion import MaxFusion
from .view_attention_fusion import MeanFusion, ViewAttentionFusion

__all__ = ['CrossViewTransformerFusion', 'GatedFusion', 'MaxFusion', 'MeanFusion',
           'ViewAttentionFusion']
