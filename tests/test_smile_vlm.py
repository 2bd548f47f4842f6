"""SmileVLM on random tensors: shapes, frozen text tower, one optimiser step."""
import copy

import pytest
import torch

from smilezoo.registry import MODELS
from zoo_helpers import TINY_CLASSES as CLASSES, TINY_POOLS as POOLS, tiny_smile_vlm_cfg


def tiny_cfg(**over):
    return tiny_smile_vlm_cfg(dict(type='TimmBackbone', model_name='test_resnet', in_chans=3),
                              **over)


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    return MODELS.build(tiny_cfg())


def batch(b=6, n=3):
    inputs = (torch.rand(b, n, 3, 32, 32) * 255).to(torch.uint8)
    return dict(inputs=inputs, data_samples=[dict(gt_label=i % 3, sample_idx=i) for i in range(b)])


def test_prompt_bank_and_dimensions(model):
    assert model.prompt_bank.embeddings.shape == (5, 384)
    assert model.prompt_bank.prototypes.shape == (3, 384)
    assert 'text_encoder' not in dict(model.named_children())  # frozen, not checkpointed
    assert not any('text_encoder' in k for k in model.state_dict())


def test_training_step_never_calls_the_text_tower(model, monkeypatch):
    calls = []
    st = model.text_encoder.model
    original = type(st).forward
    monkeypatch.setattr(type(st), 'forward', lambda self, *a, **k: calls.append(1) or
                        original(self, *a, **k))
    monkeypatch.setattr(type(model.text_encoder), '_encode',
                        lambda self, p: calls.append(2) or pytest.fail('text tower called'))
    optim = torch.optim.SGD(model.parameters(), lr=0.01)
    from mmengine.optim import OptimWrapper
    model.train()
    losses = model.train_step(batch(), OptimWrapper(optim))
    assert set(losses) == {'loss', 'loss_mv_bt', 'loss_vl', 'loss_red'}
    assert calls == []


def step_and_diff(m):
    """One SGD step (no momentum, no decay: a parameter moves iff its gradient is
    non-zero); returns (names of changed parameters, names of changed state_dict
    entries, which include BatchNorm running statistics)."""
    from mmengine.optim import OptimWrapper
    params = {k: v.detach().clone() for k, v in m.named_parameters()}
    state = {k: v.clone() for k, v in m.state_dict().items()}
    m.train()
    m.train_step(batch(), OptimWrapper(torch.optim.SGD(
        [p for p in m.parameters() if p.requires_grad], lr=0.1)))
    changed_params = {k for k, v in m.named_parameters() if not torch.equal(v, params[k])}
    changed_state = {k for k, v in m.state_dict().items() if v.dtype.is_floating_point and
                     not torch.equal(v, state[k])}
    return changed_params, changed_state


def test_training_step_updates_backbone_and_fusion(model):
    changed, _ = step_and_diff(copy.deepcopy(model))
    assert any(k.startswith('backbone.') for k in changed)
    assert any(k.startswith('fusion.') for k in changed)
    assert any(k.startswith('projector.') for k in changed)


def test_learning_check_reads_parameters_not_buffers(model):
    # No gradient reaches the backbone: its parameters stay, its BatchNorm running
    # statistics still move in the forward pass. A state_dict() comparison (the old
    # check) calls that learning; the parameter comparison does not.
    m = copy.deepcopy(model)
    m.backbone.requires_grad_(False)
    changed_params, changed_state = step_and_diff(m)
    assert not any(k.startswith('backbone.') for k in changed_params)
    assert any(k.startswith('backbone.') and 'running_' in k for k in changed_state)
    assert any(k.startswith('projector.') for k in changed_params)


def test_predict_outputs(model):
    model.eval()
    out = model.val_step(batch(b=4))
    assert len(out) == 4
    for r in out:
        assert 0 <= r['pred_label'] < 3
        assert torch.isclose(r['pred_score'].sum(), torch.tensor(1.0))
        assert r['view_weights'].shape == (3,) and torch.isclose(r['view_weights'].sum(),
                                                                 torch.tensor(1.0))
        assert r['view_pred_labels'].shape == (3,)
        assert 'sample_idx' in r


def test_ablation_drops_a_loss_and_bad_config_is_named():
    m = MODELS.build(tiny_cfg(losses=dict(vl=dict(type='MultiViewInfoNCELoss'), mv_bt=None)))
    m.train()
    from mmengine.optim import OptimWrapper
    out = m.train_step(batch(), OptimWrapper(torch.optim.SGD(m.parameters(), lr=0.01)))
    assert 'loss_mv_bt' not in out and 'loss_red' not in out and 'loss_vl' in out
    with pytest.raises(KeyError, match='model.losses'):
        MODELS.build(tiny_cfg(losses=dict(barlow=dict(type='MultiViewBarlowTwinsLoss'))))
    with pytest.raises(ValueError, match='out_dim'):
        MODELS.build(tiny_cfg(projector=dict(type='MLPProjector', out_dim=16)))
    with pytest.raises(KeyError, match='prompt_pools'):
        MODELS.build(tiny_cfg(class_names=CLASSES + ['fear']))


def test_prompt_embeddings_come_from_the_disk_cache(tmp_path, monkeypatch):
    from smilezoo.models.text_encoders import SentenceTransformerTextEncoder
    calls = []
    original = SentenceTransformerTextEncoder._encode
    monkeypatch.setattr(SentenceTransformerTextEncoder, '_encode',
                        lambda self, p: calls.append(len(p)) or original(self, p))
    first = MODELS.build(tiny_cfg(prompt_cache_dir=str(tmp_path)))
    assert calls == [5] and len(list(tmp_path.glob('*.pt'))) == 1
    second = MODELS.build(tiny_cfg(prompt_cache_dir=str(tmp_path)))
    assert calls == [5]  # second model: read from disk, text tower never built
    assert 'text_encoder' not in second.__dict__
    assert torch.equal(first.prompt_bank.embeddings, second.prompt_bank.embeddings)
    pools = dict(POOLS, surprise=['a face reacting with amazement'])
    MODELS.build(tiny_cfg(prompt_cache_dir=str(tmp_path), prompt_pools=pools))
    assert calls == [5, 5]  # other prompts: a new key
