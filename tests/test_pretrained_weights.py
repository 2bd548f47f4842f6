"""Pretrained weights: local checkpoint files (written here) load through the same
path as hub tags; offline, a tag fails fast with a message saying what to do."""
import os
import subprocess
import sys
import time

import pytest
import torch

from pipeline_helpers import ROOT
from smilezoo.models.backbones import (OpenCLIPVisionBackbone, PretrainedWeightsError,
                                       TimmBackbone)
from smilezoo.models.backbones import open_clip_backbone, timm_backbone, weights
from smilezoo.models.text_encoders import OpenCLIPTextEncoder, text_encoder_cache_key

ARCH = 'smilezoo-test-ViT-tiny-32'  # ViT-S-32's layout, 2 layers of width 64 per tower
PROMPTS = ['a person smiling happily', 'a sad expression']


def add_tiny_clip_config(folder):
    """Register a tiny open_clip architecture (as a user adds a config JSON)."""
    import json

    import open_clip
    folder.mkdir(exist_ok=True)
    (folder / f'{ARCH}.json').write_text(json.dumps(dict(
        embed_dim=64,
        vision_cfg=dict(image_size=224, layers=2, width=64, head_width=32, patch_size=32),
        text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=2, layers=2))))
    open_clip.add_model_config(folder)


@pytest.fixture(scope='module')
def clip_checkpoint(tmp_path_factory):
    """A CLIP model with random weights, saved as a plain state dict."""
    import open_clip
    add_tiny_clip_config(tmp_path_factory.mktemp('open_clip_configs'))
    torch.manual_seed(123)
    clip = open_clip.create_model(ARCH)
    clip.eval()
    path = tmp_path_factory.mktemp('weights') / 'open_clip_random.pt'
    torch.save(clip.state_dict(), path)
    with torch.no_grad():
        text = clip.encode_text(open_clip.get_tokenizer(ARCH)(PROMPTS)).float()
    return path, clip.state_dict(), text


def test_open_clip_vision_backbone_loads_a_local_checkpoint(clip_checkpoint):
    path, state, _ = clip_checkpoint
    bb = OpenCLIPVisionBackbone(ARCH, pretrained=str(path))
    for k, v in bb.visual.state_dict().items():
        assert torch.equal(v, state[f'visual.{k}']), k
    # built for 64 px views: the checkpoint's 224 px position embedding is interpolated
    small = OpenCLIPVisionBackbone(ARCH, pretrained=str(path), image_size=64)
    assert small.image_size == (64, 64)
    assert torch.equal(small.visual.conv1.weight, state['visual.conv1.weight'])
    assert small.visual.positional_embedding.shape[0] == (64 // 32) ** 2 + 1
    assert small(torch.rand(2, 3, 64, 64)).shape == (2, small.out_dim)


def test_open_clip_text_encoder_loads_a_local_checkpoint(clip_checkpoint):
    path, _, reference = clip_checkpoint
    enc = OpenCLIPTextEncoder(ARCH, pretrained=str(path))
    assert enc.embed_dim == reference.shape[1]
    assert torch.allclose(enc.encode(PROMPTS), reference, atol=1e-5)
    assert not any(p.requires_grad for p in enc.parameters())  # frozen
    with pytest.raises(ValueError, match='random weights'):
        OpenCLIPTextEncoder(ARCH, pretrained=None)


def test_prompt_cache_key_follows_the_checkpoint_file(tmp_path):
    path = tmp_path / 'w.pt'
    torch.save(dict(w=torch.zeros(3)), path)
    cfg = dict(type='OpenCLIPTextEncoder', model_name=ARCH, pretrained=str(path))
    key = text_encoder_cache_key(cfg)
    assert key == text_encoder_cache_key(cfg)
    path.write_bytes(path.read_bytes())  # rewritten (same size, same second)
    assert text_encoder_cache_key(cfg) != key


def test_timm_backbone_loads_a_local_checkpoint(tmp_path):
    import timm
    torch.manual_seed(7)
    ref = timm.create_model('resnet10t')  # with its classifier, as published weights are
    path = tmp_path / 'resnet10t.pth'
    torch.save(ref.state_dict(), path)
    bb = TimmBackbone('resnet10t', pretrained=str(path))
    ref_state = ref.state_dict()
    for k, v in bb.model.state_dict().items():
        assert torch.equal(v, ref_state[k]), k
    with pytest.raises(PretrainedWeightsError, match='tag'):
        TimmBackbone('resnet10t', pretrained='not_a_tag_or_file')


@pytest.fixture
def nothing_cached(monkeypatch):
    """As on a machine whose hub cache lacks the weights."""
    for mod in (weights, open_clip_backbone, timm_backbone):
        monkeypatch.setattr(mod, 'hf_cached_file', lambda *a, **k: None, raising=False)
        monkeypatch.setattr(mod, 'url_cached_file', lambda *a, **k: None, raising=False)


def assert_clear(err: str, *names):
    for needle in (*names, 'Tried', 'pretrained=/path/to/'):
        assert needle in err, (needle, err)


def test_openai_tag_fails_fast_when_offline(nothing_cached, monkeypatch):
    import open_clip  # noqa: F401  (import time is not what we measure)
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    for build, names in (
            (lambda: OpenCLIPVisionBackbone('ViT-B-16', pretrained='openai'),
             ("'openai'", 'model.backbone.pretrained')),
            (lambda: OpenCLIPTextEncoder('ViT-B-16', pretrained='openai'),
             ("'openai'", 'model.text_encoder.pretrained')),
            (lambda: TimmBackbone('resnet18', pretrained=True),
             ('timm/resnet18.a1_in1k', 'model.backbone.pretrained'))):
        start = time.perf_counter()
        with pytest.raises(PretrainedWeightsError) as info:
            build()
        assert time.perf_counter() - start < 30  # a network time-out would take minutes
        assert_clear(str(info.value), 'offline mode is on (HF_HUB_OFFLINE=1)', *names)


def test_unreachable_hub_fails_fast_without_offline_variables(nothing_cached, monkeypatch):
    import open_clip  # noqa: F401
    for var in weights.OFFLINE_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('HF_ENDPOINT', 'https://hub.smilezoo-test.invalid')
    start = time.perf_counter()
    with pytest.raises(PretrainedWeightsError) as info:
        OpenCLIPVisionBackbone('ViT-B-16', pretrained='openai')
    assert time.perf_counter() - start < 2 * weights.NETWORK_TIMEOUT_S + 1.0
    assert_clear(str(info.value), "'openai'", "'ViT-B-16'", 'hub.smilezoo-test.invalid',
                 'timm/vit_base_patch16_clip_224.openai')


CLIP_CONFIG = 'configs/smile_vlm_clip_vit_b16_synthetic.py'


def _train_clip_config(tmp_path, *options):
    env = dict(os.environ, HF_HUB_OFFLINE='1', HF_HOME=str(tmp_path / 'hf'), OMP_NUM_THREADS='1',
               SMILEZOO_CACHE=str(tmp_path / 'cache'))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, 'tools/train.py', CLIP_CONFIG, '--work-dir',
                           str(tmp_path / 'work'), *map(str, options)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    return proc, time.perf_counter() - start


def test_config_asking_for_openai_weights_without_data_says_both_what_is_missing(tmp_path):
    """No view cache and no weights: one message, no traceback, names both."""
    proc, _ = _train_clip_config(tmp_path, '--cfg-options',
                                 f'train_dataloader.dataset.ann_file={tmp_path}/none.json')
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr
    for needle in ('none.json', "model.backbone.pretrained='openai'",
                   "model.text_encoder.pretrained='openai'",
                   '--cfg-options model.backbone.pretrained=/path/to/weights'):
        assert needle in proc.stderr, (needle, proc.stderr)
    assert 'does not exist' in proc.stderr


def test_config_asking_for_openai_weights_fails_fast_offline(tmp_path, synthetic_tree):
    """The paper's CLIP config, offline, with its data prepared, as a user runs it."""
    from pipeline_helpers import data_options, run_tool
    options = data_options(synthetic_tree, tmp_path / 'views')
    run_tool('tools/prepare_data.py', CLIP_CONFIG, '--limit', 6, *options)
    proc, elapsed = _train_clip_config(tmp_path, *options)
    assert proc.returncode != 0
    err = proc.stderr.strip().splitlines()[-1]
    assert err.startswith('smilezoo.models.backbones.weights.PretrainedWeightsError'), err
    assert_clear(err, "'openai'", "'ViT-B-16'", 'offline mode is on')
    assert elapsed < 120  # imports and mmengine's start-up included; no network waits
