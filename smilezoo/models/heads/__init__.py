"""Heads turn embeddings into predictions."""
from .zero_shot_head import ZeroShotHead

__all__ = ['ZeroShotHead']
