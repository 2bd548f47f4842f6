"""A procedural, seeded 3D face: identity, action units, pose, artefacts.

Coordinates are millimetres, frontal view: x to the subject's left as seen by the viewer
(image right), y up, +z toward the viewer; the crop centre is at x = y = 0 and the head centre
about 80 mm behind the face (z < 0).

The surface is a height field z(x, y) sampled on a fixed grid inside an oval crop (topology
depends only on ``resolution``). Expressions move the sampled points (x, y, z) by smooth
displacement fields, one per action unit (AU): sums of Gaussian-weighted handles anchored to
landmarks that move with identity, plus a jaw rotation with a mouth cavity for AU26.
"""
import functools
import math
from dataclasses import dataclass, field, fields
from typing import Dict, Optional, Tuple, Union

import numpy as np

from ..formats.polygons import fan_triangles

__all__ = [
    'AU_NAMES', 'NUM_LANDMARKS', 'LANDMARK_GROUPS', 'Identity', 'Pose', 'FaceTopology', 'FaceScan',
    'sample_identity', 'random_pose', 'face_topology', 'neutral_depth', 'anchor_points',
    'au_displacement', 'landmark_points', 'synthesize_face', 'rotation_matrix', 'activation_vector',
    'fan_triangulate'
]

#: The action units the model animates, in the order of activation vectors.
AU_NAMES = ('AU1', 'AU2', 'AU4', 'AU5', 'AU6', 'AU7', 'AU9', 'AU10', 'AU12', 'AU15', 'AU20',
            'AU23', 'AU26')

NUM_LANDMARKS = 83
#: Landmark index ranges (BU-3DFE style order; "right" = -x side).
LANDMARK_GROUPS = {
    'right_eye': range(0, 8), 'left_eye': range(8, 16), 'right_brow': range(16, 26),
    'left_brow': range(26, 36), 'nose': range(36, 48), 'outer_lips': range(48, 60),
    'inner_lips': range(60, 68), 'contour': range(68, 83),
}
LIP_CORNERS = (48, 54)  # outer-lip corners (-x, +x)
CHIN = 75  # bottom of the face contour
NOSE_TIP = 47

_W0, _H0 = 150.0, 200.0  # nominal crop size (mm), defines the grid
_HEAD_PIVOT = np.array([0.0, 0.0, -80.0])  # rotation centre for pose
_JAW_DROP_MM = 13.0  # AU26 at activation 1: lower lip / chin move down
_MOUTH_CAVITY_MM = 24.0  # AU26 at activation 1: depth of the opened mouth

# ----------------------------------------------------------------------------
# Identity
# ----------------------------------------------------------------------------
_NUM_BUMPS = 8  # random low-frequency shape detail per subject
_STYLE_SD = 0.2  # log-sd of a subject's per-AU strength


def _drawn(female: float, male: float, sd: float):
    """An :class:`Identity` field that :func:`sample_identity` draws: (female mean, male mean,
    sd), in mm unless noted; draws clip at 2.5 sd."""
    return field(metadata={'stats': (female, male, sd)})


@dataclass(frozen=True, eq=False)
class Identity:
    """One synthetic subject (all lengths in mm).

    ``bumps`` is (K, 4) ``[x, y, sigma, amplitude]`` of extra Gaussian shape detail, ``au_style``
    (A,) multiplies each AU's strength (A = 13), ``skin`` (3,) uint8 RGB of the placeholder texture.
    """
    sex: str
    face_width: float = _drawn(146.0, 154.0, 6.0)  # crop width
    face_height: float = _drawn(194.0, 204.0, 8.0)  # crop height
    face_depth: float = _drawn(44.0, 46.0, 5.0)  # how fast the sides recede
    eye_height: float = _drawn(30.0, 30.0, 3.5)  # eye centres above crop centre
    eye_spacing: float = _drawn(61.0, 64.0, 3.5)  # interpupillary distance
    eye_depth: float = _drawn(8.0, 8.5, 1.8)  # eye socket depth
    brow_height: float = _drawn(20.0, 19.0, 2.5)  # brow above eye centre
    brow_ridge: float = _drawn(2.5, 4.5, 1.2)  # brow ridge projection
    nose_length: float = _drawn(46.0, 50.0, 4.0)  # nasion to tip (vertical)
    nose_width: float = _drawn(32.0, 35.0, 3.0)  # alar width
    nose_projection: float = _drawn(19.0, 21.0, 2.5)  # tip height over the face
    philtrum: float = _drawn(26.0, 28.0, 3.0)  # nose tip to mouth line (vertical)
    mouth_width: float = _drawn(49.0, 52.0, 4.0)
    lip_thickness: float = _drawn(5.5, 5.0, 1.2)
    cheek_fullness: float = _drawn(4.0, 3.5, 1.8)
    jaw_width: float = _drawn(100.0, 110.0, 7.0)
    chin_height: float = _drawn(44.0, 48.0, 4.0)  # mouth line to chin bottom
    chin_projection: float = _drawn(3.5, 5.0, 1.8)
    forehead_slope: float = _drawn(0.35, 0.4, 0.1)  # unitless
    bumps: np.ndarray = field(repr=False)
    au_style: np.ndarray = field(repr=False)
    skin: np.ndarray = field(repr=False)

    # derived vertical positions (mm); the eye centres are at eye_height
    @property
    def nasion_y(self) -> float:
        return self.eye_height + 4.0

    @property
    def tip_y(self) -> float:
        return self.nasion_y - self.nose_length

    @property
    def mouth_y(self) -> float:
        return self.tip_y - self.philtrum

    @property
    def menton_y(self) -> float:
        return max(self.mouth_y - self.chin_height, -0.5 * self.face_height + 8)


def sample_identity(rng: Union[int, np.random.Generator], sex: str = 'F') -> Identity:
    """Draw a subject. ``rng`` is a Generator or a seed; ``sex`` 'F' or 'M'."""
    rng = np.random.default_rng(rng)
    col = 0 if sex == 'F' else 1
    vals = {f.name: float(f.metadata['stats'][col]
                          + f.metadata['stats'][2] * np.clip(rng.standard_normal(), -2.5, 2.5))
            for f in fields(Identity) if 'stats' in f.metadata}
    # x, y, sigma of each bump: numpy fills the rows in order, the three draws of before
    xys = rng.uniform([[-60], [-80], [12]], [[60], [80], [30]], (3, _NUM_BUMPS))
    bumps = np.column_stack([*xys, 2.0 * rng.standard_normal(_NUM_BUMPS)])
    style = np.exp(_STYLE_SD * rng.standard_normal(len(AU_NAMES)))
    skin = np.array([200, 160, 130]) * rng.uniform(0.45, 1.1) + rng.uniform(-15, 15, 3)
    return Identity(sex=sex, bumps=bumps, au_style=np.clip(style, 0.7, 1.4),
                    skin=np.clip(skin, 0, 255).astype(np.uint8), **vals)


# ----------------------------------------------------------------------------
# Neutral surface
# ----------------------------------------------------------------------------
def _g(x, y, cx, cy, sx, sy):
    """Anisotropic Gaussian weight, same shape as x."""
    return np.exp(-0.5 * (((x - cx) / sx)**2 + ((y - cy) / sy)**2))


def smoothstep(s):
    """3 s^2 - 2 s^3 of s clipped to [0, 1]."""
    s = np.clip(s, 0.0, 1.0)
    return s * s * (3 - 2 * s)


def _ss(a, b, t):
    """Smoothstep from 0 at t=a to 1 at t=b (a > b allowed)."""
    return smoothstep((t - a) / (b - a))


def _mouth_window(x, idn: Identity, scale: float = 1.0):
    """Super-Gaussian across the mouth: 1 in the middle, 0.5 at the corners."""
    return np.exp(-0.693 * np.abs(x / (0.5 * idn.mouth_width * scale))**4)


def neutral_depth(x: np.ndarray, y: np.ndarray, idn: Identity) -> np.ndarray:
    """Height field of the neutral face: x, y (N,) mm -> z (N,) mm."""
    ey, ny, ty, my, cy = idn.eye_height, idn.nasion_y, idn.tip_y, idn.mouth_y, idn.menton_y
    e = 0.5 * idn.eye_spacing
    brow_y = ey + idn.brow_height
    # head cross-section: half-width shrinks toward forehead top, jaw, chin
    half_w = (0.5 * idn.face_width + 4.0 + (0.44 * idn.face_width - 0.5 * idn.face_width)
              * _ss(ey + 25, 0.5 * idn.face_height, y)
              + (0.5 * idn.jaw_width + 14 - 0.5 * idn.face_width - 4) * _ss(ey - 15, my - 5, y)
              + (40.0 - 0.5 * idn.jaw_width - 14) * _ss(my - 8, cy, y))
    r2 = (x / half_w)**2
    z = -idn.face_depth * 2.5 * np.tanh((r2 + 0.4 * r2**3) / 2.5)
    # vertical profile: forehead curves back, chin recedes, neck below chin
    z -= idn.forehead_slope * np.maximum(y - brow_y, 0.0)**2 / 60.0
    z -= 6.0 * _ss(my, cy, y)
    z -= 0.25 * np.maximum(cy - y, 0.0)**2
    # eyes: socket, lids/eyeball, brow ridge, glabella
    for sx in (-1.0, 1.0):
        z -= idn.eye_depth * _g(x, y, sx * e, ey, 13, 9)
        z += 0.45 * idn.eye_depth * _g(x, y, sx * e, ey, 8, 4.5)
        z += idn.brow_ridge * _g(x, y, sx * (e - 2), brow_y - 5, 17, 6)
        z += idn.cheek_fullness * _g(x, y, sx * (e + 6), ey - 30, 16, 14)
        z += 3.0 * _g(x, y, sx * (e + 17), ey - 14, 12, 8)  # cheekbone
        z += 0.35 * idn.nose_projection * _g(  # nose alae
            x, y, sx * (0.5 * idn.nose_width - 5), ty - 3, 4.5, 5)
    z += 0.6 * idn.brow_ridge * _g(x, y, 0, brow_y - 8, 8, 8)
    # nose: ridge from nasion to tip, widening, with a tip bulb
    t = np.clip((ny - y) / (ny - ty), 0.0, 1.0)
    ridge = idn.nose_projection * (0.12 + 0.88 * t**1.4)
    v_win = np.where(y > ny, np.exp(-((y - ny) / 6.0)**2),
                     np.where(y < ty, np.exp(-((ty - y) / 5.5)**2), 1.0))
    z += ridge * v_win * np.exp(-0.5 * (x / (5.0 + 4.0 * t))**2)
    z += 2.5 * _g(x, y, 0, ty + 2, 6, 5)
    # mouth: muzzle, lips, mouth line groove, mentolabial sulcus, chin
    lt = idn.lip_thickness
    z += 7.0 * _g(x, y, 0, my + 3, 0.55 * idn.mouth_width, 16)
    z += lt * _mouth_window(x, idn) * np.exp(-((y - my - 0.8 * lt) / (0.8 * lt))**2)
    z += 1.1 * lt * _mouth_window(x, idn, 0.9) * np.exp(-((y - my + 0.9 * lt) / (0.85 * lt))**2)
    z -= 1.2 * _mouth_window(x, idn) * np.exp(-((y - my) / 1.3)**2)
    z -= 2.5 * _g(x, y, 0, my - 2.2 * lt - 3, 14, 4)
    z += idn.chin_projection * _g(x, y, 0, cy + 14, 14, 10)
    # subject-specific low-frequency detail
    b = idn.bumps
    z += (b[:, 3] * _g(x[:, None], y[:, None], b[:, 0], b[:, 1], b[:, 2], b[:, 2])).sum(axis=1)
    return z


# ----------------------------------------------------------------------------
# Landmarks and action units
# ----------------------------------------------------------------------------
def anchor_points(idn: Identity) -> Dict[str, Tuple[float, float]]:
    """Named (x, y) mm anchors of the AU handles; +x side for paired ones."""
    e, ey, ty, my = 0.5 * idn.eye_spacing, idn.eye_height, idn.tip_y, idn.mouth_y
    by, lt, mw = ey + idn.brow_height, idn.lip_thickness, idn.mouth_width
    return {
        'brow_inner': (e - 12, by - 2), 'brow_mid': (e + 1, by + 1), 'brow_outer': (e + 17, by - 2),
        'glabella': (0.0, by - 4), 'forehead': (e - 6, by + 18), 'upper_lid': (e, ey + 5),
        'lower_lid': (e, ey - 5), 'eye_outer': (e + 15, ey),
        'nose_bridge': (6.0, idn.nasion_y - 0.35 * idn.nose_length),
        'ala': (0.5 * idn.nose_width - 4, ty - 3), 'cheek': (e + 6, ey - 24),
        'nasolabial': (0.5 * mw + 4, my + 12), 'upper_lip': (0.0, my + 0.8 * lt),
        'upper_lip_side': (0.25 * mw, my + 0.7 * lt), 'lip_corner': (0.5 * mw, my),
        'lower_lip': (0.0, my - lt), 'chin': (0.0, idn.menton_y + 14),
    }


# (AU, anchor, offset x, offset y, sigma x, sigma y, dx, dy, dz, paired); offsets, sigmas,
# displacements in mm at activation 1; a paired handle is mirrored to -x with dx negated.
AU_HANDLES = (
    ('AU1', 'brow_inner', 0, 0, 9, 10, 0.5, 7.0, 1.0, True),
    ('AU1', 'forehead', -4, 0, 12, 12, 0.0, 3.0, 0.5, True),
    ('AU2', 'brow_outer', 0, 0, 10, 10, 0.5, 7.0, 0.5, True),
    ('AU2', 'brow_mid', 0, 8, 12, 10, 0.0, 2.5, 0.0, True),
    ('AU4', 'brow_inner', 2, 2, 10, 8, -3.0, -5.5, 1.5, True),
    ('AU4', 'brow_mid', 0, 2, 11, 8, -1.5, -3.5, 1.0, True),
    ('AU4', 'glabella', 0, 0, 6, 7, 0.0, -1.5, 2.5, False),
    ('AU5', 'upper_lid', 0, 0, 9, 4, 0.0, 4.0, -2.0, True),
    ('AU5', 'brow_mid', 0, -6, 10, 5, 0.0, 1.5, -0.5, True),
    ('AU6', 'cheek', 0, 0, 13, 12, 0.5, 5.0, 3.0, True),
    ('AU6', 'upper_lid', 0, -10, 9, 5, 0.0, 2.5, 1.0, True),
    ('AU6', 'eye_outer', 3, 0, 6, 8, 0.0, 1.5, 0.5, True),
    ('AU7', 'lower_lid', 0, 0, 9, 5, 0.0, 2.5, 1.5, True),
    ('AU7', 'upper_lid', 0, 0, 9, 5, 0.0, -1.5, 0.5, True),
    ('AU9', 'nose_bridge', 0, 0, 6, 8, -0.5, 3.0, 1.5, True),
    ('AU9', 'ala', 0, 0, 7, 7, 1.0, 3.0, 1.0, True),
    ('AU9', 'brow_inner', -2, -2, 7, 7, -1.0, -2.5, 0.0, True),
    ('AU9', 'nasolabial', -3, 6, 7, 9, 0.5, 2.5, 1.5, True),
    ('AU10', 'upper_lip', 0, 0, 12, 8, 0.0, 5.5, 2.5, False),
    ('AU10', 'upper_lip_side', 0, 0, 7, 8, 0.0, 4.0, 1.5, True),
    ('AU10', 'nasolabial', 0, 0, 8, 10, 0.5, 2.5, 1.5, True),
    ('AU12', 'lip_corner', 0, 0, 10, 11, 6.0, 8.0, -2.5, True),
    ('AU12', 'cheek', 0, -4, 12, 10, 0.5, 3.0, 2.5, True),
    ('AU12', 'lower_lip', 0, 0, 10, 6, 0.0, 1.5, -1.0, False),
    ('AU15', 'lip_corner', 0, -2, 9, 10, 0.5, -6.5, -1.0, True),
    ('AU15', 'chin', 0, 6, 12, 8, 0.0, 1.0, 1.0, False),
    ('AU20', 'lip_corner', 2, 0, 12, 8, 8.0, -2.5, -3.0, True),
    ('AU20', 'lower_lip', 0, 0, 12, 6, 0.0, -1.0, -1.5, False),
    ('AU20', 'upper_lip', 0, 0, 12, 5, 0.0, 0.0, -1.0, False),
    ('AU23', 'upper_lip', 0, 0, 14, 4, 0.0, -2.0, -2.0, False),
    ('AU23', 'lower_lip', 0, 0, 14, 4, 0.0, 2.0, -2.0, False),
    ('AU23', 'lip_corner', 0, 0, 7, 7, -3.5, 0.0, 1.0, True),
    ('AU23', 'chin', 0, 4, 12, 8, 0.0, 0.5, 1.5, False),
)  # AU26 (jaw drop) is the rotation-like field in _jaw_drop
_HANDLE_AU = np.array([AU_NAMES.index(h[0]) for h in AU_HANDLES])  # AU index of each handle
_HANDLE_NUM = np.array([h[2:9] for h in AU_HANDLES], dtype=np.float64)
_HANDLE_PAIRED = np.array([h[9] for h in AU_HANDLES])


def activation_vector(activations) -> np.ndarray:
    """dict {AU name: a} or (A,) array -> (A,) float64 in AU_NAMES order."""
    if activations is None:
        return np.zeros(len(AU_NAMES))
    if isinstance(activations, dict):
        unknown = set(activations) - set(AU_NAMES)
        if unknown:
            raise KeyError(f'unknown action units {sorted(unknown)}; the model animates {AU_NAMES}')
        return np.array([float(activations.get(a, 0.0)) for a in AU_NAMES])
    act = np.asarray(activations, dtype=np.float64)
    if act.shape != (len(AU_NAMES), ):
        raise ValueError(f'activations must have shape ({len(AU_NAMES)},), got {act.shape}')
    return act


def au_displacement(x: np.ndarray, y: np.ndarray, idn: Identity, activations) -> np.ndarray:
    """Expression displacement of rest points x, y (N,) mm -> (N, 3) mm; ``activations`` as in
    :func:`synthesize_face` (1 = a full, typical-strength action; ``au_style`` NOT applied)."""
    act = activation_vector(activations)
    anchors = anchor_points(idn)
    w = act[_HANDLE_AU]
    keep = w != 0  # the active handles (none: out stays 0)
    anc = np.array([anchors[h[1]] for h in AU_HANDLES])[keep]
    num, w, paired = _HANDLE_NUM[keep], w[keep], _HANDLE_PAIRED[keep]
    centre = np.column_stack([anc + num[:, :2], num[:, 2:4]])  # cx, cy, sigma x, sigma y
    disp = num[:, 4:7] * w[:, None]
    # mirror the paired handles to -x
    centre = np.concatenate([centre, centre[paired] * [-1.0, 1.0, 1.0, 1.0]])
    disp = np.concatenate([disp, disp[paired] * [-1.0, 1.0, 1.0]])
    weights = _g(x[:, None], y[:, None], *centre.T)  # (N, H)
    out = np.zeros((len(x), 3))
    out += np.einsum('nh,hk->nk', weights, disp)  # no BLAS threads
    a26 = act[AU_NAMES.index('AU26')]
    if a26:
        out += _jaw_drop(x, y, idn, a26)
    return out


def _jaw_drop(x, y, idn: Identity, a: float) -> np.ndarray:
    """AU26: the face below the mouth line moves down and back; the band of points that
    straddle the lips is pulled into a mouth cavity. (N, 3)."""
    mouth = _mouth_window(x, idn)
    jaw = np.exp(-0.693 * np.abs(x / (0.5 * idn.jaw_width))**4)
    width = 2.0 + 14.0 * (1.0 - mouth)  # sharp split between the lips only
    s = 1.0 / (1.0 + np.exp(-(idn.mouth_y - y) / width))
    drop = _JAW_DROP_MM * a * s * jaw
    band = np.clip(6.0 * s * (1.0 - s), 0.0, 1.0)  # flat-bottomed cavity
    cavity = _MOUTH_CAVITY_MM * a * band * mouth**2
    return np.column_stack([np.zeros_like(x), -drop, -0.5 * drop - cavity])


def landmark_points(idn: Identity) -> Tuple[np.ndarray, np.ndarray]:
    """The 83 landmarks on the neutral face: xy (83, 2) mm, and side (83,) int64: +1 / -1 for
    inner-lip points that must lie above / below the mouth line, else 0."""
    e, ey, ty, my = 0.5 * idn.eye_spacing, idn.eye_height, idn.tip_y, idn.mouth_y
    by, lt, mw, nw = ey + idn.brow_height, idn.lip_thickness, idn.mouth_width, idn.nose_width
    pts, side = [], np.zeros(NUM_LANDMARKS, dtype=np.int64)
    ang = np.deg2rad(np.arange(8) * 45.0)
    for sx in (-1.0, 1.0):  # eyes: inner corner first, over the top
        pts += list(zip(sx * (e - 13 * np.cos(ang)), ey + 4.5 * np.sin(ang)))
    t = np.linspace(0.0, 1.0, 5)
    for sx in (-1.0, 1.0):  # brows: upper edge in->out, lower edge out->in
        bx = e - 14 + 32 * t
        arch = by + 3.0 * np.sin(np.pi * (0.2 + 0.7 * t)) - 2.0
        pts += list(zip(sx * bx, arch + 2.5)) + list(zip(sx * bx[::-1], arch[::-1] - 2.5))
    nose_y = idn.nasion_y - 0.35 * idn.nose_length
    pts += [(-7, nose_y), (-9, ty + 8), (-0.5 * nw, ty - 3), (-0.5 * nw + 4, ty - 8), (-5, ty - 9),
            (0, ty - 10), (5, ty - 9), (0.5 * nw - 4, ty - 8), (0.5 * nw, ty - 3), (9, ty + 8),
            (7, nose_y), (0, ty)]
    h = 0.5 * mw
    pts += [(-h, my), (-h / 1.5, my + 0.9 * lt), (-h / 4, my + 1.5 * lt), (0, my + 1.3 * lt),
            (h / 4, my + 1.5 * lt), (h / 1.5, my + 0.9 * lt), (h, my), (h / 1.5, my - 1.3 * lt),
            (h / 4, my - 1.9 * lt), (0, my - 2.0 * lt), (-h / 4, my - 1.9 * lt),
            (-h / 1.5, my - 1.3 * lt)]
    pts += [(px, my) for px in (-h + 3, -h / 3, 0, h / 3, h - 3, h / 3, 0, -h / 3)]  # inner lips
    side[60:65] = 1
    side[65:68] = -1
    a = np.deg2rad(np.linspace(180.0, 360.0, 15))  # contour via the chin
    half = 0.45 * idn.face_width
    pts += list(zip(half * np.cos(a) * (1 - 0.35 * np.sin(-a)**2),
                    ey + (ey - idn.menton_y) * np.sin(a)))
    return np.asarray(pts, dtype=np.float64), side


# ----------------------------------------------------------------------------
# Topology
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FaceTopology:
    """Fixed sampling grid and polygons for one ``resolution``.

    Attributes:
        spacing: nominal grid step (mm, for the 150 x 200 mm crop).
        uv: (V, 2) canonical grid coordinates in [-1, 1] (crop = unit oval).
        rc: (V, 2) int64 grid row (y) and column (x) of each vertex.
        grid: (R, C) int64 vertex index per grid node, -1 outside the crop.
        poly: (N,) int64 polygon vertex indices, concatenated (no -1).
        sizes: (P,) int64 polygon sizes (3, 4 or 5), counter-clockwise seen from +z.
        chart: (P,) int64 texture chart (0 for x < 0, 1 for x >= 0).
    """
    spacing: float
    uv: np.ndarray
    rc: np.ndarray
    grid: np.ndarray
    poly: np.ndarray
    sizes: np.ndarray
    chart: np.ndarray


def _grid_nodes(spacing: float):
    nx, ny = int(math.ceil(0.5 * _W0 / spacing)), int(math.ceil(0.5 * _H0 / spacing))
    gx = np.arange(-nx, nx + 1) * spacing / (0.5 * _W0)
    gy = np.arange(-ny, ny + 1) * spacing / (0.5 * _H0)
    u, v = np.meshgrid(gx, gy)  # rows = y
    narrow = 1.0 - 0.3 * np.clip(-v, 0.0, 1.0)**1.5  # egg: narrower chin
    inside = np.abs(u / narrow)**2.2 + np.abs(v)**2.2 <= 1.0
    return u, v, inside


@functools.lru_cache(maxsize=8)
def face_topology(resolution: int = 4000) -> FaceTopology:
    """Grid and mixed triangle/quad/pentagon polygons with ~``resolution`` vertices
    (deterministic; cached)."""
    if resolution < 200:
        raise ValueError(f'resolution {resolution} too small (need >= 200)')
    area = np.count_nonzero(_grid_nodes(1.0)[2])  # vertices at 1 mm spacing
    spacing = math.sqrt(area / resolution)
    u, v, inside = _grid_nodes(spacing)
    grid = np.full(u.shape, -1, dtype=np.int64)
    grid[inside] = np.arange(np.count_nonzero(inside))
    uv = np.column_stack([u[inside], v[inside]])
    # cells: corners p00 (r, c), p01 (r, c+1), p11 (r+1, c+1), p10 (r+1, c)
    p00, p01, p11, p10 = grid[:-1, :-1], grid[:-1, 1:], grid[1:, 1:], grid[1:, :-1]
    valid = (p00 >= 0) & (p01 >= 0) & (p11 >= 0) & (p10 >= 0)
    rng = np.random.default_rng(20240611 + resolution)
    rnd = rng.random(valid.shape)
    cc = np.arange(valid.shape[1])[None, :]
    pent = np.zeros_like(valid)
    pent[:, :-1] = valid[:, :-1] & valid[:, 1:] & (cc[:, :-1] % 3 == 0) & (rnd[:, :-1] < 0.05)
    partner = np.zeros_like(valid)
    partner[:, 1:] = pent[:, :-1]
    quad = valid & ~pent & ~partner & (rng.random(valid.shape) < 0.1)
    tri = valid & ~pent & ~partner & ~quad
    diag = ((np.arange(valid.shape[0])[:, None] + cc) % 2 == 0)
    right_11 = np.zeros_like(p11)
    right_11[:, :-1] = p11[:, 1:]  # (r+1, c+2)
    cell_id = np.arange(valid.size).reshape(valid.shape)
    polys = []  # (key, size, padded 5 indices)

    def add(mask, sub, *corners):
        k = np.count_nonzero(mask)
        idx = np.full((k, 5), -1, dtype=np.int64)
        for j, c in enumerate(corners):
            idx[:, j] = c[mask]
        polys.append((cell_id[mask] * 2 + sub, np.full(k, len(corners)), idx))

    add(pent, 0, p11, p10, p00, p01, right_11)  # fan from p11: grid-shaped
    add(partner, 0, p00, p01, p11)  # remaining half of the partner cell
    add(quad, 0, p00, p01, p11, p10)
    add(tri & diag, 0, p00, p01, p11)
    add(tri & diag, 1, p00, p11, p10)
    add(tri & ~diag, 0, p00, p01, p10)
    add(tri & ~diag, 1, p01, p11, p10)
    keys, sizes, padded = (np.concatenate(part) for part in zip(*polys))
    order = np.argsort(keys, kind='stable')
    sizes, padded = sizes[order], padded[order]
    poly = padded[np.arange(5)[None, :] < sizes[:, None]]
    chart = (uv[padded[:, 0], 0] >= -1e-9).astype(np.int64)  # of each polygon's first vertex
    return FaceTopology(spacing, uv, np.argwhere(inside), grid, poly, sizes.astype(np.int64), chart)


# ----------------------------------------------------------------------------
# Pose
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Pose:
    """Head pose: angles in degrees (yaw about y, pitch about x, roll about z), rotation about
    a pivot 80 mm behind the face, then ``translation`` (3,) mm."""
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    translation: Tuple[float, float, float] = (0.0, 0.0, 0.0)


def rotation_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """(3, 3) rotation R = Rz(roll) @ Ry(yaw) @ Rx(pitch), angles in degrees; positive yaw
    turns the face toward +x."""
    a, b, c = np.deg2rad([yaw, pitch, roll])
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


def random_pose(rng: np.random.Generator, max_deg: float = 4.0, max_mm: float = 3.0) -> Pose:
    """Pose jitter: angles ~ N(0, max_deg/2) and shifts ~ N(0, max_mm/2), clipped at max_deg /
    max_mm (consumes 6 normals)."""
    ang = np.clip(rng.standard_normal(3) * max_deg / 2, -max_deg, max_deg)
    shift = np.clip(rng.standard_normal(3) * max_mm / 2, -max_mm, max_mm)
    return Pose(float(ang[0]), float(ang[1]), float(ang[2]), tuple(float(s) for s in shift))


# ----------------------------------------------------------------------------
# The whole scan
# ----------------------------------------------------------------------------
@dataclass
class FaceScan:
    """A synthetic scan, ready for :func:`write_vrml`.

    Attributes:
        vertices: (V, 3) float64 mm.
        polygons: (N,) int64 VRML ``coordIndex``: each polygon's vertex indices followed by -1
            (sizes 3, 4 and 5).
        texcoords: (T, 2) float64 in [0, 1].
        tex_polygons: (N,) int64 ``texCoordIndex`` (as ``polygons``, indexing ``texcoords``).
        landmarks: (83,) int64 vertex indices of the landmarks.
        rest: (V, 3) float64 the neutral face: the points before expression, pose and noise.
    """
    vertices: np.ndarray
    polygons: np.ndarray
    texcoords: np.ndarray
    tex_polygons: np.ndarray
    landmarks: np.ndarray
    rest: np.ndarray

    def triangles(self) -> np.ndarray:
        """(F, 3) int64 fan triangulation of ``polygons``."""
        return fan_triangulate(self.polygons)


def fan_triangulate(index: np.ndarray) -> np.ndarray:
    """VRML index list (polygons closed by -1) -> (F, 3) fan triangles."""
    index = np.asarray(index, dtype=np.int64)
    ends = np.flatnonzero(index < 0)
    starts = np.concatenate(([0], ends[:-1] + 1))
    return fan_triangles(index, starts, ends - starts)


def _landmark_vertices(xy: np.ndarray, idn: Identity) -> np.ndarray:
    """Nearest rest vertex (in x, y) to each landmark, lips on their side."""
    pts, side = landmark_points(idn)
    d2 = (pts[:, :1] - xy[:, 0])**2 + (pts[:, 1:] - xy[:, 1])**2  # (83, V)
    above = xy[:, 1] > idn.mouth_y
    wrong = ((side[:, None] > 0) & ~above[None, :]) | ((side[:, None] < 0) & above[None, :])
    d2[wrong] += 1e6
    return d2.argmin(axis=1)


def _hole_mask(topo: FaceTopology, xy: np.ndarray, landmarks: np.ndarray,
               idn: Identity, rng: np.random.Generator) -> np.ndarray:
    """(V,) bool, True for vertices removed by 2-5 small holes (1.5-4.5 mm radius), half near
    eyes/nostrils, never within one grid step of a landmark. Consumes a fixed number of draws."""
    n = int(rng.integers(2, 6))
    e, ey, by = 0.5 * idn.eye_spacing, idn.eye_height, idn.eye_height + idn.brow_height
    near = np.array([(-e, ey), (e, ey), (-8.0, idn.tip_y - 7), (8.0, idn.tip_y - 7), (-e, by),
                     (e, by)])
    pick = near[rng.integers(0, len(near), 5)] + rng.normal(0, 4, (5, 2))
    anywhere = xy[rng.integers(0, len(xy), 5)]
    centres = np.where((rng.random(5) < 0.5)[:, None], pick, anywhere)[:n]
    radius = rng.uniform(1.5, 4.5, 5)[:n]
    d2 = ((xy[:, None, :] - centres[None])**2).sum(axis=2)
    hole = (d2 < radius**2).any(axis=1)
    protect = np.zeros(topo.grid.shape, dtype=bool)
    d = np.arange(-1, 2)  # the 3 x 3 grid nodes around each landmark
    protect[np.clip(topo.rc[landmarks, 0, None, None] + d[:, None], 0, protect.shape[0] - 1),
            np.clip(topo.rc[landmarks, 1, None, None] + d, 0, protect.shape[1] - 1)] = True
    return hole & ~protect[topo.rc[:, 0], topo.rc[:, 1]]


def synthesize_face(identity: Identity, activations=None, *, resolution: int = 4000,
                    pose: Optional[Pose] = None, rng: Union[None, int, np.random.Generator] = None,
                    noise_mm: float = 0.25, holes: bool = True,
                    sample_jitter: float = 0.2) -> FaceScan:
    """Build one scan; the same arguments and seed give the same scan.

    Args:
        activations: (A,) array or {AU name: activation} (None = neutral), applied as given
            (:func:`expressions.au_activations` multiplies by ``identity.au_style``).
        resolution: approximate vertex count (:func:`face_topology`).
        pose: head pose (None = frontal, no shift).
        rng: generator or seed for sampling jitter, noise and holes.
        noise_mm: sd of the sensor noise along z (x, y get a third of it).
        holes: punch 2-5 small holes (:func:`_hole_mask`).
        sample_jitter: in-plane jitter of the sample grid, in grid steps.
    """
    rng = np.random.default_rng(rng)
    topo = face_topology(int(resolution))
    scale = np.array([0.5 * identity.face_width, 0.5 * identity.face_height])
    step = topo.spacing * scale / np.array([0.5 * _W0, 0.5 * _H0])
    xy = topo.uv * scale + rng.uniform(-1, 1, topo.uv.shape) * sample_jitter * step
    x, y = xy[:, 0], xy[:, 1]
    rest = np.column_stack([x, y, neutral_depth(x, y, identity)])
    lmk = _landmark_vertices(xy, identity)
    verts = rest + au_displacement(x, y, identity, activations)
    if pose is not None:
        rot = rotation_matrix(pose.yaw, pose.pitch, pose.roll)
        shift = _HEAD_PIVOT + np.asarray(pose.translation)
        verts = np.einsum('nj,ij->ni', verts - _HEAD_PIVOT, rot) + shift
    verts = verts + rng.standard_normal(verts.shape) * noise_mm * np.array([1 / 3, 1 / 3, 1.0])
    remove = _hole_mask(topo, xy, lmk, identity, rng) if holes else np.zeros(len(xy), bool)
    return _assemble(topo, verts, rest, lmk, remove)


def _assemble(topo: FaceTopology, verts, rest, lmk, remove) -> FaceScan:
    """Drop removed vertices and their polygons; build the VRML index lists and the seamed
    texture atlas."""
    starts = np.concatenate(([0], np.cumsum(topo.sizes)[:-1]))
    keep_poly = np.add.reduceat(remove[topo.poly].astype(np.int64), starts) == 0
    sizes = topo.sizes[keep_poly]
    poly = topo.poly[np.repeat(keep_poly, topo.sizes)]
    chart = np.repeat(topo.chart[keep_poly], sizes)
    used = np.zeros(len(verts), dtype=bool)
    used[poly] = True
    used[lmk] = True
    new_id = np.cumsum(used) - 1
    poly = new_id[poly]
    # texture atlas: one uv per (vertex, chart) pair -> seam at x = 0; the atlas is stored
    # column-major, so its indices differ from coordIndex
    uv, rc = topo.uv[used], topo.rc[used]
    pairs, tex_of_corner = np.unique(poly * 2 + chart, return_inverse=True)
    pv, pc = pairs // 2, pairs % 2
    order = np.lexsort((rc[pv, 0], rc[pv, 1], pc))
    tex_poly = np.argsort(order)[tex_of_corner]  # the inverse permutation of order
    u = 0.5 + 0.47 * uv[pv, 0] + np.where(pc == 1, 0.02, -0.02)
    texcoords = np.column_stack([u, 0.5 + 0.48 * uv[pv, 1]])[order]
    return FaceScan(vertices=verts[used], polygons=_with_terminators(poly, sizes),
                    texcoords=np.clip(texcoords, 0.0, 1.0),
                    tex_polygons=_with_terminators(tex_poly, sizes), landmarks=new_id[lmk],
                    rest=rest[used])


def _with_terminators(flat: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated polygon indices + sizes -> VRML list closed by -1s."""
    out = np.full(len(flat) + len(sizes), -1, dtype=np.int64)
    out[np.arange(len(flat)) + np.repeat(np.arange(len(sizes)), sizes)] = flat
    return out

