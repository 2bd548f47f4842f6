"""Polygons to triangles, for the mesh formats that store polygons (VRML's
IndexedFaceSet, OBJ's ``f`` lines) and the synthetic faces."""
import numpy as np


def fan_triangles(indices: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Polygon (i0, i1, ..., in) -> triangles (i0, ik, ik+1), k = 1..n-2:
    polygons of ``sizes`` (P,) starting at ``starts`` (P,) in ``indices``
    -> (F, 3)."""
    n_tri = sizes - 2
    first = np.repeat(starts, n_tri)
    k = np.arange(int(n_tri.sum())) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri) + 1
    return np.stack((indices[first], indices[first + k], indices[first + k + 1]), axis=1)
