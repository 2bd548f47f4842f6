"""Every registered fusion head: the shared interface, masking, and one training
step inside SmileVLM; view dropout."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from smilezoo.registry import MODELS

FUSIONS = ['ViewAttentionFusion', 'MeanFusion', 'MaxFusion', 'GatedFusion',
           'CrossViewTransformerFusion']
MASK = torch.tensor([[True, True, True], [True, False, True], [False, False, True],
                     [True, True, False]])


def build(name, d=16):
    torch.manual_seed(0)
    return MODELS.build(dict(type=name, embed_dim=d))


@pytest.mark.parametrize('name', FUSIONS)
def test_fusion_interface_and_missing_views(name):
    fusion = build(name).eval()
    z = torch.randn(4, 3, 16)
    for mask in (None, MASK):
        fused, w = fusion(z, mask)
        assert fused.shape == (4, 16) and w.shape == (4, 3)
        assert (w >= 0).all() and torch.allclose(w.sum(1), torch.ones(4), atol=1e-5)
    assert (w[~MASK] == 0).all()  # a missing view gets no weight ...
    hidden = z.clone()
    hidden[~MASK] = 1e3  # ... and its content does not matter
    assert torch.allclose(fusion(hidden, MASK)[0], fused, atol=1e-4)
    single, w1 = fusion(z[:, :1])  # one view
    assert single.shape == (4, 16) and torch.allclose(w1, torch.ones(4, 1))


def test_max_and_gated_fusion_semantics():
    z = torch.randn(2, 3, 8)
    fused, w = build('MaxFusion', 8)(z, MASK[1:3])
    assert torch.equal(fused[0], torch.maximum(z[0, 0], z[0, 2]))
    assert torch.equal(fused[1], z[1, 2]) and w[1].tolist() == [0, 0, 1]
    gated = build('GatedFusion', 8)
    fused, _ = gated(z)
    g = torch.sigmoid(gated.gate(z))
    assert torch.allclose(fused, (g * z).sum(1) / g.sum(1), atol=1e-6)


def tiny_model(fusion, **over):
    cfg = dict(
        type='SmileVLM', backbone=dict(type='VisionBackbone', model_name='timm/test_resnet'),
        projector=dict(type='MLPProjector', hidden_dim=32), fusion=dict(type=fusion),
        text_encoder=dict(type='SentenceTransformerTextEncoder'),
        losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', loss_weight=0.01),
                    vl=dict(type='MultiViewInfoNCELoss'),
                    red=dict(type='CrossModalRedundancyLoss', loss_weight=0.01)),
        class_names=['happy', 'sad', 'surprise'],
        prompt_pools={'happy': ['a person smiling happily'], 'sad': ['a sad expression'],
                      'surprise': ['a surprised facial expression']})
    cfg.update(over)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(b=6, n=3):
    x = (torch.rand(b, n, 3, 32, 32) * 255).to(torch.uint8)
    return dict(inputs=x, data_samples=[dict(gt_label=i % 3) for i in range(b)])


@pytest.mark.parametrize('name', FUSIONS)
def test_every_fusion_trains_one_step_with_view_dropout(name):
    model = tiny_model(name, view_dropout=0.5)
    before = {k: v.clone() for k, v in model.fusion.state_dict().items()}
    model.train()
    losses = model.train_step(batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    assert all(torch.isfinite(v) for v in losses.values())
    if before:  # fusions with parameters are trained
        assert any(not torch.equal(v, model.fusion.state_dict()[k]) for k, v in before.items())
    model.eval()
    out = model.predict(model.data_preprocessor(batch(b=2))['inputs'],
                        view_mask=torch.tensor([[True, False, True]] * 2))
    assert [r['view_weights'][1].item() for r in out] == [0.0, 0.0]


def test_view_dropout_masks_views_but_never_all_of_a_sample():
    model = tiny_model('ViewAttentionFusion', view_dropout=0.6)
    torch.manual_seed(0)
    mask = model.random_view_mask(4000, 3, 'cpu')
    assert mask.any(1).all()
    dropped = 1 - mask.float().mean().item()
    assert 0.45 < dropped < 0.6  # p = 0.6 less the samples that keep one view back
    seen = []
    model.fusion.register_forward_hook(lambda m, args, out: seen.append(args[1]))
    model.train()
    model.train_step(batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.0)))
    assert seen[-1] is not None and seen[-1].shape == (6, 3) and seen[-1].any(1).all()
    model.eval()
    model.val_step(batch())
    assert seen[-1] is None  # no dropout at test time
    with pytest.raises(ValueError, match='view_dropout'):
        tiny_model('MeanFusion', view_dropout=1.0)
