"""Reading cached views from disk."""
import numpy as np

from smilezoo.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadCachedViews:
    """Load the (N, C, H, W) uint8 array of a sample's rendered views, or the (N, P, C) float16
    array of its point views.

    Required keys: ``views`` (path of the .npy file; an array, e.g. views rendered by infer's
    view pipeline, is kept as it is).
    Modified keys: ``views`` (now the array), and ``view_path`` keeps the path.
    """

    def __call__(self, results: dict) -> dict:
        path = arr = results['views']
        loaded = not isinstance(path, np.ndarray)  # else an array given as it is
        if loaded:
            try:
                arr = np.load(path)
            except (OSError, ValueError) as e:
                raise OSError(f'{path}: cannot load cached views ({e}); rerun '
                              f'tools/prepare_data.py') from e
        if not (arr.ndim == 4 or (arr.ndim == 3 and np.issubdtype(arr.dtype, np.floating))):
            where = f'{path}: cached ' if loaded else ''
            raise ValueError(f'{where}views have shape {arr.shape} ({arr.dtype}), expected '
                             f'(N, C, H, W) images or (N, P, C) float points')
        if loaded:
            results['view_path'], results['views'] = path, arr
        return results
