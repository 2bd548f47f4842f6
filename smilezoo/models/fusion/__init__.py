"""Fusion heads: combine N view embeddings (B, N, d) into one (B, d); every head
derives from ``ViewFusion`` (base.py), which states the call contract."""
from .base import ViewFusion
from .cross_view_transformer import CrossViewTransformerFusion
from .gated_fusion import GatedFusion
from .pooling_fusion import MaxFusion, MeanFusion
from .view_attention_fusion import ViewAttentionFusion

__all__ = ['CrossViewTransformerFusion', 'GatedFusion', 'MaxFusion', 'MeanFusion',
           'ViewAttentionFusion', 'ViewFusion']
