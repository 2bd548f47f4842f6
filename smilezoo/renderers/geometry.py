"""Normalisation of scans and the view rotations of the multi-view renderers.

Frames:
    Scan frame: y up, the face looking toward +z (the Binghamton scans are stored this way), so
    the subject's LEFT cheek is at +x.
    Camera frame: x right, y up, z toward the viewer; the camera looks along -z with an
    orthographic projection. ``camera = R @ scan`` for ``R = view_rotation(yaw, pitch)``.

Sign conventions (in degrees):
    yaw < 0: the camera moves to the subject's left (+x side): the left cheek turns toward the
    viewer. yaw > 0 shows the right cheek.
    pitch > 0: the camera moves up: the forehead / top turns toward the viewer. pitch < 0 shows
    the chin from below.
"""
import numpy as np

__all__ = ['normalisation', 'normalise_vertices', 'view_rotation', 'view_rotations']


def normalisation(vertices: np.ndarray, low: float = 1.0, high: float = 99.0):
    """Robust centre and scale of a scan.

    Args:
        vertices: (V, 3) points.
        low, high: percentiles bounding the box whose centre is the centre; ``high`` is also
            the percentile of the radius used as scale.

    Returns:
        (centre (3,) float64, scale float > 0): ``(v - centre) / scale`` puts the scan's
        ``high``-percentile radius at 1.
    """
    pts = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    if len(pts) == 0:
        raise ValueError('cannot normalise an empty vertex array')
    if len(pts) > 20000:  # percentiles of a regular subsample are enough
        pts = pts[::len(pts) // 10000]
    lo, hi = np.percentile(pts, [low, high], axis=0)
    centre = (lo + hi) / 2
    radius = np.linalg.norm(pts - centre, axis=1)
    scale = float(np.percentile(radius, high))
    if not np.isfinite(scale) or scale <= 0:
        scale = float(radius.max()) or 1.0
    return centre, scale


def normalise_vertices(vertices: np.ndarray, given=None, **kwargs) -> np.ndarray:
    """(V, 3) -> (V, 3) float32 ``(v - centre) / scale``, with ``given = (centre, scale)`` or
    else the vertices' own :func:`normalisation`."""
    centre, scale = given if given is not None else normalisation(vertices, **kwargs)
    return ((np.asarray(vertices, np.float64) - centre) / scale).astype(np.float32)


def view_rotation(yaw: float, pitch: float = 0.0) -> np.ndarray:
    """(3, 3) float64 rotation taking scan to camera coordinates.

    ``R = Rx(pitch) @ Ry(yaw)`` with right-handed rotations, so yaw -30 brings the +x (subject's
    left) side toward the camera at +z and pitch +30 brings the +y (top) side toward it.
    """
    a, b = np.deg2rad(float(yaw)), np.deg2rad(float(pitch))
    rot_y = np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])
    rot_x = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(b), -np.sin(b)], [0.0, np.sin(b), np.cos(b)]])
    return rot_x @ rot_y


def view_rotations(yaws, pitches=None) -> np.ndarray:
    """(N, 3, 3) rotations for N yaws; ``pitches`` None (all 0), one number for every view, or a
    sequence paired with ``yaws``."""
    yaws = np.atleast_1d(np.asarray(yaws, dtype=np.float64))
    pitches = np.zeros_like(yaws) if pitches is None else np.asarray(pitches, dtype=np.float64)
    if pitches.ndim == 0:
        pitches = np.full_like(yaws, float(pitches))
    elif pitches.shape != yaws.shape:
        raise ValueError(f'pitches {pitches.tolist()} must be None, a number or one per yaw '
                         f'{yaws.tolist()}')
    return np.stack([view_rotation(y, p) for y, p in zip(yaws, pitches)])
