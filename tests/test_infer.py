"""tools/infer.py end to end: a tiny SMILE-VLM checkpoint (random weights),
inputs written in the real formats (.wrl .obj .bnt .ply mesh / point cloud,
BU-4DFE sequence folders of .wrl frames, the same frames as .obj), run as a
user runs it; and the same scans through prepare_data's cache and the model's
test-time path give the same scores."""
import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from pipeline_helpers import ROOT, TINY_CONFIG, run_tool
from smilezoo.structures import Prediction

TINY_4D = ROOT / 'tests' / 'configs' / 'tiny_bu4dfe.py'
PROMPTS = ['a nervous face', 'a bored face']
VIEWS = ['left', 'front', 'right']


# --------------------------------------------------------------------------
# fixtures: a checkpoint and inputs in every format
# --------------------------------------------------------------------------
@pytest.fixture(scope='module')
def model_and_checkpoint(tmp_path_factory):
    """The tiny config's model with random weights, and its checkpoint."""
    from smilezoo.registry import MODELS
    torch.manual_seed(0)
    cfg = Config.fromfile(TINY_CONFIG)
    model = MODELS.build(cfg.model).eval()
    path = tmp_path_factory.mktemp('ckpt') / 'tiny.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return model, path


@pytest.fixture(scope='module')
def scan_inputs(tmp_path_factory):
    """tree/F0001/*.wrl (BU-3DFE layout: also a prepare_data source) and
    other/ holding the happy scan as .obj, .ply mesh, .ply point cloud and a
    .bnt range grid, plus files infer must ignore."""
    import open3d as o3d

    from smilezoo.datasets.formats import write_bnt, write_obj
    from smilezoo.datasets.formats.bnd import write_bnd
    from smilezoo.datasets.formats.vrml_writer import write_vrml
    from smilezoo.datasets.synthetic import au_activations, sample_identity, synthesize_face
    from smilezoo.datasets.synthetic.bosphorus_layout import ZMIN, range_grid
    root = tmp_path_factory.mktemp('scans')
    rng = np.random.default_rng(0)
    identity = sample_identity(rng, 'F')
    tree = root / 'tree' / 'F0001'
    tree.mkdir(parents=True)
    scans = {}
    for code in ('HA', 'SU'):
        s = synthesize_face(identity, au_activations(code, 4, identity.au_style, rng),
                            resolution=1500, rng=rng)
        write_vrml(tree / f'F0001_{code}04WH_F3D.wrl', s.vertices, s.polygons, s.texcoords,
                   s.tex_polygons, f'F0001_{code}04WH_F3D.bmp')
        scans[code] = s
    # the release's 83-landmark file beside the scan: read as landmarks by the source, not a
    # scan for infer
    write_bnd(tree / 'F0001_HA04WH_F3D.bnd', scans['HA'].vertices[:83])
    happy, tri = scans['HA'], scans['HA'].triangles()
    other = root / 'other'
    other.mkdir()
    write_obj(other / 'happy.obj', happy.vertices, tri)
    o3d.io.write_triangle_mesh(str(other / 'happy_mesh.ply'), o3d.geometry.TriangleMesh(
        o3d.utility.Vector3dVector(happy.vertices), o3d.utility.Vector3iVector(tri)))
    o3d.io.write_point_cloud(str(other / 'happy_cloud.ply'), o3d.geometry.PointCloud(
        o3d.utility.Vector3dVector(happy.vertices)))
    x, y, z, hit = range_grid(happy.vertices, tri, 3000)
    bg = lambda a: np.where(hit, a, ZMIN)  # noqa: E731
    write_bnt(other / 'happy.bnt', bg(x), bg(y), bg(z), bg(x * 0), bg(y * 0), ZMIN, 'happy.png')
    (other / 'notes.txt').write_text('not a scan')
    return root


def run_infer(config, ckpt, inputs, out, *extra, check=True):
    proc = run_tool('tools/infer.py', config, ckpt, *inputs, '--out', out, *extra, check=check)
    report = None
    if (Path(out) / 'predictions.json').is_file():
        report = json.loads((Path(out) / 'predictions.json').read_text())
        for p in report['predictions'] + report['errors']:  # only the documented keys
            assert set(p) <= set(Prediction.__annotations__), sorted(set(p))
    return proc, report


@pytest.fixture(scope='module')
def infer_3d(model_and_checkpoint, scan_inputs, tmp_path_factory):
    _, ckpt = model_and_checkpoint
    out = tmp_path_factory.mktemp('infer3d')
    proc, report = run_infer(TINY_CONFIG, ckpt, [scan_inputs / 'tree', scan_inputs / 'other'],
                             out, '--save-vis', '--topk', 3, '--prompts', *PROMPTS)
    return proc, report, out


@pytest.fixture(scope='module')
def bu4dfe_tree(tmp_path_factory):
    """1 subject x 6 sequences of ~10 .wrl frames (+ the viewer decoy, whose
    000.wrl is not a mesh), and F001/Happy again as .obj frames."""
    from smilezoo.datasets.formats import read_vrml, write_obj
    from smilezoo.datasets.synthetic import make_bu4dfe
    root = tmp_path_factory.mktemp('bu4d')
    tree = root / 'bu4dfe'
    make_bu4dfe(tree, 1, seed=1, resolution=800, frames=10, progress=False)
    obj_seq = root / 'happy_obj'
    obj_seq.mkdir()
    for frame in sorted((tree / 'F001' / 'Happy').glob('*.wrl')):
        mesh = read_vrml(frame)
        write_obj(obj_seq / f'{frame.stem}.obj', mesh.vertices, mesh.faces)
    return tree, obj_seq


@pytest.fixture(scope='module')
def infer_4d(model_and_checkpoint, bu4dfe_tree, tmp_path_factory):
    _, ckpt = model_and_checkpoint
    tree, obj_seq = bu4dfe_tree
    out = tmp_path_factory.mktemp('infer4d')
    proc, report = run_infer(TINY_4D, ckpt, [tree, obj_seq], out, '--save-vis')
    return proc, report, out


def by_path(report):
    return {Path(p['path']).resolve(): p for p in report['predictions']}


def check_prediction(p, class_names, kind):
    assert p['kind'] == kind
    assert list(p['probabilities']) == class_names
    assert sum(p['probabilities'].values()) == pytest.approx(1.0, abs=1e-5)
    assert p['predicted_class'] == max(p['probabilities'], key=p['probabilities'].get)
    assert list(p['view_weights']) == VIEWS
    assert sum(p['view_weights'].values()) == pytest.approx(1.0, abs=1e-5)
    assert all(w >= 0 for w in p['view_weights'].values())
    assert list(p['view_predictions']) == VIEWS
    assert set(p['view_predictions'].values()) <= set(class_names)
    probs = [t['probability'] for t in p['top_k']]
    assert probs == sorted(probs, reverse=True)
    assert p['top_k'][0]['class'] == p['predicted_class']


def check_png(path):
    import matplotlib.image
    img = matplotlib.image.imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
    assert img[..., :3].var() > 1e-3  # not blank


def model_scores_on_cache(model, config, source_cfg, cache):
    """prepare_data's cache of ``source_cfg`` -> the test pipeline ->
    multiview_collate -> model.test_step: {abs source file: result}."""
    from smilezoo.datasets import CachedViewDataset, multiview_collate
    from smilezoo.datasets.view_cache import prepare_view_cache
    cfg = Config.fromfile(config)
    report = prepare_view_cache(source_cfg, cfg.data_preparation.renderer.to_dict(), str(cache),
                                progress=False)
    assert report['converted'] >= 2, report
    ds = cfg.test_dataloader.dataset
    dataset = CachedViewDataset(str(cache / 'annotations.json'), classes=ds.classes,
                                pipeline=ds.pipeline)
    out = {}
    for i in range(len(dataset)):
        res = model.test_step(multiview_collate([dataset[i]]))[0]
        out[(Path(source_cfg['data_root']) / res['source_path']).resolve()] = res
    return out


# --------------------------------------------------------------------------
# 3D scans
# --------------------------------------------------------------------------
def test_infer_reads_every_format_and_writes_json_tables_and_pictures(infer_3d, scan_inputs):
    proc, report, out = infer_3d
    class_names = Config.fromfile(TINY_CONFIG).class_names
    assert report['class_names'] == class_names and report['view_names'] == VIEWS
    preds = by_path(report)
    names = ['tree/F0001/F0001_HA04WH_F3D.wrl', 'tree/F0001/F0001_SU04WH_F3D.wrl',
             'other/happy.obj', 'other/happy_mesh.ply', 'other/happy_cloud.ply',
             'other/happy.bnt']
    assert set(preds) == {(scan_inputs / n).resolve() for n in names}  # .bnd, .txt ignored
    assert report['errors'] == [] and report['num_predicted'] == 6
    for p in preds.values():
        check_prediction(p, class_names, 'scan')
        assert len(p['top_k']) == 3
        assert list(p['prompts']) == PROMPTS
        assert sum(s['probability'] for s in p['prompts'].values()) == pytest.approx(1, abs=1e-5)
        assert all(-1 <= s['score'] <= 1 for s in p['prompts'].values())
        check_png(p['vis'])
        assert Path(p['vis']).parent == out / 'vis'
    assert len(list((out / 'vis').glob('*.png'))) == 6
    # one geometry, three files: the .wrl, the .obj and the .ply mesh score alike
    ref = preds[(scan_inputs / names[0]).resolve()]['probabilities']
    for n in ('other/happy.obj', 'other/happy_mesh.ply'):
        got = preds[(scan_inputs / n).resolve()]['probabilities']
        np.testing.assert_allclose(list(got.values()), list(ref.values()), atol=1e-5)
    # the tables: every input, its classes and the named views
    for n in names:
        assert Path(n).name in proc.stdout
    assert all(v in proc.stdout for v in VIEWS) and 'a nervous face' in proc.stdout
    assert '6 of 6 input(s) predicted' in proc.stdout
    assert not list(out.glob('*.tmp*')) and not list((out / 'vis').glob('*.tmp*'))


def test_infer_scores_equal_the_test_path_on_cached_views(infer_3d, scan_inputs,
                                                          model_and_checkpoint, tmp_path):
    """The same .wrl through prepare_data's cache, the config's test pipeline
    and model.test_step (what tools/test.py runs) gives infer's scores."""
    model, _ = model_and_checkpoint
    _, report, _ = infer_3d
    source = dict(Config.fromfile(TINY_CONFIG).data_preparation.source.to_dict(),
                  data_root=str(scan_inputs / 'tree'))
    cached = model_scores_on_cache(model, TINY_CONFIG, source, tmp_path / 'cache')
    preds = by_path(report)
    assert len(cached) == 2
    for path, res in cached.items():
        p = preds[path]
        np.testing.assert_allclose(list(p['probabilities'].values()), res['pred_score'].numpy(),
                                   rtol=0, atol=1e-6)
        np.testing.assert_allclose(list(p['view_weights'].values()),
                                   res['view_weights'].numpy(), rtol=0, atol=1e-6)


# --------------------------------------------------------------------------
# 4D sequences
# --------------------------------------------------------------------------
def test_infer_sequences_tree_and_folder(infer_4d, bu4dfe_tree):
    proc, report, out = infer_4d
    tree, obj_seq = bu4dfe_tree
    class_names = Config.fromfile(TINY_4D).class_names
    assert proc.returncode == 0 and report['kind'] == 'sequence'
    preds = by_path(report)
    expected = {(tree / 'F001' / e).resolve() for e in
                ('Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise')} | {obj_seq.resolve()}
    assert set(preds) == expected
    for p in preds.values():
        check_prediction(p, class_names, 'sequence')
        assert len(p['frames_used']) >= 4 and p['frame_problems'] == []
        check_png(p['vis'])
    # the same frames as .obj give the same dynamic images, so the same scores
    np.testing.assert_allclose(list(preds[obj_seq.resolve()]['probabilities'].values()),
                               list(preds[(tree / 'F001' / 'Happy').resolve()]
                                    ['probabilities'].values()), atol=1e-5)
    # the viewer decoy's sample/000.wrl is not a mesh: an error, the rest predicted
    (err, ) = report['errors']
    assert Path(err['path']).resolve() == (tree / 'viewer' / 'sample').resolve()
    assert '000.wrl' in err['error'] and 'IndexedFaceSet' in err['error']
    assert '7 of 8 input(s) predicted, 1 failed' in proc.stdout


def test_infer_dynamic_images_equal_the_cached_ones(infer_4d, bu4dfe_tree,
                                                    model_and_checkpoint, tmp_path):
    model, _ = model_and_checkpoint
    _, report, _ = infer_4d
    tree, _ = bu4dfe_tree
    source = dict(Config.fromfile(TINY_4D).data_preparation.source.to_dict(),
                  data_root=str(tree))
    cached = model_scores_on_cache(model, TINY_4D, source, tmp_path / 'cache')
    preds = by_path(report)
    assert len(cached) == 6
    for path, res in cached.items():
        np.testing.assert_allclose(list(preds[path]['probabilities'].values()),
                                   res['pred_score'].numpy(), rtol=0, atol=1e-6)


# --------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------
def test_an_input_of_the_other_kind_is_refused_naming_the_config_kind(
        model_and_checkpoint, scan_inputs):
    """A sequence handed to a 3D config is an error naming both kinds (the
    3D view pipeline cannot read frames), not a stray AttributeError."""
    from smilezoo.apis import ExpressionInferencer
    from smilezoo.apis.inference import InferenceInput
    _, ckpt = model_and_checkpoint
    folder = scan_inputs / 'tree' / 'F0001'
    frames = sorted(str(p) for p in folder.glob('*.wrl'))
    [res] = ExpressionInferencer(TINY_CONFIG, ckpt)([InferenceInput(str(folder), 'sequence',
                                                                    frames)])
    assert res['error'] == f'{folder}: a sequence, but the config is a 3D (scan) config'


def test_a_corrupt_file_in_a_folder_is_reported_and_the_rest_predicted(
        model_and_checkpoint, scan_inputs, tmp_path):
    _, ckpt = model_and_checkpoint
    folder = tmp_path / 'mixed'
    folder.mkdir()
    good = scan_inputs / 'tree' / 'F0001' / 'F0001_HA04WH_F3D.wrl'
    shutil.copy(good, folder / 'good.wrl')
    text = good.read_text()
    (folder / 'broken.wrl').write_text(text[:len(text) // 2])
    proc, report = run_infer(TINY_CONFIG, ckpt, [folder], tmp_path / 'out')
    assert proc.returncode == 0
    assert [Path(p['path']).name for p in report['predictions']] == ['good.wrl']
    (err, ) = report['errors']
    assert Path(err['path']).name == 'broken.wrl' and err['kind'] == 'scan'
    assert 'broken.wrl' in err['error'] and 'truncated' in err['error']
    assert '\n' not in err['error']
    assert 'broken.wrl' in proc.stdout and 'could not be predicted' in proc.stdout
    assert 'Traceback' not in proc.stderr


def load_infer_tool():
    spec = importlib.util.spec_from_file_location('infer_tool', ROOT / 'tools' / 'infer.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_predicted_exits_1_and_usage_errors_exit_2(model_and_checkpoint, tmp_path,
                                                           capsys):
    _, ckpt = model_and_checkpoint
    tool = load_infer_tool()
    bad = tmp_path / 'bad.wrl'
    bad.write_text('#VRML V2.0 utf8\nnot a mesh\n')
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(TINY_CONFIG), str(ckpt), str(bad), '--out', str(tmp_path / 'o')])
    assert exit_info.value.code == 1
    report = json.loads((tmp_path / 'o' / 'predictions.json').read_text())
    assert report['num_predicted'] == 0 and 'bad.wrl' in report['errors'][0]['error']
    # a 4D config given a single file: an error for that input
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(TINY_4D), str(ckpt), str(bad), '--out', str(tmp_path / 'o4')])
    assert exit_info.value.code == 1
    report = json.loads((tmp_path / 'o4' / 'predictions.json').read_text())
    assert 'folder holding the frames' in report['errors'][0]['error']
    capsys.readouterr()
    # a missing INPUT (and a bad option) is a usage error, before any model is built
    missing = tmp_path / 'nowhere' / 'scan.wrl'
    for argv in ([str(TINY_CONFIG), str(ckpt), str(bad), str(missing)],
                 [str(TINY_CONFIG), str(ckpt), str(bad), '--topk', '0']):
        with pytest.raises(SystemExit) as exit_info:
            tool.main(argv)
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f'input not found: {missing}' in err and '--topk must be >= 1' in err


def test_read_scan_dispatch_and_errors(scan_inputs, tmp_path):
    from smilezoo.datasets.formats import read_scan
    from smilezoo.structures import ScanFormatError
    other = scan_inputs / 'other'
    mesh = read_scan(other / 'happy_mesh.ply')
    obj = read_scan(other / 'happy.obj')
    assert not mesh.is_point_cloud and mesh.faces.shape == obj.faces.shape
    np.testing.assert_allclose(mesh.vertices, obj.vertices, atol=1e-4)
    cloud = read_scan(other / 'happy_cloud.ply')
    assert cloud.is_point_cloud and len(cloud.vertices) == len(obj.vertices)
    assert not read_scan(other / 'happy.bnt').is_point_cloud
    assert read_scan(other / 'happy.bnt', triangulate_bnt=False).is_point_cloud
    upper = tmp_path / 'HAPPY.OBJ'
    shutil.copy(other / 'happy.obj', upper)
    assert len(read_scan(upper).vertices) == len(obj.vertices)
    with pytest.raises(ScanFormatError, match=r"notes\.txt.*'\.txt'.*\.wrl.*\.obj.*\.ply.*\.bnt"):
        read_scan(other / 'notes.txt')
    data = (other / 'happy_mesh.ply').read_bytes()
    (tmp_path / 'cut.ply').write_bytes(data[:len(data) // 2])
    with pytest.raises(ScanFormatError, match=r'cut\.ply.*truncated'):
        read_scan(tmp_path / 'cut.ply')
    (tmp_path / 'junk.ply').write_text('hello')
    with pytest.raises(ScanFormatError, match=r'junk\.ply.*not a PLY'):
        read_scan(tmp_path / 'junk.ply')
    with pytest.raises(FileNotFoundError):
        read_scan(tmp_path / 'none.wrl')
