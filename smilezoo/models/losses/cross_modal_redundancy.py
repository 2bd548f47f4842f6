"""L_red: cross-modal redundancy minimisation (paper eq. 8-9)."""
import torch

from smilezoo.registry import MODELS
from .cross_correlation import CrossCorrelationLoss
from .precision import float32_loss


@MODELS.register_module()
class CrossModalRedundancyLoss(CrossCorrelationLoss):
    """C_vt = (1/B) sum_b zhat^mv_b zhat^t_b^T,
    L = sum_k (C_vt_kk - 1)^2 + lambda_offdiag * sum_{k != l} C_vt_kl^2.

    Arguments as ``CrossCorrelationLoss``: lambda_offdiag is lambda_red, loss_weight gamma (eq. 10).
    """

    @float32_loss
    def forward(self, z_mv: torch.Tensor, z_t: torch.Tensor) -> torch.Tensor:
        """z_mv: (B, d) fused visual embeddings; z_t: (B, d) text embeddings."""
        return self.weighted_loss(z_mv, z_t.to(z_mv.dtype))
