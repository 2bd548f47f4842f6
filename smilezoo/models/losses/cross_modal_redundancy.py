"""L_red: cross-modal redundancy minimisation (paper eq. 8-9)."""
import torch
from torch import nn

from smilezoo.registry import MODELS
from .cross_correlation import (check_normalize, cross_correlation,
                                diagonal_offdiagonal_loss)
from .precision import float32_loss


@MODELS.register_module()
class CrossModalRedundancyLoss(nn.Module):
    """C_vt = (1/B) sum_b zhat^mv_b zhat^t_b^T,
    L = sum_k (C_vt_kk - 1)^2 + lambda_offdiag * sum_{k != l} C_vt_kl^2.

    Args:
        lambda_offdiag: lambda_red.
        loss_weight: gamma of the joint loss (eq. 10).
        eps: added to the variance of the batch standardisation.
        global_batch: all-reduce the statistics across processes.
        normalize: 'batch' (default): zhat is z standardised along the batch;
            'none': zhat = z, the paper's literal eq. 8.
    """

    def __init__(self, lambda_offdiag: float = 5e-3, loss_weight: float = 1.0,
                 eps: float = 1e-5, global_batch: bool = True, normalize: str = 'batch'):
        super().__init__()
        self.normalize = check_normalize('CrossModalRedundancyLoss', normalize)
        self.lambda_offdiag = lambda_offdiag
        self.loss_weight = loss_weight
        self.eps = eps
        self.global_batch = global_batch

    @float32_loss
    def forward(self, z_mv: torch.Tensor, z_t: torch.Tensor) -> torch.Tensor:
        """z_mv: (B, d) fused visual embeddings; z_t: (B, d) text embeddings."""
        c = cross_correlation(z_mv, z_t.to(z_mv.dtype), self.eps, self.global_batch,
                              self.normalize)
        return self.loss_weight * diagonal_offdiagonal_loss(c, self.lambda_offdiag)
