"""A small transformer over the view tokens, read out by attention pooling."""
from typing import Optional

import torch
from torch import nn

from smilezoo.registry import MODELS
from .base import FusionOutput, ViewFusion, weight_dtype


@MODELS.register_module()
class CrossViewTransformerFusion(ViewFusion):
    """Views exchange information through ``num_layers`` self-attention layers (with a learned
    embedding of each view's position, e.g. left/front/right), then a learned query attends
    over the view tokens; masked views are excluded as keys (``key_padding_mask``):

        t = Encoder(z + e_view), (fused, weights) = MHA(q, t, t), fused += mean of t

    ``weights``: the read-out query's attention over views, averaged over heads.

    Args:
        embed_dim, num_views: d and the maximum N (size of the view-position table).
        num_layers, num_heads, ffn_dim, dropout: of the encoder.
    """

    def __init__(self, embed_dim: int, num_views: int = 3, num_layers: int = 1,
                 num_heads: int = 4, ffn_dim: int = 512, dropout: float = 0.0):
        super().__init__()
        self.view_embed = nn.Parameter(torch.zeros(num_views, embed_dim))
        layer = nn.TransformerEncoderLayer(embed_dim, num_heads, ffn_dim, dropout,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.query = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.readout = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout,
                                             batch_first=True)
        nn.init.normal_(self.view_embed, std=0.02)
        nn.init.normal_(self.query, std=0.02)

    def fuse(self, z: torch.Tensor, view_mask: Optional[torch.Tensor]) -> FusionOutput:
        b, n, _ = z.shape
        if n > self.view_embed.shape[0]:
            raise ValueError(f'CrossViewTransformerFusion: {n} views, but num_views='
                             f'{self.view_embed.shape[0]}; raise model.fusion.num_views')
        pad = None if view_mask is None else ~view_mask
        tokens = self.encoder(z + self.view_embed[:n], src_key_padding_mask=pad)
        # the read-out (one query over N views) in float32 with autocast off, so that
        # its attention weights are float32 softmaxes under mixed precision too
        tokens = tokens.to(weight_dtype(tokens))
        with torch.autocast(device_type=tokens.device.type, enabled=False):
            out, attn = self.readout(self.query.expand(b, -1, -1).to(tokens.dtype), tokens,
                                     tokens, key_padding_mask=pad, need_weights=True,
                                     average_attn_weights=True)
        keep = tokens.new_ones(b, n, 1) if pad is None else (~pad)[..., None].to(tokens.dtype)
        mean = (tokens * keep).sum(1) / keep.sum(1).clamp_min(1)
        return out[:, 0] + mean, attn[:, 0]
