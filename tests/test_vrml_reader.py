"""read_vrml on fixture files written in the BU-3DFE / BU-4DFE VRML layout."""

import numpy as np
import pytest

from smilezoo.structures import ScanFormatError
from smilezoo.datasets.formats.vrml import read_vrml

HEADER = '#VRML V2.0 utf8\n\n#Tricorder Technology plc - 2000\n\n'

# 8 vertices: commas, spaces and newlines mixed, a comment inside the list,
# a point split across lines, no comma after the last entry.
POINTS = """
            -10.5 20.25 30.0, 11.0 20.5 31.0,
            12.0 -21.0 32.5,
            # scanner note inside the list
            -13.0 -22.0 33.0,14 0
            34
            0.5,1.5,2.5, 3 4 5, 6 7 8.75
"""
# triangle, triangle, quad, pentagon (comma separated), triangle.
COORD_INDEX = """
          0 1 2 -1, 0 2 3 -1,
          0 1 2 3 -1
          0,1,4,2,3,-1, 5 6 7 -1
"""
TEX_POINTS = '0.1 0.2, 0.3 0.4, 0.5 0.6, 0.7 0.8, 0.9 1.0, 0.0 0.0'
TEX_INDEX = '5 4 3 -1, 2 1 0 -1, 0 1 2 3 -1, 4 3 2 1 0 -1, 1 1 1 -1'

VIEWPOINTS = ''.join(
    f'DEF Tricorder_Camera_{name} Viewpoint {{\n  position 0 0 300\n'
    f'  orientation 0 1 0 {angle}\n  fieldOfView 0.6\n'
    f'  description "{name}"\n}}\n'
    for name, angle in (('Front', 0), ('Left', -1.57), ('Right', 1.57),
                        ('Top', 0), ('Bottom', 0), ('Back', 3.14)))


def vrml_text(points=POINTS, coord_index=COORD_INDEX,
              tex_points=TEX_POINTS, tex_index=TEX_INDEX, header=HEADER,
              texture='F0001_AN01WH_F3D.bmp', viewpoints=VIEWPOINTS):
    """A file in the Binghamton layout; pass None to leave a part out."""
    coord = ('        coord Coordinate {\n'
             f'          point [{points}          ]\n        }}\n'
             if points is not None else '')
    index = (f'        coordIndex [{coord_index}        ]\n'
             if coord_index is not None else '')
    tex = ('        texCoord TextureCoordinate {\n'
           f'          point [\n            {tex_points}\n          ]\n'
           '        }\n' if tex_points is not None else '')
    tex_idx = (f'        texCoordIndex [\n          {tex_index}\n        ]\n'
               if tex_index is not None else '')
    return (
        f'{header}DEF Tricorder_object Transform {{\n  children [\n'
        '    Shape {\n      appearance Appearance {\n'
        '        material Material {\n          diffuseColor 1 1 1\n'
        '        }\n'
        f'        texture ImageTexture {{\n          url "{texture}"\n'
        '        }\n      }\n      geometry IndexedFaceSet {\n'
        '        ccw TRUE\n        solid FALSE\n        convex TRUE\n'
        f'        creaseAngle 1.57\n{coord}{index}{tex}{tex_idx}'
        f'      }}\n    }}\n  ]\n}}\n{viewpoints}')


def write(tmp_path, text, name='F0001_AN01WH_F3D.wrl'):
    path = tmp_path / name
    path.write_text(text)
    return path


EXPECTED_VERTICES = np.array(
    [[-10.5, 20.25, 30.0], [11.0, 20.5, 31.0], [12.0, -21.0, 32.5],
     [-13.0, -22.0, 33.0], [14, 0, 34], [0.5, 1.5, 2.5], [3, 4, 5],
     [6, 7, 8.75]], np.float32)
EXPECTED_FACES = np.array(
    [[0, 1, 2], [0, 2, 3],                        # two triangles
     [0, 1, 2], [0, 2, 3],                        # quad -> 2 (fan)
     [0, 1, 4], [0, 4, 2], [0, 2, 3],             # pentagon -> 3 (fan)
     [5, 6, 7]])
EXPECTED_FACE_TEXCOORDS = np.array(
    [[5, 4, 3], [2, 1, 0], [0, 1, 2], [0, 2, 3], [4, 3, 2], [4, 2, 1],
     [4, 1, 0], [1, 1, 1]])


def test_reads_real_layout(tmp_path):
    mesh = read_vrml(write(tmp_path, vrml_text()))
    assert mesh.vertices.dtype == np.float32
    assert mesh.faces.dtype == np.int64
    np.testing.assert_array_equal(mesh.vertices, EXPECTED_VERTICES)
    np.testing.assert_array_equal(mesh.faces, EXPECTED_FACES)
    assert len(mesh.faces) == 8
    assert mesh.texcoords.shape == (6, 2)
    np.testing.assert_allclose(mesh.texcoords[4], [0.9, 1.0])
    np.testing.assert_array_equal(mesh.face_texcoords,
                                  EXPECTED_FACE_TEXCOORDS)
    assert mesh.texture == 'F0001_AN01WH_F3D.bmp'
    assert not mesh.is_point_cloud


def test_single_line_file_and_missing_final_minus_one(tmp_path):
    text = vrml_text(coord_index='0 1 2 -1, 0 2 3 -1, 0 1 2 3 -1, '
                     '0 1 4 2 3 -1, 5 6 7').replace('\n', ' ')
    text = text.replace('# scanner note inside the list', '')
    text = HEADER + text[len(HEADER):]
    mesh = read_vrml(write(tmp_path, text))
    np.testing.assert_array_equal(mesh.faces, EXPECTED_FACES)


def test_texture_optional_and_inconsistent(tmp_path):
    mesh = read_vrml(write(tmp_path, vrml_text(tex_points=None,
                                               tex_index=None)))
    assert mesh.texcoords is None and mesh.face_texcoords is None
    # texCoordIndex polygons that do not match coordIndex: no face_texcoords
    mesh = read_vrml(write(tmp_path, vrml_text(tex_index='0 1 2 -1')))
    assert mesh.texcoords.shape == (6, 2) and mesh.face_texcoords is None
    # texture index past the texcoord list: no face_texcoords
    bad = TEX_INDEX.replace('5 4 3', '9 4 3')
    assert read_vrml(write(tmp_path, vrml_text(
        tex_index=bad))).face_texcoords is None


def test_two_face_sets_are_merged(tmp_path):
    text = vrml_text()
    body = text[text.index('    Shape {'):text.index('  ]\n}\n')]
    text = text.replace(body, body + body)
    mesh = read_vrml(write(tmp_path, text))
    assert len(mesh.vertices) == 16 and len(mesh.faces) == 16
    np.testing.assert_array_equal(mesh.faces[8:], EXPECTED_FACES + 8)
    np.testing.assert_array_equal(mesh.face_texcoords[8:],
                                  EXPECTED_FACE_TEXCOORDS + 6)


def _cut(text, marker, keep=0):
    return text[:text.index(marker) + keep]


def _line_of(text, word):
    return text[:text.index(word)].count('\n') + 1


_NON_NUMERIC = vrml_text(points=POINTS.replace('12.0', 'abc'))
MALFORMED = {
    'no_header': (vrml_text(header=''), "missing '#VRML V2.0 utf8' header"),
    'vrml1': (vrml_text(header='#VRML V1.0 ascii\n'),
              "missing '#VRML V2.0 utf8' header"),
    'no_face_set': (vrml_text().replace('IndexedFaceSet', 'PointSet'),
                    'no IndexedFaceSet'),
    'no_point': (vrml_text().replace('point [', 'vector [', 1),
                 "no 'point [' list"),
    'no_coord': (vrml_text(points=None), "no 'coord Coordinate {' node"),
    'no_coord_index': (vrml_text(coord_index=None),
                       "no 'coordIndex [' list"),
    'truncated_points': (_cut(vrml_text(), '-13.0'), 'truncated file'),
    'truncated_index': (_cut(vrml_text(), '5 6 7 -1'), 'truncated file'),
    'truncated_viewpoints': (_cut(vrml_text(), 'fieldOfView'),
                             'truncated file'),
    'non_numeric': (_NON_NUMERIC, "non-numeric token 'abc' in the coord "
                    f"point list at line {_line_of(_NON_NUMERIC, 'abc')}"),
    'non_integer': (vrml_text(coord_index=COORD_INDEX.replace('5 6', '5.5 6')),
                    "non-integer token '5.5' in the coordIndex list"),
    'lone_sign': (vrml_text(coord_index='0 1 2 -1, 3 - 4 5 -1'),
                  "non-integer token '-' in the coordIndex list"),
    'not_multiple_of_3': (vrml_text(points=POINTS.replace('6 7 8.75', '6 7')),
                          '23 numbers, not a multiple of 3'),
    'index_past_end': (vrml_text(coord_index=COORD_INDEX.replace('5 6 7',
                                                                 '5 99 7')),
                       'max index 99, only 8 vertices'),
    'negative_index': (vrml_text(coord_index='0 1 2 -1, 0 -2 3 -1'),
                       'negative index -2'),
    'short_polygon': (vrml_text(coord_index='0 1 2 -1, 0 2 -1, 1 2 3 -1'),
                      'polygon 1 has 2 vertices'),
    'empty_polygon': (vrml_text(coord_index='0 1 2 -1 -1'),
                      'polygon 1 has 0 vertices'),
    'empty_geometry': (vrml_text(points='', coord_index='', tex_points=None,
                                 tex_index=None), 'empty geometry'),
    'empty_file': ('', 'empty file'),
}


@pytest.mark.parametrize('case', sorted(MALFORMED))
def test_malformed_files_name_the_fault(tmp_path, case):
    text, problem = MALFORMED[case]
    path = write(tmp_path, text, name=f'M0042_{case}_F3D.wrl')
    with pytest.raises(ScanFormatError) as info:
        read_vrml(path)
    message = str(info.value)
    assert f'M0042_{case}_F3D.wrl' in message
    assert problem in message, message


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.wrl'):
        read_vrml(tmp_path / 'nothere.wrl')


def test_bu4dfe_sized_frame_reads_exactly(tmp_path):
    # Speed is measured by tools/analysis_tools/benchmark_io.py, not here.
    n = 187  # 34,969 vertices, 69,192 triangles + some quads
    rng = np.random.default_rng(0)
    points = rng.normal(scale=50, size=(n * n, 3))
    grid = np.arange(n * n).reshape(n, n)
    a, b, c, d = grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]
    tris = np.concatenate([np.stack([a, c, d], -1).reshape(-1, 3),
                           np.stack([a, d, b], -1).reshape(-1, 3)])
    quads = np.stack([a, c, d, b], -1).reshape(-1, 4)[:2000]
    text = vrml_text(
        points='\n'.join('%.4f %.4f %.4f,' % tuple(p) for p in points),
        coord_index='\n'.join('%d %d %d -1,' % tuple(t) for t in tris) +
        '\n' + ' '.join('%d %d %d %d -1,' % tuple(q) for q in quads),
        tex_points=None, tex_index=None)
    path = write(tmp_path, text)
    mesh = read_vrml(path)
    assert mesh.vertices.shape == (n * n, 3)
    assert len(mesh.faces) == len(tris) + 2 * len(quads)
    np.testing.assert_allclose(mesh.vertices, points, atol=1e-4)
