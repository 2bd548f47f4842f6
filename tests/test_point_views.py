"""Point views (PointViewRenderer): visible surface only, on the mesh, cached as
float16 (N, P, C) with the view cache's guarantees; point augmentations; infer
with a point config."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from pipeline_helpers import ROOT, run_tool
from smilezoo.renderers import PointViewRenderer, normalisation
from smilezoo.renderers.geometry_checks import GeometryError, checked_render
from smilezoo.structures import Mesh

TINY_POINTS = ROOT / 'tests' / 'configs' / 'tiny_points.py'
YAWS = (-60.0, 0.0, 45.0, 180.0)


@pytest.fixture(scope='module')
def sphere():
    import open3d as o3d
    s = o3d.geometry.TriangleMesh.create_sphere(radius=2.0, resolution=40)
    s.translate((0.5, -0.3, 1.0))
    return Mesh(np.asarray(s.vertices, np.float32), np.asarray(s.triangles))


def scan_frame(views, renderer, vertices):
    """(N, P, 6) camera-frame views -> (N, P, 3) points in the scan's own units."""
    centre, scale = normalisation(vertices)
    return np.einsum('npi,nij->npj', views[..., :3].astype(np.float64),
                     renderer.rotations) * scale + centre


@pytest.mark.parametrize('kind', ['mesh', 'points'])
def test_point_views_lie_on_the_surface_facing_each_view(sphere, kind):
    import open3d as o3d
    renderer = PointViewRenderer(yaws=YAWS, pitches=(0, 30, -20, 0), num_points=256,
                                 ray_grid=48)
    scan = sphere if kind == 'mesh' else sphere.vertices
    views = checked_render(renderer, scan)
    assert views.shape == (len(YAWS), 256, 6) and views.dtype == np.float32
    assert np.allclose(np.linalg.norm(views[..., 3:], axis=-1), 1, atol=1e-4)
    assert (views[..., 5] >= 0).all()  # normals turned toward the camera
    pts = scan_frame(views, renderer, sphere.vertices)
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.t.geometry.TriangleMesh.from_legacy(
        o3d.geometry.TriangleMesh(o3d.utility.Vector3dVector(sphere.vertices.astype(float)),
                                  o3d.utility.Vector3iVector(sphere.faces))))
    dist = scene.compute_distance(pts.reshape(-1, 3).astype(np.float32)).numpy()
    assert dist.max() < 1e-3 * 2.0  # on the mesh (radius 2)
    # facing: the outward direction of the sphere . the direction to the camera
    outward = (pts - np.float64([0.5, -0.3, 1.0])) / 2.0
    facing = np.einsum('npj,nj->np', outward, renderer.rotations[:, 2])
    assert facing.min() > -0.1, facing.min()  # the back half never appears
    # and the whole front is covered (points spread over the hemisphere: mean ~0.5)
    assert (facing.mean(1) > 0.4).all() and ((facing > 0.8).mean(1) > 0.1).all()
    # yaw 180 sees the other side than yaw 0
    assert np.linalg.norm(pts[1].mean(0) - pts[3].mean(0)) > 1.0


def test_sampling_is_seeded_per_scan_and_too_few_points_are_refused(sphere):
    renderer = PointViewRenderer(num_points=128, ray_grid=32)
    a, b = renderer.render(sphere), renderer.render(sphere)
    assert np.array_equal(a, b)
    other = PointViewRenderer(num_points=128, ray_grid=32, seed=1).render(sphere)
    assert not np.array_equal(a, other)
    uniform = PointViewRenderer(num_points=128, ray_grid=32, sampling='uniform')
    assert np.array_equal(uniform.render(sphere), uniform.render(sphere))
    with pytest.raises(GeometryError, match='min_visible'):
        checked_render(PointViewRenderer(num_points=128, ray_grid=8, min_visible=64), sphere)


def test_point_view_cache_float16_reuse_and_rerender(synthetic_tree, tmp_path):
    from smilezoo.datasets.transforms import LoadCachedViews
    from smilezoo.datasets.view_cache import prepare_view_cache
    source = dict(type='BU3DFEScans', data_root=str(synthetic_tree), scan_type='F3D')
    renderer = dict(type='PointViewRenderer', num_points=64, ray_grid=24, min_visible=32)
    cache = tmp_path / 'cache'
    first = prepare_view_cache(source, renderer, str(cache), progress=False, limit=3)
    assert first['rendered'] == 3, first
    files = sorted(cache.glob('views/**/*.npy'))
    arrays = [np.load(f) for f in files]
    assert len(arrays) == 3 and all(a.shape == (3, 64, 6) and a.dtype == np.float16
                                    for a in arrays)
    entry = json.loads(Path(str(files[0])[:-4] + '.entry.json').read_text())
    assert entry['views']['dtype'] == '<f2' and entry['views']['shape'] == [3, 64, 6]
    again = prepare_view_cache(source, renderer, str(cache), progress=False, limit=3)
    assert again['reused'] == 3 and again['rendered'] == 0, again
    assert all(np.array_equal(np.load(f), a) for f, a in zip(files, arrays))
    loaded = LoadCachedViews()(dict(views=str(files[0])))['views']
    assert loaded.dtype == np.float16 and loaded.shape == (3, 64, 6)
    changed = prepare_view_cache(source, dict(renderer, num_points=96), str(cache),
                                 progress=False, limit=3)
    assert changed['rendered'] == 3 and changed['render_reasons'] == {'settings changed': 3}
    assert np.load(files[0]).shape == (3, 96, 6)


def test_point_augment_keeps_shapes_points_and_is_seeded():
    from smilezoo.models.augments import BatchPointAugment
    torch.manual_seed(0)
    xyz = torch.rand(8, 200, 3) * 2 - 1
    x = torch.cat([xyz, torch.nn.functional.normalize(torch.randn(8, 200, 3), dim=-1)], -1)
    aug = BatchPointAugment()
    torch.manual_seed(1)
    y = aug(x)
    torch.manual_seed(1)
    assert torch.equal(aug(x), y) and y.shape == x.shape
    assert not torch.equal(aug(x), y)  # another draw
    assert torch.allclose(y[..., 3:].norm(dim=-1), torch.ones(8, 200), atol=1e-5)
    # no rotation/scale/jitter: every output point is an input point of the same
    # view, and dropout/crop leave duplicates in place of the dropped ones
    plain = BatchPointAugment(rotate=0, scale=(1, 1), jitter_std=0, drop_max=0.5,
                              crop_prob=1.0, crop_keep=(0.5, 0.5))
    z = plain(x)
    same = (z[:, :, None, :3] == x[:, None, :, :3]).all(-1)  # (8, 200 out, 200 in)
    assert same.any(-1).all()
    kept = same.any(1).sum(1)  # distinct input points that survived, per view
    assert (kept <= 100).all() and (kept >= 20).all()
    x9 = torch.cat([x, xyz], -1)
    assert BatchPointAugment()(x9).shape == x9.shape


def test_point_preprocessor_casts_float16_and_refuses_images():
    from smilezoo.models.data_preprocessors import PointViewDataPreprocessor
    pre = PointViewDataPreprocessor(in_channels=6)
    out = pre(dict(inputs=torch.rand(2, 3, 64, 6).half(), data_samples=[{}, {}]))
    assert out['inputs'].dtype == torch.float32 and out['inputs'].shape == (2, 3, 64, 6)
    with pytest.raises(ValueError, match='PointViewRenderer'):
        pre(dict(inputs=torch.zeros(2, 3, 3, 8, 8, dtype=torch.uint8)))


def test_infer_predicts_raw_scans_with_a_point_model(synthetic_tree, tmp_path, capsys):
    import open3d as o3d
    from smilezoo.datasets.formats import read_scan
    from smilezoo.registry import MODELS
    torch.manual_seed(0)
    cfg = Config.fromfile(TINY_POINTS)
    model = MODELS.build(cfg.model).eval()
    ckpt = tmp_path / 'points.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    inputs = tmp_path / 'in'
    inputs.mkdir()
    scan = sorted(Path(synthetic_tree).glob('F0001/*HA04*F3D.wrl'))[0]
    mesh = read_scan(str(scan))
    (inputs / scan.name).write_bytes(scan.read_bytes())
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(mesh.vertices.astype(float)))
    o3d.io.write_point_cloud(str(inputs / 'cloud.ply'), cloud)
    out = tmp_path / 'out'
    run_tool('tools/infer.py', TINY_POINTS, ckpt, inputs, '--out', out)
    report = json.loads((out / 'predictions.json').read_text())
    assert not report['errors'], report['errors']
    preds = {Path(p['path']).name: p for p in report['predictions']}
    assert sorted(preds) == sorted([scan.name, 'cloud.ply'])
    for p in preds.values():
        assert p['predicted_class'] in cfg.class_names
        assert sorted(p['view_weights']) == ['front', 'left', 'right']
    # pictures are drawn from images: --save-vis with point views is a usage error
    spec = importlib.util.spec_from_file_location('infer_tool', ROOT / 'tools' / 'infer.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(TINY_POINTS), str(ckpt), str(inputs), '--out', str(tmp_path / 'vis'),
                   '--save-vis'])
    assert exit_info.value.code == 2 and 'point views' in capsys.readouterr().err
    assert not (tmp_path / 'vis').exists()


def test_pool_point_frames_gives_the_displacement_from_the_first_frame():
    from smilezoo.datasets.transforms import PoolPointFrames
    rng = np.random.default_rng(0)
    first = rng.normal(size=(2, 50, 6)).astype(np.float32)
    moved = first.copy()
    moved[..., :3] += np.float32([0.01, -0.02, 0.005])  # a small, rigid move
    views = PoolPointFrames()(dict(frame_views=np.stack([first, first, moved])))['views']
    assert views.shape == (2, 50, 9)
    assert np.array_equal(views[..., :6], moved)
    assert np.allclose(views[..., 6:], [0.01, -0.02, 0.005], atol=1e-6)
    still = PoolPointFrames()(dict(frame_views=np.stack([first, first])))['views']
    assert np.abs(still[..., 6:]).max() == 0
