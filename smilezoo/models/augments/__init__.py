"""Batch augmentations that make the two stochastic views A and B of each view."""
from .point_augment import BatchPointAugment
from .view_augment import BatchViewAugment

__all__ = ['BatchPointAugment', 'BatchViewAugment']
