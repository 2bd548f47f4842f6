"""Batching: stack the view tensors, keep the per-sample metadata as a list."""
from typing import List

import torch

from smilezoo.registry import FUNCTIONS


@FUNCTIONS.register_module()
def multiview_collate(batch: List[dict]) -> dict:
    """[dict(inputs=(N, C, H, W), data_samples=dict)] * B ->
    dict(inputs=(B, N, C, H, W), data_samples=[dict] * B)."""
    return dict(inputs=torch.stack([b['inputs'] for b in batch]),
                data_samples=[b['data_samples'] for b in batch])
