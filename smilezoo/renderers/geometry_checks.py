"""Refuse degenerate geometry before it is rendered into views, cached or predicted.

:func:`checked_render` is what ``tools/prepare_data.py`` (``smilezoo.datasets.view_cache``) and
``tools/infer.py`` (``smilezoo.apis.inference``) call instead of ``renderer.render``; it raises
:class:`GeometryError` (a ``ValueError``) with the reason (docs/faq.md, "Degenerate scans"). The
frames of 4D sequences go through :func:`check_geometry` (default bounds) in
``SequenceSource.load_frames``: a degenerate frame is a bad frame.

Rules (checked in this order; the numbers are the defaults):

1. finite: every coordinate is a number (no nan / inf);
2. not absurd: every ``|coordinate| <= max_coordinate`` (1e6 in the scan's units). A single vertex
   far beyond the face breaks the ray caster's acceleration structure, so the bound is on the
   absolute value, not a ratio to the face's size (outliers inside it are harmless: the
   normalisation uses percentiles). ``max_coordinate=None`` switches this rule off;
3. enough elements: a mesh needs at least 3 vertices and 1 face with three distinct corners; a
   point cloud (no faces) at least ``min_points`` (16, the default normal-estimation
   neighbourhood) points;
4. extent: the vertices span more than a point or a line (the second singular value of the
   centred vertices is above 1e-6 of the first). Flat (planar) scans are accepted;
5. after rendering, each view's foreground share (pixels where any channel is non-zero) is at
   least ``min_foreground`` (0.05; synthetic scans give at least 0.33 as meshes, 0.19 as point
   clouds); a renderer without a ``min_foreground`` attribute gets no such check;
6. point views ((N, P, C)): each view has at least the renderer's ``min_visible`` distinct points
   (:func:`check_visible_points`).

``max_coordinate`` and ``min_foreground`` are keys of the renderer config.
"""
from typing import Optional, Sequence

import numpy as np

__all__ = ['GeometryError', 'check_geometry', 'foreground_shares', 'check_foreground',
           'checked_render', 'check_visible_points', 'MAX_COORDINATE', 'MIN_FOREGROUND',
           'MIN_POINTS']

MAX_COORDINATE = 1e6
MIN_FOREGROUND = 0.05
MIN_POINTS = 16
_MIN_MESH_VERTICES = 3
_LINE_TOLERANCE = 1e-6


class GeometryError(ValueError):
    """A scan whose geometry cannot give meaningful views; the message says why."""


def check_geometry(mesh, max_coordinate: Optional[float] = MAX_COORDINATE,
                   min_points: int = MIN_POINTS):
    """Raise :class:`GeometryError` unless rules 1-4 of the module hold.

    Args:
        mesh: a Mesh (``vertices`` (V, 3), ``faces`` (F, 3) or None) or a (V, 3) array of points.
        max_coordinate: bound on ``|coordinate|`` (None: no bound).
        min_points: fewest points of a point cloud.

    Returns:
        ``mesh``, unchanged.
    """
    if isinstance(mesh, np.ndarray):
        vertices, faces = mesh, None
    else:
        vertices, faces = mesh.vertices, getattr(mesh, 'faces', None)
    vertices = np.asarray(vertices).reshape(-1, 3)
    n = len(vertices)
    finite = np.isfinite(vertices).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise GeometryError(f'{bad.size} of {n} vertices have a nan or inf coordinate '
                            f'(first: vertex {int(bad[0])})')
    if max_coordinate is not None and n:
        big = np.abs(vertices).max(axis=1) > max_coordinate
        if big.any():
            k = int(np.flatnonzero(big)[0])
            raise GeometryError(
                f'{int(big.sum())} of {n} vertices have a coordinate beyond '
                f'+-{max_coordinate:g} (first: vertex {k} at '
                f'({", ".join(f"{float(c):g}" for c in vertices[k])})); '
                f'absurd for a face scan in any unit: the renderer key max_coordinate '
                f'sets the bound')
    if faces is not None and len(faces) > 0:
        faces = np.asarray(faces).reshape(-1, 3)
        distinct = (faces[:, [0, 1, 0]] != faces[:, [1, 2, 2]]).all(axis=1)
        if n < _MIN_MESH_VERTICES or not distinct.any():
            raise GeometryError(
                f'too few elements: {n} vertices and {int(distinct.sum())} faces with three '
                f'distinct corners (a mesh needs at least {_MIN_MESH_VERTICES} vertices and '
                f'1 such face)')
    elif n < min_points:
        raise GeometryError(f'too few points: a point cloud of {n} points (at least '
                            f'{min_points} needed)')
    _check_extent(vertices)
    return mesh


def _check_extent(vertices: np.ndarray) -> None:
    pts = vertices.astype(np.float64)
    if len(pts) > 20000:  # the spread of a regular subsample is enough
        pts = pts[::len(pts) // 10000]
    extent = np.ptp(pts, axis=0)
    if not extent.any():
        raise GeometryError(f'zero extent: all {len(vertices)} vertices are the same point '
                            f'({", ".join(f"{c:g}" for c in pts[0])})')
    sing = np.linalg.svd(pts - pts.mean(axis=0), compute_uv=False)
    if sing[1] <= _LINE_TOLERANCE * sing[0]:
        raise GeometryError(f'zero extent across a line: all {len(vertices)} vertices lie on '
                            f'one straight line (no surface to render)')


def _view_name(k: int, yaws: Optional[Sequence[float]], n: int) -> str:
    """'view k', with its yaw when ``yaws`` has one entry per view (``n``)."""
    return f'view {k}' + (f' (yaw {float(yaws[k]):g})' if yaws is not None and len(yaws) == n
                          else '')


def foreground_shares(views: np.ndarray) -> np.ndarray:
    """(N, C, H, W) views with background 0 -> (N,) float64 share of each view's pixels where
    some channel is non-zero."""
    return (np.asarray(views) != 0).any(axis=1).mean(axis=(1, 2), dtype=np.float64)


def check_foreground(views: np.ndarray, min_share: float = MIN_FOREGROUND,
                     yaws: Optional[Sequence[float]] = None) -> np.ndarray:
    """Raise :class:`GeometryError` when some view's foreground share is below ``min_share``;
    returns ``views`` (N, C, H, W) unchanged. ``yaws`` (N,) only name the views in the message."""
    shares = foreground_shares(views)
    low = np.flatnonzero(shares < min_share)
    if low.size:
        k = int(low[0])
        name = _view_name(k, yaws, len(shares))
        raise GeometryError(
            f'{name} has a foreground share of {shares[k]:.4f} (non-background pixels), '
            f'below min_foreground {min_share:g}; {low.size} of {len(shares)} view(s) are '
            f'(nearly) empty (shares: {", ".join(f"{s:.4f}" for s in shares)}). The scan '
            f'does not fill its views; the renderer key min_foreground sets the share')
    return views


def checked_render(renderer, mesh) -> np.ndarray:
    """``renderer.render(mesh)`` between :func:`check_geometry` and :func:`check_foreground` /
    :func:`check_visible_points`, with the renderer's ``max_coordinate`` (else this module's
    default), ``min_foreground`` and ``min_visible`` (no check without them).

    Returns:
        (N, C, H, W) float32 views. Raises :class:`GeometryError`.
    """
    check_geometry(mesh, max_coordinate=getattr(renderer, 'max_coordinate', MAX_COORDINATE))
    views = renderer.render(mesh)
    min_share = getattr(renderer, 'min_foreground', None)
    if min_share:
        check_foreground(views, min_share, getattr(renderer, 'yaws', None))
    min_visible = getattr(renderer, 'min_visible', None)
    if min_visible:
        check_visible_points(views, min_visible, getattr(renderer, 'yaws', None))
    return views


def check_visible_points(views: np.ndarray, min_points: int,
                         yaws: Optional[Sequence[float]] = None) -> np.ndarray:
    """Raise :class:`GeometryError` when some point view (N, P, C) has fewer than ``min_points``
    distinct points (a view with few visible points repeats them to fill P); returns ``views``."""
    counts = [len(np.unique(v[:, :3], axis=0)) for v in np.asarray(views)]
    low = [k for k, c in enumerate(counts) if c < min_points]
    if low:
        k = low[0]
        name = _view_name(k, yaws, len(counts))
        raise GeometryError(
            f'{name} has {counts[k]} distinct visible points, below min_visible '
            f'{min_points}; {len(low)} of {len(counts)} view(s) see (almost) nothing of the '
            f'scan (counts: {", ".join(map(str, counts))}); the renderer key min_visible '
            f'sets the bound')
    return views
