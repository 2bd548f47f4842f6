from .multi_view_preprocessor import MultiViewDataPreprocessor
from .point_view_preprocessor import PointViewDataPreprocessor

__all__ = ['MultiViewDataPreprocessor', 'PointViewDataPreprocessor']
