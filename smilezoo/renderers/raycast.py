"""Mesh back end: orthographic ray casting with open3d's RaycastingScene."""
import numpy as np

__all__ = ['pixel_grid', 'raycast_views']


def pixel_grid(image_size: int, window: float):
    """Pixel-centre coordinates: (xs (W,), ys (H,)) in normalised units; the image covers
    [-window, window]^2, column 0 is x = -window (left) and row 0 is y = +window (top)."""
    step = 2.0 * window / image_size
    xs = -window + (np.arange(image_size) + 0.5) * step
    return xs, -xs


def raycast_views(vertices: np.ndarray, faces: np.ndarray, rotations: np.ndarray,
                  image_size: int, window: float, num_threads: int = 0):
    """Cast one ray per pixel of every view in a single call.

    Args:
        vertices: (V, 3) normalised scan coordinates.
        faces: (F, 3) triangle indices.
        rotations: (N, 3, 3) scan -> camera rotations.
        image_size: H = W in pixels.
        window: half width of the image in normalised units.
        num_threads: open3d threads (0: all cores).

    Returns:
        mask (N, H, W) bool (a surface was hit), depth (N, H, W) float32 camera-space z of the
        hit (larger is nearer; 0 where missed) and normals (N, H, W, 3) float32 camera-space unit
        normals turned toward the camera (n_z >= 0; 0 where missed).
    """
    import open3d as o3d
    import open3d.core as o3c

    vertices = np.ascontiguousarray(vertices, dtype=np.float32)
    scene = o3d.t.geometry.RaycastingScene(nthreads=num_threads)
    scene.add_triangles(o3c.Tensor.from_numpy(vertices),
                        o3c.Tensor.from_numpy(np.ascontiguousarray(faces, dtype=np.uint32)))
    n = len(rotations)
    xs, ys = pixel_grid(image_size, window)
    z0 = float(np.sqrt((vertices.astype(np.float64)**2).sum(1).max())) + 1.0
    rot = rotations.astype(np.float32)
    rays = np.empty((n, image_size, image_size, 6), np.float32)
    # scan = R^T camera, i.e. (x, y, z0) @ R = x R[0] + y R[1] + z0 R[2]
    rays[..., :3] = (xs[None, None, :, None] * rot[:, None, None, 0]
                     + ys[None, :, None, None] * rot[:, None, None, 1] + z0 * rot[:, None, None, 2])
    rays[..., 3:] = -rot[:, None, None, 2]
    hits = scene.cast_rays(o3c.Tensor.from_numpy(rays), nthreads=num_threads)
    t_hit = hits['t_hit'].numpy()
    mask = np.isfinite(t_hit)
    depth = np.where(mask, z0 - t_hit, 0.0).astype(np.float32)
    normals = hits['primitive_normals'].numpy().reshape(n, -1, 3) @ rot.transpose(0, 2, 1)
    normals = normals.reshape(n, image_size, image_size, 3)  # camera = scan @ R^T
    normals *= np.where(normals[..., 2:] < 0, -1.0, 1.0).astype(np.float32)
    normals[~mask] = 0.0
    return mask, depth, normals
