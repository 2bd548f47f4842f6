"""Backbones f_v, shared by all views: (M, C, H, W) or (M, P, C) point views -> (M, out_dim);
the choices and their config keys are in docs/model_zoo.md."""
from .open_clip_backbone import OpenCLIPVisionBackbone
from .points import DGCNN, PointMLPElite, PointNet
from .timm_backbone import TimmBackbone
from .vision_backbone import BACKBONE_ZOO, VisionBackbone, split_model_name
from .weights import PretrainedWeightsError

__all__ = ['BACKBONE_ZOO', 'DGCNN', 'OpenCLIPVisionBackbone', 'PointMLPElite', 'PointNet',
           'PretrainedWeightsError', 'TimmBackbone', 'VisionBackbone', 'split_model_name']
