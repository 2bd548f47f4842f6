"""Label-free prompt selection: pseudo-labels from the model itself, no ground truth."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from smilezoo.models.prompt_selection.pseudo_labeler import (PseudoLabeler, balanced_assignment,
                                                             match_to_classes, spherical_kmeans)
from test_fusion_heads import batch, tiny_model


def test_balanced_assignment_is_an_equal_partition():
    torch.manual_seed(0)
    scores = torch.rand(12, 3) * 0.2  # cosine similarities ...
    scores[:, 0] += 0.3  # ... and every sample prefers class 0
    assert (scores.argmax(1) == 0).all()
    labels = balanced_assignment(scores).argmax(1)
    assert torch.bincount(labels, minlength=3).min() >= 3  # every class used
    q = balanced_assignment(scores, iters=50)
    assert torch.allclose(q.sum(1), torch.ones(12), atol=1e-5)
    assert torch.allclose(q.sum(0), torch.full((3,), 4.0), atol=1e-2)


def test_kmeans_finds_separated_clusters_and_matching_is_one_to_one():
    torch.manual_seed(0)
    centres = F.normalize(torch.randn(4, 16), dim=-1)
    x = F.normalize(centres.repeat_interleave(25, 0) + 0.05 * torch.randn(100, 16), dim=-1)
    c = spherical_kmeans(x, 4, generator=torch.Generator().manual_seed(0))
    assign = (x @ c.T).argmax(1).view(4, 25)
    assert all(len(set(row.tolist())) == 1 for row in assign)  # clusters are pure
    perm = torch.tensor([2, 0, 3, 1])
    assert match_to_classes(centres[perm], centres).tolist() == perm.tolist()


def test_zero_shot_pseudo_label_is_the_nearest_prototype():
    protos = F.normalize(torch.randn(3, 8), dim=-1)
    z = protos[[2, 0, 1, 1]] + 0.01 * torch.randn(4, 8)
    labeler = PseudoLabeler('zero_shot_pseudo', 3, 8, balance=False)
    assert labeler(z, protos).tolist() == [2, 0, 1, 1]


def test_cluster_mode_refreshes_from_its_memory_bank():
    torch.manual_seed(0)
    protos = F.normalize(torch.randn(3, 8), dim=-1)
    labeler = PseudoLabeler('cluster', 3, 8, bank_size=64, refresh_interval=2)
    for _ in range(5):
        z = protos.repeat(4, 1) + 0.05 * torch.randn(12, 8)
        labels = labeler(z, protos)
    assert labeler.filled == 60 and labeler.has_centroids
    assert labels.tolist() == [0, 1, 2] * 4


@pytest.mark.parametrize('mode', ['zero_shot_pseudo', 'cluster'])
def test_label_free_training_reads_no_ground_truth(mode):
    model = tiny_model('ViewAttentionFusion', prompt_selection=mode)
    data = batch()
    unlabeled = dict(inputs=data['inputs'], data_samples=[dict(sample_idx=i) for i in range(6)])
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    losses = model.train_step(unlabeled, optim)
    assert {'loss_mv_bt', 'loss_vl', 'loss_red'} <= set(losses)
    assert 'pseudo_label_acc' not in losses
    # with labels present they are only compared with the pseudo-labels, for the log
    losses = model.train_step(data, optim)
    assert 0 <= losses['pseudo_label_acc'] <= 1
    with pytest.raises(ValueError, match='prompt_selection'):
        tiny_model('MeanFusion', prompt_selection='labels')
