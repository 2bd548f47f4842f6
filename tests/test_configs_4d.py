"""The 4D configs (BU-4DFE, BP4D, BU-4DFE -> BP4D, 4DME), their prompt pools,
and what tools/train.py says, and does, on a machine without the data."""
import json
import os.path as osp
import re
import shlex

import pytest

from pipeline_helpers import ROOT, run_tool
from smilezoo.apis.readiness import explain_missing_data
from smilezoo.utils.config_check import load_config

PAPER = ['configs/smile_vlm_bu4dfe.py', 'configs/smile_vlm_bp4d.py',
         'configs/smile_vlm_bu4dfe_to_bp4d.py', 'configs/smile_vlm_4dme.py']
CPU = [p.replace('configs/', 'configs/benchmarks/synthetic_4d_cpu/') for p in PAPER]
MICRO = ['positive', 'negative', 'surprise', 'repression', 'others']


def load(path):
    """The config as the tools load it (its datasets' ann_file filled in)."""
    return load_config(str(ROOT / path), check=())


@pytest.mark.parametrize('path', PAPER + CPU)
def test_configs_have_a_prompt_pool_per_class_and_the_paper_views(path):
    cfg = load(path)
    classes = cfg.model.class_names
    assert all(len(cfg.model.prompt_pools[c]) >= 3 for c in classes)
    for key in ('train_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.classes == classes
    assert tuple(cfg.data_preparation.renderer.yaws) == (-30, 0, 30)
    if path in PAPER:
        assert cfg.model.backbone.model_name == 'open_clip/ViT-B-16'
        assert cfg.model.text_encoder.type == 'OpenCLIPTextEncoder'
        assert cfg.optim_wrapper.optimizer.type == 'AdamW'
        assert cfg.optim_wrapper.optimizer.lr == 1e-4
        assert cfg.data_preparation.renderer.image_size == 224
        assert osp.isfile(ROOT / cfg.cpu_variant)
    else:
        assert cfg.model.text_encoder.model == 'packaged:all-MiniLM-L6-v2'


def test_class_sets_and_the_transfer_protocol():
    bp4d = load('configs/smile_vlm_bp4d.py')
    assert bp4d.model.class_names == ['happy', 'sad', 'surprise', 'embarrassment', 'fear',
                                      'pain', 'angry', 'disgust']
    assert bp4d.data_preparation.source.task_to_class == dict(
        T1='happy', T2='sad', T3='surprise', T4='embarrassment', T5='fear', T6='pain',
        T7='angry', T8='disgust')
    for path in ('configs/smile_vlm_bu4dfe_to_bp4d.py', CPU[2]):
        cfg = load(path)
        assert cfg.model.class_names == load(PAPER[0]).model.class_names  # all 6
        assert list(cfg.data_preparation.source.tasks) == ['T1', 'T8']
        assert cfg.train_dataloader.dataset.subject_split is None
        assert cfg.test_dataloader.dataset.subject_split is None
        assert cfg.train_dataloader.dataset.ann_file in cfg.prepared_by
        assert cfg.test_dataloader.dataset.ann_file == (cfg.data_preparation.out_dir
                                                        + '/annotations.json')
    micro = load('configs/smile_vlm_4dme.py')
    assert micro.model.class_names == MICRO
    assert [micro.model.prompt_pools[c][0] for c in MICRO] == [
        f'a face with {c} micro expression' for c in MICRO]
    assert micro.test_evaluator.per_view_f1 and micro.test_evaluator.multi_label == 'any'
    assert 'labels' in micro.test_dataloader.dataset.pipeline[-1].meta_keys


def test_transfer_without_data_names_both_caches_and_who_writes_them():
    cfg = load('configs/smile_vlm_bu4dfe_to_bp4d.py')
    if osp.isfile(cfg.train_dataloader.dataset.ann_file):
        pytest.skip('a BU-4DFE cache is present')
    msg = explain_missing_data(cfg, 'configs/smile_vlm_bu4dfe_to_bp4d.py')
    assert 'is written by tools/prepare_data.py configs/smile_vlm_bu4dfe.py' in msg
    assert "data_root='data/BU-4DFE'" in msg and "data_root='data/BP4D'" in msg
    train = [line for line in msg.splitlines()
             if 'tools/train.py configs/smile_vlm_bu4dfe_to_bp4d.py' in line][0]
    assert 'train_dataloader.dataset.ann_file=data/cache/smile_vlm_bu4dfe_try/' in train
    assert 'data_preparation.out_dir=data/cache/smile_vlm_bu4dfe_to_bp4d_try' in train
    assert 'synthetic_4d_cpu/smile_vlm_bu4dfe_to_bp4d.py' in msg


def commands(msg, tmp):
    """The indented commands of the message, with data/ paths moved under tmp."""
    out = []
    for line in msg.splitlines():
        if line.startswith('  python '):
            line = re.sub(r'(?<=[ =])data/', f'{tmp}/data/', line.strip())
            out.append(shlex.split(line)[1:])  # drop 'python'
    return out


def test_bp4d_without_data_prints_commands_that_work_offline_on_a_cpu(tmp_path):
    cfg = load('configs/smile_vlm_bp4d.py')
    ann = ROOT / cfg.train_dataloader.dataset.ann_file
    if osp.isdir(ROOT / 'data' / 'BP4D') or osp.isfile(ann):
        pytest.skip('BP4D data present')
    if osp.isdir(ROOT / 'data' / 'synthetic_bp4d'):
        pytest.skip('synthetic BP4D data present: the message then offers fewer commands')
    proc = run_tool('tools/train.py', 'configs/smile_vlm_bp4d.py', check=False)
    msg = proc.stderr
    assert proc.returncode != 0 and 'Traceback' not in msg
    assert 'data/cache/bp4d_224/annotations.json does not exist' in msg
    assert 'licensed by Binghamton University' in msg
    assert "model.backbone.pretrained='openai'" in msg and 'CPU-sized variant' in msg
    make, prep, train, cpu_prep, cpu_train = commands(msg, tmp_path)
    assert make[:3] == ['tools/dataset_converters/make_synthetic.py', '--layout', 'bp4d']
    assert prep[:2] == ['tools/prepare_data.py', 'configs/smile_vlm_bp4d.py']
    assert train[:2] == ['tools/train.py', 'configs/smile_vlm_bp4d.py']
    assert cpu_prep[1] == cpu_train[1] == 'configs/benchmarks/synthetic_4d_cpu/smile_vlm_bp4d.py'
    # run them, small: 10 subjects (10 folds) of short, coarse sequences
    run_tool(*make, '--frames', 10, '--resolution', 800, '--no-progress')
    run_tool(*prep, '--limit', 8)  # 224 px dynamic images of the CLIP config
    clip = run_tool(*train, '--work-dir', tmp_path / 'clip', check=False)
    assert clip.returncode != 0 and 'does not exist' not in clip.stderr
    assert 'pretrained weights' in clip.stderr  # offline: the weights are what is missing
    run_tool(*cpu_prep)
    work = tmp_path / 'cpu'
    run_tool(*cpu_train, 'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
             'default_hooks.logger.interval=1', '--work-dir', work)
    scalars = [json.loads(line) for line in
               next(work.rglob('scalars.json')).read_text().splitlines()]
    assert any('loss' in s for s in scalars)
    assert any('acc/zero_shot' in s for s in scalars)


def test_cross_validate_refuses_the_transfer_config(tmp_path):
    proc = run_tool('tools/cross_validate.py', 'configs/smile_vlm_bu4dfe_to_bp4d.py',
                    '--folds', 2, '--work-dir', tmp_path, check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert 'run tools/train.py and tools/test.py' in proc.stderr
    assert not (tmp_path / 'folds.json').exists()
