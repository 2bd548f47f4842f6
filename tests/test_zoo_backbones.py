"""Every zoo backbone trains one SmileVLM step on the CPU; input size and
normalisation follow the backbone; one config key switches family."""
import os

import pytest
import torch
from mmengine.optim import OptimWrapper

from smilezoo.models.backbones import BACKBONE_ZOO, OpenCLIPVisionBackbone, TimmBackbone
from smilezoo.models.backbones.open_clip_backbone import OPENAI_MEAN, OPENAI_STD
from smilezoo.registry import MODELS

# ViT-L/14 (304M parameters) takes ~45 s to build and step on a loaded 2-core
# machine: run it with SMILEZOO_SLOW_TESTS=1.
SLOW = {'open_clip/ViT-L-14'}


def smile_vlm(backbone: dict, fusion='MeanFusion') -> torch.nn.Module:
    return MODELS.build(dict(
        type='SmileVLM', backbone=backbone,
        projector=dict(type='MLPProjector', hidden_dim=32), fusion=dict(type=fusion),
        text_encoder=dict(type='SentenceTransformerTextEncoder'),
        losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', loss_weight=0.01),
                    vl=dict(type='MultiViewInfoNCELoss'),
                    red=dict(type='CrossModalRedundancyLoss', loss_weight=0.01)),
        class_names=['happy', 'sad'],
        prompt_pools={'happy': ['a person smiling happily'], 'sad': ['a sad expression']}))


def one_step(model, b=2, n=2, size=32):
    """One SGD train_step on random uint8 views; returns the loss dict."""
    x = (torch.rand(b, n, 3, size, size) * 255).to(torch.uint8)
    model.train()
    return model.train_step(dict(inputs=x, data_samples=[dict(gt_label=i % 2) for i in range(b)]),
                            OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))


@pytest.mark.parametrize('name', sorted(BACKBONE_ZOO))
def test_every_zoo_backbone_trains_one_step(name):
    if name in SLOW and not os.environ.get('SMILEZOO_SLOW_TESTS'):
        pytest.skip(f'{name}: slow on a CPU, set SMILEZOO_SLOW_TESTS=1')
    torch.manual_seed(0)
    model = smile_vlm(dict(type='VisionBackbone', model_name=name, input_size=32))
    bb = model.backbone
    assert bb.out_dim == BACKBONE_ZOO[name][0]
    if name.startswith('open_clip/'):
        assert isinstance(bb, OpenCLIPVisionBackbone) and bb.image_size == (32, 32)
        assert torch.allclose(bb.mean.flatten(), torch.tensor(OPENAI_MEAN))
        assert torch.allclose(bb.std.flatten(), torch.tensor(OPENAI_STD))
    else:
        assert isinstance(bb, TimmBackbone)
        cfg = bb.model.pretrained_cfg
        assert torch.allclose(bb.mean.flatten(), torch.tensor(cfg['mean']))
        assert torch.allclose(bb.std.flatten(), torch.tensor(cfg['std']))
        if 'vit' in name:  # built for the views' size, not resized to 224
            assert tuple(bb.model.patch_embed.img_size) == (32, 32)
    param = next(p for p in bb.parameters() if p.requires_grad)
    before = param.detach().clone()
    losses = one_step(model)
    assert all(torch.isfinite(v) for v in losses.values())
    assert not torch.equal(before, param.detach())  # the backbone was trained


def test_backbones_resize_to_the_size_they_need():
    vit = TimmBackbone('test_vit')  # fixed input size: resized to its native size
    assert vit.input_size == tuple(vit.model.pretrained_cfg['input_size'][-2:])
    assert vit(torch.rand(2, 3, 20, 20)).shape == (2, vit.out_dim)
    cnn = TimmBackbone('test_resnet')  # any size: left as it is
    assert cnn.input_size is None and cnn(torch.rand(2, 3, 20, 20)).shape == (2, cnn.out_dim)
    gray = TimmBackbone('test_resnet', in_chans=1)  # no pretrained mean for 1 channel
    assert gray.mean.flatten().tolist() == [0.5]


def test_one_config_key_switches_the_backbone_family():
    from mmengine.config import Config
    cfg = Config.fromfile('configs/smile_vlm_synthetic.py')
    assert cfg.model.backbone.type == 'VisionBackbone'
    built = {}
    for name in ('timm/test_resnet', 'test_resnet', 'open_clip/RN50'):
        cfg.merge_from_dict({'model.backbone.model_name': name})
        bb = MODELS.build(dict(cfg.model.backbone, input_size=32))
        built[name] = type(bb).__name__
    assert built == {'timm/test_resnet': 'TimmBackbone', 'test_resnet': 'TimmBackbone',
                     'open_clip/RN50': 'OpenCLIPVisionBackbone'}
    # checkpoints keep the family module's own parameter names
    assert any(k.startswith('model.') for k in
               MODELS.build(dict(type='VisionBackbone', model_name='test_resnet')).state_dict())
