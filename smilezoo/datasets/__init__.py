"""Datasets: raw sources (formats + name parsing), the cached-view dataset,
subject-independent splits, transforms and collation."""
from . import sources, transforms  # noqa: F401
from .cached_view_dataset import CachedViewDataset
from .collate import multiview_collate
from .splits import select_subjects, subject_folds

__all__ = ['CachedViewDataset', 'multiview_collate', 'select_subjects', 'subject_folds']
