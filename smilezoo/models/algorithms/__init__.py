"""Algorithms: whole models that train and predict (mmengine BaseModel)."""
from .barlow_twins_multi_view import BarlowTwinsMultiView
from .multi_view_base import MultiViewModel
from .smile_vlm import SmileVLM
from .supervised_multi_view import SupervisedMultiView

__all__ = ['BarlowTwinsMultiView', 'MultiViewModel', 'SmileVLM', 'SupervisedMultiView']
