"""The plugin story: a fusion head outside smilezoo, loaded by custom_imports, trained
with the stock tools; an unknown type= names the registry, scope and custom_imports."""
import pytest
import torch

from pipeline_helpers import ROOT, run_tool
from smilezoo.registry import MODELS
from smilezoo.utils import UnknownTypeError, build_with_hints
from zoo_helpers import tiny_train_options, write_random_view_cache

PLUGIN_CONFIG = 'projects/example_fusion/configs/smile_vlm_synthetic_confidence_fusion.py'
# a tiny CPU job: on a shared 2-core machine 2 OpenMP threads made a step ~10x slower
ONE_THREAD = dict(OMP_NUM_THREADS='1')


@pytest.fixture(scope='module')
def tiny_cache(tmp_path_factory):
    # 5 subjects x 6 expressions x 1 intensity: 4 train subjects = 24 scans = 3 steps of 8
    return write_random_view_cache(tmp_path_factory.mktemp('random_views'), intensities=(3,))


def test_plugin_config_trains_with_the_custom_fusion(tiny_cache, tmp_path):
    work = tmp_path / 'work'
    run_tool('tools/train.py', PLUGIN_CONFIG, '--work-dir', work,
             *tiny_train_options(tiny_cache, epochs=2, batch_size=8), env=ONE_THREAD)
    ckpt_path = (work / 'last_checkpoint').read_text().strip()
    ckpt = torch.load(ckpt_path, map_location='cpu', weights_only=False)
    state = ckpt['state_dict']
    # the plugin's own parameters were saved, and they moved: its forward was in the loss
    assert {'fusion.agreement_scale', 'fusion.view_bias'} <= set(state)
    assert not any(k.startswith('fusion.score.') for k in state)  # not the stock fusion
    assert state['fusion.agreement_scale'].item() != 5.0
    assert state['fusion.view_bias'].abs().sum() > 0
    assert "type='ConfidenceWeightedFusion'" in ckpt['meta']['cfg']
    # the checkpoint loads back (load_from / tools/test.py path) into a model built
    # from the same config
    import sys

    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    sys.path.insert(0, str(ROOT))
    cfg = Config.fromfile(ROOT / PLUGIN_CONFIG)  # runs custom_imports
    model = MODELS.build(cfg.model)
    load_checkpoint(model, ckpt_path, map_location='cpu', strict=True)
    assert torch.equal(model.fusion.view_bias, state['fusion.view_bias'])


def test_unknown_type_names_registry_scope_and_custom_imports(tiny_cache, tmp_path):
    with pytest.raises(UnknownTypeError) as info:
        build_with_hints(MODELS, dict(type='FooFusion', embed_dim=8))
    msg = str(info.value)
    for needle in ("'FooFusion' is not in the smilezoo 'model' registry (scope 'smilezoo')",
                   "'ViewAttentionFusion'", "'GatedFusion'",
                   "custom_imports = dict(imports=['your.module']"):
        assert needle in msg, msg
    # the same from tools/train.py, for a fusion nested inside the model config
    proc = run_tool('tools/train.py', 'configs/smile_vlm_synthetic.py', '--work-dir',
                    tmp_path / 'work', *tiny_train_options(tiny_cache),
                    'model.fusion.type=ConfidenceWeightedFusion', check=False, env=ONE_THREAD)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: configs/smile_vlm_synthetic.py: model.fusion: '), last
    assert "'ConfidenceWeightedFusion' is not in the smilezoo 'model' registry" in last
    assert 'custom_imports' in last and 'registered: [' in last
