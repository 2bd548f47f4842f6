"""Visual backbones f_v, shared by all views: (M, C, H, W) -> (M, out_dim).

Pick one with ``model.backbone = dict(type='VisionBackbone',
model_name='timm/resnet18' | 'open_clip/ViT-B-16' | ...)``; point views
(M, P, C) -> (M, out_dim) with ``dict(type='PointNet' | 'DGCNN' | 'PointMLPElite')``.
"""
from .open_clip_backbone import OpenCLIPVisionBackbone
from .points import DGCNN, PointMLPElite, PointNet
from .timm_backbone import TimmBackbone
from .vision_backbone import BACKBONE_ZOO, VisionBackbone, split_model_name
from .weights import PretrainedWeightsError

__all__ = ['BACKBONE_ZOO', 'DGCNN', 'OpenCLIPVisionBackbone', 'PointMLPElite', 'PointNet',
           'PretrainedWeightsError', 'TimmBackbone', 'VisionBackbone', 'split_model_name']
