"""Point-cloud back end: an orthographic z-buffer splat in numpy."""
import numpy as np

__all__ = ['estimate_normals', 'splat_views']


def estimate_normals(points: np.ndarray, knn: int = 16) -> np.ndarray:
    """(V, 3) points -> (V, 3) float32 unit normals (unoriented) by PCA of the ``knn`` nearest
    neighbours (open3d KD-tree)."""
    import open3d as o3d
    if len(points) < 3:
        return np.tile(np.float32([0, 0, 1]), (len(points), 1))
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(np.asarray(points, np.float64)))
    cloud.estimate_normals(o3d.geometry.KDTreeSearchParamKNN(knn=min(knn, len(points))))
    return np.asarray(cloud.normals, dtype=np.float32)


def splat_views(points: np.ndarray, normals: np.ndarray, rotations: np.ndarray,
                image_size: int, window: float, radius: int = 1):
    """Z-buffer every point into every view at once.

    Each point covers a (2 * radius + 1)^2 pixel square; at each covered pixel it takes the
    depth of its tangent plane (a surfel), and the nearest surfel wins the pixel.

    Args:
        points: (V, 3) normalised scan coordinates.
        normals: (V, 3) scan-space normals (any orientation).
        rotations, image_size, window: as :func:`~smilezoo.renderers.raycast.raycast_views`.
        radius: splat radius in pixels (0: one pixel per point).

    Returns:
        mask, depth, normals as :func:`~smilezoo.renderers.raycast.raycast_views` (0 where
        empty).
    """
    n, size = len(rotations), image_size
    rot = rotations.astype(np.float32)
    cam = np.asarray(points, np.float32) @ rot.transpose(0, 2, 1)  # (N,V,3)
    cam_normals = np.asarray(normals, np.float32) @ rot.transpose(0, 2, 1)
    cam_normals *= np.where(cam_normals[..., 2:] < 0, -1.0, 1.0).astype(np.float32)
    scale = size / (2.0 * window)
    col = np.floor((cam[..., 0] + window) * scale).astype(np.int64)
    row = np.floor((window - cam[..., 1]) * scale).astype(np.int64)
    offsets = np.arange(-radius, radius + 1)
    d_row = np.repeat(offsets, len(offsets))
    d_col = np.tile(offsets, len(offsets))
    rows = row[..., None] + d_row  # (N, V, K)
    cols = col[..., None] + d_col
    # Depth of the point's tangent plane at the covered pixel's centre (surfel splat: no near
    # bias on slopes); slope clamped at n_z >= 0.3.
    d_x = (cols + 0.5) / scale - window - cam[..., :1]
    d_y = window - (rows + 0.5) / scale - cam[..., 1:2]
    n_z = np.maximum(cam_normals[..., 2:], 0.3)
    z = (cam[..., 2:] - (cam_normals[..., :1] * d_x + cam_normals[..., 1:2] * d_y) / n_z).ravel()
    rows, cols = rows.ravel(), cols.ravel()
    views = np.repeat(np.arange(n), cam.shape[1] * len(d_row))
    ids = np.tile(np.repeat(np.arange(cam.shape[1]), len(d_row)), n)
    keep = (rows >= 0) & (rows < size) & (cols >= 0) & (cols < size)
    key = (views * size + rows) * size + cols
    key, z, ids = key[keep], z[keep].astype(np.float32), ids[keep]

    zbuf = np.full(n * size * size, -np.inf, np.float32)
    np.maximum.at(zbuf, key, z)
    win = z == zbuf[key]
    owner = np.full(n * size * size, -1, np.int64)
    owner[key[win]] = ids[win]

    hit = np.flatnonzero(owner >= 0)
    out_normals = np.zeros((n * size * size, 3), np.float32)
    out_normals[hit] = cam_normals[hit // (size * size), owner[hit]]
    mask = owner >= 0
    depth = np.where(mask, zbuf, 0.0).astype(np.float32)
    shape = (n, size, size)
    return mask.reshape(shape), depth.reshape(shape), out_normals.reshape(shape + (3,))
