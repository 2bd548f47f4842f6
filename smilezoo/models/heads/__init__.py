"""Heads turn embeddings into predictions (and, label-free, into pseudo-labels)."""
from .pseudo_labeler import PseudoLabeler
from .zero_shot_head import ZeroShotHead

__all__ = ['PseudoLabeler', 'ZeroShotHead']
