"""Moves a collated batch of point views to the device as float32."""
import torch
from mmengine.model import BaseDataPreprocessor

from smilezoo.registry import MODELS


@MODELS.register_module()
class PointViewDataPreprocessor(BaseDataPreprocessor):
    """inputs (B, N, P, C) float16 (or float32) point views -> float32 on the device;
    ``data_samples`` pass through (the model's ``augment`` makes the two augmented copies).

    Args:
        in_channels: C the backbone expects (6: xyz, normal; 9 for 4D point views with
            displacements); None: any.
    """

    def __init__(self, in_channels=None, non_blocking: bool = False):
        super().__init__(non_blocking)
        self.in_channels = in_channels

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        x = data['inputs']
        if x.dim() != 4 or not torch.is_floating_point(x) or (
                self.in_channels is not None and x.shape[-1] != self.in_channels):
            want = 'C' if self.in_channels is None else self.in_channels
            raise ValueError(
                f'PointViewDataPreprocessor: inputs of shape {tuple(x.shape)} and dtype '
                f'{x.dtype}, expected float point views (B, N, P, {want}); are the cached '
                f'views images? (data_preparation.renderer.type must be PointViewRenderer)')
        return dict(inputs=x.float(), data_samples=data.get('data_samples'))
