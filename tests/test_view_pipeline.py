"""The scan -> views pipeline (datasets/transforms/scan_to_views.py) that
prepare_data and infer build from a config's data_preparation."""
import numpy as np
import pytest

from smilezoo.datasets.sources import ScanSource, SequenceSource
from smilezoo.datasets.temporal import dynamic_image
from smilezoo.datasets.transforms import LoadCachedViews, build_view_pipeline
from smilezoo.datasets.transforms.scan_to_views import sequence_normalisation
from smilezoo.renderers import MultiViewRenderer, normalisation
from smilezoo.renderers.geometry_checks import GeometryError
from smilezoo.structures import Mesh


def bump(height: float, shift=(0.0, 0.0, 0.0)) -> Mesh:
    """A 21 x 21 grid surface z = height * exp(-r^2), moved by ``shift``."""
    u = np.linspace(-1, 1, 21)
    x, y = np.meshgrid(u, u)
    v = np.stack([x, y, height * np.exp(-(x * x + y * y) * 3)], -1).reshape(-1, 3)
    idx = np.arange(x.size).reshape(x.shape)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.concatenate([np.stack([a, b, d], -1).reshape(-1, 3),
                            np.stack([a, d, c], -1).reshape(-1, 3)])
    return Mesh((v + np.float32(shift)).astype(np.float32), faces)


class Frames(SequenceSource):
    """Frames named 'h<height>' (a bump of that height, shifted with it)."""

    def read_frame(self, path):
        h = float(path.rsplit('h', 1)[1])
        return bump(h, (0.0, 0.0, h))


class Scans(ScanSource):
    def load(self, record):
        return bump(0.5)


def test_given_normalisation_renders_like_the_mesh_own():
    mesh, renderer = bump(0.4), MultiViewRenderer(image_size=24)
    assert np.array_equal(renderer.render(mesh, normalisation=normalisation(mesh.vertices)),
                          renderer.render(mesh))


def test_scan_pipeline_gives_the_checked_uint8_views():
    renderer = MultiViewRenderer(image_size=24)
    pipeline = build_view_pipeline(Scans(), dict(type='MultiViewRenderer', image_size=24))
    out = pipeline(dict(source_path='a.wrl'))
    expected = np.clip(np.rint(renderer.render(bump(0.5)) * 255), 0, 255).astype(np.uint8)
    assert out['views'].dtype == np.uint8 and np.array_equal(out['views'], expected)
    assert 'mesh' not in out
    flat = Mesh(np.zeros((50, 3), np.float32))  # degenerate: refused, not rendered
    with pytest.raises(GeometryError):
        build_view_pipeline(None, renderer, read_file=lambda path: flat)(
            dict(source_path='flat.ply'))


def test_sequence_pipeline_normalises_frames_together_and_pools():
    names = [f'S/seq/h{h:.2f}' for h in np.linspace(0.1, 0.6, 6)]
    source = Frames('/nowhere', num_frames_sampled=4, min_frames=2)
    renderer = MultiViewRenderer(image_size=24)
    pipeline = build_view_pipeline(source, renderer)
    assert [type(t).__name__ for t in pipeline.transforms] == [
        'LoadSequenceFrames', 'NormaliseFrames', 'RenderViews', 'PoolDynamicImage', 'ToUint8']
    record = dict(source_path='S/seq', frames=names, num_frames=6, missing_frames=['S/seq/x'])
    out = pipeline(dict(record))
    used = [names[i] for i in dict.fromkeys(source.sample(record).tolist())]
    assert out['frames_used'] == used
    assert out['frame_problems'] == [dict(frame='S/seq/x',
                                          reason='missing: gap in the frame numbering')]
    meshes = [source.read_frame(n) for n in (names[i] for i in source.sample(record))]
    norm = sequence_normalisation(meshes)
    stack = np.stack([renderer.render(m, normalisation=norm) for m in meshes])
    expected = np.clip(np.rint(dynamic_image(stack) * 255), 0, 255).astype(np.uint8)
    assert np.array_equal(out['views'], expected)
    # the shift moves every frame alike: one normalisation for all keeps it
    # as motion (per-frame normalisation would centre it away)
    per_frame = np.stack([renderer.render(m) for m in meshes])
    assert not np.array_equal(expected, np.clip(np.rint(dynamic_image(per_frame) * 255), 0,
                                                255).astype(np.uint8))


def test_sequence_pipeline_reads_a_users_frames_with_the_given_reader():
    source = Frames('/nowhere', num_frames_sampled=3, min_frames=2)
    read = []
    pipeline = build_view_pipeline(source, MultiViewRenderer(image_size=16),
                                   read_file=lambda p: read.append(p) or bump(0.3 + len(read)))
    frames = ['/data/user/f1.obj', '/data/user/f2.obj', '/data/user/f3.obj']
    out = pipeline(dict(source_path='/data/user', frames=frames, num_frames=3))
    assert read == frames and out['views'].shape == (3, 3, 16, 16)


def test_load_cached_views_keeps_rendered_views():
    views = np.zeros((3, 3, 8, 8), np.uint8)
    assert LoadCachedViews()(dict(views=views))['views'] is views
    with pytest.raises(ValueError, match='expected'):
        LoadCachedViews()(dict(views=views[0]))
