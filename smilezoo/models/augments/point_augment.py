"""Stochastic point-view augmentations in batch form (one call for all samples and views)."""
import math

import torch
from torch import nn

from smilezoo.registry import MODELS


def _rotations(m: int, max_deg: float, device, dtype) -> torch.Tensor:
    """(m, 3, 3) rotations about uniformly random axes by angles in +-max_deg
    (Rodrigues' formula)."""
    axis = torch.nn.functional.normalize(torch.randn(m, 3, device=device, dtype=dtype), dim=1)
    a = torch.empty(m, 1, 1, device=device, dtype=dtype).uniform_(-1, 1) * max_deg * math.pi / 180
    zero = torch.zeros(m, device=device, dtype=dtype)
    k = torch.stack([zero, -axis[:, 2], axis[:, 1], axis[:, 2], zero, -axis[:, 0],
                     -axis[:, 1], axis[:, 0], zero], 1).view(m, 3, 3)
    eye = torch.eye(3, device=device, dtype=dtype).expand(m, 3, 3)
    return eye + torch.sin(a) * k + (1 - torch.cos(a)) * (k @ k)


@MODELS.register_module()
class BatchPointAugment(nn.Module):
    """Small rotation, scale, jitter, point dropout and a local crop, each drawn per point
    view; P stays fixed (dropped or cropped-away points become duplicates of kept ones).

    Channels: xyz, then unit normals (rotated, never scaled or jittered), then any further
    3-vectors (e.g. 4D displacements: rotated and scaled like xyz). No mirror flip: it would
    swap what the left and right views show.

    Args:
        rotate, scale: max rotation in degrees (about a random axis), (min, max) isotropic scale.
        jitter_std, jitter_clip: Gaussian noise on xyz (normalised units), clipped.
        drop_max: each view drops a share of its points drawn from [0, drop_max].
        crop_prob, crop_keep: probability of a local crop, which keeps a share drawn from
            crop_keep = (min, max) of the points nearest to a random point.
    """

    def __init__(self, rotate=10.0, scale=(0.85, 1.15), jitter_std=0.01, jitter_clip=0.03,
                 drop_max=0.2, crop_prob=0.3, crop_keep=(0.5, 0.8)):
        super().__init__()
        self.rotate, self.scale = rotate, scale
        self.jitter_std, self.jitter_clip = jitter_std, jitter_clip
        self.drop_max, self.crop_prob, self.crop_keep = drop_max, crop_prob, crop_keep

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, P, C) float, C >= 3 (xyz, normals, ...) -> (M, P, C) augmented."""
        m, p, c = x.shape
        if c % 3:
            raise ValueError(f'BatchPointAugment: views have {c} channels per point, '
                             f'expected xyz then 3-vectors (a multiple of 3)')
        dev, dt = x.device, x.dtype
        rot = _rotations(m, self.rotate, dev, dt)
        groups = x.reshape(m, p, c // 3, 3) @ rot.transpose(1, 2)[:, None]  # (M, P, G, 3)
        s = torch.empty(m, 1, 1, device=dev, dtype=dt).uniform_(*self.scale)
        xyz = groups[:, :, 0] * s
        if self.jitter_std > 0:
            noise = torch.randn_like(xyz) * self.jitter_std
            xyz = xyz + noise.clamp(-self.jitter_clip, self.jitter_clip)
        out = [xyz, groups[:, :, 1]] if c >= 6 else [xyz]
        out += [groups[:, :, g] * s for g in range(2, c // 3)]
        x = torch.cat(out, -1)
        return self._resample(x, self._keep_mask(x[..., :3]))

    def _keep_mask(self, xyz: torch.Tensor) -> torch.Tensor:
        """(M, P, 3) -> (M, P) bool: points that survive dropout and crop."""
        m, p, _ = xyz.shape
        dev = xyz.device
        share = torch.rand(m, 1, device=dev) * self.drop_max
        keep = torch.rand(m, p, device=dev) >= share
        if self.crop_prob > 0:
            centre = xyz[torch.arange(m, device=dev), torch.randint(p, (m,), device=dev)]
            dist = (xyz - centre[:, None]).norm(dim=-1)
            rank = dist.argsort(1).argsort(1)
            lo, hi = self.crop_keep
            n_keep = (torch.empty(m, 1, device=dev).uniform_(lo, hi) * p).ceil()
            on = torch.rand(m, 1, device=dev) < self.crop_prob
            keep &= ~on | (rank < n_keep)
        return keep

    @staticmethod
    def _resample(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """Replace the points not kept by random duplicates of kept ones (a view
        that kept none keeps all)."""
        keep = keep | ~keep.any(1, keepdim=True)
        donor = torch.multinomial(keep.float(), x.shape[1], replacement=True)  # (M, P)
        idx = torch.where(keep, torch.arange(x.shape[1], device=x.device), donor)
        return torch.gather(x, 1, idx[..., None].expand_as(x))
