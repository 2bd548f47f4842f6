"""Point-view steps of the scan -> views pipeline (renderer ``PointViewRenderer``)."""
from typing import Dict

import numpy as np

from smilezoo.registry import TRANSFORMS

__all__ = ['PoolPointFrames', 'ToFloat16']


@TRANSFORMS.register_module()
class PoolPointFrames:
    """The point equivalent of the dynamic image for a 4D sequence (docs/datasets.md, "Point
    views"): per view, the last sampled frame's points with, as 3 more channels, each point's
    offset from the nearest point of the first sampled frame's view (camera frame).

    Required keys: ``frame_views`` (T, N, P, 6).
    Added keys: ``views`` (N, P, 9) float32: xyz, normal, displacement.
    Removed keys: ``frame_views``.
    """

    name = 'last_frame_with_displacement'
    unused_settings = ('rescale', 'percentile')  # the dynamic image's, not used here

    def __call__(self, results: Dict) -> Dict:
        frames = np.asarray(results.pop('frame_views'), np.float32)
        first, last = frames[0, ..., :3], frames[-1, ..., :3]  # (N, P, 3)
        dist = ((last[:, :, None] - first[:, None]) ** 2).sum(-1)  # (N, P, P)
        nearest = np.take_along_axis(first, dist.argmin(2)[..., None], 1)
        results['views'] = np.concatenate([frames[-1], last - nearest], -1)
        return results


@TRANSFORMS.register_module()
class ToFloat16:
    """Point views as the view cache stores them.

    Required keys: ``views`` (N, P, C) float.
    Modified keys: ``views`` (N, P, C) float16.
    """

    def __call__(self, results: Dict) -> Dict:
        results['views'] = np.asarray(results['views']).astype(np.float16)
        return results
