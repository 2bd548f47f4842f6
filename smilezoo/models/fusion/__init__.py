"""Fusion heads: combine N view embeddings (B, N, d) into one (B, d)."""
from .view_attention_fusion import MeanFusion, ViewAttentionFusion

__all__ = ['MeanFusion', 'ViewAttentionFusion']
