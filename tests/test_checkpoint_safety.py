"""Checkpoints never run code and must fit the model (issue 10, bullets 1-2).

A pickled payload (an object whose unpickling touches a marker file) given to
tools/test.py, tools/infer.py and train.py --resume stays unpickled: the marker
stays absent and the tools exit non-zero naming the file and --unsafe-load. A
checkpoint that tools/train.py saved (message hub and meta included) loads with
weights_only=True and fits its config strictly. A checkpoint of another
backbone, or an empty state_dict, is refused by test.py (no metrics file), by
the inferencer and as load_from; --allow-partial proceeds with a warning.
"""
import importlib.util
import json
import pathlib

import numpy as np
import pytest
import torch
from mmengine.config import Config

from pipeline_helpers import ROOT, TINY_CONFIG, run_tool
from smilezoo.engine.checkpoint_loading import (CheckpointError, check_fit,
                                                load_checkpoint_file, register_safe_globals)

CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']
OTHER_BACKBONE = 'model.backbone.model_name=timm/resnet14t'


class Payload:
    """Unpickling this touches ``marker`` (what a hostile checkpoint would do)."""

    def __init__(self, marker):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return pathlib.Path.touch, (self.marker,)


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    """A tiny view cache in prepare_data's format (random 32 px views): 5
    subjects x 6 classes x intensities 3-4; returns the --cfg-options."""
    from smilezoo.datasets.cached_view_dataset import ANNOTATION_FORMAT, ANNOTATION_VERSION
    root = tmp_path_factory.mktemp('views')
    rng = np.random.default_rng(0)
    data = []
    for s in range(5):
        for c in CLASSES:
            for i in (3, 4):
                name = f'F{s:03d}_{c}_{i}.npy'
                np.save(root / name, rng.integers(0, 255, (3, 3, 32, 32), dtype=np.uint8))
                data.append(dict(views=name, subject=f'F{s:03d}', expression=c, intensity=i,
                                 source_path=name))
    ann = root / 'annotations.json'
    ann.write_text(json.dumps(dict(metainfo=dict(format=ANNOTATION_FORMAT,
                                                 version=ANNOTATION_VERSION),
                                   data_list=data)))
    return ['--cfg-options', f'data_preparation.out_dir={root}']


@pytest.fixture(scope='module')
def trained(cache, tmp_path_factory):
    """epoch_1.pth of tools/train.py on the tiny config (mmengine's runner)."""
    work = tmp_path_factory.mktemp('trained')
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', work, '--no-validate', *cache,
             'train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1')
    return work / 'epoch_1.pth'


@pytest.fixture
def hostile(tmp_path):
    """(checkpoint with the payload in its meta, the marker it would write)."""
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'hostile.pth'
    torch.save({'state_dict': {}, 'meta': Payload(marker)}, path)
    return path, marker


def refused(proc, path, *words):
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    for w in (str(path), *words):
        assert w in proc.stderr, (w, proc.stderr[-3000:])


def infer_tool():
    spec = importlib.util.spec_from_file_location('infer_tool', ROOT / 'tools' / 'infer.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# 1. no code from a checkpoint
# --------------------------------------------------------------------------
def test_payload_never_runs_in_test_infer_or_resume(hostile, cache, tmp_path, capsys):
    path, marker = hostile
    proc = run_tool('tools/test.py', TINY_CONFIG, path, '--work-dir', tmp_path / 'test',
                    '--no-pictures', *cache, check=False)
    refused(proc, path, '--unsafe-load', 'pathlib.Path')
    assert not marker.exists() and not (tmp_path / 'test' / 'metrics_test.json').exists()

    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path / 'train',
                    '--resume', path, '--no-validate', *cache, check=False)
    refused(proc, path, '--unsafe-load', 'pathlib.Path')
    assert not marker.exists() and not list((tmp_path / 'train').glob('epoch_*.pth'))

    with pytest.raises(SystemExit) as e:  # tools/infer.py, in this process
        infer_tool().main([str(TINY_CONFIG), str(path), str(path), '--out',
                           str(tmp_path / 'infer'), '--no-progress'])
    err = ' '.join(capsys.readouterr().err.split())
    assert e.value.code != 0 and str(path) in err and '--unsafe-load' in err, err
    assert not marker.exists() and not (tmp_path / 'infer' / 'predictions.json').exists()

    # the payload is real: the explicit opt-in unpickles it (and so runs it)
    load_checkpoint_file(path, unsafe=True)
    assert marker.exists()


def test_trained_checkpoint_loads_weights_only_and_fits_strictly(trained):
    from mmengine.logging import HistoryBuffer

    from smilezoo.registry import MODELS
    register_safe_globals()
    ckpt = torch.load(trained, map_location='cpu', weights_only=True)  # what we save is safe
    assert {'meta', 'state_dict', 'message_hub', 'optimizer', 'param_schedulers'} <= set(ckpt)
    hub = ckpt['message_hub']['log_scalars']['train/loss']  # mmengine's pickled log history
    assert isinstance(hub, HistoryBuffer) and len(hub.data[0]) == 3  # 3 iterations logged
    assert np.isfinite(hub.mean()) and isinstance(ckpt['message_hub']['runtime_info']['eta'],
                                                  np.floating)
    model = MODELS.build(Config.fromfile(TINY_CONFIG).model)
    report = check_fit(model, load_checkpoint_file(trained), str(trained), 'tiny')
    assert report.fits and report.num_loaded == report.num_model == len(ckpt['state_dict'])


# --------------------------------------------------------------------------
# 2. a checkpoint must fit its model
# --------------------------------------------------------------------------
def test_test_tool_refuses_another_backbone_and_allow_partial_warns(trained, cache, tmp_path):
    out = tmp_path / 'metrics_test.json'
    proc = run_tool('tools/test.py', TINY_CONFIG, trained, '--out', out, '--work-dir', tmp_path,
                    '--no-pictures', *cache, OTHER_BACKBONE, check=False)
    refused(proc, trained, 'does not fit the model of', 'missing (', 'another shape (',
            'backbone VisionBackbone timm/resnet10t', '--allow-partial')
    assert not out.exists()

    proc = run_tool('tools/test.py', TINY_CONFIG, trained, '--out', out, '--work-dir', tmp_path,
                    '--no-pictures', '--allow-partial', *cache, OTHER_BACKBONE)
    assert '--allow-partial' in proc.stdout + proc.stderr and 'loaded partially' in \
        proc.stdout + proc.stderr
    partial = json.loads(out.read_text())['partial_load']
    assert partial['num_loaded'] < partial['num_model_weights']
    assert partial['missing'] > 0 and partial['shape_mismatch'] > 0


def test_empty_or_foreign_state_dict_is_refused_by_the_inferencer(trained, tmp_path):
    from smilezoo.apis import ExpressionInferencer
    empty = tmp_path / 'empty.pth'
    torch.save({'state_dict': {}}, empty)
    with pytest.raises(CheckpointError, match=r'0 of \d+ model weights match; (\d+) missing'
                       r'[\s\S]*empty state_dict[\s\S]*missing \(\d+\): backbone\.'):
        ExpressionInferencer(TINY_CONFIG, empty)
    partial = ExpressionInferencer(TINY_CONFIG, trained, allow_partial=True,
                                   cfg_options={'model.backbone.model_name': 'timm/resnet14t'})
    assert not partial.load_report.fits and 'loaded partially' in partial.partial_warning
    assert ExpressionInferencer(TINY_CONFIG, trained).load_report.fits
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(trained.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match=r'cut\.pth: not a readable checkpoint'):
        load_checkpoint_file(cut)


def test_load_from_a_checkpoint_of_another_model_is_refused(trained, cache, tmp_path):
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path, '--no-validate',
                    *cache, OTHER_BACKBONE, f'load_from={trained}', 'train_cfg.max_epochs=1',
                    check=False)
    refused(proc, trained, 'does not fit the model of', 'another shape (')
    assert not list(tmp_path.glob('epoch_*.pth'))


def test_fold_resume_hook_names_the_work_dirs_last_checkpoint(trained, tmp_path):
    """As cross-validation registers it: auto-resume (no load_from), no opt-in."""
    from types import SimpleNamespace

    from smilezoo.engine.checkpoint_loading import CheckpointFitHook
    from smilezoo.registry import MODELS
    (tmp_path / 'last_checkpoint').write_text(str(trained))
    runner = SimpleNamespace(model=MODELS.build(Config.fromfile(TINY_CONFIG).model),
                             _load_from=None, _resume=True, work_dir=str(tmp_path))
    hook = CheckpointFitHook('tiny_fold0', partial_flag=None)
    hook.after_load_checkpoint(runner, load_checkpoint_file(trained))  # fits: no error
    assert hook.report.fits
    with pytest.raises(CheckpointError) as e:
        hook.after_load_checkpoint(runner, {'state_dict': {}})
    assert str(trained) in str(e.value) and 'tiny_fold0' in str(e.value)
    assert '--allow-partial' not in str(e.value)
