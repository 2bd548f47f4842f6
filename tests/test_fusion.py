import torch

from smilezoo.models.fusion import MeanFusion, ViewAttentionFusion


def test_view_attention_weights_are_a_distribution_and_match_eq5_7():
    torch.manual_seed(0)
    fusion = ViewAttentionFusion(embed_dim=8, hidden_dim=4)
    z = torch.randn(5, 3, 8)
    fused, w = fusion(z)
    assert fused.shape == (5, 8) and w.shape == (5, 3)
    assert (w >= 0).all() and torch.allclose(w.sum(1), torch.ones(5))
    for b in range(5):  # literal: s_i = MLP(z_i); w = softmax(s); z = sum_i w_i z_i
        s = torch.stack([fusion.score(z[b, i]).squeeze() for i in range(3)])
        wb = torch.exp(s) / torch.exp(s).sum()
        assert torch.allclose(w[b], wb, atol=1e-6)
        assert torch.allclose(fused[b], sum(wb[i] * z[b, i] for i in range(3)), atol=1e-6)


def test_view_attention_pools_feature_maps_and_masks_views():
    fusion = ViewAttentionFusion(embed_dim=4)
    maps = torch.randn(2, 3, 4, 5, 5)
    fused, w = fusion(maps, view_mask=torch.tensor([[True, False, True], [True, True, True]]))
    assert fused.shape == (2, 4)
    assert w[0, 1] == 0 and torch.allclose(w.sum(1), torch.ones(2))
    fused_vec, _ = fusion(maps.mean((-1, -2)))
    assert torch.allclose(fusion(maps)[0], fused_vec, atol=1e-6)


def test_mean_fusion_is_the_average_of_available_views():
    z = torch.randn(2, 3, 4)
    fused, w = MeanFusion()(z, view_mask=torch.tensor([[True, True, False]] * 2))
    assert torch.allclose(fused, z[:, :2].mean(1), atol=1e-6)
