"""Any timm image model as the shared view encoder f_v."""
from typing import Optional, Sequence

import torch
from torch import nn

from smilezoo.registry import MODELS
from .weights import is_local_file, weights_error


@MODELS.register_module()
class TimmBackbone(nn.Module):
    """timm model without its classifier: (M, C, H, W) in [0, 1] -> (M, out_dim).

    Args:
        model_name: any ``timm.list_models()`` name, e.g. 'resnet18'.
        pretrained: None/False (random init), True (timm's hub weights) or the
            path of a local checkpoint file.
        in_chans: channels of the rendered views.
        mean, std: per-channel normalisation applied in forward; default 0.5/0.5.
        **kwargs: passed to ``timm.create_model``.
    """

    def __init__(self, model_name: str = 'resnet18', pretrained=None, in_chans: int = 3,
                 mean: Optional[Sequence[float]] = None, std: Optional[Sequence[float]] = None,
                 **kwargs):
        super().__init__()
        import timm
        extra = {}
        if is_local_file(pretrained):
            extra = dict(pretrained=True, pretrained_cfg_overlay=dict(file=pretrained))
        elif pretrained:
            extra = dict(pretrained=True)
        try:
            self.model = timm.create_model(model_name, num_classes=0, in_chans=in_chans,
                                           **extra, **kwargs)
        except (OSError, RuntimeError, ValueError) as e:
            if extra:
                raise weights_error('TimmBackbone', model_name, pretrained, e) from e
            raise
        self.in_chans = in_chans
        self.out_dim = self.model.num_features
        mean = [0.5] * in_chans if mean is None else list(mean)
        std = [0.5] * in_chans if std is None else list(std)
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] != self.in_chans:
            raise ValueError(f'TimmBackbone({self.model}) expects {self.in_chans} channels, '
                             f'got input of shape {tuple(x.shape)}: set model.backbone.in_chans '
                             f'to the renderer\'s channel count')
        return self.model((x - self.mean) / self.std)
