"""MultiViewRenderer: layout, conventions and mesh / point-cloud agreement."""
import numpy as np
import pytest

from smilezoo.structures import Mesh
from smilezoo.registry import TRANSFORMS
from smilezoo.renderers import MultiViewRenderer, view_rotation

ALL_MODES = ('depth', 'normal', 'shaded')


def grid_surface(xs, ys, height):
    """Mesh of z = height(x, y) over the grid xs x ys (row-major faces)."""
    x, y = np.meshgrid(xs, ys)
    vertices = np.stack([x, y, height(x, y)], -1).reshape(-1, 3)
    idx = np.arange(x.size).reshape(x.shape)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.concatenate([np.stack([a, b, d], -1).reshape(-1, 3),
                            np.stack([a, d, c], -1).reshape(-1, 3)])
    return Mesh(vertices.astype(np.float32), faces)


def merge(*meshes):
    offsets = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
    return Mesh(np.concatenate([m.vertices for m in meshes]),
                np.concatenate([m.faces + o for m, o in zip(meshes, offsets)]))


def plane(n=21):
    u = np.linspace(-1, 1, n)
    return grid_surface(u, u, lambda x, y: 0 * x)


def hemisphere(n=60):
    """Upper half of the unit sphere facing +z (the camera at yaw 0): one
    pole vertex, then n - 1 rings of 2n vertices (no duplicate points)."""
    m = 2 * n
    theta, phi = np.meshgrid(np.linspace(0, np.pi / 2, n)[1:],
                             np.linspace(0, 2 * np.pi, m, endpoint=False),
                             indexing='ij')
    rings = np.stack([np.sin(theta) * np.cos(phi),
                      np.sin(theta) * np.sin(phi), np.cos(theta)], -1)
    vertices = np.concatenate([[[0, 0, 1]], rings.reshape(-1, 3)])
    j = np.arange(m)
    cap = np.stack([np.zeros(m, int), 1 + j, 1 + (j + 1) % m], -1)
    i, j = np.meshgrid(np.arange(n - 2), j, indexing='ij')
    a, b = 1 + i * m + j, 1 + i * m + (j + 1) % m
    c, d = a + m, b + m
    faces = np.concatenate([cap, np.stack([a, c, d], -1).reshape(-1, 3),
                            np.stack([a, d, b], -1).reshape(-1, 3)])
    return Mesh(vertices.astype(np.float32), faces)


def test_shape_dtype_range_and_registry():
    renderer = TRANSFORMS.build(
        dict(type='MultiViewRenderer', image_size=32, modes=ALL_MODES))
    assert isinstance(renderer, MultiViewRenderer)
    assert renderer.num_channels == 5
    results = renderer(dict(mesh=hemisphere(), label=3))
    views = results['views']
    assert views.shape == (3, 5, 32, 32) and views.dtype == np.float32
    assert 0 <= views.min() and views.max() <= 1 and views.max() > 0.5
    np.testing.assert_array_equal(results['view_yaws'], [-30, 0, 30])
    np.testing.assert_array_equal(results['view_pitches'], [0, 0, 0])
    assert results['label'] == 3 and 'mesh' in results
    points = MultiViewRenderer(image_size=32, modes=('shaded', 'depth'),
                               drop_mesh=True)(
                                   dict(mesh=Mesh(hemisphere().vertices)))
    assert points['views'].shape == (3, 2, 32, 32) and 'mesh' not in points
    with pytest.raises(ValueError, match='unknown render modes'):
        MultiViewRenderer(modes=('depth', 'albedo'))


@pytest.mark.parametrize('points', [False, True])
def test_background_is_zero_outside_the_face(points):
    mesh = hemisphere()
    mesh = Mesh(mesh.vertices) if points else mesh
    views = MultiViewRenderer(yaws=(0, ), image_size=64,
                              modes=ALL_MODES).render(mesh)[0]
    # the rim (radius 1 normalised to ~1) projects inside radius ~1/1.15 of
    # the image half width; a margin of 4 px covers the splat radius
    rows, cols = np.mgrid[:64, :64]
    radius = np.hypot(rows + 0.5 - 32, cols + 0.5 - 32)
    outside = radius > 32 / 1.15 + 4
    assert (views[:, outside] == 0).all()
    assert (views[:, radius < 20] > 0).any(0).all()


@pytest.mark.parametrize('flip', [False, True])
def test_plane_facing_camera_has_constant_normal(flip):
    mesh = plane()
    if flip:  # either winding gives the camera-facing normal
        mesh.faces = mesh.faces[:, ::-1].copy()
    views = MultiViewRenderer(yaws=(0, ), image_size=32,
                              modes=('normal', 'shaded')).render(mesh)[0]
    foreground = views[3] > 0
    assert foreground.mean() > 0.3
    for channel, expected in enumerate((0.5, 0.5, 1.0, 1.0)):
        np.testing.assert_allclose(views[channel][foreground], expected,
                                   atol=1e-5)


def test_negative_yaw_shows_the_subjects_left():
    """A face looking to +z with a 'cheek' wall on its left (+x) side."""
    u = np.linspace(-1, 1, 21)
    front = plane()
    wall = grid_surface(u, u, lambda y, z: 0 * y)  # grid in (y, z) ...
    wall.vertices = np.stack([np.ones(len(u) ** 2), wall.vertices[:, 0],
                              (wall.vertices[:, 1] - 1) / 2], -1).astype(
                                  np.float32)  # ... at x = 1, z in [-1, 0]
    mesh = merge(front, wall)
    renderer = MultiViewRenderer(yaws=(-30, 0, 30), image_size=64)
    views = renderer.render(mesh)
    # the wall's normal is +x: camera-space x > 0 -> red channel near 0.93
    wall_pixels = (views[:, 0] > 0.8).sum((1, 2))
    assert wall_pixels[0] > 0.05 * 64 * 64
    assert wall_pixels[1] <= 2 and wall_pixels[2] == 0
    # and the rotation itself turns +x toward the camera (+z) for yaw < 0
    assert (view_rotation(-30) @ [1, 0, 0])[2] > 0.49
    assert (view_rotation(0, 30) @ [0, 1, 0])[2] > 0.49


def test_nearer_is_brighter_in_depth():
    """Two steps: the right half (x > 0) is nearer the camera."""
    u = np.linspace(-1, 1, 41)
    mesh = grid_surface(u, u, lambda x, y: np.where(x > 0, 0.5, 0.0))
    views = MultiViewRenderer(yaws=(0, ), image_size=64,
                              modes=('depth', )).render(mesh)[0, 0]
    # normalised, the surface spans x in [-0.7, 0.7]: columns 13 to 51
    left, right = views[22:42, 16:26], views[22:42, 38:48]
    assert (left > 0).all() and (right > 0).all()
    assert right.min() > left.max()
    # depth = (z + window) / (2 window): the steps are 0.5 / scale apart
    assert np.ptp(left) < 1e-5 and np.ptp(right) < 1e-5


def test_image_up_is_scan_up_and_right_is_plus_x():
    """A bump in the top-right (+x, +y) quadrant lands top-right."""
    u = np.linspace(-1, 1, 81)
    mesh = grid_surface(u, u, lambda x, y: 0.5 * np.exp(
        -((x - 0.5)**2 + (y - 0.5)**2) / 0.02))
    for m in (mesh, Mesh(mesh.vertices)):
        depth = MultiViewRenderer(yaws=(0, ), image_size=64,
                                  modes=('depth', )).render(m)[0, 0]
        row, col = np.unravel_index(np.argmax(depth), depth.shape)
        assert row < 32 and col > 32, (row, col)


def test_mesh_and_point_cloud_agree():
    mesh = hemisphere(80)
    renderer = MultiViewRenderer(image_size=64, modes=ALL_MODES)
    from_mesh = renderer.render(mesh)
    from_points = renderer.render(Mesh(mesh.vertices))
    assert from_mesh.shape == from_points.shape
    both = (from_mesh[:, 0] > 0) & (from_points[:, 0] > 0)
    assert both.sum() > 0.9 * (from_mesh[:, 0] > 0).sum()
    depth_error = np.abs(from_mesh[:, 0] - from_points[:, 0])[both]
    assert np.mean(depth_error < 0.02) > 0.9
    normal_error = np.abs(from_mesh[:, 1:4] - from_points[:, 1:4]).max(1)
    assert np.mean(normal_error[both] < 0.1) > 0.85


@pytest.mark.parametrize('points', [False, True])
def test_normalisation_invariance(points):
    mesh = hemisphere()
    moved = Mesh(mesh.vertices * 37.0 + np.float32([100, -50, 20]),
                 mesh.faces)
    if points:
        mesh, moved = Mesh(mesh.vertices), Mesh(moved.vertices)
    renderer = MultiViewRenderer(image_size=48, modes=ALL_MODES)
    error = np.abs(renderer.render(mesh) - renderer.render(moved))
    if not points:
        assert np.mean(error < 1e-3) > 0.995
    else:  # float32 rounding can hand a pixel to a neighbouring point
        assert error.mean() < 0.005 and np.quantile(error, 0.99) < 0.1
