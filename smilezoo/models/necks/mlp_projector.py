"""g_v: the non-linear projector from backbone features to the joint space."""
import torch
from torch import nn

from smilezoo.registry import MODELS


@MODELS.register_module()
class MLPProjector(nn.Module):
    """Linear-BN-ReLU blocks then a final Linear: (M, in_dim) -> (M, out_dim).

    Args:
        in_dim: backbone feature size (filled in by the algorithm when None).
        out_dim: d, the joint embedding size (the text encoder's size).
        hidden_dim, num_layers: width of the hidden layers, number of Linear layers (>= 1).
        residual: out = x + MLP(x), the last Linear zero-initialised so that g_v starts as
            the identity (a CLIP image tower with its text tower keeps CLIP's zero-shot
            scores at step 0). Needs in_dim == out_dim.
    """

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int = 512, num_layers: int = 2,
                 residual: bool = False):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f'MLPProjector: num_layers={num_layers}, expected >= 1')
        if residual and in_dim != out_dim:
            raise ValueError(f'MLPProjector(residual=True) adds its input to its output, so '
                             f'in_dim={in_dim} must equal out_dim={out_dim}; set residual=False')
        layers, dim = [], in_dim
        for _ in range(num_layers - 1):
            layers += [nn.Linear(dim, hidden_dim), nn.BatchNorm1d(hidden_dim),
                       nn.ReLU(inplace=True)]
            dim = hidden_dim
        layers.append(nn.Linear(dim, out_dim))
        self.mlp = nn.Sequential(*layers)
        self.residual = bool(residual)
        if self.residual:
            nn.init.zeros_(layers[-1].weight)
            nn.init.zeros_(layers[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, in_dim) -> (M, out_dim)."""
        return x + self.mlp(x) if self.residual else self.mlp(x)
