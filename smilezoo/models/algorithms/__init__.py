"""Algorithms: whole models that train and predict (mmengine BaseModel)."""
from .smile_vlm import SmileVLM

__all__ = ['SmileVLM']
