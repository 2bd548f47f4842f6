"""Each loss against a slow, literal implementation of its equation (method.md)."""
import math

import pytest
import torch

from smilezoo.models.losses import (CrossModalRedundancyLoss, MultiViewBarlowTwinsLoss,
                                    MultiViewInfoNCELoss)

EPS = 1e-5


def literal_standardize(z):
    """z: list over batch of d-vectors -> standardised per dimension (biased var)."""
    b, d = len(z), len(z[0])
    out = [[0.0] * d for _ in range(b)]
    for k in range(d):
        mean = sum(z[i][k] for i in range(b)) / b
        var = sum((z[i][k] - mean) ** 2 for i in range(b)) / b
        for i in range(b):
            out[i][k] = (z[i][k] - mean) / math.sqrt(var + EPS)
    return out


def literal_cross_corr(a, b_, standardize=True):
    """C_kl = (1/B) sum_i ahat_i[k] bhat_i[l]; without ``standardize`` ahat = a (eq. 1 / 8
    as the paper prints them)."""
    b, d = len(a), len(a[0])
    ah, bh = (literal_standardize(a), literal_standardize(b_)) if standardize else (a, b_)
    return [[sum(ah[i][k] * bh[i][l] for i in range(b)) / b for l in range(d)] for k in range(d)]


def literal_bt_terms(c, lam):
    d = len(c)
    on = sum((c[k][k] - 1) ** 2 for k in range(d))
    off = sum(c[k][l] ** 2 for k in range(d) for l in range(d) if k != l)
    return on + lam * off


def literal_mv_bt(z_a, z_b, lam, standardize=True):
    """eq. 1-4: Cbar = (1/N) sum_i C_i; L = sum_k (Cbar_kk-1)^2 + lam sum_{k!=l} Cbar_kl^2."""
    b, n, d = z_a.shape
    cs = [literal_cross_corr(z_a[:, i].tolist(), z_b[:, i].tolist(), standardize)
          for i in range(n)]
    cbar = [[sum(c[k][l] for c in cs) / n for l in range(d)] for k in range(d)]
    return literal_bt_terms(cbar, lam)


def cos(u, v):
    return sum(x * y for x, y in zip(u, v)) / math.sqrt(sum(x * x for x in u)
                                                        * sum(y * y for y in v))


def literal_infonce(z_views, z_mv, z_t, tau, excluded):
    """eq. 6, with ``excluded(b, j)`` True for texts dropped from b's denominator."""
    b, n, _ = z_views.shape
    total = 0.0
    queries = [[z_views[s, i].tolist() for s in range(b)] for i in range(n)] + [z_mv.tolist()]
    texts = z_t.tolist()
    for q in queries:
        for s in range(b):
            num = math.exp(cos(q[s], texts[s]) / tau)
            den = sum(math.exp(cos(q[s], texts[j]) / tau) for j in range(b)
                      if j == s or not excluded(s, j))
            total += math.log(num / den)
    return -total / ((n + 1) * b)


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(0)


def test_multiview_barlow_twins_matches_literal(gen):
    z_a = torch.randn(7, 3, 5, generator=gen, dtype=torch.float64)
    z_b = z_a + 0.5 * torch.randn(7, 3, 5, generator=gen, dtype=torch.float64)
    loss = MultiViewBarlowTwinsLoss(lambda_offdiag=0.3, loss_weight=2.0, eps=EPS)
    assert loss(z_a, z_b).item() == pytest.approx(2.0 * literal_mv_bt(z_a, z_b, 0.3), rel=1e-9)


def test_barlow_twins_is_near_zero_for_identical_decorrelated_views():
    # Orthogonal columns of +-1: standardised, uncorrelated -> C = I, loss ~ 0.
    h = torch.tensor([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]],
                     dtype=torch.float64)[:, 1:]
    z = h[:, None, :].repeat(1, 2, 1)
    assert MultiViewBarlowTwinsLoss(eps=0)(z, z).item() == pytest.approx(0.0, abs=1e-12)


def test_cross_modal_redundancy_matches_literal(gen):
    z_mv = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    z_t = 0.7 * z_mv + torch.randn(9, 4, generator=gen, dtype=torch.float64)
    loss = CrossModalRedundancyLoss(lambda_offdiag=0.05, loss_weight=0.5, eps=EPS)
    expected = literal_bt_terms(literal_cross_corr(z_mv.tolist(), z_t.tolist()), 0.05)
    assert loss(z_mv, z_t).item() == pytest.approx(0.5 * expected, rel=1e-9)


def test_unnormalised_losses_match_the_literal_equations(gen):
    # normalize='none': eq. 1 and eq. 8 as printed, C = (1/B) sum_b z_b z'_b^T of the raw
    # embeddings (a mean of 0.8 and scale 1.7 that batch standardisation would remove).
    z_a = 0.8 + 1.7 * torch.randn(6, 2, 4, generator=gen, dtype=torch.float64)
    z_b = z_a + 0.5 * torch.randn(6, 2, 4, generator=gen, dtype=torch.float64)
    bt = MultiViewBarlowTwinsLoss(lambda_offdiag=0.3, loss_weight=2.0, normalize='none')
    expected = 2.0 * literal_mv_bt(z_a, z_b, 0.3, standardize=False)
    assert bt(z_a, z_b).item() == pytest.approx(expected, rel=1e-9)
    assert expected != pytest.approx(2.0 * literal_mv_bt(z_a, z_b, 0.3), rel=1e-3)
    z_mv, z_t = z_a[:, 0], z_b[:, 1]
    red = CrossModalRedundancyLoss(lambda_offdiag=0.05, loss_weight=0.5, normalize='none')
    expected = 0.5 * literal_bt_terms(literal_cross_corr(z_mv.tolist(), z_t.tolist(), False),
                                      0.05)
    assert red(z_mv, z_t).item() == pytest.approx(expected, rel=1e-9)
    # the default is the batch-standardised form, unchanged
    for cls, args in ((MultiViewBarlowTwinsLoss, (z_a, z_b)),
                      (CrossModalRedundancyLoss, (z_mv, z_t))):
        assert torch.equal(cls()(*args), cls(normalize='batch')(*args))
        with pytest.raises(ValueError, match=f'{cls.__name__}: normalize='):
            cls(normalize='l2')


@pytest.mark.parametrize('mode', ['keep', 'same_prompt', 'same_pool'])
def test_infonce_matches_literal(gen, mode):
    b, n, d = 8, 3, 6
    z_views = torch.randn(b, n, d, generator=gen, dtype=torch.float64)
    z_mv = torch.randn(b, d, generator=gen, dtype=torch.float64)
    prompt_ids = torch.tensor([0, 1, 0, 2, 3, 1, 4, 5])
    pool_ids = torch.tensor([0, 0, 0, 1, 1, 0, 2, 2])
    table = torch.randn(6, d, generator=gen, dtype=torch.float64)
    z_t = table[prompt_ids]
    ids = {'keep': None, 'same_prompt': prompt_ids, 'same_pool': pool_ids}[mode]

    def excluded(s, j):
        return ids is not None and bool(ids[s] == ids[j])

    loss = MultiViewInfoNCELoss(temperature=0.2, loss_weight=1.5, false_negatives=mode)
    got = loss(z_views, z_mv, z_t, pool_ids=pool_ids, prompt_ids=prompt_ids).item()
    assert got == pytest.approx(1.5 * literal_infonce(z_views, z_mv, z_t, 0.2, excluded),
                                rel=1e-9)


def test_infonce_masking_changes_the_loss(gen):
    z_views = torch.randn(4, 2, 3, generator=gen)
    z_mv = torch.randn(4, 3, generator=gen)
    z_t = torch.randn(4, 3, generator=gen)
    ids = torch.tensor([0, 0, 1, 1])
    keep = MultiViewInfoNCELoss(false_negatives='keep')(z_views, z_mv, z_t)
    masked = MultiViewInfoNCELoss()(z_views, z_mv, z_t, pool_ids=ids)
    assert masked.item() < keep.item()  # fewer negatives -> smaller loss


def test_infonce_rejects_unknown_mode_and_missing_ids():
    with pytest.raises(ValueError, match='false_negatives'):
        MultiViewInfoNCELoss(false_negatives='bogus')
    with pytest.raises(ValueError, match='ids'):
        MultiViewInfoNCELoss()(torch.randn(2, 1, 3), torch.randn(2, 3), torch.randn(2, 3))
