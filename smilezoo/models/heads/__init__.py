"""Heads turn embeddings into class predictions."""
from .zero_shot_head import ZeroShotHead

__all__ = ['ZeroShotHead']
