"""The face-region crop (smilezoo.renderers.face_crop): a synthetic face with
an added skull cap, neck, shoulders and a chest that protrudes beyond the
nose, rendered with the crop, fills the views as the cropped face alone does;
without the crop it does not. Plus the nose tip (geometry / landmarks), the
errors, the sequence crop, and the config keys (prepare_data, infer)."""
import ast
import copy

import numpy as np
import pytest
from mmengine.config import Config

from pipeline_helpers import ROOT
from smilezoo.datasets.synthetic import sample_identity, synthesize_face
from smilezoo.datasets.synthetic.face_model import NOSE_TIP
from smilezoo.registry import TRANSFORMS
from smilezoo.renderers import FaceCrop, MultiViewRenderer
from smilezoo.renderers.face_crop import build_face_crop
from smilezoo.structures import Mesh


# --------------------------------------------------------------------------
# a face, and the same face with hair, neck and shoulders
# --------------------------------------------------------------------------
def _grid_triangles(rows: int, cols: int) -> np.ndarray:
    i = (np.arange(rows - 1)[:, None] * cols + np.arange(cols - 1)[None]).ravel()
    return np.concatenate([np.stack([i, i + 1, i + cols], 1),
                           np.stack([i + 1, i + cols + 1, i + cols], 1)])


def _tube(a, b, zc, y0, y1, n_theta=48, n_y=12):
    """Elliptic tube around the vertical axis (x = 0, z = zc), y0 .. y1 (mm)."""
    t, y = np.meshgrid(np.linspace(0, 2 * np.pi, n_theta), np.linspace(y0, y1, n_y))
    pts = np.stack([a * np.cos(t), y, zc + b * np.sin(t)], -1).reshape(-1, 3)
    return pts, _grid_triangles(n_y, n_theta)


def _skull(centre, r, z_max, n=40):
    """Sphere of radius r around centre, only its part behind z_max (hair)."""
    th, ph = np.meshgrid(np.linspace(0, np.pi, n), np.linspace(0, 2 * np.pi, n))
    pts = np.stack([r * np.sin(th) * np.cos(ph), centre[1] + r * np.cos(th),
                    centre[2] + r * np.sin(th) * np.sin(ph)], -1).reshape(-1, 3)
    tris = _grid_triangles(n, n)
    return pts, tris[(pts[:, 2] < z_max)[tris].all(axis=1)]


def _merge(parts) -> Mesh:
    verts, faces, offset = [], [], 0
    for v, f in parts:
        verts.append(v)
        faces.append(f + offset)
        offset += len(v)
    return Mesh(np.concatenate(verts).astype(np.float32), np.concatenate(faces))


@pytest.fixture(scope='module')
def scans():
    """(cropped face, face + skull cap + neck + torso, true nose tip (3,)).

    Millimetres, y up, face toward +z (the synthetic model's frame): the face
    is the 150 x 200 mm crop of smilezoo's face model (nose tip at z ~ 26);
    the torso's front reaches z = 30, beyond the nose tip."""
    scan = synthesize_face(sample_identity(0, 'F'), resolution=1500, rng=0)
    face = (scan.vertices, scan.triangles())
    body = _merge([face, _tube(55, 50, -75, -60, -250), _tube(190, 105, -75, -235, -340),
                   _skull((0, 5, -85), 105, -55)])
    return Mesh(*map(np.asarray, face)), body, scan.vertices[scan.landmarks[NOSE_TIP]]


def footprint(views: np.ndarray):
    """(N, C, H, W) views -> per view (foreground share, bbox rows, bbox cols)
    and the (N, H, W) foreground masks."""
    masks = (views != 0).any(axis=1)
    stats = []
    for m in masks:
        rows, cols = np.flatnonzero(m.any(1)), np.flatnonzero(m.any(0))
        stats.append((m.mean(), rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1))
    return np.array(stats), masks


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


# --------------------------------------------------------------------------
# the crop
# --------------------------------------------------------------------------
def test_nose_tip_from_geometry_is_not_fooled_by_chest_or_hair(scans):
    face, body, tip = scans
    assert body.vertices[:, 2].max() > tip[2] + 3  # the chest protrudes more
    assert body.vertices[:, 1].max() > face.vertices[:, 1].max() + 10  # hair on top
    found = FaceCrop().nose_tip(body)
    assert np.linalg.norm(found - tip) < 3.0
    # the cropped face alone gives the same tip
    assert np.linalg.norm(FaceCrop().nose_tip(face) - tip) < 3.0


def test_nose_tip_from_landmarks(scans):
    face, body, tip = scans
    shifted = Mesh(body.vertices, body.faces, landmarks=np.array(
        [tip + [0, 30, -20], tip + [5, 0, 0], tip + [0, -40, -15]], np.float32))
    assert np.allclose(FaceCrop().nose_tip(shifted), tip + [5, 0, 0])  # the landmark wins
    assert not np.allclose(FaceCrop(use_landmarks=False).nose_tip(shifted), tip + [5, 0, 0])
    far = Mesh(body.vertices, body.faces, landmarks=np.array([tip + [0, 0, 60]], np.float32))
    with pytest.raises(ValueError, match='from the nearest vertex.*use_landmarks=False'):
        FaceCrop().nose_tip(far)


def test_rendered_face_fills_the_view_like_the_cropped_scan(scans):
    face, body, _ = scans
    plain = MultiViewRenderer(image_size=64)
    cropped = MultiViewRenderer(image_size=64, face_crop=dict(radius=100))
    ref, ref_mask = footprint(plain.render(face))  # the cropped release, as rendered
    got, got_mask = footprint(cropped.render(body))
    raw, raw_mask = footprint(plain.render(body))
    # with the crop: share within 0.05, bounding box within 10 % of the cropped scan's
    assert np.abs(got[:, 0] - ref[:, 0]).max() < 0.05
    assert (np.abs(got[:, 1:] - ref[:, 1:]) <= 0.1 * ref[:, 1:]).all()
    assert min(iou(a, b) for a, b in zip(got_mask, ref_mask)) > 0.85
    # without it the face is lost in the body: the test can fail
    assert (ref[:, 0] - raw[:, 0]).min() > 0.1
    assert max(iou(a, b) for a, b in zip(raw_mask, ref_mask)) < 0.7


def test_crop_keeps_the_face_and_drops_the_body(scans):
    face, body, tip = scans
    out = FaceCrop(radius=100).crop(body)
    assert len(out.vertices) < 0.6 * len(body.vertices)
    centre = FaceCrop().nose_tip(body)
    assert np.linalg.norm(out.vertices - centre, axis=1).max() <= 100 + 1e-3
    assert out.vertices[:, 1].min() > -120  # no shoulders (y < -235)
    assert out.faces.max() < len(out.vertices)
    assert len(out.faces) >= 0.95 * len(FaceCrop(radius=100).crop(face).faces)
    # point clouds too
    cloud = FaceCrop(radius=100).crop(Mesh(body.vertices))
    assert cloud.is_point_cloud and len(cloud.vertices) == len(out.vertices)


def test_crop_errors_name_the_key_and_the_units(scans):
    face, _, _ = scans
    metres = Mesh(face.vertices / 1000, face.faces)
    with pytest.raises(ValueError, match=r'face_crop.radius=100 is far larger.*0.1 for metres'):
        FaceCrop(radius=100).crop(metres)
    with pytest.raises(ValueError, match=r'only \d+ of \d+ vertices lie within face_crop.radius'):
        FaceCrop(radius=0.5).crop(face)
    for bad in (0, -3, float('nan')):
        with pytest.raises(ValueError, match='face_crop.radius must be > 0'):
            FaceCrop(radius=bad)
    with pytest.raises(ValueError, match='keys: radius'):
        build_face_crop(dict(radius=90, size=3))


def test_sequence_crop_uses_one_sphere(scans, monkeypatch):
    """Every frame is cut by the same sphere (median nose tip), so the crop
    boundary does not jitter; the view pipeline (prepare_data, infer) uses it."""
    _, body, tip = scans
    frames = [Mesh(body.vertices + np.float32([0, 0, dz]), body.faces) for dz in (0, 2, 4)]
    crop = FaceCrop(radius=100)
    out = crop.crop_sequence(frames)
    centre = np.median([crop.nose_tip(f) for f in frames], axis=0)
    for frame, got in zip(frames, out):
        expected = crop.crop(frame, centre)
        assert np.array_equal(got.vertices, expected.vertices)
    # the sphere is the median frame's, not each frame's own
    assert np.array_equal(out[1].vertices, crop.crop(frames[1]).vertices)
    assert len(out[0].vertices) != len(crop.crop(frames[0]).vertices)
    from smilezoo.datasets.sources import SequenceSource
    from smilezoo.datasets.transforms import build_view_pipeline

    class Source(SequenceSource):
        normalise, rescale, percentile = 'sequence', 'symmetric', 99.0

        def load_frames(self, record, read_frame=None):
            return frames + frames[-1:], []

        def sample(self, record):
            return np.array([0, 1, 2, 2])

    renderer = MultiViewRenderer(image_size=16, face_crop=dict(radius=100))
    calls = []
    real = renderer.face_crop.crop_sequence
    monkeypatch.setattr(renderer.face_crop, 'crop_sequence',
                        lambda meshes: calls.append(len(meshes)) or real(meshes))
    views = build_view_pipeline(Source('/nowhere'), renderer)(dict(frames=['a', 'b', 'c']))['views']
    assert calls == [3] and views.shape == (3, 3, 16, 16)


def test_face_crop_as_pipeline_step(scans):
    _, body, tip = scans
    step = TRANSFORMS.build(dict(type='FaceCrop', radius=100))
    out = step(dict(mesh=body))
    assert np.linalg.norm(out['face_centre'] - tip) < 3.0
    assert len(out['mesh'].vertices) < len(body.vertices)


# --------------------------------------------------------------------------
# config keys: off for the cropped releases, on for RAW / BP4D, --cfg-options
# --------------------------------------------------------------------------
@pytest.mark.parametrize('config, radius', [
    ('configs/smile_vlm_bu3dfe_subset1.py', None),
    ('configs/smile_vlm_bosphorus.py', None),
    ('configs/smile_vlm_bu4dfe.py', None),
    ('configs/smile_vlm_bp4d.py', 100.0),
    ('configs/smile_vlm_bu4dfe_to_bp4d.py', 100.0),
    ('configs/_base_/datasets/bu3dfe_subset1_raw.py', 100.0),
])
def test_config_face_crop(config, radius):
    cfg = Config.fromfile(ROOT / config)
    renderer = TRANSFORMS.build(copy.deepcopy(cfg.data_preparation.renderer))
    assert (renderer.face_crop is None) if radius is None else (
        renderer.face_crop.radius == radius)
    if 'raw' in config:
        assert cfg.data_preparation.source.scan_type == 'RAW'


def test_cfg_options_turn_the_crop_on_for_infer(scans, tmp_path):
    """tools/infer.py's --cfg-options key on a config without a crop: the
    inferencer renders a neck-and-shoulders scan like the cropped face."""
    import torch

    from smilezoo.apis import ExpressionInferencer, InferenceInput
    from smilezoo.datasets.formats import write_obj
    from smilezoo.registry import MODELS
    face, body, _ = scans
    tiny = ROOT / 'tests' / 'configs' / 'tiny_synthetic.py'
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': MODELS.build(Config.fromfile(tiny).model).state_dict()}, ckpt)
    write_obj(tmp_path / 'body.obj', body.vertices, body.faces)
    write_obj(tmp_path / 'face.obj', face.vertices, face.faces)
    item = lambda name: InferenceInput(str(tmp_path / name), 'scan')  # noqa: E731
    plain = ExpressionInferencer(tiny, ckpt)
    crop = ExpressionInferencer(tiny, ckpt, cfg_options={
        'data_preparation.renderer.face_crop.radius': 100})
    assert plain.renderer.face_crop is None and crop.renderer.face_crop.radius == 100
    ref, _ = footprint(plain.render(item('face.obj'))[0])
    got, _ = footprint(crop.render(item('body.obj'))[0])
    raw, _ = footprint(plain.render(item('body.obj'))[0])
    assert np.abs(got[:, 0] - ref[:, 0]).max() < 0.05
    assert (ref[:, 0] - raw[:, 0]).min() > 0.1


def test_face_crop_module_stays_in_a_low_layer():
    tree = ast.parse((ROOT / 'smilezoo' / 'renderers' / 'face_crop.py').read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    upper = [m for m in modules if m and m.startswith(('smilezoo.datasets.sources',
                                                       'smilezoo.engine', 'smilezoo.apis',
                                                       'smilezoo.models', 'tools'))]
    assert modules and not upper
    assert {'smilezoo.structures', 'smilezoo.registry'} >= {
        m for m in modules if m and m.startswith('smilezoo')}
