"""Stochastic view augmentations in batch form (one call for all samples and views)."""
import math

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS


@MODELS.register_module()
class BatchViewAugment(nn.Module):
    """Random affine (scale, rotation, shift), intensity jitter, noise and an occluding
    patch, each drawn per image. No horizontal flip: it would swap the left and right views.

    Args:
        scale, rotate: (min, max) zoom factor, max in-plane rotation in degrees.
        translate: max shift as a fraction of the image size.
        jitter: max brightness/contrast change (multiplicative, +-).
        noise_std: std of additive Gaussian noise.
        erase_prob, erase_size: probability of an occluding rectangle, and its (min, max)
            side as a fraction of the image.
    """

    def __init__(self, scale=(0.85, 1.1), rotate=10.0, translate=0.08, jitter=0.2,
                 noise_std=0.02, erase_prob=0.3, erase_size=(0.15, 0.35)):
        super().__init__()
        self.scale, self.rotate, self.translate = scale, rotate, translate
        self.jitter, self.noise_std = jitter, noise_std
        self.erase_prob, self.erase_size = erase_prob, erase_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, C, H, W) in [0, 1] -> same shape, augmented."""
        m, _, h, w = x.shape
        dev, dt = x.device, x.dtype

        def uniform(lo, hi, *shape):
            return torch.empty(*(shape or (m,)), device=dev, dtype=dt).uniform_(lo, hi)

        s = uniform(*self.scale)
        a = uniform(-self.rotate, self.rotate) * math.pi / 180
        cos, sin = torch.cos(a) / s, torch.sin(a) / s
        t = uniform(-2 * self.translate, 2 * self.translate, m, 2)
        theta = torch.stack([torch.stack([cos, -sin, t[:, 0]], 1),
                             torch.stack([sin, cos, t[:, 1]], 1)], 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
        gain = uniform(1 - self.jitter, 1 + self.jitter).view(m, 1, 1, 1)
        x = x * gain + self.noise_std * torch.randn_like(x)
        if self.erase_prob > 0:
            ys = torch.arange(h, device=dev).view(1, h, 1) / h
            xs = torch.arange(w, device=dev).view(1, 1, w) / w
            eh = uniform(*self.erase_size).view(m, 1, 1)
            ew = uniform(*self.erase_size).view(m, 1, 1)
            y0, x0 = uniform(0, 1).view(m, 1, 1) * (1 - eh), uniform(0, 1).view(m, 1, 1) * (1 - ew)
            box = (ys >= y0) & (ys < y0 + eh) & (xs >= x0) & (xs < x0 + ew)
            on = (torch.rand(m, 1, 1, device=dev) < self.erase_prob)
            x = x.masked_fill((box & on)[:, None], 0.0)
        return x.clamp(0, 1)
