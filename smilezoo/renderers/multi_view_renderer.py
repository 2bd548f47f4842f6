"""Render a scan into a stack of 2D views (depth / normal / shaded)."""
import numpy as np

from smilezoo.registry import TRANSFORMS

from .raycast import raycast_views
from .splat import estimate_normals, splat_views
from .base import ViewRenderer

__all__ = ['MultiViewRenderer', 'MODE_CHANNELS']

MODE_CHANNELS = {'depth': 1, 'normal': 3, 'shaded': 1}


@TRANSFORMS.register_module()
class MultiViewRenderer(ViewRenderer):
    """Orthographic multi-view renderer of a face scan (docs/datasets.md, "Rendering").

    The scan is normalised (:func:`~smilezoo.renderers.geometry.normalisation`), turned by each
    view's rotation (:mod:`smilezoo.renderers.geometry`) and projected onto an image covering
    [-window, window]^2 (row 0 = top = +y of the scan, column 0 = left). Meshes are ray cast
    (flat per-triangle normals); bare point clouds are z-buffer splatted with normals estimated
    from k nearest neighbours.

    Channels per view, concatenated in the order of ``modes``; every value is in [0, 1] and the
    background is 0:
        'depth' (1): (z + window) / (2 * window), clipped, with z the camera coordinate toward
            the viewer: near = 1, far -> 0.
        'normal' (3): (n + 1) / 2 of the camera-space unit normal (x right, y up, z toward the
            viewer), turned to face the camera: a surface facing it is (0.5, 0.5, 1.0).
        'shaded' (1): Lambertian, light from the camera: ambient + (1 - ambient) * n_z.

    Required keys: ``mesh`` (Mesh, or a (V, 3) array taken as a point cloud).
    Added keys: ``views`` (N_views, C, H, W) float32 in [0, 1]; ``view_yaws``, ``view_pitches``
    (N_views,) float32 degrees. Removed keys: ``mesh``, only when ``drop_mesh=True``.

    Args:
        yaws: yaw of each view in degrees.
        pitches: None (0 for every view), a number, or one per yaw.
        image_size: H = W of every view in pixels.
        modes: any of 'depth', 'normal', 'shaded', in output channel order.
        window: half width of the image in normalised units (the scan's 99th-percentile radius
            is 1).
        point_radius: splat radius in pixels for point clouds.
        knn: neighbours for point-cloud normal estimation.
        ambient: ambient term of 'shaded' (0: pure Lambertian).
        num_threads: open3d ray-casting threads (0: all cores).
        max_coordinate: a scan with a ``|coordinate|`` above this (scan units; None: no bound)
            is refused, and min_foreground: a view whose share of non-background pixels is below
            this is refused, by :func:`~smilezoo.renderers.geometry_checks.checked_render`
            (prepare_data and infer); ``render`` itself does not check.
        face_crop: None (default: the scan as it is) or ``dict(radius=100, ...)``
            (:class:`~smilezoo.renderers.face_crop.FaceCrop`): before the normalisation, keep
            the part of the scan within ``radius`` (scan units) of the nose tip; 4D sequences
            use one sphere for all frames (:meth:`FaceCrop.crop_sequence`).
    """

    def __init__(self, yaws=(-30, 0, 30), pitches=None, image_size=64, modes=('normal', ),
                 window=1.15, point_radius=1, knn=16, ambient=0.0, num_threads=0,
                 drop_mesh=False, max_coordinate=1e6, min_foreground=0.05, face_crop=None):
        if isinstance(modes, str):
            modes = (modes, )
        unknown = [m for m in modes if m not in MODE_CHANNELS]
        if unknown or not modes:
            raise ValueError(f'unknown render modes {unknown or modes}; '
                             f'choose from {sorted(MODE_CHANNELS)}')
        if int(image_size) < 1 or window <= 0 or point_radius < 0:
            raise ValueError('image_size must be >= 1, window > 0 and point_radius >= 0')
        self._init_views(yaws, pitches, window, knn, num_threads, drop_mesh, face_crop)
        self.image_size = int(image_size)
        self.modes = tuple(modes)
        self.point_radius = int(point_radius)
        self.ambient = float(ambient)
        if max_coordinate is not None and not max_coordinate > 0:
            raise ValueError(f'max_coordinate must be > 0 or None, got {max_coordinate!r}')
        if not 0 <= min_foreground < 1:
            raise ValueError(f'min_foreground must be in [0, 1), got {min_foreground!r}')
        self.max_coordinate = None if max_coordinate is None else float(max_coordinate)
        self.min_foreground = float(min_foreground)

    @property
    def num_channels(self) -> int:
        """C: channels per view."""
        return sum(MODE_CHANNELS[m] for m in self.modes)

    def render(self, mesh, crop: bool = True, normalisation=None) -> np.ndarray:
        """Mesh or (V, 3) points -> (N_views, C, H, W) float32 in [0, 1].

        ``crop=False`` skips ``face_crop`` (for meshes cropped already); ``normalisation=(centre
        (3,), scale)`` replaces the mesh's own, e.g. one for every frame of a sequence.
        """
        mesh, vertices = self._prepare(mesh, crop, normalisation)
        if mesh.is_point_cloud:
            mask, depth, normals = splat_views(vertices, estimate_normals(vertices, self.knn),
                                               self.rotations, self.image_size, self.window,
                                               self.point_radius)
        else:
            mask, depth, normals = raycast_views(vertices, mesh.faces, self.rotations,
                                                 self.image_size, self.window, self.num_threads)
        return self._channels(mask, depth, normals)

    def _channels(self, mask, depth, normals) -> np.ndarray:
        n, h, w = mask.shape
        out = np.zeros((n, self.num_channels, h, w), np.float32)
        c = 0
        for mode in self.modes:
            if mode == 'depth':
                out[:, c] = np.clip((depth + self.window) / (2 * self.window), 0.0, 1.0) * mask
            elif mode == 'normal':
                out[:, c:c + 3] = (normals.transpose(0, 3, 1, 2) + 1) / 2 * mask[:, None]
            else:
                shade = self.ambient + (1 - self.ambient) * normals[..., 2]
                out[:, c] = np.clip(shade, 0.0, 1.0) * mask
            c += MODE_CHANNELS[mode]
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(yaws={self.yaws}, pitches={self.pitches}, image_size='
                f'{self.image_size}, modes={self.modes}, window={self.window}, point_radius='
                f'{self.point_radius}, face_crop={self.face_crop})')
