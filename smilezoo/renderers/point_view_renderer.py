"""Render a scan into a stack of point views: the visible surface per yaw."""
import hashlib

import numpy as np

from smilezoo.registry import TRANSFORMS

from .raycast import pixel_grid, raycast_views
from .splat import estimate_normals
from .base import ViewRenderer

__all__ = ['PointViewRenderer', 'POINT_CHANNELS']

POINT_CHANNELS = 6  # x, y, z, n_x, n_y, n_z


@TRANSFORMS.register_module()
class PointViewRenderer(ViewRenderer):
    """The part of a scan visible from each view, as a fixed-size point set (docs/datasets.md,
    "Point views").

    Normalised as by :class:`~smilezoo.renderers.MultiViewRenderer`, in each view's camera frame.
    Meshes: the hits of one orthographic ray per cell of a ``ray_grid`` x ``ray_grid`` grid over
    [-window, window]^2, with the hit triangle's normal; bare point clouds: open3d's hidden-point
    removal from a camera far along the view axis, normals from ``knn`` neighbours, kept inside
    the same window. Normals are turned toward the camera (n_z >= 0). A view with fewer visible
    points than ``num_points`` repeats some; random choices are seeded by ``seed`` and the scan's
    vertex bytes (reproducible caches).

    Required keys: ``mesh`` (Mesh or (V, 3) points).
    Added keys: ``views`` (N_views, P, 6) float32; ``view_yaws``, ``view_pitches`` (N_views,)
    float32 degrees.

    Args:
        yaws, pitches, window, knn, num_threads, drop_mesh, max_coordinate, face_crop: as
            :class:`~smilezoo.renderers.MultiViewRenderer`.
        num_points: P, points per view.
        sampling: 'fps' (open3d farthest-point sampling) or 'uniform' (without replacement).
        ray_grid: rays per side for meshes (more than sqrt(num_points / share of the window the
            face covers), else views repeat points).
        hpr_distance: camera distance of the hidden-point removal (normalised units) and
            hpr_radius_factor: its spherical-flip radius as a multiple of that distance (open3d's
            recommended ~100).
        min_visible: a view with fewer distinct visible points is refused by
            :func:`~smilezoo.renderers.geometry_checks.checked_render`.
        seed: base of the per-scan sampling seed.
    """
    view_kind = 'points'

    def __init__(self, yaws=(-30, 0, 30), pitches=None, num_points=1024, sampling='fps',
                 ray_grid=96, window=1.15, knn=16, hpr_distance=10.0, hpr_radius_factor=100.0,
                 num_threads=0, drop_mesh=False, max_coordinate=1e6, min_visible=64,
                 face_crop=None, seed=0):
        if sampling not in ('fps', 'uniform'):
            raise ValueError(f"sampling must be 'fps' or 'uniform', got {sampling!r}")
        if int(num_points) < 1 or int(ray_grid) < 1 or window <= 0:
            raise ValueError('num_points and ray_grid must be >= 1 and window > 0')
        if max_coordinate is not None and not max_coordinate > 0:
            raise ValueError(f'max_coordinate must be > 0 or None, got {max_coordinate!r}')
        self._init_views(yaws, pitches, window, knn, num_threads, drop_mesh, face_crop)
        self.num_points, self.sampling, self.ray_grid = int(num_points), sampling, int(ray_grid)
        self.hpr_distance, self.hpr_radius_factor = float(hpr_distance), float(hpr_radius_factor)
        self.max_coordinate = None if max_coordinate is None else float(max_coordinate)
        self.min_visible = int(min_visible)
        self.seed = int(seed)

    num_channels = POINT_CHANNELS

    def render(self, mesh, crop: bool = True, normalisation=None) -> np.ndarray:
        """Mesh or (V, 3) points -> (N_views, P, 6) float32 (xyz, normal); ``crop`` and
        ``normalisation`` as :meth:`MultiViewRenderer.render`."""
        mesh, vertices = self._prepare(mesh, crop, normalisation)
        digest = hashlib.blake2b(np.ascontiguousarray(vertices).tobytes(), digest_size=8)
        rng = np.random.default_rng([self.seed, int.from_bytes(digest.digest(), 'little')])
        visible = (self._mesh_points(vertices, mesh.faces) if not mesh.is_point_cloud
                   else self._cloud_points(vertices))
        return np.stack([self._sample(v, rng) for v in visible])

    def _mesh_points(self, vertices, faces):
        mask, depth, normals = raycast_views(vertices, faces, self.rotations, self.ray_grid,
                                             self.window, self.num_threads)
        xs, ys = pixel_grid(self.ray_grid, self.window)
        grid = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]), -1)  # (H, W, 2)
        return [np.concatenate([grid[m], depth[k][m, None], normals[k][m]], 1)
                for k, m in enumerate(mask)]

    def _cloud_points(self, vertices):
        import open3d as o3d
        normals = estimate_normals(vertices, self.knn)
        cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(vertices.astype(np.float64)))
        out = []
        for rot in self.rotations.astype(np.float32):
            eye = rot[2] * self.hpr_distance  # camera (0, 0, d) in scan coordinates
            _, idx = cloud.hidden_point_removal(eye.astype(np.float64),
                                                self.hpr_distance * self.hpr_radius_factor)
            idx = np.sort(np.asarray(idx, np.int64))
            cam, cam_n = vertices[idx] @ rot.T, normals[idx] @ rot.T
            cam_n *= np.where(cam_n[:, 2:] < 0, -1.0, 1.0).astype(np.float32)
            inside = (np.abs(cam[:, :2]) <= self.window).all(1)
            out.append(np.concatenate([cam, cam_n], 1)[inside])
        return out

    def _sample(self, points: np.ndarray, rng) -> np.ndarray:
        """(M, 6) visible points -> (P, 6) float32."""
        p, m = self.num_points, len(points)
        if m == 0:
            return np.zeros((p, POINT_CHANNELS), np.float32)
        if m <= p:
            idx = np.concatenate([np.arange(m), rng.choice(m, p - m)])
        elif self.sampling == 'uniform':
            idx = np.sort(rng.choice(m, p, replace=False))
        else:
            idx = _farthest_point_indices(points[:, :3], p, int(rng.integers(m)))
        return points[idx].astype(np.float32)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(yaws={self.yaws}, pitches={self.pitches}, '
                f'num_points={self.num_points}, sampling={self.sampling!r}, '
                f'ray_grid={self.ray_grid}, window={self.window}, face_crop={self.face_crop})')


def _farthest_point_indices(xyz: np.ndarray, k: int, start: int) -> np.ndarray:
    """Indices of ``k`` farthest-point samples of (M, 3) points from ``start`` (open3d's
    farthest_point_down_sample begins at point 0: the points are rolled so ``start`` is first)."""
    import open3d as o3d
    order = np.roll(np.arange(len(xyz)), -start)
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(xyz[order].astype(np.float64)))
    picked = np.asarray(cloud.farthest_point_down_sample(k).points)
    # map the picked coordinates back to indices (exact float64 copies)
    lookup = {row.tobytes(): i for i, row in enumerate(xyz[order].astype(np.float64))}
    return order[[lookup[row.tobytes()] for row in picked]]
