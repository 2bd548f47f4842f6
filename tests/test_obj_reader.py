"""read_obj / write_obj on fixture files in the forms BP4D and 4DME frames use."""

import numpy as np
import pytest

from smilezoo.datasets.formats import read_obj, write_obj
from smilezoo.structures import ScanFormatError

SQUARE = """# a unit square and a pentagon (exporter comment)
mtllib frame.mtl
o face
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 2 0.5 0.25
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 1
vn 0 0 1
g mesh
usemtl material0
s off
"""
TRIS = np.array([[0, 1, 2], [0, 2, 3]])


def write(tmp_path, text, name='frame.obj', mode='w'):
    path = tmp_path / name
    if mode == 'wb':
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize('faces, tex', [
    ('f 1 2 3\nf 1 3 4\n', False),
    ('f 1/1 2/2 3/3\nf 1/1 3/3 4/4\n', True),
    ('f 1/1/1 2/2/2 3/3/2\nf 1/1/1 3/3/2 4/4/1\n', True),
    ('f 1//1 2//2 3//2\nf 1//1 3//2 4//1\n', False),
])
def test_every_face_form(tmp_path, faces, tex):
    mesh = read_obj(write(tmp_path, SQUARE + faces))
    assert mesh.vertices.dtype == np.float32 and mesh.vertices.shape == (5, 3)
    np.testing.assert_array_equal(mesh.faces, TRIS)
    assert mesh.faces.dtype == np.int64
    if tex:
        np.testing.assert_array_equal(mesh.face_texcoords, TRIS)
        np.testing.assert_allclose(mesh.texcoords[2], [1, 1])
    else:
        assert mesh.face_texcoords is None


def test_negative_indices_are_relative_to_the_lines_before(tmp_path):
    text = ('v 0 0 0\nv 1 0 0\nv 1 1 0\nvt 0 0\nvt 1 0\nvt 1 1\n'
            'f -3/-3 -2/-2 -1/-1\n'
            'v 0 1 0\nvt 0 1\n'
            'f -4/-4 -2/-2 -1/-1\n')  # the same as 1 3 4 after the 4th vertex
    mesh = read_obj(write(tmp_path, text))
    np.testing.assert_array_equal(mesh.faces, TRIS)
    np.testing.assert_array_equal(mesh.face_texcoords, TRIS)


def test_polygons_are_fan_triangulated_and_forms_mix(tmp_path):
    text = SQUARE + 'f 1 2 3 4\nf 1/1 2/2 5/3 3/3 4/4\nf 2//1 5//1 3//2\n'
    mesh = read_obj(write(tmp_path, text))
    np.testing.assert_array_equal(mesh.faces, [[0, 1, 2], [0, 2, 3], [0, 1, 4], [0, 4, 2],
                                               [0, 2, 3], [1, 4, 2]])
    assert mesh.face_texcoords is None  # not every corner has a vt


def test_tolerated_syntax(tmp_path):
    text = ('\ufeff# header\r\n'
            'v 0 0 0 1.0\r\n'  # w
            '  v 1 0 0 0.5 0.5 0.5\r\n'  # indented, per-vertex colour
            'v 1 1 0  # trailing comment\r\n'
            'v 0 \\\r\n 1 0\r\n'  # line continuation
            'vt 0.5\r\n'  # a bad vt only drops the texture
            '\r\n'
            'f 1 2 3\r\n'
            '\tf 1 3 4\r\n'
            'l 1 2\r\np 3\r\n')
    mesh = read_obj(write(tmp_path, text.encode('utf-8'), mode='wb'))
    np.testing.assert_allclose(mesh.vertices, [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])
    np.testing.assert_array_equal(mesh.faces, TRIS)
    assert mesh.texcoords is None and mesh.face_texcoords is None


def test_bad_texture_or_normal_indices_only_drop_the_texture(tmp_path):
    for faces in ('f 1/9 2/2 3/3\nf 1/1 3/3 4/4\n', 'f 1//7 2//2 3//2\nf 1 3 4\n'):
        mesh = read_obj(write(tmp_path, SQUARE + faces))
        np.testing.assert_array_equal(mesh.faces, TRIS)
        assert mesh.face_texcoords is None


def test_point_cloud_without_faces(tmp_path):
    mesh = read_obj(write(tmp_path, 'v 0 0 0\nv 1 2 3\nv 4 5 6\n'))
    assert mesh.faces is None and mesh.is_point_cloud and len(mesh.vertices) == 3


@pytest.mark.parametrize('body, message', [
    ('f 1 2 9\n', r'line 18: vertex index 9 is out of range \(the file has only 5 vertices\)'),
    ('f 1 2 0\n', r'line 18: vertex index 0 \(OBJ indices start at 1'),
    ('f 1 2 -6\n', r'line 18: vertex relative index -6 points before the first vertex '
     r'\(only 5 vertices defined'),
    ('f 1 2 3\nf 1 2\n', r'line 19: face has 2 corner\(s\)'),
    ('f 1 2 3\nf 1/2/ 3 4\n', r"line 19: malformed face 'f 1/2/ 3 4'"),
    ('f 1 2 x\n', r"line 18: malformed face 'f 1 2 x'"),
    ('f 1.5 2 3\n', r'line 18: malformed face'),
    ('f 1/1/1/1 2 3\n', r'line 18: malformed face'),
])
def test_face_errors_name_file_and_line(tmp_path, body, message):
    path = write(tmp_path, SQUARE + body)
    with pytest.raises(ScanFormatError, match=message) as err:
        read_obj(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize('text, message', [
    ('# nothing\nvt 0 0\nf 1 2 3\n', 'no vertices'),
    ('', 'no vertices'),
    ('v 0 0 0\nv 1 0\nv 1 1 0\nf 1 2 3\n', r"line 2: malformed vertex 'v 1 0'"),
    ('v 0 0 0\nv 1 zero 0\nv 1 1 0\n', r"line 2: malformed vertex 'v 1 zero 0'"),
    ('v 0 0 0\nv 1 nan 0\nv 1 1 0\n', 'nan or inf'),
])
def test_vertex_errors(tmp_path, text, message):
    with pytest.raises(ScanFormatError, match=message):
        read_obj(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='OBJ file not found'):
        read_obj(tmp_path / 'nope.obj')


def grid_mesh(n=6):
    """A bumpy n x n grid: quads, triangles and pentagons, separate uv ids."""
    x, y = np.meshgrid(np.arange(n, dtype=float), np.arange(n, dtype=float))
    verts = np.stack([x, y, np.sin(x) * np.cos(y)], -1).reshape(-1, 3)
    polys = []
    for r in range(n - 1):
        for c in range(n - 1):
            a, b, d, e = r * n + c, r * n + c + 1, (r + 1) * n + c + 1, (r + 1) * n + c
            polys += [[a, b, d, e]] if (r + c) % 3 else [[a, b, d], [a, d, e]]
    polys.append([0, 1, 2, n + 2, n])
    uv = verts[:, :2][::-1] / n
    tex_polys = [[len(verts) - 1 - i for i in p] for p in polys]
    return verts, polys, uv, tex_polys


@pytest.mark.parametrize('with_uv, with_normals', [(False, False), (True, False),
                                                    (False, True), (True, True)])
def test_write_obj_round_trip(tmp_path, with_uv, with_normals):
    verts, polys, uv, tex_polys = grid_mesh()
    normals = np.tile([0.0, 0.0, 1.0], (len(verts), 1)) if with_normals else None
    path = write_obj(tmp_path / 'w.obj', verts, polys, uv if with_uv else None,
                     tex_polys if with_uv else None, normals=normals, mtllib='w.mtl',
                     material='m0', precision=6, comment='round trip')
    text = path.read_text()
    first_face = text[text.index('\nf ') + 1:].split('\n')[0]
    form = {(False, False): 'f 1 2 ', (True, False): 'f 1/', (False, True): 'f 1//1 ',
            (True, True): 'f 1/'}[(with_uv, with_normals)]
    assert first_face.startswith(form) and ('mtllib w.mtl' in text) and 'usemtl m0' in text
    per_corner = {(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 2}
    assert first_face.count('/') == len(polys[0]) * per_corner[(with_uv, with_normals)]
    mesh = read_obj(path)
    np.testing.assert_allclose(mesh.vertices, verts, atol=1e-6)
    expected = [(p[0], p[k], p[k + 1]) for p in polys for k in range(1, len(p) - 1)]
    np.testing.assert_array_equal(mesh.faces, expected)
    if with_uv:
        tex_expected = [(p[0], p[k], p[k + 1]) for p in tex_polys for k in range(1, len(p) - 1)]
        np.testing.assert_array_equal(mesh.face_texcoords, tex_expected)
        np.testing.assert_allclose(mesh.texcoords, uv, atol=1e-6)
    assert not list(tmp_path.glob('*.tmp'))


def test_write_obj_rejects_bad_input(tmp_path):
    verts, polys, uv, tex_polys = grid_mesh(3)
    with pytest.raises(ValueError, match='out of range'):
        write_obj(tmp_path / 'a.obj', verts, [[0, 1, 99]])
    with pytest.raises(ValueError, match='structure'):
        write_obj(tmp_path / 'a.obj', verts, polys, uv, tex_polys[:-1])
    with pytest.raises(ValueError, match=r'\(V, 3\)'):
        write_obj(tmp_path / 'a.obj', verts[:, :2], polys)


def test_35k_vertex_frame_reads_exactly(tmp_path):
    """A BP4D-sized frame; its read time is printed by benchmark_io.py, not asserted."""
    from smilezoo.datasets.synthetic import sample_identity, synthesize_face
    scan = synthesize_face(sample_identity(0), None, resolution=35000, holes=False,
                           sample_jitter=0)
    path = write_obj(tmp_path / 'big.obj', scan.vertices, scan.polygons, scan.texcoords,
                     scan.tex_polygons)
    mesh = read_obj(path)
    assert len(mesh.vertices) > 34000
    np.testing.assert_array_equal(mesh.faces, scan.triangles())
