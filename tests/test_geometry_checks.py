"""Degenerate geometry is refused before it is cached or predicted
(smilezoo.renderers.geometry_checks), and a truncated .obj is refused by
read_obj (issue 10, bullet 5). Tiny synthetic scans, 16-32 px views."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from pipeline_helpers import ROOT, TINY_CONFIG
from smilezoo.datasets.formats import read_obj, write_obj
from smilezoo.datasets.formats.vrml_writer import write_vrml
from smilezoo.renderers import MultiViewRenderer
from smilezoo.renderers.geometry_checks import (GeometryError, check_foreground, check_geometry,
                                                checked_render, foreground_shares)
from smilezoo.structures import Mesh, ScanFormatError

RENDERER = dict(type='MultiViewRenderer', yaws=(-30, 0, 30), image_size=16, modes=('normal', ))


@pytest.fixture(scope='module')
def face():
    """A small synthetic face scan (FaceScan: vertices, polygons, texcoords, ...)."""
    from smilezoo.datasets.synthetic import sample_identity, synthesize_face
    return synthesize_face(sample_identity(0), None, resolution=400, rng=0)


def write_wrl(path, face, vertices=None, polygons=None):
    write_vrml(path, face.vertices if vertices is None else vertices,
               face.polygons if polygons is None else polygons, face.texcoords,
               face.tex_polygons if polygons is None else polygons, 'tex.bmp')
    return path


def far_vertex(face):
    v = face.vertices.copy()
    v[5] = 1e30
    return v


def degenerate_tree(root, face):
    """BU-3DFE layout: two good scans and three degenerate ones."""
    sub = root / 'F0001'
    sub.mkdir(parents=True)
    write_wrl(sub / 'F0001_HA04WH_F3D.wrl', face)
    write_wrl(sub / 'F0001_SU04WH_F3D.wrl', face)
    write_wrl(sub / 'F0001_AN04WH_F3D.wrl', face, far_vertex(face))
    two = np.float32([[0, 0, 0], [10, 0, 0]])
    write_vrml(sub / 'F0001_DI04WH_F3D.wrl', two, [[0, 1, 1]], np.zeros((2, 2)), [[0, 1, 1]],
               'tex.bmp')
    write_wrl(sub / 'F0001_FE04WH_F3D.wrl', face, np.ones_like(face.vertices))
    return root


def test_prepare_data_skips_and_reports_degenerate_scans(face, tmp_path):
    from smilezoo.datasets.view_cache import prepare_view_cache
    tree = degenerate_tree(tmp_path / 'bu3dfe', face)
    source = dict(Config.fromfile(TINY_CONFIG).data_preparation.source.to_dict(),
                  data_root=str(tree))
    out = tmp_path / 'cache'
    report = prepare_view_cache(source, RENDERER, str(out), progress=False)
    assert report['found'] == 5 and report['converted'] == 2 and report['failed'] == 3
    on_disk = json.loads((out / 'prepare_report.json').read_text())
    reasons = {Path(s['source_path']).name: s['reason'] for s in on_disk['skipped']}
    assert set(reasons) == {'F0001_AN04WH_F3D.wrl', 'F0001_DI04WH_F3D.wrl',
                            'F0001_FE04WH_F3D.wrl'}
    assert 'GeometryError' in reasons['F0001_AN04WH_F3D.wrl']
    assert 'beyond +-1e+06' in reasons['F0001_AN04WH_F3D.wrl']
    assert 'vertex 5' in reasons['F0001_AN04WH_F3D.wrl']
    assert 'too few elements: 2 vertices' in reasons['F0001_DI04WH_F3D.wrl']
    assert 'same point' in reasons['F0001_FE04WH_F3D.wrl']
    listed = json.loads((out / 'annotations.json').read_text())['data_list']
    assert sorted(Path(d['source_path']).name for d in listed) == [
        'F0001_HA04WH_F3D.wrl', 'F0001_SU04WH_F3D.wrl']
    assert sorted(p.name for p in (out / 'views' / 'F0001').glob('*.npy')) == [
        'F0001_HA04WH_F3D.npy', 'F0001_SU04WH_F3D.npy']  # nothing cached for the others


def test_infer_refuses_degenerate_and_truncated_scans_and_predicts_the_rest(face, tmp_path):
    import importlib.util

    from smilezoo.registry import MODELS
    torch.manual_seed(0)
    cfg = Config.fromfile(TINY_CONFIG)
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}}, ckpt)
    folder = tmp_path / 'scans'
    folder.mkdir()
    write_wrl(folder / 'good.wrl', face)
    write_wrl(folder / 'far.wrl', face, far_vertex(face))
    text = write_obj(folder / 'cut.obj', face.vertices, face.triangles()).read_text()
    (folder / 'cut.obj').write_text(text[:text.rstrip().rfind('\n') + 1])  # last face gone
    spec = importlib.util.spec_from_file_location('infer_tool', ROOT / 'tools' / 'infer.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main([str(TINY_CONFIG), str(ckpt), str(folder), '--out', str(tmp_path / 'o'),
               '--no-progress'])  # returns (exit 0): one input was predicted
    report = json.loads((tmp_path / 'o' / 'predictions.json').read_text())
    assert [Path(p['path']).name for p in report['predictions']] == ['good.wrl']
    errors = {Path(e['path']).name: e['error'] for e in report['errors']}
    assert set(errors) == {'far.wrl', 'cut.obj'}
    assert 'far.wrl' in errors['far.wrl'] and 'beyond +-1e+06' in errors['far.wrl']
    assert 'cut.obj' in errors['cut.obj'] and 'truncated' in errors['cut.obj']


@pytest.mark.parametrize('vertices, faces, message', [
    (np.float32([[0, 0, 0], [1, 0, 0]]), np.array([[0, 1, 1]]), 'too few elements: 2 vertices'),
    (np.ones((50, 3), np.float32), np.array([[0, 1, 2], [3, 4, 5]]),
     'all 50 vertices are the same point'),
    (np.outer(np.arange(30), [1.0, 2.0, 3.0]).astype(np.float32), np.array([[0, 1, 2]]),
     'one straight line'),
    (np.float32([[0, 0, 0], [1, 0, 0], [0, np.nan, 0]]), np.array([[0, 1, 2]]), 'nan or inf'),
    (np.float32([[0, 0, 0], [1, 0, 0], [0, 1, 0]] * 6), None, None),  # plane: accepted
    (np.random.default_rng(0).normal(size=(10, 3)), None, 'a point cloud of 10 points'),
])
def test_degenerate_meshes_and_point_clouds_are_refused(vertices, faces, message):
    mesh = Mesh(vertices, faces)
    if message is None:
        assert check_geometry(mesh) is mesh
        return
    with pytest.raises(GeometryError, match=message):
        check_geometry(mesh)


def test_absurd_coordinate_bound_is_a_renderer_key(face):
    mesh = Mesh(far_vertex(face), face.triangles())
    with pytest.raises(GeometryError, match=r'vertex 5 at .*1e\+30.*max_coordinate'):
        checked_render(MultiViewRenderer(image_size=16), mesh)
    mm = Mesh(face.vertices * 1000, face.triangles())  # micrometres: still a face
    checked_render(MultiViewRenderer(image_size=16), mm)
    with pytest.raises(GeometryError, match=r'beyond \+-1000'):
        checked_render(MultiViewRenderer(image_size=16, max_coordinate=1000), mm)


def test_a_view_with_tiny_foreground_is_refused_with_its_share(face):
    views = np.zeros((3, 3, 16, 16), np.float32)
    views[0, :, :8] = views[2, :, :8] = 0.5  # half of views 0 and 2
    views[1, 2, 0, :3] = 1.0  # 3 pixels of 256 in view 1
    np.testing.assert_allclose(foreground_shares(views), [0.5, 3 / 256, 0.5])
    with pytest.raises(GeometryError, match=r'view 1 \(yaw 0\) has a foreground share of '
                                            r'0\.0117.*below min_foreground 0\.05'):
        check_foreground(views, 0.05, yaws=(-30, 0, 30))
    assert check_foreground(views, 0.01) is views
    # a sparse point cloud renders to a few pixels per view: refused by the
    # renderer's default, accepted when min_foreground is lowered
    cloud = Mesh(face.vertices[::20])  # 21 points, 3x3 pixel splats
    with pytest.raises(GeometryError, match=r'foreground share of 0\.01'):
        checked_render(MultiViewRenderer(image_size=128), cloud)
    views = checked_render(MultiViewRenderer(image_size=128, min_foreground=0.005), cloud)
    assert views.shape == (3, 3, 128, 128)


def test_a_normal_synthetic_scan_passes(face):
    views = checked_render(MultiViewRenderer(image_size=32), Mesh(face.vertices,
                                                                  face.triangles()))
    assert views.shape == (3, 3, 32, 32) and (foreground_shares(views) > 0.2).all()


def test_a_truncated_obj_is_refused_with_the_file_and_the_rule(face, tmp_path):
    tri = face.triangles()
    text = write_obj(tmp_path / 'full.obj', face.vertices, tri).read_text()
    assert len(read_obj(tmp_path / 'full.obj').faces) == len(tri)
    cut_mid = tmp_path / 'cut_mid.obj'  # cut inside the last face: 'f 394 401 40'
    cut_mid.write_text(text[:-2])  # still a valid face by its syntax
    with pytest.raises(ScanFormatError, match=r'the last record .* has no line end: the file '
                                              r'looks truncated') as err:
        read_obj(cut_mid)
    assert str(cut_mid) in str(err.value)
    cut_line = tmp_path / 'cut_line.obj'  # cut at a line end: 10 faces gone
    lines = text.splitlines(keepends=True)
    cut_line.write_text(''.join(lines[:-10]))
    with pytest.raises(ScanFormatError, match=rf"truncated: the file declares {len(tri)} faces "
                                              rf".*but has only {len(tri) - 10} 'f' lines"):
        read_obj(cut_line)
    # other writers' count comments: MeshLab's header, 3ds Max's per-block
    body = 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'
    for head, tail in (('# Vertices: 3\n# Faces: 2\n', ''), ('', '# 2 faces\n')):
        (tmp_path / 'w.obj').write_text(head + body + tail)
        with pytest.raises(ScanFormatError, match="declares 2 faces"):
            read_obj(tmp_path / 'w.obj')
    # cut before the face list: texture coordinates without faces
    (tmp_path / 'vt.obj').write_text('v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\n')
    with pytest.raises(ScanFormatError, match="no face .* the face list is missing"):
        read_obj(tmp_path / 'vt.obj')
    # the documented limit: no count comments and a cut at a line end reads
    # as the mesh that is left; a comment without a newline is no record
    plain = tmp_path / 'plain.obj'
    plain.write_text(''.join(line for line in lines[:-10] if not line.startswith('#')))
    assert len(read_obj(plain).faces) == len(tri) - 10
    plain.write_text(body + '# end')
    assert len(read_obj(plain).faces) == 1


def test_a_degenerate_frame_of_a_sequence_is_dropped_and_reported(face):
    from smilezoo.datasets.sources import SequenceError, SequenceSource

    class Frames(SequenceSource):
        def read_frame(self, path):  # 'far*' frames hold a 1e30 vertex
            name = path.rsplit('/', 1)[-1]
            return Mesh(far_vertex(face) if name.startswith('far') else face.vertices,
                        face.triangles())

    names = ['ok0', 'far1', 'ok2', 'ok3']
    rec = dict(source_path='S1/seq', frames=names, num_frames=4)
    meshes, problems = Frames('/nowhere', num_frames_sampled=4, min_frames=3).load_frames(rec)
    assert len(meshes) == 3 and [p['frame'] for p in problems] == ['far1']
    assert 'GeometryError' in problems[0]['reason'] and 'beyond +-1e+06' in problems[0]['reason']
    with pytest.raises(SequenceError, match=r"bad_frames='fail'.*far1 \(GeometryError"):
        Frames('/nowhere', num_frames_sampled=4, min_frames=3,
               bad_frames='fail').load_frames(rec)
