"""The bottom layer: plain data all other parts of smilezoo share (imports nothing of smilezoo)."""
from .mesh import Mesh, ScanFormatError
from .prediction import Prediction, PromptScore
from .views import view_names_from_yaws

__all__ = ['Mesh', 'Prediction', 'PromptScore', 'ScanFormatError', 'view_names_from_yaws']
