"""Reading cached views from disk."""
import numpy as np

from smilezoo.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadCachedViews:
    """Load the (N, C, H, W) uint8 array of a sample's rendered views.

    Required keys: ``views`` (path of the .npy file; an array, e.g. views
    rendered by infer's view pipeline, is kept as it is).
    Modified keys: ``views`` (now the array), and ``view_path`` keeps the path.
    """

    def __call__(self, results: dict) -> dict:
        path = results['views']
        if isinstance(path, np.ndarray):
            if path.ndim != 4:
                raise ValueError(f'views have shape {path.shape}, expected (N, C, H, W)')
            return results
        try:
            arr = np.load(path)
        except (OSError, ValueError) as e:
            raise OSError(f'{path}: cannot load cached views ({e}); rerun '
                          f'tools/prepare_data.py') from e
        if arr.ndim != 4:
            raise ValueError(f'{path}: cached views have shape {arr.shape}, expected (N, C, H, W)')
        results['view_path'] = path
        results['views'] = arr
        return results
