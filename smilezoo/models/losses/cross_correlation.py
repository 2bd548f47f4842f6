"""Batch-standardised cross-correlation, the statistic of the Barlow-Twins-style losses."""
import torch

from ..utils import all_reduce_sum


def batch_standardize(z: torch.Tensor, eps: float = 1e-5, global_batch: bool = True):
    """Standardise ``z`` along the batch: zero mean, unit (biased) variance per dim.

    Args:
        z: (B, d) or (N, B, d); statistics are taken over the B axis (dim -2).
        eps: added to the variance, as in BatchNorm.
        global_batch: in a distributed run, use the mean and variance of the
            whole global batch (all-reduced sums) instead of this process's.

    Returns:
        (zhat, batch_size): zhat has z's shape; batch_size is the global B.
    """
    n = torch.tensor(float(z.shape[-2]), device=z.device, dtype=z.dtype)
    s1 = z.sum(dim=-2, keepdim=True)
    if global_batch:
        n = all_reduce_sum(n.clone())
        s1 = all_reduce_sum(s1)
    mean = s1 / n
    centered = z - mean
    s2 = (centered * centered).sum(dim=-2, keepdim=True)
    if global_batch:
        s2 = all_reduce_sum(s2)
    var = s2 / n
    return centered / torch.sqrt(var + eps), n


def cross_correlation(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-5,
                      global_batch: bool = True) -> torch.Tensor:
    """C = (1/B) sum_b ahat_b bhat_b^T with batch-standardised a and b.

    Args:
        a, b: (B, d) or (N, B, d) (one matrix per leading index).
    Returns:
        (d, d) or (N, d, d).
    """
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
