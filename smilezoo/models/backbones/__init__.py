"""Visual backbones f_v, shared by all views: (M, C, H, W) -> (M, out_dim)."""
from .open_clip_backbone import OpenCLIPVisionBackbone
from .timm_backbone import TimmBackbone
from .weights import PretrainedWeightsError

__all__ = ['OpenCLIPVisionBackbone', 'PretrainedWeightsError', 'TimmBackbone']
