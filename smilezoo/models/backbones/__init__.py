"""Visual backbones f_v, shared by all views: (M, C, H, W) -> (M, out_dim).

Pick one with ``model.backbone = dict(type='VisionBackbone',
model_name='timm/resnet18' | 'open_clip/ViT-B-16' | ...)``.
"""
from .open_clip_backbone import OpenCLIPVisionBackbone
from .timm_backbone import TimmBackbone
from .vision_backbone import BACKBONE_ZOO, VisionBackbone, split_model_name
from .weights import PretrainedWeightsError

__all__ = ['BACKBONE_ZOO', 'OpenCLIPVisionBackbone', 'PretrainedWeightsError', 'TimmBackbone',
           'VisionBackbone', 'split_model_name']
