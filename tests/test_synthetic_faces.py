"""Synthetic BU-3DFE generator: layout, file formats, determinism, geometry."""
import importlib.util
import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from smilezoo.datasets.formats.vrml import read_vrml
from smilezoo.datasets.formats.vrml_writer import write_vrml
from smilezoo.datasets.synthetic import (AU_NAMES, EXPRESSION_CODES, RECIPES,
                                         make_bu3dfe, sample_identity,
                                         scan_list, synthesize_face)
from smilezoo.datasets.synthetic.face_model import (CHIN, LANDMARK_GROUPS,
                                                    LIP_CORNERS,
                                                    activation_vector,
                                                    fan_triangulate)
from smilezoo.utils.atomic_io import write_bytes_atomic

RES = 1500  # small scans keep the file fast
NAME = re.compile(r'^(?P<sub>[FM]\d{4})_(?P<exp>AN|DI|FE|HA|SA|SU|NE)'
                  r'(?P<lvl>\d\d)(?P<race>WH|BL|AE|AM|IN|LA)_F3D\.wrl$')
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp('synth') / 'bu3dfe'
    report = make_bu3dfe(out, 2, seed=7, resolution=RES, progress=False)
    return out, report


def _parse_wrl(path):
    """Minimal independent parser of the four lists of our .wrl files."""
    text = Path(path).read_text()

    def block(pattern):
        m = re.search(pattern + r'\s*\[([^\]]*)\]', text)
        return m.group(1).replace(',', ' ')

    pts = np.array(block(r'coord Coordinate \{\s*point').split(), float)
    uv = np.array(block(r'TextureCoordinate \{\s*point').split(), float)
    ci = np.array(block(r'\bcoordIndex').split(), np.int64)
    ti = np.array(block(r'\btexCoordIndex').split(), np.int64)
    url = re.search(r'url "([^"]+)"', text).group(1)
    return dict(text=text, points=pts.reshape(-1, 3), uv=uv.reshape(-1, 2),
                coord_index=ci, tex_index=ti, url=url)


def _sizes(index):
    ends = np.flatnonzero(index == -1)
    return np.diff(np.concatenate(([-1], ends))) - 1


def _bnd(path):
    rows = np.loadtxt(path)
    return rows[:, 0].astype(np.int64), rows[:, 1:]


def _kabsch(src, dst):
    """Rigidly align src (N, 3) onto dst (N, 3); returns a function."""
    ms, md = src.mean(0), dst.mean(0)
    u, _, vt = np.linalg.svd((src - ms).T @ (dst - md))
    d = np.sign(np.linalg.det(u @ vt))
    rot = u @ np.diag([1, 1, d]) @ vt
    return lambda p: (p - ms) @ rot + md


STABLE = list(LANDMARK_GROUPS['nose']) + [68, 69, 81, 82]


def _aligned_landmarks(folder, stem_ref, stem):
    _, ref = _bnd(folder / f'{stem_ref}.bnd')
    _, pts = _bnd(folder / f'{stem}.bnd')
    return ref, _kabsch(pts[STABLE], ref[STABLE])(pts)


# --------------------------------------------------------------------------
# layout and naming
# --------------------------------------------------------------------------
def test_layout_matches_bu3dfe_pattern(tree):
    out, report = tree
    assert sorted(p.name for p in out.iterdir()) == [
        'F0001', 'M0001', 'synthetic_info.json']
    assert report['scans'] == 50 and report['files'] == 151
    expected = {(c, k) for c, k in scan_list()}
    assert len(expected) == 25
    for folder in (out / 'F0001', out / 'M0001'):
        wrls = sorted(folder.glob('*.wrl'))
        assert len(wrls) == 25
        found, races = set(), set()
        for w in wrls:
            m = NAME.match(w.name)
            assert m, w.name
            assert m['sub'] == folder.name
            lvl = int(m['lvl'])
            assert (lvl == 0) == (m['exp'] == 'NE') and lvl <= 4
            found.add((m['exp'], lvl))
            races.add(m['race'])
            assert w.with_suffix('.bmp').is_file()
            assert w.with_suffix('.bnd').is_file()
        assert found == expected and len(races) == 1
        assert len(list(folder.iterdir())) == 75  # no temporary files left
    info = json.loads((out / 'synthetic_info.json').read_text())
    assert info['seed'] == 7 and info['resolution'] == RES
    assert info['layout'] == 'bu3dfe' and 'version' in info


def test_deterministic_and_parallel_identical(tree, tmp_path):
    out, _ = tree
    again = tmp_path / 'again'
    make_bu3dfe(again, 2, seed=7, resolution=RES, workers=2, progress=False)
    files = sorted(p.relative_to(out) for p in out.rglob('*') if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob('*')
                           if p.is_file())
    for rel in files:
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel
    other = tmp_path / 'other'
    make_bu3dfe(other, 1, seed=8, resolution=RES, progress=False)
    a = next((out / 'F0001').glob('F0001_HA04*_F3D.wrl')).read_bytes()
    b = next((other / 'F0001').glob('F0001_HA04*_F3D.wrl')).read_bytes()
    assert a != b


# --------------------------------------------------------------------------
# file formats
# --------------------------------------------------------------------------
def test_vrml_header_and_nodes(tree):
    out, _ = tree
    path = next((out / 'F0001').glob('F0001_SU03*_F3D.wrl'))
    wrl = _parse_wrl(path)
    lines = wrl['text'].splitlines()
    assert lines[0] == '#VRML V2.0 utf8'
    assert lines[1] == '#Tricorder Technology plc - 2000'
    tokens = wrl['text'].split()
    start = tokens.index('IndexedFaceSet')
    assert tokens[start + 2:start + 10] == [
        'ccw', 'TRUE', 'solid', 'FALSE', 'convex', 'TRUE', 'creaseAngle',
        '1.57']
    assert 'DEF Tricorder_object Transform' in wrl['text']
    assert wrl['url'] == path.with_suffix('.bmp').name
    cams = re.findall(r'DEF Tricorder_Camera_\w+ Viewpoint', wrl['text'])
    assert len(cams) == 6
    assert wrl['text'].rfind('DEF Tricorder_Camera') > wrl['text'].rfind(
        'texCoordIndex')


def test_polygons_mixed_sizes_valid_indices(tree):
    out, _ = tree
    for path in sorted((out / 'M0001').glob('*.wrl'))[:5]:
        wrl = _parse_wrl(path)
        ci, ti = wrl['coord_index'], wrl['tex_index']
        sizes = _sizes(ci)
        assert set(np.unique(sizes)) == {3, 4, 5}
        assert (sizes == 3).mean() > 0.85 and (sizes == 5).sum() > 0
        assert ci[-1] == -1 and np.array_equal(_sizes(ti), sizes)
        assert not np.array_equal(ci, ti)
        assert ci.min() == -1 and ci.max() < len(wrl['points'])
        assert ti.min() == -1 and ti.max() < len(wrl['uv'])
        assert len(wrl['uv']) > len(wrl['points'])  # seam duplicates
        assert np.unique(ci[ci >= 0]).size == len(wrl['points'])
        # consistent orientation: every directed edge used at most once
        starts = np.concatenate(([0], np.flatnonzero(ci == -1)[:-1] + 1))
        flat = ci[ci >= 0]
        first = np.repeat(starts - np.arange(len(starts)), sizes)
        pos = np.arange(flat.size)
        nxt = np.where(pos + 1 - first == np.repeat(sizes, sizes), first,
                       pos + 1)
        edges = flat * len(wrl['points']) + flat[nxt]
        assert np.unique(edges).size == edges.size
        assert 0.9 * RES < len(wrl['points']) < 1.1 * RES


def test_bnd_and_bmp(tree):
    out, _ = tree
    wrl_path = next((out / 'F0001').glob('F0001_AN04*_F3D.wrl'))
    pts = _parse_wrl(wrl_path)['points']
    idx, xyz = _bnd(wrl_path.with_suffix('.bnd'))
    assert idx.shape == (83, ) and xyz.shape == (83, 3)
    assert idx.min() >= 0 and idx.max() < len(pts)
    np.testing.assert_allclose(pts[idx], xyz, atol=1e-4)
    bmp = wrl_path.with_suffix('.bmp').read_bytes()
    assert bmp[:2] == b'BM'
    assert struct.unpack('<I', bmp[2:6])[0] == len(bmp)
    width, height, _, bpp = struct.unpack('<iiHH', bmp[18:30])
    assert (width, height, bpp) == (8, 8, 24)


def test_round_trip_through_read_vrml(tree):
    from smilezoo.datasets.formats import vrml
    out, _ = tree
    path = next((out / 'F0001').glob('F0001_DI02*_F3D.wrl'))
    wrl = _parse_wrl(path)
    mesh = vrml.read_vrml(path)
    np.testing.assert_allclose(mesh.vertices, wrl['points'], atol=1e-4)
    assert mesh.faces.shape == (int((_sizes(wrl['coord_index']) - 2).sum()),
                                3)
    np.testing.assert_array_equal(mesh.faces,
                                  fan_triangulate(wrl['coord_index']))
    assert mesh.texture == path.with_suffix('.bmp').name
    assert mesh.face_texcoords is not None
    assert mesh.face_texcoords.shape == mesh.faces.shape
    assert not np.array_equal(mesh.face_texcoords, mesh.faces)
    assert len(mesh.texcoords) == len(wrl['uv'])


def test_writer_round_trips_atomic_and_validating(tmp_path):
    scan = synthesize_face(sample_identity(3), None, resolution=4000, rng=1)
    path = tmp_path / 'a.wrl'
    write_vrml(path, scan.vertices, scan.polygons, scan.texcoords, scan.tex_polygons, 'a.bmp')
    assert read_vrml(path).vertices.shape == scan.vertices.shape
    bad = scan.polygons.copy()
    bad[0] = len(scan.vertices)
    with pytest.raises(ValueError, match='out of range'):
        write_vrml(tmp_path / 'b.wrl', scan.vertices, bad, scan.texcoords,
                   scan.tex_polygons, 'b.bmp')
    with pytest.raises(TypeError):  # fails mid-write: nothing left behind
        write_bytes_atomic(tmp_path / 'c.wrl', 'not bytes')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.wrl']
    # other polygon inputs: a list of index lists
    write_vrml(tmp_path / 'd.wrl', np.eye(3), [[0, 1, 2]], np.eye(3)[:, :2],
               [[2, 1, 0]], 'd.bmp')
    assert '0 1 2 -1' in (tmp_path / 'd.wrl').read_text()


# --------------------------------------------------------------------------
# geometry: expressions, intensities, identity
# --------------------------------------------------------------------------
def _clean(identity, code, scale):
    act = activation_vector(RECIPES[code]) * scale
    return synthesize_face(identity, act, resolution=RES, rng=0, noise_mm=0,
                           holes=False, sample_jitter=0)


def _moves(identity, code, scale):
    """(83, 3) landmark displacement from the same subject's neutral."""
    s = _clean(identity, code, scale)
    return s.vertices[s.landmarks] - s.rest[s.landmarks]


@pytest.mark.parametrize('subject', [(11, 'F'), (12, 'M'), (13, 'F')])
def test_expressions_move_the_expected_regions(subject):
    idn = sample_identity(*subject)
    corners, brows = list(LIP_CORNERS), list(range(16, 36))
    ha1, ha4 = _moves(idn, 'HA', 0.25), _moves(idn, 'HA', 1.0)
    assert ha4[corners, 1].min() > 4.0  # lip corners up
    assert ha4[corners, 1].mean() > 2.5 * ha1[corners, 1].mean() > 0
    su = _moves(idn, 'SU', 1.0)
    assert su[CHIN, 1] < -8.0 and su[brows, 1].mean() > 3.0  # jaw drop
    an = _moves(idn, 'AN', 1.0)
    assert an[brows, 1].mean() < -1.5  # brows lowered
    assert _moves(idn, 'SA', 1.0)[corners, 1].max() < -3.0
    fe = _moves(idn, 'FE', 1.0)
    assert (np.abs(fe[corners, 0]) > 4.0).all()  # lips stretched sideways
    di = _moves(idn, 'DI', 1.0)
    assert di[51, 1] > 3.0  # upper lip raised
    for code in EXPRESSION_CODES:  # bigger at intensity 4 than at 1
        weak = np.linalg.norm(_moves(idn, code, 0.25), axis=1).sum()
        strong = np.linalg.norm(_moves(idn, code, 1.0), axis=1).sum()
        assert strong > 3 * weak


def test_expressions_in_written_files(tree):
    out, _ = tree
    folder = out / 'F0001'
    race = NAME.match(next(folder.glob('*.wrl')).name)['race']
    ref = f'F0001_NE00{race}_F3D'
    corners = list(LIP_CORNERS)
    rise = {}
    for lvl in (1, 4):
        neutral, ha = _aligned_landmarks(folder, ref,
                                         f'F0001_HA0{lvl}{race}_F3D')
        rise[lvl] = (ha[corners, 1] - neutral[corners, 1]).mean()
    assert rise[4] > 3.0 and rise[4] > rise[1]
    neutral, su = _aligned_landmarks(folder, ref, f'F0001_SU04{race}_F3D')
    assert su[CHIN, 1] - neutral[CHIN, 1] < -6.0
    neutral, an = _aligned_landmarks(folder, ref, f'F0001_AN04{race}_F3D')
    brows = list(range(16, 36))
    assert (an[brows, 1] - neutral[brows, 1]).mean() < -1.0


def test_identity_differs_more_than_expression():
    faces = [sample_identity(s, sex) for s, sex in ((21, 'F'), (22, 'M'),
                                                   (23, 'F'), (24, 'M'))]
    neutral = [_clean(f, 'NE', 0.0) for f in faces]
    lmk = [n.vertices[n.landmarks] for n in neutral]
    between = []
    for i in range(len(lmk)):
        for j in range(i + 1, len(lmk)):
            aligned = _kabsch(lmk[j], lmk[i])(lmk[j])
            between.append(np.linalg.norm(aligned - lmk[i], axis=1).mean())
    within = [np.linalg.norm(_moves(faces[0], c, 1.0), axis=1).mean()
              for c in EXPRESSION_CODES if c != 'SU']
    assert min(between) > 2.0
    assert np.mean(between) > np.mean(within)
    assert faces[0].au_style.shape == (len(AU_NAMES), )
    assert not np.allclose(faces[0].au_style, faces[2].au_style)


def test_no_fold_overs_at_full_strength():
    idn = sample_identity(31, 'M')
    for code in EXPRESSION_CODES:
        s = _clean(idn, code, 1.4)
        tri = s.triangles()
        a, b, c = (s.vertices[tri[:, k], :2] for k in range(3))
        area = (b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]
        assert (area > 0).all(), code


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------
def _cli():
    path = ROOT / 'tools' / 'dataset_converters' / 'make_synthetic.py'
    spec = importlib.util.spec_from_file_location('make_synthetic', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_cli_refuses_foreign_dirs_and_reuses_its_own(tmp_path, capsys):
    main = _cli()
    out = tmp_path / 'out'
    args = ['--out', str(out), '--resolution', '600', '--no-progress']
    assert main(args + ['--subjects', '2']) == 0
    assert 'wrote 151 files (50 scans' in capsys.readouterr().out
    assert (out / 'M0001').is_dir()
    assert main(args + ['--subjects', '1']) == 0  # previous output: reused
    assert sorted(p.name for p in out.iterdir()) == ['F0001',
                                                     'synthetic_info.json']
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'notes.txt').write_text('mine')
    args = ['--out', str(foreign), '--subjects', '1', '--resolution', '600',
            '--no-progress']
    assert main(args) == 2
    assert 'not empty' in capsys.readouterr().err
    assert main(args + ['--overwrite']) == 0
    assert (foreign / 'notes.txt').read_text() == 'mine'
    assert (foreign / 'synthetic_info.json').is_file()
