"""A config is checked before anything is built: --cfg-options keys it does not
have, module arguments their class does not take, unknown types and missing
config files are one clear message and exit 2 in every tool, never a traceback
and never silently ignored (smilezoo/utils/config_check.py)."""
import glob
import importlib.util
import re
import sys

import pytest

from pipeline_helpers import ROOT, run_tool
from smilezoo.registry import DATASETS
from smilezoo.utils.config_check import (ConfigError, explain_config_errors, flat_keys,
                                         load_config, module_problems, option_key_problems)

CONFIG = 'configs/smile_vlm_synthetic.py'
MISSPELT = {  # key -> what the message must say
    'data_preparation.sourse.data_root': 'did you mean data_preparation.source.data_root?',
    'train_cfg.max_epoch': 'did you mean train_cfg.max_epochs?',
    'foo.bar': "the config has no key 'foo'",
}
FUSION = "model.fusion: unknown argument 'hiden_dim' (accepted: embed_dim, hidden_dim)"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run_main(tool: str, *argv, monkeypatch, capsys):
    """tools/<tool>.py's main() in this process -> (exit code, stderr)."""
    spec = importlib.util.spec_from_file_location(f'tool_{tool}', ROOT / 'tools' / f'{tool}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, 'argv', [f'{tool}.py', *map(str, argv)])
    with pytest.raises(SystemExit) as info:  # any other exception fails the test
        module.main()
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize('key', list(MISSPELT))
def test_misspelt_option_key_is_refused_with_the_closest_key(key):
    with pytest.raises(ConfigError) as info:
        load_config(CONFIG, {key: 1})
    msg = str(info.value)
    assert msg.startswith(f'--cfg-options {key}: ') and MISSPELT[key] in msg, msg
    assert f'+{key}=' in msg or 'unknown argument' in msg  # how to add a key on purpose


def test_train_refuses_all_three_keys_at_once_without_a_traceback(tmp_path):
    none = tmp_path / 'none'  # were the keys ignored, the run would stop at the data
    proc = run_tool('tools/train.py', CONFIG, '--work-dir', tmp_path / 'work', '--cfg-options',
                    *[f'{k}=1' for k in MISSPELT], f'data_preparation.out_dir={none}',
                    check=False)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    for needle in MISSPELT.values():
        assert needle in proc.stderr, proc.stderr
    assert not (tmp_path / 'work').exists()  # refused before the Runner made anything


def test_prepare_data_refuses_a_misspelt_key_and_a_missing_config(monkeypatch, capsys,
                                                                    tmp_path):
    code, err = run_main('prepare_data', CONFIG, '--cfg-options',
                         f'data_preparation.sourse.data_root={tmp_path}',
                         f'data_preparation.source.data_root={tmp_path}/none',
                         f'data_preparation.out_dir={tmp_path}/cache',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and MISSPELT['data_preparation.sourse.data_root'] in err, err
    code, err = run_main('prepare_data', 'configs/smile_vlm_synthetc.py',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2, err
    assert "config file 'configs/smile_vlm_synthetc.py' not found" in err
    assert 'did you mean configs/smile_vlm_synthetic.py' in err


def test_prepare_data_explains_an_unknown_type_without_a_traceback(tmp_path):
    proc = run_tool('tools/prepare_data.py', CONFIG, '--cfg-options',
                    'data_preparation.source.type=BU3DFEScanz',
                    f'data_preparation.out_dir={tmp_path}/cache', check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    for needle in ("data_preparation.source: 'BU3DFEScanz' is not in the smilezoo 'dataset' "
                   "registry", "Did you mean 'BU3DFEScans'?", 'custom_imports'):
        assert needle in proc.stderr, proc.stderr
    assert not (tmp_path / 'cache').exists()


@pytest.mark.parametrize('tool', ['cross_validate', 'visualize_views', 'test'])
def test_other_tools_explain_missing_configs_unknown_types_and_keys(tool, monkeypatch, capsys):
    extra = ['no.pth'] if tool == 'test' else []
    code, err = run_main(tool, 'configs/nope.py', *extra, monkeypatch=monkeypatch,
                         capsys=capsys)
    assert code == 2 and "config file 'configs/nope.py' not found" in err, err
    code, err = run_main(tool, CONFIG, *extra, '--cfg-options', 'model.fusion.type=FooFusion',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2, err
    assert "model.fusion: 'FooFusion' is not in the smilezoo 'model' registry" in err
    code, err = run_main(tool, CONFIG, *extra, '--cfg-options', 'train_cfg.max_epoch=1',
                         monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and MISSPELT['train_cfg.max_epoch'] in err, err


def test_misspelt_module_argument_names_the_config_key(tmp_path, monkeypatch, capsys):
    code, err = run_main('train', CONFIG, '--work-dir', tmp_path, '--cfg-options',
                         'model.fusion.hiden_dim=64', monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and FUSION in err and 'did you mean model.fusion.hidden_dim?' in err, err
    # the same mistake written in a config file
    child = tmp_path / 'child.py'
    child.write_text(f"_base_ = ['{ROOT / CONFIG}']\nmodel = dict(fusion=dict(hiden_dim=64))\n")
    with pytest.raises(ConfigError, match=re.escape(f'child.py: {FUSION}')):
        load_config(str(child))
    # an argument left over from the type a user switched away from
    child.write_text(f"_base_ = ['{ROOT / CONFIG}']\nmodel = dict(fusion=dict(hidden_dim=64))\n")
    assert load_config(str(child)).model.fusion.hidden_dim == 64
    with pytest.raises(ConfigError, match="model.fusion: unknown argument 'hidden_dim'"):
        load_config(str(child), {'model.fusion.type': 'MeanFusion'})


def test_new_keys_that_the_module_takes_are_accepted():
    options = {
        'model.backbone.drop_path_rate': 0.1,  # VisionBackbone passes **kwargs to timm
        'model.projector.residual': True,  # an argument of MLPProjector, absent in the config
        'model.fusion.type': 'GatedFusion', 'model.fusion.hidden_dim': 8,
        'param_scheduler.1.T_max': 3,  # list index, argument of CosineAnnealingLR
        'train_dataloader.prefetch_factor': 4,  # torch DataLoader
        'train_dataloader.dataset.indices': 32,  # mmengine BaseDataset, via **kwargs
        'optim_wrapper.type': 'AmpOptimWrapper', 'optim_wrapper.dtype': 'bfloat16',
        'compile': True,  # read by mmengine's Runner
        '+my_note.text': 'x',  # '+': added on purpose, unchecked
    }
    cfg = load_config(CONFIG, options)
    assert cfg.model.backbone.drop_path_rate == 0.1 and cfg.model.fusion.type == 'GatedFusion'
    assert cfg.param_scheduler[1].T_max == 3 and cfg.compile is True
    assert cfg.my_note.text == 'x' and '+my_note' not in cfg


def test_type_error_while_building_is_translated_to_the_config_key():
    cfg = load_config(CONFIG, {'train_dataloader.dataset.indicez': 3})  # **kwargs: not static
    with pytest.raises(ConfigError) as info:
        with explain_config_errors(cfg):
            DATASETS.build(cfg.train_dataloader.dataset)
    msg = str(info.value)
    assert msg.startswith("train_dataloader.dataset: unknown argument 'indicez' (accepted: ")
    assert 'did you mean train_dataloader.dataset.indices?' in msg
    with pytest.raises(TypeError, match='other'):  # not from the config: left alone
        with explain_config_errors(cfg):
            raise TypeError("f() got an unexpected keyword argument 'other'")


def shipped_configs():
    paths = (glob.glob(str(ROOT / 'configs' / '**' / '*.py'), recursive=True)
             + glob.glob(str(ROOT / 'projects' / '*' / 'configs' / '*.py'))
             + glob.glob(str(ROOT / 'tests' / 'configs' / '*.py')))
    return sorted(str(p)[len(str(ROOT)) + 1:] for p in paths)


def test_every_shipped_config_passes_the_check():
    from mmengine.config import Config
    sys.path.insert(0, str(ROOT))  # projects/ plugins load by custom_imports
    paths = shipped_configs()
    assert len(paths) > 40
    problems = {p: module_problems(Config.fromfile(p)) for p in paths}
    assert {p: v for p, v in problems.items() if v} == {}
    # and every key that is there passes the --cfg-options check (list indices included)
    cfg = Config.fromfile(CONFIG)
    keys = flat_keys(cfg._cfg_dict)
    assert 'param_scheduler.0.type' in keys and 'model.losses.vl.temperature' in keys
    assert option_key_problems(cfg, dict.fromkeys(keys, 0)) == []


def test_one_key_moves_the_cache_of_every_loader(tmp_path):
    """data_preparation.out_dir names the cache that prepare_data writes and
    that the train, val and test datasets read; an ann_file given is kept."""
    cfg = load_config(CONFIG, {'data_preparation.out_dir': f'{tmp_path}/mine'})
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.ann_file == f'{tmp_path}/mine/annotations.json'
    cfg = load_config(CONFIG, {'data_preparation.out_dir': f'{tmp_path}/mine',
                               'train_dataloader.dataset.ann_file': f'{tmp_path}/other.json'})
    assert cfg.train_dataloader.dataset.ann_file == f'{tmp_path}/other.json'
    assert cfg.test_dataloader.dataset.ann_file == f'{tmp_path}/mine/annotations.json'


@pytest.mark.parametrize('scope', ['smilezoo', 'mmengine'])
def test_unknown_type_hint_names_smilezoos_registry(scope):
    """A type unknown in mmengine's parent scope is still registered into
    smilezoo's own registry (never the MMENGINE_* parent it re-exports)."""
    from smilezoo.utils.registry_hints import unknown_type_message
    msg = unknown_type_message('MyFusion', scope, 'model')
    assert 'from smilezoo.registry import MODELS; @MODELS.register_module()' in msg, msg
    assert 'MMENGINE_' not in msg
    assert f'{scope} ' in msg  # the registry it was looked up in
