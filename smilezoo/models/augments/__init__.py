"""Batch augmentations that make the two stochastic views A and B of each view."""
from .view_augment import BatchViewAugment

__all__ = ['BatchViewAugment']
