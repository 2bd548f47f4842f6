"""Data-pipeline steps (mmengine style): load, then pack. Renderers live in
``smilezoo.renderers`` and are registered in the same TRANSFORMS registry."""
from .formatting import PackViewInputs
from .loading import LoadCachedViews

__all__ = ['LoadCachedViews', 'PackViewInputs']
