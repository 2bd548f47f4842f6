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


class CrossCorrelationLoss(nn.Module):
    """What the Barlow-Twins-style losses share: on a cross-correlation C,
    L = loss_weight * (sum_k (C_kk - 1)^2 + lambda_offdiag * sum_{k != l} C_kl^2).

    Args:
        lambda_offdiag: weight of the off-diagonal (redundancy) term.
        loss_weight: the loss's weight in the joint loss (eq. 10).
        eps: added to the variance of the batch standardisation.
        global_batch: all-reduce the statistics across processes.
        normalize: 'batch' (default): zhat is z standardised along the batch
            (zero mean, unit variance per dimension); 'none': zhat = z, the
            paper's literal eq. 1 / eq. 8.
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
