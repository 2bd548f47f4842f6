"""One model hierarchy: every algorithm derives from MultiViewModel, which alone
defines forward / extract_feat / predict; the Barlow Twins baseline is SMILE-VLM's
network without a text encoder."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from pipeline_helpers import ROOT
from smilezoo.evaluation.metrics import EmbeddingMetric
from smilezoo.models.algorithms import (BarlowTwinsMultiView, MultiViewModel, SmileVLM,
                                        SupervisedMultiView)
from smilezoo.registry import MODELS
from test_smile_vlm import batch, tiny_cfg

BT_LOSS = dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', loss_weight=0.01))


@pytest.mark.parametrize('cls', [SmileVLM, SupervisedMultiView, BarlowTwinsMultiView])
def test_forward_extract_feat_and_predict_exist_once(cls):
    assert issubclass(cls, MultiViewModel)
    for name in ('forward', 'extract_feat', 'predict', 'embed_views'):
        assert name not in vars(cls), f'{cls.__name__} defines {name} again'


def build(cfg):
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(cfg))


def test_barlow_twins_is_smile_vlm_network_without_text_encoder():
    vlm_cfg = tiny_cfg(losses=BT_LOSS, reuse_aug_as_clean=True)
    vlm = build(vlm_cfg)
    bt = build(dict(type='BarlowTwinsMultiView', losses=BT_LOSS, embed_dim=384,
                    **{k: vlm_cfg[k] for k in ('backbone', 'projector', 'fusion')}))
    assert not hasattr(bt, 'text_encoder') and not hasattr(bt, 'prompt_bank')
    state = bt.state_dict()
    assert state.keys() == vlm.state_dict().keys()
    assert all(torch.equal(v, vlm.state_dict()[k]) for k, v in state.items())
    data = bt.data_preprocessor(batch(), False)
    for m in (bt, vlm):
        m.eval()
    assert torch.equal(bt.extract_feat(data['inputs'])['fused'],
                       vlm.extract_feat(data['inputs'])['fused'])
    losses = []
    for m in (bt, vlm):  # the same augmentations: the same Barlow Twins loss
        torch.manual_seed(1)
        m.train()
        opt = OptimWrapper(torch.optim.SGD(m.parameters(), lr=0.01))
        losses.append(m.train_step(batch(), opt)['loss_mv_bt'])
    assert torch.equal(*losses)
    bt.eval()
    preds = bt.predict(data['inputs'], data['data_samples'])
    assert 'pred_label' not in preds[0] and preds[0]['embedding'].shape == (384,)
    metric = EmbeddingMetric()
    metric.dataset_meta = dict(classes=['happy', 'sad', 'surprise'])
    metric.process({}, preds)
    out = metric.evaluate(len(preds))
    assert out['class_names'] == ['happy', 'sad', 'surprise'] and out['num_samples'] == 6
    with pytest.raises(KeyError, match="'mv_bt' only"):
        MODELS.build(dict(type='BarlowTwinsMultiView', losses=dict(BT_LOSS, vl={}),
                          **{k: vlm_cfg[k] for k in ('backbone', 'projector', 'fusion')}))


@pytest.mark.parametrize('path', ['configs/barlow_twins_bu3dfe_subset1.py',
                                  'configs/benchmarks/synthetic_bu3dfe_cpu/'
                                  'barlow_twins_linear_probe.py'])
def test_barlow_twins_configs_are_linear_probe_only(path):
    cfg = Config.fromfile(ROOT / path)
    assert cfg.model.type == 'BarlowTwinsMultiView' and 'text_encoder' not in cfg.model
    assert cfg.cv_evaluations == ['linear_probe']
    assert cfg.test_evaluator.type == cfg.val_evaluator.type == 'EmbeddingMetric'


@pytest.mark.parametrize('name', ['ViewAttentionFusion', 'MeanFusion', 'MaxFusion',
                                  'GatedFusion', 'CrossViewTransformerFusion',
                                  'ConfidenceWeightedFusion'])
def test_every_fusion_head_checks_its_inputs_and_weighs_in_float32(name):
    import projects.example_fusion.confidence_fusion  # noqa: F401  (the plugin head)
    from smilezoo.models.fusion import ViewFusion
    fusion = MODELS.build(dict(type=name, embed_dim=16))
    assert isinstance(fusion, ViewFusion) and 'forward' not in vars(type(fusion))
    z = torch.randn(2, 3, 16)
    with pytest.raises(ValueError, match=rf'{name}: z of shape \(2, 3, 16\), view_mask '
                                         rf'of shape \(2, 2\)'):
        fusion(z, torch.ones(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match=f'{name}: view_mask hides every view'):
        fusion(z, torch.tensor([[True, False, True], [False, False, False]]))
    with pytest.raises(ValueError, match=rf'{name}: z of shape \(3, 16\)'):
        fusion(z[0])
    with torch.autocast('cpu', dtype=torch.bfloat16):  # mixed precision, bf16 embeddings
        fused, w = fusion(z.to(torch.bfloat16), torch.tensor([[True, False, True]] * 2))
    assert w.dtype == torch.float32 and w[:, 1].eq(0).all()
    assert torch.allclose(w.sum(1), torch.ones(2), atol=1e-6)


def test_infer_refuses_a_model_that_predicts_no_class(tmp_path):
    from smilezoo.apis.inference import ExpressionInferencer
    cfg = Config.fromfile(ROOT / 'configs/benchmarks/synthetic_bu3dfe_cpu/'
                                 'barlow_twins_linear_probe.py')
    cfg.model.backbone.model_name = 'timm/test_resnet'
    ckpt = tmp_path / 'bt.pth'
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ckpt)
    with pytest.raises(ValueError, match='BarlowTwinsMultiView predicts no class'):
        ExpressionInferencer(cfg, str(ckpt))
