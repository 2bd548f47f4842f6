"""g_v: the non-linear projector from backbone features to the joint space."""
from torch import nn

from smilezoo.registry import MODELS


@MODELS.register_module()
class MLPProjector(nn.Module):
    """Linear-BN-ReLU blocks then a final Linear: (M, in_dim) -> (M, out_dim).

    Args:
        in_dim: backbone feature size (filled in by the algorithm when None).
        out_dim: d, the joint embedding size (the text encoder's size).
        hidden_dim: width of the hidden layers.
        num_layers: number of Linear layers (>= 1).
    """

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int = 512, num_layers: int = 2):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f'MLPProjector: num_layers={num_layers}, expected >= 1')
        layers, dim = [], in_dim
        for _ in range(num_layers - 1):
            layers += [nn.Linear(dim, hidden_dim), nn.BatchNorm1d(hidden_dim), nn.ReLU(inplace=True)]
            dim = hidden_dim
        layers.append(nn.Linear(dim, out_dim))
        self.mlp = nn.Sequential(*layers)

    def forward(self, x):
        return self.mlp(x)
