"""Moves a collated batch to the device and turns uint8 views into floats."""
import torch
from mmengine.model import BaseDataPreprocessor

from smilezoo.registry import MODELS


@MODELS.register_module()
class MultiViewDataPreprocessor(BaseDataPreprocessor):
    """inputs (B, N, C, H, W) uint8 (or float16/32) -> float32 in [0, 1] on the device (the
    backbone normalises); ``data_samples`` (a list of dicts) pass through unchanged."""

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        x = data['inputs'].float()
        if data['inputs'].dtype == torch.uint8:
            x.div_(255.0)
        return dict(inputs=x, data_samples=data.get('data_samples'))
