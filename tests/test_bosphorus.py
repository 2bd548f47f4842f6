"""Bosphorus: .bnt / .lm3 readers on hand-built fixture files, the source's
name parsing and protocol, the synthetic layout and prepare_data end to end."""
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, run_tool
from smilezoo.datasets.formats import grid_triangles, read_bnt, read_lm3, write_bnt, write_lm3
from smilezoo.datasets.sources import BosphorusScans, parse_bosphorus_name
from smilezoo.datasets.synthetic import (LAYOUTS, bosphorus_scan_list,
                                         make_bosphorus)
from smilezoo.structures import Mesh, ScanFormatError

ZMIN = -1e9
NAME = b'bs000_E_HAPPY_0.png'
SIX = ('ANGER', 'DISGUST', 'FEAR', 'HAPPY', 'SADNESS', 'SURPRISE')
RES = 2000  # small synthetic grids keep the file fast


def channel_values(nrows, ncols, background=()):
    """5 x nrows x ncols values, x = 100 + i, y = 200 + i ... by row-major
    index i; background points get zmin in x, y, z (u, v keep theirs)."""
    out = np.zeros((5, nrows, ncols))
    for ch in range(5):
        for r in range(nrows):
            for c in range(ncols):
                out[ch, r, c] = 100 * (ch + 1) + r * ncols + c + 0.25 * ch
    for r, c in background:
        out[:3, r, c] = ZMIN
    return out


def bnt_bytes(chans, zmin=ZMIN, name=NAME, count=None, nrows=None,
              ncols=None):
    """The .bnt layout, field by field with struct (values channel by
    channel, each row by row)."""
    _, r, c = chans.shape
    nrows = r if nrows is None else nrows
    ncols = c if ncols is None else ncols
    n = 5 * r * c if count is None else count
    head = (struct.pack('<H', nrows) + struct.pack('<H', ncols) +
            struct.pack('<d', zmin) + struct.pack('<H', len(name)) + name +
            struct.pack('<I', n))
    values = [chans[ch, i, j] for ch in range(5) for i in range(r)
              for j in range(c)]
    return head + struct.pack(f'<{len(values)}d', *values)


# --------------------------------------------------------------------------
# .bnt
# --------------------------------------------------------------------------
def test_read_bnt_hand_built_file(tmp_path):
    chans = channel_values(3, 4, background=[(0, 0), (2, 3)])
    path = tmp_path / 'bs000_E_HAPPY_0.bnt'
    data = bnt_bytes(chans)
    path.write_bytes(data)
    assert len(data) == 18 + len(NAME) + 8 * 60
    scan = read_bnt(path)
    assert scan.shape == (3, 4) and scan.zmin == ZMIN
    assert scan.texture == NAME.decode() and scan.path == str(path)
    np.testing.assert_array_equal(scan.channels, chans)  # exact values
    assert scan.grid.shape == (3, 4, 5)
    # grid[r, c] = (x, y, z, u, v) of row-major point r * ncols + c
    np.testing.assert_array_equal(scan.grid[1, 2],
                                  [106, 206.25, 306.5, 406.75, 507])
    expected_valid = np.ones((3, 4), bool)
    expected_valid[0, 0] = expected_valid[2, 3] = False
    np.testing.assert_array_equal(scan.valid, expected_valid)
    pts = scan.points()
    assert pts.shape == (10, 3) and pts.dtype == np.float64
    np.testing.assert_array_equal(pts[0], [101, 201.25, 301.5])  # (0, 1)
    assert not (pts == ZMIN).any()
    np.testing.assert_array_equal(scan.texcoords()[0], [401.75, 502])


def test_write_bnt_gives_the_hand_built_bytes(tmp_path):
    chans = channel_values(3, 4, background=[(1, 1)])
    write_bnt(tmp_path / 'a.bnt', *chans, zmin=ZMIN, texture_name=NAME.decode())
    assert (tmp_path / 'a.bnt').read_bytes() == bnt_bytes(chans)
    assert [p.name for p in tmp_path.iterdir()] == ['a.bnt']  # no temp left


def test_bnt_points_and_mesh(tmp_path):
    chans = channel_values(3, 4, background=[(0, 0)])
    path = tmp_path / 's.bnt'
    path.write_bytes(bnt_bytes(chans))
    scan = read_bnt(path)
    cloud = scan.to_mesh(triangulate=False)
    assert isinstance(cloud, Mesh) and cloud.faces is None
    assert cloud.is_point_cloud and cloud.vertices.dtype == np.float32
    assert cloud.vertices.shape == (11, 3) and cloud.texture == NAME.decode()
    mesh = scan.to_mesh()
    np.testing.assert_array_equal(mesh.vertices, cloud.vertices)
    # 6 blocks: the one with (0, 0) missing gives 1 triangle, 5 give 2
    assert mesh.faces.shape == (11, 3) and mesh.faces.dtype == np.int64
    assert mesh.faces.min() >= 0 and mesh.faces.max() == 10
    np.testing.assert_array_equal(mesh.face_texcoords, mesh.faces)
    # every triangle is non-degenerate and spans neighbouring grid points
    flat = np.flatnonzero(scan.valid.ravel())[mesh.faces]  # grid indices
    rows, cols = flat // 4, flat % 4
    assert (np.ptp(rows, axis=1) == 1).all() and (np.ptp(cols, axis=1) == 1).all()
    assert len({tuple(sorted(f)) for f in mesh.faces.tolist()}) == 11


def test_grid_triangles_counts_and_validity():
    valid = np.ones((5, 6), bool)
    assert len(grid_triangles(valid)) == 2 * 4 * 5
    valid[2, 2] = False  # 4 blocks lose a corner: one triangle each
    tris = grid_triangles(valid)
    assert len(tris) == 2 * 20 - 4
    assert valid.ravel()[tris].all()
    valid[2, 3] = False  # blocks with two missing corners: nothing
    tris = grid_triangles(valid)
    assert len(tris) == 2 * 20 - 4 - 2 - 2 and valid.ravel()[tris].all()
    assert grid_triangles(np.ones((1, 5), bool)).shape == (0, 3)


def test_range_image_puts_the_top_of_the_face_first(tmp_path):
    chans = channel_values(3, 2)
    chans[1] = np.array([[0.0], [10.0], [20.0]])  # y grows with the row
    path = tmp_path / 'up.bnt'
    path.write_bytes(bnt_bytes(chans))
    img = read_bnt(path).range_image('y')
    np.testing.assert_array_equal(img[:, 0], [20, 10, 0])
    chans[1] = chans[1][::-1]  # already top-down: unchanged
    path.write_bytes(bnt_bytes(chans))
    np.testing.assert_array_equal(read_bnt(path).range_image('y')[:, 0],
                                  [20, 10, 0])


def release_face_grid(nrows=60, ncols=48):
    """A grid shaped like the release's: rows bottom to top (row 0 = chin, y
    grows with the row), x, y in mm, zmin -1e9 as background, u, v in [0, 1];
    the face is narrow at the chin and wide at the forehead."""
    ys, xs = np.linspace(-90, 90, nrows), np.linspace(-70, 70, ncols)
    x, y = np.meshgrid(xs, ys)
    valid = np.abs(x) < 20 + 45 * (y + 90) / 180
    z = 60 - 0.004 * (x ** 2 + y ** 2)
    u = (x - xs[0]) / (xs[-1] - xs[0])
    v = 1 - (y - ys[0]) / (ys[-1] - ys[0])
    return [np.where(valid, c, ZMIN) for c in (x, y, z, u, v)], valid


def _width_top_vs_bottom(mask):
    rows = np.flatnonzero(mask.any(axis=1))
    widths = mask[rows].sum(axis=1)
    third = max(1, len(rows) // 3)
    return widths[:third].mean(), widths[-third:].mean()


def test_release_row_order_chin_first_renders_upright(tmp_path):
    chans, valid = release_face_grid()
    path = tmp_path / 'bs000_E_HAPPY_0.bnt'
    path.write_bytes(bnt_bytes(np.stack(chans)))  # field by field, as the release
    scan = read_bnt(path)
    np.testing.assert_array_equal(scan.valid, valid)
    col = scan.shape[1] // 2  # the middle column is valid in every row
    assert scan.valid[:, col].all()
    assert np.all(np.diff(scan.channels[1, :, col]) > 0)  # row 0 is the chin, y up
    top, bottom = _width_top_vs_bottom(np.isfinite(scan.range_image('z')))
    assert top > 1.5 * bottom  # range image: forehead (wide) in row 0
    assert scan.range_image('y')[0][np.isfinite(scan.range_image('y')[0])].min() > 80
    from smilezoo.renderers import MultiViewRenderer
    front = MultiViewRenderer(yaws=(0, ), image_size=32, modes=('depth', ))
    for geometry in (scan.to_mesh(), scan.to_mesh(triangulate=False)):
        image = front.render(geometry)[0, 0]
        top, bottom = _width_top_vs_bottom(image > 0)
        assert top > 1.5 * bottom  # rendered upright: forehead at the top


def _malformed():
    good = channel_values(2, 3)
    data = bnt_bytes(good)
    full = len(data)
    empty_name = bnt_bytes(good, name=b'')
    return [
        ('empty', b'', ['truncated', '0 bytes', '14-byte']),
        ('short_fixed', data[:9], ['truncated', '9 bytes', '14-byte']),
        ('short_name', data[:20], ['truncated', '20 bytes',
                                   f'{18 + len(NAME)}-byte header']),
        ('bad_count', bnt_bytes(good, count=31),
         ['n = 31', '2 * 3 * 5 = 30']),
        ('bad_dims', bnt_bytes(good, nrows=3),
         ['n = 30', '3 * 3 * 5 = 45']),
        ('truncated_body', data[:-5],
         [f'file size {full - 5} bytes', f'{full} bytes', 'truncated']),
        ('trailing', data + b'\0' * 8,
         [f'file size {full + 8} bytes', f'{full} bytes', 'trailing']),
        ('no_name_short', empty_name[:-8],
         [f'{len(empty_name) - 8} bytes', f'{len(empty_name)} bytes']),
        ('non_ascii', bnt_bytes(good, name='bs000_é.png'.encode('utf-8')),
         ['not ASCII']),
        ('all_background', bnt_bytes(channel_values(
            2, 3, background=[(r, c) for r in range(2) for c in range(3)])),
         ['no valid points', 'all 6 grid points']),
    ]


@pytest.mark.parametrize('case,data,words', _malformed(),
                         ids=[c[0] for c in _malformed()])
def test_malformed_bnt_names_file_and_problem(tmp_path, case, data, words):
    path = tmp_path / f'bs000_{case}.bnt'
    path.write_bytes(data)
    with pytest.raises(ScanFormatError) as err:
        read_bnt(path)
    msg = str(err.value)
    assert err.value.path == str(path) and path.name in msg
    for word in words:
        assert word in msg, (word, msg)


def test_bnt_read_speed_30k_points(tmp_path):
    rows, cols = 180, 170
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    z = 60 - ((xx - 85)**2 + (yy - 90)**2) / 150
    bg = z < 0
    chans = [np.where(bg, ZMIN, a) for a in (xx, yy, z)] + [xx / cols,
                                                              yy / rows]
    path = tmp_path / 'big.bnt'
    write_bnt(path, *chans, zmin=ZMIN, texture_name='big.png')
    scan = read_bnt(path)  # its speed: tools/analysis_tools/benchmark_io.py
    assert scan.valid.sum() == (~bg).sum()


# --------------------------------------------------------------------------
# .lm3
# --------------------------------------------------------------------------
LM3_WITH_INFO = ('Bosphorus landmark file\r\n*\r\nsome information\r\n'
                 'more information\r\n\r\n3 landmarks:\r\n'
                 'Outer left eyebrow\r\n-50.5 61.25 -20\r\n'
                 'Nose tip\r\n0.5 -5.125 30.75\r\n'
                 'Chin middle\r\n1 -70 5e-1\r\n')
LM3_PLAIN = ('header\n2\nNose tip\n1 2 3\n\n'
             'Left mouth corner\n 4, 5, 6 \n')


def test_read_lm3_with_info_block_crlf(tmp_path):
    path = tmp_path / 'a.lm3'
    path.write_bytes(LM3_WITH_INFO.encode())
    marks = read_lm3(path)
    assert list(marks) == ['Outer left eyebrow', 'Nose tip', 'Chin middle']
    np.testing.assert_array_equal(marks['Nose tip'], [0.5, -5.125, 30.75])
    np.testing.assert_array_equal(marks['Chin middle'], [1, -70, 0.5])


def test_read_lm3_without_info_block_and_missing_landmarks(tmp_path):
    path = tmp_path / 'b.lm3'
    path.write_text(LM3_PLAIN)
    marks = read_lm3(path)
    assert list(marks) == ['Nose tip', 'Left mouth corner']  # 2 of 24
    np.testing.assert_array_equal(marks['Left mouth corner'], [4, 5, 6])
    path.write_text('header\nsecond header line\n0\n')
    assert read_lm3(path) == {}


def test_write_lm3_round_trip(tmp_path):
    marks = {'Nose tip': np.array([1.5, -2.25, 3.0]),
             'Chin middle': np.array([0.0, -70.0, 1.0])}
    for info in (None, ['line one', 'line two']):
        write_lm3(tmp_path / 'c.lm3', marks, info=info)
        text = (tmp_path / 'c.lm3').read_bytes()
        assert b'\r\n2 landmarks:\r\n' in text
        assert (text.split(b'\r\n')[1] == b'*') == (info is not None)
        back = read_lm3(tmp_path / 'c.lm3')
        assert list(back) == list(marks)
        for k in marks:
            np.testing.assert_array_equal(back[k], marks[k])


@pytest.mark.parametrize('text,words', [
    ('', ['empty file']),
    ('header\n*\ninfo never closed\n', ["'*'", 'not closed']),
    ('header\n*\ninfo\n\nNose tip\n1 2 3\n', ['line 5', 'landmark count']),
    ('header\n2\nNose tip\n1 2 3\nChin middle\n1 2\n',
     ['line 6', "'x y z'", 'Chin middle', '2 of 2']),
    ('header\n2\nNose tip\n1 two 3\nChin\n1 2 3\n', ['line 4', 'Nose tip']),
    ('header\n3\nNose tip\n1 2 3\nChin middle\n4 5 6\n',
     ['ends after 2 of 3']),
    ('header\n2\nNose tip\n1 2 3\nNose tip\n4 5 6\n',
     ['line 5', "'Nose tip' appears twice"]),
])
def test_malformed_lm3_names_file_and_line(tmp_path, text, words):
    path = tmp_path / 'bs000_E_FEAR_0.lm3'
    path.write_text(text)
    with pytest.raises(ScanFormatError) as err:
        read_lm3(path)
    msg = str(err.value)
    assert 'bs000_E_FEAR_0.lm3' in msg
    for word in words:
        assert word in msg, (word, msg)


# --------------------------------------------------------------------------
# Source: names, layout, protocol
# --------------------------------------------------------------------------
@pytest.mark.parametrize('name,expected', [
    ('bs000_E_HAPPY_0.bnt', ('bs000', 'E', 'HAPPY', 0, 'happy')),
    ('bs104_E_SADNESS_1.bnt', ('bs104', 'E', 'SADNESS', 1, 'sad')),
    ('bs010_E_ANGER_0.bnt', ('bs010', 'E', 'ANGER', 0, 'angry')),
    ('bs001_N_N_0.bnt', ('bs001', 'N', 'N', 0, 'neutral')),
    ('bs001_LFAU_12L_0.bnt', ('bs001', 'LFAU', '12L', 0, None)),
    ('bs001_CAU_A22A12_0.bnt', ('bs001', 'CAU', 'A22A12', 0, None)),
    ('bs002_YR_R10_0.bnt', ('bs002', 'YR', 'R10', 0, None)),
    ('bs002_O_GLASSES_0.bnt', ('bs002', 'O', 'GLASSES', 0, None)),
])
def test_parse_bosphorus_name(name, expected):
    info = parse_bosphorus_name(name)
    assert (info['subject'], info['scan_class'], info['code'], info['take'],
            info['expression']) == expected


@pytest.mark.parametrize('name,word', [
    ('bs000_E_JOY_0.bnt', "unknown emotion 'JOY'"),
    ('bs000_X_HAPPY_0.bnt', "unknown scan class 'X'"),
    ('bs000_N_HAPPY_0.bnt', 'N_N'),
    ('bs000_E_HAPPY.bnt', 'bsNNN_{CLASS}_{CODE}_{k}'),
    ('bs0000_E_HAPPY_0.bnt', 'bsNNN_{CLASS}_{CODE}_{k}'),
])
def test_parse_bosphorus_name_errors(name, word):
    with pytest.raises(ValueError) as err:
        parse_bosphorus_name(name)
    assert name in str(err.value) and word in str(err.value)


def _touch_tree(root: Path, names):
    for name in names:
        folder = root / name.split('_')[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b'')


def _tree_names():
    names = [f'bs000_E_{e}_0.bnt' for e in SIX] + ['bs000_N_N_0.bnt',
                                                   'bs000_YR_R10_0.bnt']
    names += [f'bs001_E_{e}_0.bnt' for e in SIX if e != 'FEAR']
    names += [f'bs002_E_{e}_0.bnt' for e in SIX] + ['bs002_E_HAPPY_1.bnt']
    return names


def test_source_protocol_and_skipped_names(tmp_path):
    root = tmp_path / 'data'
    _touch_tree(root, _tree_names())
    (root / 'bs000' / 'bs000_E_JOY_0.bnt').write_bytes(b'')
    (root / 'bs000' / 'bs001_E_HAPPY_0.bnt').write_bytes(b'')
    (root / 'bs000' / 'bs000_E_HAPPY_0.lm3').write_bytes(b'')
    (root / 'notes').mkdir()
    records, skipped = BosphorusScans(str(root), subject_rule='all_six').scan()
    assert {r['subject'] for r in records} == {'bs000', 'bs002'}
    assert len(records) == 6 + 7
    first = records[0]
    assert first == dict(source_path='bs000/bs000_E_ANGER_0.bnt',
                         dataset='bosphorus', subject='bs000',
                         expression='angry', intensity=None, sex=None,
                         race=None, scan_type='E_ANGER', take=0)
    reasons = {s['source_path']: s['reason'] for s in skipped}
    excluded = {f'bs001/bs001_E_{e}_0.bnt' for e in SIX if e != 'FEAR'}
    assert set(reasons) == {'bs000/bs000_E_JOY_0.bnt',
                            'bs000/bs001_E_HAPPY_0.bnt'} | excluded
    assert 'JOY' in reasons['bs000/bs000_E_JOY_0.bnt']
    assert 'in folder bs000' in reasons['bs000/bs001_E_HAPPY_0.bnt']
    for path in excluded:  # the rule's exclusions are listed, with the lack
        assert 'subject bs001 has no scan of fear' in reasons[path]
    # without the all-six rule bs001 (no FEAR) is kept too (older spelling too)
    for opts in (dict(subject_rule='all'), dict(require_all_expressions=False)):
        records, skipped = BosphorusScans(str(root), **opts).scan()
        assert len(records) == 6 + 5 + 7 and len(skipped) == 2
    # neutral on request, pose scans never; subject filter
    records, _ = BosphorusScans(
        str(root), expressions=('neutral', 'happy'),
        subjects=['bs000']).scan()
    assert [r['scan_type'] for r in records] == ['E_HAPPY', 'N_N']
    with pytest.raises(ValueError, match='joy'):
        BosphorusScans(str(root), expressions=('joy', ))


def test_source_accepts_the_bosphorusdb_parent(tmp_path):
    _touch_tree(tmp_path / 'BosphorusDB', _tree_names())
    records, _ = BosphorusScans(str(tmp_path), subject_rule='all_six').scan()
    assert len(records) == 13
    assert records[0]['source_path'] == 'BosphorusDB/bs000/bs000_E_ANGER_0.bnt'
    direct, _ = BosphorusScans(str(tmp_path / 'BosphorusDB'),
                               subject_rule='all_six').scan()
    assert direct[0]['source_path'] == 'bs000/bs000_E_ANGER_0.bnt'


def test_source_errors_name_the_path(tmp_path):
    missing = tmp_path / 'nowhere'
    with pytest.raises(FileNotFoundError) as err:
        BosphorusScans(str(missing)).scan()
    msg = str(err.value)
    assert str(missing) in msg and 'Bogazici University' in msg
    assert 'make_synthetic.py --layout bosphorus' in msg
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no subject folders'):
        BosphorusScans(str(tmp_path / 'empty')).scan()


def test_protocol_subject_list_is_the_published_65():
    from smilezoo.datasets.sources.bosphorus import PROTOCOL_SUBJECTS
    dropped = {7, 10, 13, 20, 92} | set(range(47, 82))
    assert PROTOCOL_SUBJECTS == tuple(f'bs{i:03d}' for i in range(105) if i not in dropped)
    assert len(PROTOCOL_SUBJECTS) == len(set(PROTOCOL_SUBJECTS)) == 65
    for absent in ('bs007', 'bs010', 'bs013', 'bs020', 'bs047', 'bs081', 'bs092'):
        assert absent not in PROTOCOL_SUBJECTS
    assert {'bs046', 'bs082', 'bs104'} <= set(PROTOCOL_SUBJECTS)


def _release_tree(root: Path, subjects, db='BosphorusDB'):
    """The release's names: BosphorusDB/bsNNN/bsNNN_E_HAPPY_0.{bnt,lm2,lm3,png}
    (empty files: the source only reads names), N_N, an AU and a pose scan,
    and unallowed_subjects.txt at the top."""
    for subject, codes in subjects.items():
        folder = root / db / subject
        folder.mkdir(parents=True)
        for code in codes:
            for ext in ('.bnt', '.lm2', '.lm3', '.png'):
                (folder / f'{subject}_{code}_0{ext}').write_bytes(b'')
    (root / 'unallowed_subjects.txt').write_text('bs000\n')


ALL_SIX = [f'E_{e}' for e in SIX] + ['N_N', 'LFAU_12', 'YR_R10']


def test_protocol_rule_is_the_default_and_says_what_it_chose(tmp_path):
    misnamed = [c for c in ALL_SIX if c != 'E_HAPPY'] + ['E_HAPPPY']
    _release_tree(tmp_path, {'bs000': ALL_SIX, 'bs007': ALL_SIX, 'bs046': misnamed,
                             'bs082': [c for c in ALL_SIX if c != 'E_FEAR']})
    source = BosphorusScans(str(tmp_path))
    records, skipped = source.scan()
    assert source.subject_rule == 'protocol'
    by_subject = {}
    for r in records:
        by_subject.setdefault(r['subject'], []).append(r['scan_type'])
    # listed subjects are kept whole (bs046's five good scans too); bs007 is
    # not one of the 65
    assert sorted(by_subject) == ['bs000', 'bs046', 'bs082']
    assert len(by_subject['bs046']) == 5 and len(by_subject['bs082']) == 5
    sel = source.selection
    assert sel['rule'] == 'protocol' and "FER protocol's 65 subjects" in sel['description']
    assert sel['incomplete'] == {'bs046': ['happy'], 'bs082': ['fear']}
    assert sel['left_out'] == {'bs007': 6}
    assert len(sel['missing']) == 62 and 'bs001' in sel['missing']
    assert "chosen by 'protocol'" in sel['summary'] and 'bs046 (happy)' in sel['summary']
    assert 'left out (6 scans): bs007' in sel['summary']
    assert {s['source_path'] for s in skipped} == {'BosphorusDB/bs046/bs046_E_HAPPPY_0.bnt'}


def test_all_six_rule_lists_every_scan_it_excludes(tmp_path):
    misnamed = [c for c in ALL_SIX if c != 'E_HAPPY'] + ['E_HAPPPY']
    _release_tree(tmp_path, {'bs000': ALL_SIX, 'bs007': ALL_SIX, 'bs046': misnamed})
    source = BosphorusScans(str(tmp_path), subject_rule='all_six')
    records, skipped = source.scan()
    assert {r['subject'] for r in records} == {'bs000', 'bs007'}
    reasons = {s['source_path']: s['reason'] for s in skipped}
    good = {f'BosphorusDB/bs046/bs046_{c}_0.bnt' for c in misnamed
            if c.startswith('E_') and c != 'E_HAPPPY'}
    assert len(good) == 5 and good <= set(reasons)
    for path in good:  # each of the five good scans, with what its subject lacks
        assert 'subject bs046 has no scan of happy' in reasons[path]
    assert 'HAPPPY' in reasons['BosphorusDB/bs046/bs046_E_HAPPPY_0.bnt']  # the cause
    assert source.selection['rule'] == 'all_six'
    assert 'bs046 lacks happy' in source.selection['summary']
    with pytest.raises(ValueError, match='contradicts'):
        BosphorusScans(str(tmp_path), subject_rule='protocol', require_all_expressions=True)
    with pytest.raises(ValueError, match="subject_rule 'six'"):
        BosphorusScans(str(tmp_path), subject_rule='six')


def test_split_release_folders_are_read_together(tmp_path):
    _release_tree(tmp_path, {'bs000': ALL_SIX}, db='BosphorusDB_p1')
    _release_tree(tmp_path, {'bs001': ALL_SIX, 'bs000': ['E_ANGER']}, db='BosphorusDB_p2')
    records, skipped = BosphorusScans(str(tmp_path)).scan()
    assert {r['source_path'].split('/')[0] for r in records} == {'BosphorusDB_p1',
                                                                  'BosphorusDB_p2'}
    assert len(records) == 12
    assert [s['source_path'] for s in skipped] == ['BosphorusDB_p2/bs000']
    assert 'also in BosphorusDB_p1/bs000' in skipped[0]['reason']


def test_paper_config_uses_the_protocol_list(tmp_path):
    from mmengine.config import Config
    from smilezoo.registry import DATASETS
    from smilezoo.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(str(ROOT / 'configs' / 'smile_vlm_bosphorus.py'))
    source_cfg = cfg.data_preparation.source
    assert source_cfg.subject_rule == 'protocol' and source_cfg.data_root == 'data/Bosphorus'
    _release_tree(tmp_path, {'bs000': ALL_SIX, 'bs007': ALL_SIX})
    source = DATASETS.build(dict(source_cfg, data_root=str(tmp_path)))
    records, _ = source.scan()
    assert {r['subject'] for r in records} == {'bs000'}
    assert {r['expression'] for r in records} == set(cfg.class_names)


# --------------------------------------------------------------------------
# Synthetic layout
# --------------------------------------------------------------------------
@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    """A 4-subject tree made by the command-line tool (bs003 lacks FEAR)."""
    out = tmp_path_factory.mktemp('bosphorus') / 'tree'
    run_tool('tools/dataset_converters/make_synthetic.py', '--layout',
             'bosphorus', '--out', out, '--subjects', 4, '--seed', 3,
             '--resolution', RES, '--no-progress')
    return out


def _tree_bytes(root: Path):
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob('*')) if p.is_file()}


def test_synthetic_layout_files_and_determinism(synthetic, tmp_path):
    assert LAYOUTS['bosphorus'] is make_bosphorus
    info = json.loads((synthetic / 'synthetic_info.json').read_text())
    assert info['layout'] == 'bosphorus' and info['resolution'] == RES
    assert info['incomplete_subjects'] == ['bs003']
    assert sorted(p.name for p in synthetic.iterdir()) == [
        'bs000', 'bs001', 'bs002', 'bs003', 'synthetic_info.json']
    assert bosphorus_scan_list(3) == [f'E_{e}' for e in SIX if e != 'FEAR'] \
        + ['N_N', 'YR_R10']
    stems = sorted(p.stem for p in (synthetic / 'bs000').glob('*.bnt'))
    assert stems == sorted([f'bs000_E_{e}_0' for e in SIX] +
                           ['bs000_N_N_0', 'bs000_LFAU_12_0'])
    for stem in stems:
        for ext in ('.lm3', '.png'):
            assert (synthetic / 'bs000' / f'{stem}{ext}').is_file()
    png = (synthetic / 'bs000' / f'{stems[0]}.png').read_bytes()
    assert png.startswith(b'\x89PNG\r\n\x1a\n')
    scan = read_bnt(synthetic / 'bs000' / 'bs000_E_HAPPY_0.bnt')
    assert scan.texture == 'bs000_E_HAPPY_0.png' and scan.zmin == ZMIN
    assert abs(scan.valid.size - RES) < 0.05 * RES
    assert 0.4 < scan.valid.mean() < 0.9  # some background
    assert np.all((scan.texcoords() >= 0) & (scan.texcoords() <= 1))
    rows = scan.valid.any(axis=1)
    row_y = (scan.channels[1] * scan.valid).sum(1)[rows] / scan.valid.sum(1)[rows]
    assert np.all(np.diff(row_y) > 0)  # stored bottom-up: y grows with the row
    marks = read_lm3(synthetic / 'bs000' / 'bs000_E_HAPPY_0.lm3')
    assert 15 <= len(marks) <= 22
    if 'Nose tip' in marks:  # the tip is the nearest point of the face
        assert marks['Nose tip'][2] > np.percentile(scan.points()[:, 2], 95)
    # same seed: same bytes (written with 2 workers here, 1 by the tool)
    again = tmp_path / 'again'
    make_bosphorus(again, 4, seed=3, resolution=RES, workers=2,
                   progress=False)
    assert _tree_bytes(again) == _tree_bytes(synthetic)
    other = tmp_path / 'other'
    make_bosphorus(other, 1, seed=4, resolution=RES, progress=False)
    assert (other / 'bs000' / 'bs000_E_HAPPY_0.bnt').read_bytes() != \
        (synthetic / 'bs000' / 'bs000_E_HAPPY_0.bnt').read_bytes()
    # rerun with fewer subjects: stale subjects go, a foreign folder is refused
    make_bosphorus(other, 1, seed=4, resolution=RES, progress=False)
    make_bosphorus(again, 2, seed=3, resolution=RES, progress=False)
    assert sorted(p.name for p in again.iterdir()) == [
        'bs000', 'bs001', 'synthetic_info.json']
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'mine.txt').write_text('keep me')
    with pytest.raises(FileExistsError):
        make_bosphorus(foreign, 1, progress=False)


def test_source_reads_the_synthetic_tree(synthetic):
    records, skipped = BosphorusScans(str(synthetic), subject_rule='all_six').scan()
    assert {s['source_path'] for s in skipped} == {
        f'bs003/bs003_E_{e}_0.bnt' for e in SIX if e != 'FEAR'}  # bs003 lacks fear
    assert {r['subject'] for r in records} == {'bs000', 'bs001', 'bs002'}
    assert len(records) == 18 and {r['intensity'] for r in records} == {None}
    assert BosphorusScans(str(synthetic), require_all_expressions=False
                          ).scan()[0].__len__() == 23
    # the default, the protocol's list, holds bs000-bs003: all kept, bs003 flagged
    source = BosphorusScans(str(synthetic))
    records_list, skipped = source.scan()
    assert len(records_list) == 23 and not skipped
    assert source.selection['rule'] == 'protocol'
    assert source.selection['incomplete'] == {'bs003': ['fear']}
    mesh = BosphorusScans(str(synthetic)).load(records[0])
    cloud = BosphorusScans(str(synthetic), as_mesh=False).load(records[0])
    assert mesh.faces is not None and len(mesh.faces) > len(mesh.vertices)
    assert cloud.faces is None and len(cloud.vertices) == len(mesh.vertices)
    from smilezoo.renderers import MultiViewRenderer
    renderer = MultiViewRenderer(image_size=32, modes=('depth', ))
    for geometry in (mesh, cloud):
        views = renderer.render(geometry)
        assert views.shape == (3, 1, 32, 32) and (views > 0).mean() > 0.2
    # the synthetic grids follow the release's row order: the chin near row 0
    scan = read_bnt(synthetic / 'bs000' / 'bs000_E_HAPPY_0.bnt')
    marks = read_lm3(synthetic / 'bs000' / 'bs000_E_HAPPY_0.lm3')
    used = scan.valid.any(axis=1)
    row_y = np.full(len(used), np.nan)
    row_y[used] = (scan.channels[1] * scan.valid).sum(1)[used] / scan.valid.sum(1)[used]
    rows = {label: np.nanargmin(abs(row_y - marks[label][1]))
            for label in ('Chin middle', 'Nose tip') if label in marks}
    if len(rows) == 2:
        assert rows['Chin middle'] < rows['Nose tip']
    assert row_y[np.isfinite(row_y)][0] < row_y[np.isfinite(row_y)][-1]


# --------------------------------------------------------------------------
# prepare_data end to end
# --------------------------------------------------------------------------
CONFIG = """_base_ = [{tiny!r}]
data_preparation = dict(
    source=dict(_delete_=True, type='BosphorusScans', data_root={root!r},
                expressions={classes!r}, require_all_expressions=True),
    out_dir={cache!r})
split = dict(num_folds=3)  # 3 complete subjects
train_dataloader = dict(dataset=dict(ann_file={ann!r}, intensities=None,
                                     subject_split=split))
val_dataloader = dict(dataset=dict(ann_file={ann!r}, intensities=None,
                                   subject_split=split))
test_dataloader = val_dataloader
"""


def test_prepare_data_on_synthetic_bosphorus(synthetic, tmp_path):
    root, cache = tmp_path / 'tree', tmp_path / 'cache'
    shutil.copytree(synthetic, root)
    bad = root / 'bs001' / 'bs001_E_SADNESS_0.bnt'
    bad.write_bytes(bad.read_bytes()[:-8])
    (root / 'bs002' / 'bs002_E_JOY_0.bnt').write_bytes(b'')
    classes = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
    cfg_path = tmp_path / 'tiny_bosphorus.py'
    cfg_path.write_text(CONFIG.format(
        tiny=str(ROOT / 'tests' / 'configs' / 'tiny_synthetic.py'),
        root=str(root), cache=str(cache), classes=classes,
        ann=str(cache / 'annotations.json')))
    proc = run_tool('tools/prepare_data.py', cfg_path)
    report = json.loads((cache / 'prepare_report.json').read_text())
    assert report['found'] == 18 and report['converted'] == 17
    reasons = {s['source_path']: s['reason'] for s in report['skipped']}
    excluded = {f'bs003/bs003_E_{e}_0.bnt' for e in SIX if e != 'FEAR'}
    assert set(reasons) == {'bs001/bs001_E_SADNESS_0.bnt',
                            'bs002/bs002_E_JOY_0.bnt'} | excluded
    assert all('bs003 has no scan of fear' in reasons[p] for p in excluded)
    assert report['selection']['rule'] == 'all_six'
    assert report['selection']['left_out'] == {'bs003': 5}
    console = ' '.join((proc.stdout + proc.stderr).split())
    assert "chosen by 'all_six'" in console and 'bs003 lacks fear' in console
    reason = reasons['bs001/bs001_E_SADNESS_0.bnt']
    size = bad.stat().st_size
    assert 'ScanFormatError' in reason and bad.name in reason
    assert f'file size {size} bytes' in reason and f'{size + 8} bytes' in reason
    assert 'JOY' in reasons['bs002/bs002_E_JOY_0.bnt']
    assert bad.name in proc.stdout + proc.stderr
    ann = json.loads((cache / 'annotations.json').read_text())
    assert ann['metainfo']['dataset'] == 'bosphorus'
    items = ann['data_list']
    assert len(items) == 17 and {d['intensity'] for d in items} == {None}
    assert {d['expression'] for d in items} == set(classes)
    views = np.load(cache / items[0]['views'])
    assert views.shape == (3, 3, 32, 32) and views.dtype == np.uint8
    assert views.std() > 10
    assert not (cache / 'views' / 'bs001' / 'bs001_E_SADNESS_0.npy').exists()
    assert not list(cache.rglob('*.tmp*'))
    # the training-time dataset keeps every scan when intensities is None
    from mmengine.config import Config
    from smilezoo.registry import DATASETS
    cfg = Config.fromfile(str(cfg_path))
    assert cfg.data_preparation.source.type == 'BosphorusScans'
    assert 'scan_type' not in cfg.data_preparation.source
    whole = dict(cfg.train_dataloader.dataset, subject_split=None)
    assert len(DATASETS.build(whole)) == 17
    train = DATASETS.build(cfg.train_dataloader.dataset)
    test = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(train) + len(test) == 17 and len(test) > 0
    assert not {d['subject'] for d in train.data_list} & \
        {d['subject'] for d in test.data_list}


def test_synthetic_bosphorus_base_config():
    from mmengine.config import Config
    cfg = Config.fromfile(
        str(ROOT / 'configs' / '_base_' / 'datasets' / 'synthetic_bosphorus.py'))
    assert cfg.data_preparation.source.type == 'BosphorusScans'
    assert cfg.data_root == 'data/synthetic_bosphorus'
    assert cfg.data_preparation.out_dir == 'data/cache/synthetic_bosphorus'
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        assert loader.dataset.intensities is None
    assert len(cfg.class_names) == 6
