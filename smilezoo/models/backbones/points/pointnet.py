"""PointNet (Qi et al., "PointNet: Deep Learning on Point Sets for 3D Classification
and Segmentation", CVPR 2017): a shared per-point MLP, then a max pool over points."""
from typing import Sequence

import torch
from torch import nn

from smilezoo.registry import MODELS
from .ops import check_points


def shared_mlp(channels: Sequence[int]) -> nn.Sequential:
    """Pointwise Conv1d + BatchNorm + ReLU for each consecutive pair of ``channels``."""
    layers = []
    for cin, cout in zip(channels[:-1], channels[1:]):
        layers += [nn.Conv1d(cin, cout, 1, bias=False), nn.BatchNorm1d(cout), nn.ReLU(True)]
    return nn.Sequential(*layers)


class TNet(nn.Module):
    """The input transform network of PointNet: (M, 3, P) -> (M, 3, 3), started at
    the identity (its last layer is zero-initialised)."""

    def __init__(self, dim: int = 3):
        super().__init__()
        self.dim = dim
        self.features = shared_mlp((dim, 64, 128, 1024))
        self.head = nn.Sequential(nn.Linear(1024, 512, bias=False), nn.BatchNorm1d(512),
                                  nn.ReLU(True), nn.Linear(512, 256, bias=False),
                                  nn.BatchNorm1d(256), nn.ReLU(True), nn.Linear(256, dim * dim))
        nn.init.zeros_(self.head[-1].weight)
        nn.init.zeros_(self.head[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = self.head(self.features(x).amax(dim=-1)).view(-1, self.dim, self.dim)
        return t + torch.eye(self.dim, dtype=t.dtype, device=t.device)


@MODELS.register_module()
class PointNet(nn.Module):
    """(M, P, C) point views -> (M, out_dim): shared MLP ``hidden + (out_dim,)`` on every
    point, max over points.

    Args:
        in_channels: C; the first 3 are xyz (e.g. 6: xyz + normals).
        out_dim: D, the last MLP width (the paper's 1024).
        hidden: the widths before it (the paper's 64, 64, 64, 128).
        input_transform: the paper's input T-Net (3x3 on xyz, and on the normals when
            C >= 6); off by default (views are in their camera frame). No feature T-Net.
    """
    view_ndim = 2  # one view is (P, C)

    def __init__(self, in_channels: int = 6, out_dim: int = 1024,
                 hidden: Sequence[int] = (64, 64, 64, 128), input_transform: bool = False):
        super().__init__()
        if in_channels < 3:
            raise ValueError(f'PointNet: in_channels={in_channels}, expected >= 3 (xyz first)')
        self.in_channels, self.out_dim = in_channels, out_dim
        self.tnet = TNet(3) if input_transform else None
        self.mlp = shared_mlp((in_channels, *hidden, out_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, P, in_channels) -> (M, out_dim)."""
        check_points(x, self.in_channels, 'PointNet')
        x = x.transpose(1, 2)  # (M, C, P)
        if self.tnet is not None:
            t = self.tnet(x[:, :3]).transpose(1, 2)
            parts = [t @ x[:, :3]] + ([t @ x[:, 3:6]] if self.in_channels >= 6 else [])  # normals
            x = torch.cat(parts + [x[:, 3 * len(parts):]], dim=1)
        return self.mlp(x).amax(dim=-1)
