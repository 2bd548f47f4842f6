"""Any timm image model as the shared view encoder f_v."""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS
from .checkpointing import keep_batchnorm_stats_in_recompute
from .weights import (PretrainedWeightsError, hf_cached_file, hf_host, is_local_file,
                      require_download, url_cached_file, weights_error)


def _pair(size) -> Optional[tuple]:
    if size is None:
        return None
    return tuple(size) if isinstance(size, (list, tuple)) else (int(size), int(size))


def timm_sources(model_name: str):
    """Where timm would fetch pretrained weights from: [(what, host, cached path)]."""
    import torch.hub
    from urllib.parse import urlparse

    import timm
    cfg = timm.models.get_pretrained_cfg(model_name)
    if cfg is None:
        return []
    if cfg.hf_hub_id:
        names = [cfg.hf_hub_filename] if cfg.hf_hub_filename else [
            'model.safetensors', 'pytorch_model.bin', 'open_clip_model.safetensors',
            'open_clip_pytorch_model.bin']
        return [(f'timm weights of {model_name!r} from the Hugging Face hub repo '
                 f'{cfg.hf_hub_id!r}', hf_host(), hf_cached_file(cfg.hf_hub_id, names))]
    if cfg.url:
        cache = f'{torch.hub.get_dir()}/checkpoints'
        return [(f'timm weights of {model_name!r} from {cfg.url}', urlparse(cfg.url).hostname,
                 url_cached_file(cfg.url, cache))]
    return []


@MODELS.register_module()
class TimmBackbone(nn.Module):
    """timm model without its classifier: (M, C, H, W) in [0, 1] -> (M, out_dim).

    Args:
        model_name: any ``timm.list_models()`` name, optionally with a weights tag
            ('resnet50.a1_in1k').
        in_chans: channels of the rendered views.
        pretrained: None/False (random init), True (timm's default hub weights), a timm
            weights tag such as 'a1_in1k', or a local state-dict file.
        input_size: int or (H, W). Fixed-size models (ViTs) are built for it (``img_size``;
            pretrained position embeddings are interpolated), others get their input resized
            to it. None: fixed-size models resize to their native size, others take any.
        mean, std: normalisation in forward; default: the pretrained_cfg's (0.5 when it has
            none or the channel count differs).
        grad_checkpointing, channels_last: timm's ``set_grad_checkpointing`` (same gradients
            and BatchNorm statistics) and NHWC (CNNs only profit); docs/performance.md.
        **kwargs: passed to ``timm.create_model``.
    """

    def __init__(self, model_name: str = 'resnet18', pretrained=None, in_chans: int = 3,
                 input_size: Optional[Union[int, Sequence[int]]] = None,
                 mean: Optional[Sequence[float]] = None, std: Optional[Sequence[float]] = None,
                 grad_checkpointing: bool = False, channels_last: bool = False, **kwargs):
        super().__init__()
        import timm
        if isinstance(pretrained, str) and not is_local_file(pretrained):
            tagged = f'{model_name.split(".")[0]}.{pretrained}'
            try:
                known = timm.models.get_pretrained_cfg(tagged) is not None
            except RuntimeError:  # timm: invalid tag for a known architecture
                known = False
            if not known:
                raise PretrainedWeightsError(
                    f'TimmBackbone: pretrained={pretrained!r} is neither an existing file nor a '
                    f'timm weights tag of {model_name!r}; its tags: '
                    f'{timm.list_pretrained(model_name.split(".")[0] + ".*")}')
            model_name, pretrained = tagged, True
        base_cfg = timm.models.get_pretrained_cfg(model_name)
        fixed = bool(base_cfg is not None and base_cfg.fixed_input_size)
        size = _pair(input_size)
        if fixed and size is not None:
            kwargs.setdefault('img_size', size)
        extra = {}
        if is_local_file(pretrained):
            extra = dict(pretrained=True, pretrained_cfg_overlay=dict(file=pretrained))
        elif pretrained:
            require_download('TimmBackbone', model_name, 'True (timm\'s default)'
                             if pretrained is True else pretrained, timm_sources(model_name))
            extra = dict(pretrained=True)
        try:
            self.model = timm.create_model(model_name, num_classes=0, in_chans=in_chans,
                                           **extra, **kwargs)
        except (OSError, RuntimeError, ValueError) as e:
            if extra:
                raise weights_error('TimmBackbone', model_name, pretrained, e) from e
            raise
        if fixed and size is None:
            size = _pair(self.model.pretrained_cfg.get('input_size', (3, 224, 224))[-2:])
        self.input_size = size
        self.in_chans = in_chans
        self.out_dim = self.model.num_features
        pcfg = self.model.pretrained_cfg or {}
        for key, value in (('mean', mean), ('std', std)):
            if value is None:
                value = pcfg.get(key) if len(pcfg.get(key) or ()) == in_chans else [0.5] * in_chans
            self.register_buffer(key, torch.tensor(list(value)).view(1, -1, 1, 1), persistent=False)
        self.grad_checkpointing = bool(grad_checkpointing)
        if self.grad_checkpointing:
            try:
                self.model.set_grad_checkpointing(True)
            except (AssertionError, AttributeError, NotImplementedError) as e:
                raise ValueError(f'TimmBackbone({model_name!r}): this timm model does not support '
                                 f'gradient checkpointing ({type(e).__name__}: {e}); set '
                                 f'model.backbone.grad_checkpointing=False') from e
            keep_batchnorm_stats_in_recompute(self.model)
        self.channels_last = bool(channels_last)
        if self.channels_last:
            self.model.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, in_chans, H, W) in [0, 1] -> (M, out_dim)."""
        if x.shape[1] != self.in_chans:
            raise ValueError(f'TimmBackbone({type(self.model).__name__}) expects '
                             f'{self.in_chans} channels, got input of shape {tuple(x.shape)}: '
                             f'set model.backbone.in_chans to the renderer\'s channel count')
        if self.input_size is not None and tuple(x.shape[-2:]) != self.input_size:
            x = F.interpolate(x, size=self.input_size, mode='bilinear', align_corners=False)
        x = (x - self.mean) / self.std
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return self.model(x)
