"""DGCNN (Wang et al., "Dynamic Graph CNN for Learning on Point Clouds", ACM TOG
2019): EdgeConv layers on a kNN graph rebuilt in feature space at every layer."""
from typing import Sequence

import torch
from torch import nn

from smilezoo.registry import MODELS
from .ops import check_points, gather, knn


class EdgeConv(nn.Module):
    """x (M, P, C) -> (M, P, out): max over the k neighbours j of point i (the kNN of
    ``graph`` (M, P, G), by default x) of LeakyReLU(BN(W [x_j - x_i, x_i])).

    W = [W1, W2] is linear, so W [x_j - x_i, x_i] = (W1 x)_j + ((W2 - W1) x)_i: both products
    per point, only their sum per edge (k times fewer multiplications than over the edges).
    """

    def __init__(self, in_channels: int, out_channels: int, k: int):
        super().__init__()
        self.k = k
        self.weight = nn.Parameter(torch.empty(out_channels, 2 * in_channels))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)  # as nn.Linear / Conv2d
        self.bn = nn.BatchNorm1d(out_channels)
        self.act = nn.LeakyReLU(0.2, True)

    def forward(self, x: torch.Tensor, graph: torch.Tensor = None) -> torch.Tensor:
        g = x if graph is None else graph
        w1, w2 = self.weight.chunk(2, dim=1)
        edge = gather(x @ w1.t(), knn(g, g, self.k)) + (x @ (w2 - w1).t()).unsqueeze(2)
        m, p, k, c = edge.shape  # (M, P, k, out)
        return self.act(self.bn(edge.reshape(-1, c))).view(m, p, k, c).amax(dim=2)


@MODELS.register_module()
class DGCNN(nn.Module):
    """(M, P, C) point views -> (M, out_dim), the paper's classification network without its
    head: EdgeConv layers of widths ``channels`` (the first on the kNN graph in xyz, later ones
    in the previous layer's features), concatenated, a pointwise layer to out_dim/2 channels,
    then max and mean over points concatenated.

    Args:
        in_channels: C; the first 3 are xyz.
        out_dim: D (even; the paper's emb_dims 1024 is out_dim 2048).
        k: neighbours per point (the paper's 20); at most P are used.
        channels: the EdgeConv widths (the paper's 64, 64, 128, 256).
    """
    view_ndim = 2  # one view is (P, C)

    def __init__(self, in_channels: int = 6, out_dim: int = 1024, k: int = 20,
                 channels: Sequence[int] = (64, 64, 128, 256)):
        super().__init__()
        if in_channels < 3:
            raise ValueError(f'DGCNN: in_channels={in_channels}, expected >= 3 (xyz first)')
        if out_dim % 2:
            raise ValueError(f'DGCNN: out_dim={out_dim} must be even (max and mean pools of '
                             f'out_dim/2 channels are concatenated)')
        if k < 1:
            raise ValueError(f'DGCNN: k={k}, expected >= 1')
        self.in_channels, self.out_dim, self.k = in_channels, out_dim, k
        widths = (in_channels, *channels)
        self.edge_convs = nn.ModuleList(EdgeConv(a, b, k) for a, b in zip(widths, widths[1:]))
        self.embed = nn.Sequential(nn.Conv1d(sum(channels), out_dim // 2, 1, bias=False),
                                   nn.BatchNorm1d(out_dim // 2), nn.LeakyReLU(0.2, True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, P, in_channels) -> (M, out_dim)."""
        check_points(x, self.in_channels, 'DGCNN')
        feats, h = [], x
        for i, conv in enumerate(self.edge_convs):
            h = conv(h, x[..., :3] if i == 0 else None)
            feats.append(h)
        e = self.embed(torch.cat(feats, dim=-1).transpose(1, 2))  # (M, out_dim/2, P)
        return torch.cat([e.amax(dim=-1), e.mean(dim=-1)], dim=-1)
