from .multi_view_preprocessor import MultiViewDataPreprocessor

__all__ = ['MultiViewDataPreprocessor']
