"""BP4D-Spontaneous, BU-4DFE and BU-3DFE read as their owners ship them:
each test builds a release-shaped tree written to the facts of
../shared/docs/datasets.md ("Confirmed from public sources") and checks the
source's defaults on it (4DME and Bosphorus: tests of their own)."""
import json

import numpy as np
import pytest

from smilezoo.datasets.formats import read_bnd, write_bnd, write_obj
from smilezoo.structures import ScanFormatError
from smilezoo.datasets.formats.vrml_writer import write_vrml
from smilezoo.datasets.sources import BP4DSequences, BU3DFEScans, BU4DFESequences
from smilezoo.datasets.sources.bp4d import au_codes, read_au_occurrence
from smilezoo.datasets.synthetic import sample_identity, synthesize_face
from smilezoo.datasets.synthetic.face_model import NOSE_TIP

RES = 300  # vertices per synthetic frame: tiny


@pytest.fixture(scope='module')
def faces():
    """Four small synthetic face scans (FaceScan: vertices, polygons, texcoords,
    landmarks), each a little different."""
    identity = sample_identity(3, 'M')
    return [synthesize_face(identity, {'AU12': 0.3 * k}, resolution=RES, rng=k, holes=False)
            for k in range(4)]


def au_csv(path, rows):
    """An AU_OCC file: header 0,1,...,99; rows {0: AU frame, k: code}, the
    other columns 9."""
    lines = [','.join(str(c) for c in range(100))]
    for row in rows:
        cells = [9] * 100
        for k, v in row.items():
            cells[k] = v
        lines.append(','.join(map(str, cells)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n')


# --------------------------------------------------------------------------
# BP4D-Spontaneous
# --------------------------------------------------------------------------
@pytest.fixture(scope='module')
def bp4d_release(tmp_path_factory, faces):
    """<release>/Sequences(2D+3D)/{F001/T1, F001/T8, M001/T2}/0000.obj .mtl .jpg
    (frames 0000-0005, 0000-0003, 0000-0003) and AUCoding/AU_OCC/ with a good
    file (F001_T1), one whose frames match no model (F001_T8) and a broken
    one (M001_T2); 2DFeatures/, 3DFeatures/, PreviewVideos/ beside them."""
    root = tmp_path_factory.mktemp('bp4d') / 'BP4D-Spontaneous'
    for seq, n in (('F001/T1', 6), ('F001/T8', 4), ('M001/T2', 4)):
        folder = root / 'Sequences(2D+3D)' / seq
        folder.mkdir(parents=True)
        for t in range(n):
            s = faces[t % len(faces)]
            write_obj(folder / f'{t:04d}.obj', s.vertices, s.polygons, s.texcoords,
                      s.tex_polygons, mtllib=f'{t:04d}.mtl', material='material0')
            (folder / f'{t:04d}.mtl').write_text(f'newmtl material0\nmap_Kd {t:04d}.jpg\n')
            (folder / f'{t:04d}.jpg').write_bytes(b'\xff\xd8\xff\xd9')
    occ = root / 'AUCoding' / 'AU_OCC'
    # AU frames 2-5 = model frames 0001-0004; AU12 present at AU frames 3-4
    au_csv(occ / 'F001_T1.csv', [{0: f, 1: 0, 6: int(f == 5), 12: int(f in (3, 4)), 17: 9 if f == 2
                                  else 0} for f in (2, 3, 4, 5)])
    au_csv(occ / 'F001_T8.csv', [{0: f, 12: 1} for f in (2441, 2442)])  # no such model frames
    au_csv(occ / 'M001_T2.csv', [{0: 1, 12: 7}])  # code 7: not 0/1/9
    for extra in ('2DFeatures/F001_T1.mat', '3DFeatures/F001_T1.tbnd',
                  'PreviewVideos/F001_T1.avi'):
        (root / extra).parent.mkdir(parents=True, exist_ok=True)
        (root / extra).write_bytes(b'\0')
    return root


def test_bp4d_release_folder_or_its_sequences_folder(bp4d_release):
    by_release, skipped = BP4DSequences(str(bp4d_release)).scan()
    by_sequences, skipped2 = BP4DSequences(str(bp4d_release / 'Sequences(2D+3D)')).scan()
    for records in (by_release, by_sequences):
        assert [(r['source_path'], r['expression'], r['num_frames']) for r in records] == [
            ('F001/T1', 'happy', 6), ('F001/T8', 'disgust', 4), ('M001/T2', 'sad', 4)]
        assert all(r['missing_frames'] == [] for r in records)
    assert by_release[0]['frames'][:2] == ['Sequences(2D+3D)/F001/T1/0000.obj',
                                          'Sequences(2D+3D)/F001/T1/0001.obj']
    assert by_sequences[0]['frames'][0] == 'F001/T1/0000.obj'
    # .mtl / .jpg / features / videos are not "skipped" noise; only the two bad AU files are
    for s in (skipped, skipped2):
        assert sorted(x['source_path'].split('AU_OCC/')[1] for x in s) == [
            'F001_T8.csv', 'M001_T2.csv']
    # the frames are readable where the record says
    source = BP4DSequences(str(bp4d_release), num_frames_sampled=4, min_frames=2)
    meshes, problems = source.load_frames(by_release[0])
    assert len(meshes) == 4 and problems == []


def test_bp4d_au_occurrence_frame_offset(bp4d_release):
    """AU frame N+1 is model file N: AU12 coded present at AU frames 3-4 is
    present in 0002.obj and 0003.obj (indices 2, 3)."""
    records, skipped = BP4DSequences(str(bp4d_release)).scan()
    happy = records[0]
    occ = happy['au_occurrence']
    assert occ['file'] == 'AUCoding/AU_OCC/F001_T1.csv' and occ['unmatched'] == 0
    assert occ['aus'] == [1, 6, 12, 17]  # columns coded somewhere (not all 9)
    assert occ['coded'] == [[1, 4]] and (happy['onset_index'], happy['offset_index']) == (1, 4)
    assert au_codes(happy, 12).tolist() == [-1, 0, 1, 1, 0, -1]
    assert au_codes(happy, 6).tolist() == [-1, 0, 0, 0, 1, -1]
    assert au_codes(happy, 17).tolist() == [-1, 9, 0, 0, 0, -1]
    assert au_codes(happy, 2).tolist() == [-1] * 6  # all 9 in the file: not coded
    # sampling='segment' samples the coded segment only
    seg = BP4DSequences(str(bp4d_release), sampling='segment', num_frames_sampled=4)
    assert seg.sample(happy).tolist() == [1, 2, 3, 4]
    reasons = {s['source_path']: s['reason'] for s in skipped}
    t8 = reasons['AUCoding/AU_OCC/F001_T8.csv']
    assert 'none of its 2 AU frames (2441-2442)' in t8 and 'AU frame N+1 = model frame N' in t8
    assert 'au_occurrence' not in records[1] and 'onset_index' not in records[1]
    assert 'row 2, AU 12: code 7' in reasons['AUCoding/AU_OCC/M001_T2.csv']
    # the AU file is optional, and can be switched off
    assert 'au_occurrence' not in BP4DSequences(str(bp4d_release), au_occ_root=None).scan()[0][0]


def test_bp4d_au_file_reader_and_frame_pattern(bp4d_release, tmp_path):
    frames, aus, codes = read_au_occurrence(bp4d_release / 'AUCoding/AU_OCC/F001_T1.csv')
    assert frames.tolist() == [2, 3, 4, 5] and aus.tolist() == [1, 6, 12, 17]
    assert codes.dtype == np.int8 and codes[:, 2].tolist() == [0, 1, 1, 0]
    bad = tmp_path / 'bad.csv'
    bad.write_text('frame,AU01\n1,0\n')
    with pytest.raises(ValueError, match='is not the BP4D AU header 0,1,2'):
        read_au_occurrence(bad)
    # the default path_regex wants 4-digit frames: others are listed, naming the pattern
    root = tmp_path / 'release' / 'Sequences(2D+3D)' / 'F002' / 'T3'
    root.mkdir(parents=True)
    tri = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], float)
    for name in ('0000.obj', '0001.obj', '12.obj'):
        write_obj(root / name, tri, [[0, 1, 2]])
    records, skipped = BP4DSequences(str(tmp_path / 'release')).scan()
    assert records[0]['frames'] == ['Sequences(2D+3D)/F002/T3/0000.obj',
                                    'Sequences(2D+3D)/F002/T3/0001.obj']
    assert skipped[0]['source_path'] == 'Sequences(2D+3D)/F002/T3/12.obj'
    reason = skipped[0]['reason']
    assert 'path_regex' in reason and 'below Sequences(2D+3D)/' in reason


def test_bp4d_prepare_report_with_face_crop(bp4d_release, tmp_path):
    """prepare_view_cache on the release tree with the BP4D config's renderer
    (face_crop on): every sequence cached, the AU codes in the annotations,
    the bad AU files in the report's skipped list."""
    from smilezoo.datasets.view_cache import prepare_view_cache
    source = dict(type='BP4DSequences', data_root=str(bp4d_release), num_frames_sampled=4,
                  min_frames=2)
    renderer = dict(type='MultiViewRenderer', image_size=16, face_crop=dict(radius=100.0))
    report = prepare_view_cache(source, renderer, str(tmp_path / 'cache'), progress=False)
    assert (report['found'], report['converted']) == (3, 3)
    assert len(report['skipped']) == 2
    ann = json.loads((tmp_path / 'cache' / 'annotations.json').read_text())
    happy = next(d for d in ann['data_list'] if d['source_path'] == 'F001/T1')
    assert happy['au_occurrence']['present'] == {'AU6': [[4, 4]], 'AU12': [[2, 3]]}
    assert ann['metainfo']['renderer']['face_crop'] == {'radius': 100.0}


def test_synthetic_bp4d_writes_the_release_layout(tmp_path):
    from smilezoo.datasets.synthetic import make_bp4d
    out = tmp_path / 'syn'
    make_bp4d(out, 1, seed=0, resolution=200, frames=4, progress=False)
    names = sorted(p.name for p in (out / 'Sequences(2D+3D)' / 'F001' / 'T1').iterdir())
    assert names[:3] == ['0000.jpg', '0000.mtl', '0000.obj']
    records, skipped = BP4DSequences(str(out)).scan()
    assert len(records) == 8 and skipped == []
    assert all('au_occurrence' in r for r in records)
    # rerun into the same folder: the old tree is replaced, not mixed
    make_bp4d(out, 1, seed=0, resolution=200, frames=4, progress=False)
    assert len(BP4DSequences(str(out)).scan()[0]) == 8


# --------------------------------------------------------------------------
# BU-4DFE
# --------------------------------------------------------------------------
@pytest.fixture(scope='module')
def bu4dfe_release(tmp_path_factory, faces):
    """<release>/{F001/Angry, F001/Happy, M001/Sad}/000.wrl 000.jpg ... (3 frames),
    the viewer BU_WrlViewer_V2/ and the landmark release BU4DFE_BND_V1.1/
    (83 rows 'index x y z' per frame; F001/Happy/002 has none)."""
    root = tmp_path_factory.mktemp('bu4dfe') / 'BU-4DFE'
    for seq in ('F001/Angry', 'F001/Happy', 'M001/Sad'):
        folder = root / seq
        folder.mkdir(parents=True)
        bnd = root / 'BU4DFE_BND_V1.1' / seq
        bnd.mkdir(parents=True)
        for t in range(3):
            s = faces[t]
            write_vrml(folder / f'{t:03d}.wrl', s.vertices, s.polygons, s.texcoords,
                       s.tex_polygons, f'{t:03d}.jpg')
            (folder / f'{t:03d}.jpg').write_bytes(b'\xff\xd8\xff\xd9')
            if not (seq == 'F001/Happy' and t == 2):
                write_bnd(bnd / f'{t:03d}.bnd', s.vertices[s.landmarks], s.landmarks)
    viewer = root / 'BU_WrlViewer_V2'
    (viewer / 'models').mkdir(parents=True)
    (viewer / 'BU_WrlViewer.exe').write_bytes(b'MZ')
    (viewer / 'models' / '000.wrl').write_text('#VRML V2.0 utf8\n')
    (root / 'readme.txt').write_text('BU-4DFE\n')
    return root


def test_bu4dfe_release_skips_viewer_and_reads_landmarks(bu4dfe_release, faces):
    source = BU4DFESequences(str(bu4dfe_release), num_frames_sampled=3, min_frames=2)
    records, skipped = source.scan()
    assert skipped == []  # viewer, landmark release, readme: no noise
    assert [(r['source_path'], r['expression'], r['num_frames'], r.get('landmark_frames'))
            for r in records] == [('F001/Angry', 'angry', 3, 3), ('F001/Happy', 'happy', 3, 2),
                                  ('M001/Sad', 'sad', 3, 3)]
    assert records[0]['frames'] == ['F001/Angry/000.wrl', 'F001/Angry/001.wrl',
                                    'F001/Angry/002.wrl']
    meshes, problems = source.load_frames(records[1])
    assert problems == []
    s0 = faces[0]
    assert np.allclose(meshes[0].landmarks, s0.vertices[s0.landmarks], atol=1e-3)
    assert meshes[0].landmarks.shape == (83, 3) and meshes[2].landmarks is None
    # the nose tip of the crop comes from those landmarks
    from smilezoo.renderers import FaceCrop
    assert np.allclose(FaceCrop().nose_tip(meshes[0]), s0.vertices[s0.landmarks[NOSE_TIP]],
                       atol=1e-3)
    # off, or a landmark release elsewhere
    assert 'landmark_frames' not in BU4DFESequences(str(bu4dfe_release),
                                                    landmark_root=None).scan()[0][0]
    elsewhere = BU4DFESequences(str(bu4dfe_release),
                                landmark_root=str(bu4dfe_release / 'BU4DFE_BND_V1.1'))
    assert elsewhere.scan()[0][0]['landmark_frames'] == 3
    with pytest.raises(FileNotFoundError, match='landmark_root'):
        BU4DFESequences(str(bu4dfe_release), landmark_root=str(bu4dfe_release / 'nope')).scan()


# --------------------------------------------------------------------------
# BU-3DFE
# --------------------------------------------------------------------------
@pytest.fixture(scope='module')
def bu3dfe_release(tmp_path_factory, faces):
    """<release>/F0001/F0001_{HA04,SU03}WH_{F3D,RAW}.wrl + _F3D.bmp + _F3D.bnd +
    _F2D.bmp; the RAW scan is the face plus a neck block and names the
    _F3D.bmp as its texture."""
    root = tmp_path_factory.mktemp('bu3dfe') / 'BU-3DFE'
    folder = root / 'F0001'
    folder.mkdir(parents=True)
    for stem, s in (('F0001_HA04WH', faces[1]), ('F0001_SU03WH', faces[2])):
        write_vrml(folder / f'{stem}_F3D.wrl', s.vertices, s.polygons, s.texcoords,
                   s.tex_polygons, f'{stem}_F3D.bmp')
        neck = np.array([[-50, -90, -60], [50, -90, -60], [50, -260, -60], [-50, -260, -60]],
                        float)
        v = np.vstack([s.vertices, neck])
        n = len(s.vertices)
        polys = np.concatenate([s.polygons, [n, n + 1, n + 2, n + 3, -1]])
        uv = np.vstack([s.texcoords, np.zeros((1, 2))])
        tex = np.concatenate([s.tex_polygons, [len(uv) - 1] * 4 + [-1]])
        write_vrml(folder / f'{stem}_RAW.wrl', v, polys, uv, tex, f'{stem}_F3D.bmp')
        (folder / f'{stem}_F3D.bmp').write_bytes(b'BM')
        (folder / f'{stem}_F2D.bmp').write_bytes(b'BM')
        # the release's .bnd: 83 lines "index x y z", tab separated here
        (folder / f'{stem}_F3D.bnd').write_text(''.join(
            f'{i}\t{x:.4f}\t{y:.4f}\t{z:.4f}\n' for i, (x, y, z) in
            zip(s.landmarks, s.vertices[s.landmarks])))
    return root


def test_bu3dfe_raw_option_with_f3d_texture_and_landmarks(bu3dfe_release, faces):
    raw = BU3DFEScans(str(bu3dfe_release), scan_type='RAW', subset='I')
    records, skipped = raw.scan()
    assert skipped == []
    assert [(r['source_path'], r['scan_type'], r['texture'], r['landmarks']) for r in records] == [
        ('F0001/F0001_HA04WH_RAW.wrl', 'RAW', 'F0001/F0001_HA04WH_F3D.bmp',
         'F0001/F0001_HA04WH_F3D.bnd'),
        ('F0001/F0001_SU03WH_RAW.wrl', 'RAW', 'F0001/F0001_SU03WH_F3D.bmp',
         'F0001/F0001_SU03WH_F3D.bnd')]
    mesh = raw.load(records[0])
    s = faces[1]
    assert len(mesh.vertices) == len(s.vertices) + 4
    assert np.allclose(mesh.landmarks, s.vertices[s.landmarks], atol=1e-3)
    # the default stays the cropped F3D scans
    f3d, _ = BU3DFEScans(str(bu3dfe_release), subset='I').scan()
    assert [r['source_path'] for r in f3d] == ['F0001/F0001_HA04WH_F3D.wrl',
                                               'F0001/F0001_SU03WH_F3D.wrl']
    assert BU3DFEScans(str(bu3dfe_release), landmarks=False).load(f3d[0]).landmarks is None
    with pytest.raises(ValueError, match="scan_type='raw'.*F3D.*RAW"):
        BU3DFEScans(str(bu3dfe_release), scan_type='raw')
    # RAW + face_crop: the neck block is cut away at the landmark nose tip
    from smilezoo.renderers import FaceCrop
    cut = FaceCrop(radius=100).crop(mesh)
    assert cut.vertices[:, 1].min() > -200 and len(cut.vertices) < len(mesh.vertices)


def test_bnd_reader(bu3dfe_release, tmp_path):
    lmk = read_bnd(bu3dfe_release / 'F0001' / 'F0001_HA04WH_F3D.bnd')
    assert lmk.points.shape == (83, 3) and lmk.points.dtype == np.float32
    assert lmk.indices.dtype == np.int64 and (lmk.indices >= 0).all()
    path = tmp_path / 'x.bnd'
    path.write_text('1 2 3\n' * 83)  # x y z without the index
    assert (read_bnd(path).indices == -1).all()
    path.write_text('0 1 2 3\n' * 82)
    with pytest.raises(ScanFormatError, match='82 landmarks, expected 83'):
        read_bnd(path)
    assert len(read_bnd(path, num_points=None).points) == 82
    path.write_text('0 1 2 3\n0 1 two 3\n')
    with pytest.raises(ScanFormatError, match=r'x.bnd: line 2: .* is not numbers'):
        read_bnd(path, num_points=None)
    path.write_text('1.5 1 2 3\n')
    with pytest.raises(ScanFormatError, match="vertex index '1.5'"):
        read_bnd(path, num_points=None)
