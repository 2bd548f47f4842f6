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
from smilezoo.datasets.sources import SequenceSource
from smilezoo.datasets.transforms import build_view_pipeline
from smilezoo.datasets.transforms.scan_to_views import sequence_normalisation
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


# --------------------------------------------------------------------------
# 4D: a sequence -> point views with C = 9 (docs/datasets.md "Point views":
# the last sampled frame's points, then each point's displacement from the
# nearest point of the first sampled frame's view, one normalisation for the
# whole sequence)
# --------------------------------------------------------------------------
SEQ_RENDERER = dict(type='PointViewRenderer', num_points=128, ray_grid=10, min_visible=16)
STEP = 0.02  # frame k of a moving sequence is the bump moved by k * STEP along +z


def moved_bump(k: int) -> Mesh:
    """The bump of test_view_pipeline.py moved by k * STEP along +z."""
    from test_view_pipeline import bump
    return bump(0.5, (0.0, 0.0, STEP * k))


class MovingFrames(SequenceSource):
    """Frames named '.../<k>.obj': moved_bump(k); '.../still<k>.obj': moved_bump(0)."""

    def read_frame(self, path):
        name = path.rsplit('/', 1)[1][:-len('.obj')]
        return moved_bump(0 if name.startswith('still') else int(name))


def expected_point_views(renderer, first, last, norm):
    """The documented definition, written out: (N, P, 9) = the last frame's
    (N, P, 6) views and, per point, its xyz minus the xyz of the nearest point
    of the first frame's view."""
    a = renderer.render(first, normalisation=norm)
    b = renderer.render(last, normalisation=norm)
    out = np.zeros(b.shape[:2] + (9,), np.float32)
    for n in range(len(b)):
        d = np.linalg.norm(b[n, :, None, :3] - a[n, None, :, :3], axis=-1)  # (P, P)
        out[n] = np.concatenate([b[n], b[n, :, :3] - a[n, d.argmin(1), :3]], -1)
    return out


def test_sequence_point_views_are_the_last_frame_and_its_displacement():
    renderer = PointViewRenderer(**{k: v for k, v in SEQ_RENDERER.items() if k != 'type'})
    source = MovingFrames('/nowhere', num_frames_sampled=3, min_frames=2)
    pipeline = build_view_pipeline(source, renderer)
    assert [type(t).__name__ for t in pipeline.transforms] == [
        'LoadSequenceFrames', 'NormaliseFrames', 'RenderViews', 'PoolPointFrames', 'ToFloat16']
    frames = [f'S/move/{k}.obj' for k in range(5)]
    record = dict(source_path='S/move', frames=frames, num_frames=5)
    sampled = source.sample(record).tolist()
    assert (sampled[0], sampled[-1]) == (0, 4)  # the first and last sampled: 4 * STEP apart
    results = dict(record)
    for step in pipeline.transforms[:-1]:  # up to PoolPointFrames: float32 in the pipeline
        results = step(results)
    pooled = results['views']
    assert pooled.shape == (3, 128, 9) and pooled.dtype == np.float32
    norm = sequence_normalisation([moved_bump(k) for k in dict.fromkeys(sampled)])
    assert np.array_equal(pooled, expected_point_views(renderer, moved_bump(0), moved_bump(4),
                                                       norm))
    assert np.array_equal(pooled[..., :6], renderer.render(moved_bump(4), normalisation=norm))
    # the front view (yaw 0) looks along z: a move along z keeps every ray's
    # hit, so each point's nearest first-frame point is its own earlier
    # position and the displacement is the move itself, in normalised units
    assert np.allclose(renderer.rotations[1], np.eye(3))
    move = np.float32([0.0, 0.0, 4 * STEP / norm[1]])
    assert np.abs(pooled[1, :, 6:] - move).max() < 1e-5, np.abs(pooled[1, :, 6:] - move).max()
    assert np.abs(pooled[[0, 2], :, 6:]).max() > 0.5 * move[2]  # the side views see it too
    stored = pipeline(dict(record))['views']  # as the cache stores it
    assert stored.dtype == np.float16 and np.array_equal(stored, pooled.astype(np.float16))
    # a still face: frames of identical geometry give displacements of exactly 0
    still = dict(source_path='S/still', frames=[f'S/still/still{k}.obj' for k in range(5)],
                 num_frames=5)
    views = pipeline(still)['views']
    assert views.shape == (3, 128, 9) and views.dtype == np.float16
    assert np.abs(views[..., 6:]).max() == 0
    own = sequence_normalisation([moved_bump(0)])
    assert np.array_equal(views[..., :6],
                          renderer.render(moved_bump(0), normalisation=own).astype(np.float16))


def test_sequence_point_view_cache_is_float16_with_nine_channels(tmp_path):
    from smilezoo.datasets.formats import write_obj
    from smilezoo.datasets.transforms import LoadCachedViews
    from smilezoo.datasets.view_cache import prepare_view_cache
    from smilezoo.models.data_preprocessors import PointViewDataPreprocessor
    root = tmp_path / 'bp4d'
    for task, frame in (('T1', lambda k: moved_bump(0)), ('T8', moved_bump)):
        for k in range(5):  # T1: a still face; T8: moving by STEP a frame
            mesh = frame(k)
            write_obj(root / 'F001' / task / f'{k:04d}.obj', mesh.vertices, mesh.faces,
                      precision=6)
    source = dict(type='BP4DSequences', data_root=str(root), num_frames_sampled=3,
                  min_frames=2)
    cache = tmp_path / 'cache'
    report = prepare_view_cache(source, SEQ_RENDERER, str(cache), progress=False)
    assert report['rendered'] == 2, report
    ann = json.loads((cache / 'annotations.json').read_text())
    # the cache says how the frames were pooled (not the image path's rank pooling)
    temporal = ann['metainfo']['temporal']
    assert temporal['pooling'] == 'last_frame_with_displacement', temporal
    assert 'rescale' not in temporal and temporal['num_frames_sampled'] == 3
    views = {e['source_path']: LoadCachedViews()(dict(views=str(cache / e['views'])))['views']
             for e in ann['data_list']}
    assert sorted(views) == ['F001/T1', 'F001/T8']
    for v in views.values():
        assert v.shape == (3, 128, 9) and v.dtype == np.float16
    assert np.abs(views['F001/T1'][..., 6:]).max() == 0
    moving = views['F001/T8'].astype(np.float32)
    sampled = [moved_bump(k) for k in (0, 2, 4)]  # 3 of 5 frames, uniform
    scale = sequence_normalisation(sampled)[1]
    # the front view's displacement is the move (float16, and 6-digit obj files)
    assert np.abs(moving[1, :, 6:] - [0.0, 0.0, 4 * STEP / scale]).max() < 1e-3
    # the model side: (B, N, P, 9) float32
    pre = PointViewDataPreprocessor(in_channels=9)
    batch = torch.from_numpy(np.stack([views['F001/T1'], views['F001/T8']]))
    out = pre(dict(inputs=batch, data_samples=[{}, {}]))
    assert out['inputs'].dtype == torch.float32 and out['inputs'].shape == (2, 3, 128, 9)
