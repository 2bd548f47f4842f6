"""Data-pipeline steps (mmengine style): scan -> views (prepare_data, infer), then load cached
views and pack. Renderers live in ``smilezoo.renderers``, in the same TRANSFORMS registry."""
from .formatting import PackViewInputs
from .loading import LoadCachedViews
from .point_views import PoolPointFrames, ToFloat16
from .scan_to_views import (LoadScan, LoadSequenceFrames, NormaliseFrames, PoolDynamicImage,
                            RenderViews, ToUint8, build_view_pipeline)

__all__ = ['LoadCachedViews', 'LoadScan', 'LoadSequenceFrames', 'NormaliseFrames',
           'PackViewInputs', 'PoolDynamicImage', 'PoolPointFrames', 'RenderViews', 'ToFloat16',
           'ToUint8', 'build_view_pipeline']
