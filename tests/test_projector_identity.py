"""A projector that starts as the identity keeps CLIP's joint space: with a tiny
open_clip pair (random weights, saved to a local file), SmileVLM built from the
paper's CLIP config scores like CLIP itself at step 0."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from pipeline_helpers import ROOT
from smilezoo.models.backbones.open_clip_backbone import OPENAI_MEAN, OPENAI_STD
from smilezoo.models.necks import MLPProjector
from smilezoo.registry import MODELS
from test_pretrained_weights import ARCH, add_tiny_clip_config

CLIP_MODEL_CONFIG = ROOT / 'configs' / '_base_' / 'models' / 'smile_vlm_clip_vit_b16.py'
POOLS = {'happy': ['a person smiling happily', 'a joyful facial expression'],
         'sad': ['a sad expression'], 'surprise': ['a surprised facial expression']}


def test_residual_projector_is_the_identity_at_init_and_learns():
    torch.manual_seed(0)
    proj = MLPProjector(16, 16, hidden_dim=8, residual=True)
    x = torch.randn(5, 16, requires_grad=True)
    for mode in (proj.train, proj.eval):
        mode()
        assert torch.equal(proj(x), x)
    proj.train()
    (proj(x) ** 3).sum().backward()
    assert proj.mlp[-1].weight.grad.abs().sum() > 0  # the zero layer gets a gradient
    assert not torch.equal(MLPProjector(16, 16, hidden_dim=8)(x), x)
    with pytest.raises(ValueError, match='in_dim=16 must equal out_dim=8'):
        MLPProjector(16, 8, residual=True)


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    """(CLIP model in eval mode, path of its state dict)."""
    import open_clip
    add_tiny_clip_config(tmp_path_factory.mktemp('open_clip_configs'))
    torch.manual_seed(7)
    clip = open_clip.create_model(ARCH).eval()
    path = tmp_path_factory.mktemp('weights') / 'tiny_clip.pt'
    torch.save(clip.state_dict(), path)
    return clip, path


def build_from_clip_config(path, cache_dir, **projector):
    """SmileVLM of the paper's CLIP model config with the tiny towers put in."""
    cfg = Config.fromfile(str(CLIP_MODEL_CONFIG)).model
    cfg.backbone.update(model_name=f'open_clip/{ARCH}', pretrained=str(path))
    cfg.text_encoder.update(model_name=ARCH, pretrained=str(path))
    cfg.projector.update(projector)
    cfg.update(class_names=list(POOLS), prompt_pools=POOLS, prompt_cache_dir=str(cache_dir))
    torch.manual_seed(0)
    return MODELS.build(cfg)


@torch.no_grad()
def clip_scores(clip, views):
    """CLIP's own zero-shot: cosines of its normalised image features (M, 3, 224, 224)
    in [0, 1] and the normalised mean of each pool's normalised text features."""
    import open_clip
    mean = torch.tensor(OPENAI_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(OPENAI_STD).view(1, 3, 1, 1)
    img = F.normalize(clip.encode_image((views - mean) / std), dim=-1)
    tok = open_clip.get_tokenizer(ARCH)
    protos = torch.stack([F.normalize(F.normalize(clip.encode_text(tok(p)), dim=-1).mean(0),
                                      dim=0) for p in POOLS.values()])
    return img, img @ protos.T


def test_smile_vlm_with_clip_towers_scores_like_clip_at_step_0(tiny_clip, tmp_path):
    clip, path = tiny_clip
    model = build_from_clip_config(path, tmp_path).eval()
    assert model.projector.residual  # the key is on in the paper's CLIP config
    g = torch.Generator().manual_seed(1)
    u8 = torch.randint(0, 256, (4, 3, 3, 224, 224), generator=g, dtype=torch.uint8)
    x = u8.float() / 255
    ref_img, ref_cos = clip_scores(clip, x.flatten(0, 1))
    feats = model.extract_feat(x)
    # each view: the image embedding is CLIP's, its cosines to the prototypes are CLIP's
    assert torch.allclose(F.normalize(feats['views'], dim=-1).flatten(0, 1), ref_img, atol=1e-5)
    view_cos = F.normalize(feats['views'], dim=-1) @ model.prompt_bank.prototypes.T
    assert torch.allclose(view_cos.flatten(0, 1), ref_cos, atol=1e-5)
    out = model.val_step(dict(inputs=u8, data_samples=[dict(gt_label=0)] * 4))
    assert [r['view_pred_labels'].tolist() for r in out] == ref_cos.argmax(-1).view(4, 3).tolist()
    # fused prediction of identical views = that view's CLIP scores (any fusion weights)
    same = u8[:, :1].repeat(1, 3, 1, 1, 1)
    out = model.val_step(dict(inputs=same, data_samples=[dict(gt_label=0)] * 4))
    _, cos0 = clip_scores(clip, same[:, 0].float() / 255)
    expected = (model.head.logit_scale * cos0).softmax(-1)
    assert torch.allclose(torch.stack([r['pred_score'] for r in out]), expected, atol=1e-4)
    assert [r['pred_label'] for r in out] == cos0.argmax(-1).tolist()


def test_a_random_mlp_projector_loses_clip_scores(tiny_clip, tmp_path):
    # the control: the same towers with residual=False (main's CLIP config) do not
    clip, path = tiny_clip
    model = build_from_clip_config(path, tmp_path, residual=False).eval()
    x = torch.rand(2, 1, 3, 224, 224, generator=torch.Generator().manual_seed(2))
    ref_img, _ = clip_scores(clip, x.flatten(0, 1))
    got = F.normalize(model.extract_feat(x)['views'], dim=-1).flatten(0, 1)
    assert (got * ref_img).sum(-1).max() < 0.9  # far from CLIP's direction


def test_residual_projector_needs_matching_sizes(tmp_path):
    cfg = dict(type='SmileVLM', backbone=dict(type='TimmBackbone', model_name='test_resnet'),
               projector=dict(type='MLPProjector', hidden_dim=8, residual=True),
               fusion=dict(type='ViewAttentionFusion', hidden_dim=8),
               text_encoder=dict(type='SentenceTransformerTextEncoder'),
               losses=dict(vl=dict(type='MultiViewInfoNCELoss')),
               class_names=list(POOLS), prompt_pools=POOLS)
    with pytest.raises(ValueError, match='model.projector.residual=True'):
        MODELS.build(cfg)
