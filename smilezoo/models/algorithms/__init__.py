"""Algorithms: whole models that train and predict (mmengine BaseModel)."""
from .multi_view_base import MultiViewModel
from .smile_vlm import SmileVLM
from .supervised_multi_view import SupervisedMultiView

__all__ = ['MultiViewModel', 'SmileVLM', 'SupervisedMultiView']
