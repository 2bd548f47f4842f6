"""PointMLP-elite (Ma et al., "Rethinking Network Design and Local Geometry in Point Cloud: A
Simple Residual MLP Framework", ICLR 2022), from the paper and the authors' ``pointMLPElite``
configuration. Where it differs (no classifier head, FPS started at the point farthest from the
centroid, k clamped to a stage's points): docs/model_zoo.md. No grouped ('groups' > 1) convs.
"""
from typing import Sequence

import torch
from torch import nn

from smilezoo.registry import MODELS
from .ops import check_points, farthest_point_sample, gather, knn


def conv_bn(cin: int, cout: int, act: bool = True) -> nn.Sequential:
    layers = [nn.Conv1d(cin, cout, 1, bias=False), nn.BatchNorm1d(cout)]
    return nn.Sequential(*layers, nn.ReLU(True)) if act else nn.Sequential(*layers)


class ResBlock(nn.Module):
    """The paper's residual point MLP: (M, C, L) -> (M, C, L),
    relu(BN(conv(relu(BN(conv(x))))) + x), the inner width C * res_expansion."""

    def __init__(self, channels: int, res_expansion: float):
        super().__init__()
        mid = max(1, int(channels * res_expansion))
        self.net = nn.Sequential(conv_bn(channels, mid), conv_bn(mid, channels, act=False))
        self.act = nn.ReLU(True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.net(x) + x)


class LocalGrouper(nn.Module):
    """xyz (M, P, 3), f (M, P, C) -> xyz (M, S, 3), grouped (M, S, k, 2C): S anchors by FPS,
    their k nearest points (in xyz), the geometric affine module's anchor normalisation
    (f_j - f_i) / sigma * alpha + beta (sigma: std over the whole set), concatenated with f_i.
    """

    def __init__(self, channels: int, samples_divisor: int, k: int):
        super().__init__()
        self.divisor, self.k = samples_divisor, k
        self.alpha = nn.Parameter(torch.ones(1, 1, 1, channels))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, channels))

    def forward(self, xyz: torch.Tensor, f: torch.Tensor):
        m, p, _ = xyz.shape
        anchors = farthest_point_sample(xyz, max(1, p // self.divisor))
        new_xyz, anchor_f = gather(xyz, anchors), gather(f, anchors)  # (M, S, 3), (M, S, C)
        grouped = gather(f, knn(new_xyz, xyz, self.k))  # (M, S, k, C)
        diff = grouped - anchor_f.unsqueeze(2)
        std = diff.reshape(m, -1).std(dim=-1).view(m, 1, 1, 1)
        diff = self.alpha * diff / (std + 1e-5) + self.beta
        return new_xyz, torch.cat([diff, anchor_f.unsqueeze(2).expand_as(diff)], dim=-1)


class Stage(nn.Module):
    """Grouping, pre-extraction (shared over each anchor's k points, max over k),
    pos-extraction (over the anchors): f (M, P, C) -> (M, S, C_out)."""

    def __init__(self, cin: int, cout: int, divisor: int, k: int, pre: int, pos: int,
                 res_expansion: float):
        super().__init__()
        self.group = LocalGrouper(cin, divisor, k)
        self.pre = nn.Sequential(conv_bn(2 * cin, cout),
                                 *[ResBlock(cout, res_expansion) for _ in range(pre)])
        self.pos = nn.Sequential(*[ResBlock(cout, res_expansion) for _ in range(pos)])

    def forward(self, xyz: torch.Tensor, f: torch.Tensor):
        xyz, g = self.group(xyz, f)  # (M, S, k, 2C)
        m, s, k, c2 = g.shape
        h = self.pre(g.reshape(m * s, k, c2).transpose(1, 2)).amax(dim=-1)  # (M*S, C_out)
        h = self.pos(h.view(m, s, -1).transpose(1, 2))  # (M, C_out, S)
        return xyz, h.transpose(1, 2)


@MODELS.register_module()
class PointMLPElite(nn.Module):
    """(M, P, C) point views -> (M, out_dim) (see the module docstring).

    Args:
        in_channels: C; the first 3 are xyz (sampling and grouping); all C are features.
        out_dim: D (default 256, the width of the last stage).
        embed_dim, res_expansion, dim_expansion, pre_blocks, pos_blocks, k, reducers: the
            paper's settings (elite defaults).
    """
    view_ndim = 2  # one view is (P, C)

    def __init__(self, in_channels: int = 6, out_dim: int = 256, embed_dim: int = 32,
                 res_expansion: float = 0.25, dim_expansion: Sequence[int] = (2, 2, 2, 1),
                 pre_blocks: Sequence[int] = (1, 1, 2, 1), pos_blocks: Sequence[int] = (1, 1, 2, 1),
                 k: int = 24, reducers: Sequence[int] = (2, 2, 2, 2)):
        super().__init__()
        if in_channels < 3:
            raise ValueError(f'PointMLPElite: in_channels={in_channels}, expected >= 3')
        lengths = {len(dim_expansion), len(pre_blocks), len(pos_blocks), len(reducers)}
        if len(lengths) != 1:
            raise ValueError('PointMLPElite: dim_expansion, pre_blocks, pos_blocks and '
                             'reducers must have one entry per stage (same length)')
        self.in_channels, self.out_dim = in_channels, out_dim
        self.embed = conv_bn(in_channels, embed_dim)
        stages, c = [], embed_dim
        for e, pre, pos, r in zip(dim_expansion, pre_blocks, pos_blocks, reducers):
            stages.append(Stage(c, c * e, r, k, pre, pos, res_expansion))
            c *= e
        self.stages = nn.ModuleList(stages)
        self.out_proj = conv_bn(c, out_dim) if out_dim != c else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, P, in_channels) -> (M, out_dim)."""
        check_points(x, self.in_channels, 'PointMLPElite')
        xyz = x[..., :3].contiguous()
        f = self.embed(x.transpose(1, 2)).transpose(1, 2)  # (M, P, embed_dim)
        for stage in self.stages:
            xyz, f = stage(xyz, f)
        return self.out_proj(f.transpose(1, 2)).amax(dim=-1)
