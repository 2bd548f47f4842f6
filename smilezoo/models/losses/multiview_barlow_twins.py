"""L_mv-bt: multi-view Barlow Twins (paper eq. 1-4)."""
import torch
from torch import nn

from smilezoo.registry import MODELS
from .cross_correlation import (check_normalize, cross_correlation,
                                diagonal_offdiagonal_loss)
from .precision import float32_loss


@MODELS.register_module()
class MultiViewBarlowTwinsLoss(nn.Module):
    """Barlow Twins across two augmentations, averaged over views.

    C_i = (1/B) sum_b zhat^A_i(b) zhat^B_i(b)^T for each view i, Cbar = mean_i C_i,
    L = sum_k (Cbar_kk - 1)^2 + lambda_offdiag * sum_{k != l} Cbar_kl^2.

    Args:
        lambda_offdiag: weight of the off-diagonal (redundancy) term (lambda_bt).
        loss_weight: alpha of the joint loss (eq. 10).
        eps: added to the variance of the batch standardisation.
        global_batch: all-reduce the statistics across processes.
        normalize: 'batch' (default): zhat is z standardised along the batch
            (zero mean, unit variance per dimension); 'none': zhat = z, the
            paper's literal eq. 1.
    """

    def __init__(self, lambda_offdiag: float = 5e-3, loss_weight: float = 1.0,
                 eps: float = 1e-5, global_batch: bool = True, normalize: str = 'batch'):
        super().__init__()
        self.normalize = check_normalize('MultiViewBarlowTwinsLoss', normalize)
        self.lambda_offdiag = lambda_offdiag
        self.loss_weight = loss_weight
        self.eps = eps
        self.global_batch = global_batch

    @float32_loss
    def forward(self, z_a: torch.Tensor, z_b: torch.Tensor) -> torch.Tensor:
        """z_a, z_b: (B, N, d) projected embeddings of augmentations A and B."""
        c = cross_correlation(z_a.transpose(0, 1), z_b.transpose(0, 1), self.eps,
                              self.global_batch, self.normalize)  # (N, d, d)
        return self.loss_weight * diagonal_offdiagonal_loss(c.mean(0), self.lambda_offdiag)
