"""Cross-correlation, the statistic of the Barlow-Twins-style losses (eq. 1 and 8):
batch-standardised (default) or of the raw embeddings (the paper's literal form)."""
import torch

from ..utils import all_reduce_sum

NORMALIZE_MODES = ('batch', 'none')


def check_normalize(owner: str, normalize: str) -> str:
    """``normalize`` if it is one of NORMALIZE_MODES, else a ValueError naming ``owner``."""
    if normalize not in NORMALIZE_MODES:
        raise ValueError(f'{owner}: normalize={normalize!r}, expected one of {NORMALIZE_MODES}')
    return normalize


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
                      global_batch: bool = True, normalize: str = 'batch') -> torch.Tensor:
    """C = (1/B) sum_b ahat_b bhat_b^T.

    Args:
        a, b: (B, d) or (N, B, d) (one matrix per leading index).
        normalize: 'batch': ahat, bhat are a, b standardised along the batch
            (``batch_standardize``); 'none': ahat = a, bhat = b as they are
            (the paper's literal eq. 1 / eq. 8; ``eps`` unused).
    Returns:
        (d, d) or (N, d, d).
    """
    if normalize == 'none':
        n = torch.tensor(float(a.shape[-2]), device=a.device, dtype=a.dtype)
        ahat, bhat = a, b
        if global_batch:
            n = all_reduce_sum(n.clone())
    else:
        check_normalize('cross_correlation', normalize)
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
