"""L_mv-bt: multi-view Barlow Twins (paper eq. 1-4)."""
import torch

from smilezoo.registry import MODELS
from .cross_correlation import CrossCorrelationLoss
from .precision import float32_loss


@MODELS.register_module()
class MultiViewBarlowTwinsLoss(CrossCorrelationLoss):
    """Barlow Twins across two augmentations, averaged over views:
    C_i = (1/B) sum_b zhat^A_i(b) zhat^B_i(b)^T for each view i, Cbar = mean_i C_i,
    L = sum_k (Cbar_kk - 1)^2 + lambda_offdiag * sum_{k != l} Cbar_kl^2.

    Arguments as ``CrossCorrelationLoss``: lambda_offdiag is lambda_bt, loss_weight alpha (eq. 10).
    """

    @float32_loss
    def forward(self, z_a: torch.Tensor, z_b: torch.Tensor) -> torch.Tensor:
        """z_a, z_b: (B, N, d) projected embeddings of augmentations A and B."""
        return self.weighted_loss(z_a.transpose(0, 1), z_b.transpose(0, 1))
