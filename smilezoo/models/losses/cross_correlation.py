"""Cross-correlation, the statistic of the Barlow-Twins-style losses (eq. 1 and 8):
batch-standardised (default) or of the raw embeddings (the paper's literal form)."""
import torch
from torch import nn

from ..utils import all_reduce_sum

NORMALIZE_MODES = ('batch', 'none')


def check_normalize(owner: str, normalize: str) -> str:
    """``normalize`` if it is one of NORMALIZE_MODES, else a ValueError naming ``owner``."""
    if normalize not in NORMALIZE_MODES:
        raise ValueError(f'{owner}: normalize={normalize!r}, expected one of {NORMALIZE_MODES}')
    return normalize


def batch_count(z: torch.Tensor, global_batch: bool = True) -> torch.Tensor:
    """B of z (B, d) or (N, B, d) as a 0-d tensor of z's dtype; the global B if ``global_batch``."""
    n = torch.tensor(float(z.shape[-2]), device=z.device, dtype=z.dtype)
    return all_reduce_sum(n.clone()) if global_batch else n


def batch_standardize(z: torch.Tensor, eps: float = 1e-5, global_batch: bool = True):
    """Standardise z (B, d) or (N, B, d) along B (dim -2): zero mean, unit (biased) variance
    per dim, ``eps`` added to the variance as in BatchNorm; with ``global_batch`` the mean and
    variance of the global batch (all-reduced sums) -> (zhat of z's shape, global B)."""
    n = batch_count(z, global_batch)
    s1 = z.sum(dim=-2, keepdim=True)
    if global_batch:
        s1 = all_reduce_sum(s1)
    mean = s1 / n
    centered = z - mean
    s2 = (centered * centered).sum(dim=-2, keepdim=True)
    if global_batch:
        s2 = all_reduce_sum(s2)
    var = s2 / n
    return centered / torch.sqrt(var + eps), n


def cross_correlation(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-5,
                      global_batch: bool = True, normalize: str = 'batch') -> torch.Tensor:
    """C = (1/B) sum_b ahat_b bhat_b^T: a, b (B, d) or (N, B, d) -> (d, d) or (N, d, d).

    ``normalize``: 'batch': ahat, bhat are a, b standardised along the batch
    (``batch_standardize``); 'none': a, b as they are (the paper's literal eq. 1 / eq. 8;
    ``eps`` unused)."""
    if check_normalize('cross_correlation', normalize) == 'none':
        ahat, bhat, n = a, b, batch_count(a, global_batch)
    else:
        ahat, n = batch_standardize(a, eps, global_batch)
        bhat, _ = batch_standardize(b, eps, global_batch)
    c = ahat.transpose(-1, -2) @ bhat
    if global_batch:
        c = all_reduce_sum(c)
    return c / n


def diagonal_offdiagonal_loss(c: torch.Tensor, lambda_offdiag: float) -> torch.Tensor:
    """sum_k (C_kk - 1)^2 + lambda * sum_{k != l} C_kl^2 for a (d, d) matrix."""
    diag = torch.diagonal(c)
    on = (diag - 1).pow(2).sum()
    off = c.pow(2).sum() - diag.pow(2).sum()
    return on + lambda_offdiag * off


class CrossCorrelationLoss(nn.Module):
    """What the Barlow-Twins-style losses share: on a cross-correlation C,
    L = loss_weight * (sum_k (C_kk - 1)^2 + lambda_offdiag * sum_{k != l} C_kl^2).

    Args:
        lambda_offdiag: weight of the off-diagonal (redundancy) term.
        loss_weight: the loss's weight in the joint loss (eq. 10).
        eps, global_batch, normalize: see ``cross_correlation`` and ``batch_standardize``.
    """

    def __init__(self, lambda_offdiag: float = 5e-3, loss_weight: float = 1.0,
                 eps: float = 1e-5, global_batch: bool = True, normalize: str = 'batch'):
        super().__init__()
        self.normalize = check_normalize(type(self).__name__, normalize)
        self.lambda_offdiag = lambda_offdiag
        self.loss_weight = loss_weight
        self.eps = eps
        self.global_batch = global_batch

    def weighted_loss(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """a, b: (B, d), or (N, B, d) whose N cross-correlations are averaged -> L."""
        c = cross_correlation(a, b, self.eps, self.global_batch, self.normalize)
        c = c.mean(0) if c.dim() == 3 else c
        return self.loss_weight * diagonal_offdiagonal_loss(c, self.lambda_offdiag)
