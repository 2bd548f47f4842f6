"""The image tower of an open_clip CLIP model as f_v (the paper's backbone)."""
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS
from .checkpointing import keep_batchnorm_stats_in_recompute
from .weights import (PretrainedWeightsError, hf_cached_file, hf_host, is_local_file,
                      require_download, url_cached_file, weights_error)

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


def open_clip_sources(model_name: str, tag: str, tag_cfg: dict):
    """Where open_clip would fetch tag weights from: [(what, host, cached path)]."""
    from urllib.parse import urlparse

    from open_clip.pretrained import has_hf_hub
    if tag_cfg.get('hf_hub') and has_hf_hub():
        repo, _, filename = tag_cfg['hf_hub'].rpartition('/')  # 'org/name/' or 'org/name/file'
        names = [filename] if filename else ['open_clip_model.safetensors',
                                             'open_clip_pytorch_model.bin']
        return [(f'open_clip tag {tag!r} of {model_name!r} from the Hugging Face hub repo '
                 f'{repo!r} ({", ".join(names)})', hf_host(), hf_cached_file(repo, names))]
    if tag_cfg.get('url'):
        url = tag_cfg['url']
        return [(f'open_clip tag {tag!r} of {model_name!r} from {url}',
                 urlparse(url).hostname, url_cached_file(url, '~/.cache/clip'))]
    return []


def create_open_clip(model_name: str, pretrained, component: str,
                     image_size: Optional[Union[int, Sequence[int]]] = None,
                     quick_gelu: Optional[bool] = None):
    """open_clip model with weights from a tag (network or local cache), a local file, or
    none (random); fails fast, saying what was tried, when a tag cannot be downloaded.

    Args:
        image_size: build the image tower for this input size (ViT position embeddings
            are interpolated; small views need not be upsampled to 224 px); None: native.
        quick_gelu: use QuickGELU (OpenAI's CLIP weights need it: True for a local file of
            them); None: what the tag's config says, False for files and random weights.
    """
    import open_clip
    kwargs = dict(force_image_size=tuple(image_size) if isinstance(image_size, (list, tuple))
                  else image_size)
    if not pretrained:
        return open_clip.create_model(model_name, pretrained=None,
                                      force_quick_gelu=bool(quick_gelu), **kwargs)
    if not is_local_file(pretrained):
        tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
        if not tag_cfg:
            raise PretrainedWeightsError(
                f'{component}: pretrained={pretrained!r} is neither an existing file nor an '
                f'open_clip tag of {model_name!r}; its tags are '
                f'{open_clip.list_pretrained_tags_by_model(model_name)}')
        require_download(component, model_name, pretrained,
                         open_clip_sources(model_name, pretrained, tag_cfg))
        if quick_gelu is None:
            quick_gelu = bool(tag_cfg.get('quick_gelu', False))
    try:
        return open_clip.create_model(model_name, pretrained=pretrained,
                                      force_quick_gelu=bool(quick_gelu), **kwargs)
    except Exception as e:  # open_clip raises several kinds for a failed load or download
        raise weights_error(component, model_name, pretrained, e) from e


@MODELS.register_module()
class OpenCLIPVisionBackbone(nn.Module):
    """CLIP image tower: (M, 3, H, W) in [0, 1] -> (M, embed_dim), views resized to the tower's
    input size and normalised with its mean and std (CLIP's by default).

    Args:
        model_name: open_clip architecture, e.g. 'ViT-B-16', 'ViT-L-14', 'RN50'.
        pretrained: an open_clip tag ('openai', 'laion2b_s34b_b88k', ...), a local checkpoint
            file, or None for random weights.
        image_size, quick_gelu: see ``create_open_clip``.
        mean, std: override the normalisation.
        grad_checkpointing, channels_last: open_clip's ``set_grad_checkpointing`` (same
            gradients; refused for the RN towers, which ignore it) and NHWC weights and
            inputs (CNN towers such as RN50 may profit); docs/performance.md.
    """

    def __init__(self, model_name: str = 'ViT-B-16', pretrained='openai',
                 image_size: Optional[Union[int, Sequence[int]]] = None,
                 quick_gelu: Optional[bool] = None,
                 mean: Optional[Sequence[float]] = None, std: Optional[Sequence[float]] = None,
                 grad_checkpointing: bool = False, channels_last: bool = False):
        super().__init__()
        clip = create_open_clip(model_name, pretrained, 'OpenCLIPVisionBackbone',
                                image_size=image_size, quick_gelu=quick_gelu)
        self.visual = clip.visual
        del clip
        size = self.visual.image_size
        self.image_size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        self.out_dim = self.visual.output_dim
        mean = mean or getattr(self.visual, 'image_mean', None) or OPENAI_MEAN
        std = std or getattr(self.visual, 'image_std', None) or OPENAI_STD
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1), persistent=False)
        self.grad_checkpointing = bool(grad_checkpointing)
        if self.grad_checkpointing:
            from open_clip.modified_resnet import ModifiedResNet
            if isinstance(self.visual, ModifiedResNet):  # its set_grad_checkpointing is a no-op
                raise ValueError(f'OpenCLIPVisionBackbone({model_name!r}): open_clip does not '
                                 f'implement gradient checkpointing for its ResNet towers; set '
                                 f'model.backbone.grad_checkpointing=False')
            self.visual.set_grad_checkpointing(True)
            keep_batchnorm_stats_in_recompute(self.visual)  # timm-based towers may have BN
        self.channels_last = bool(channels_last)
        if self.channels_last:
            self.visual.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (M, 3, H, W) in [0, 1] -> (M, out_dim)."""
        if x.shape[1] != 3:
            raise ValueError(f'OpenCLIPVisionBackbone expects 3-channel views, got '
                             f'{tuple(x.shape)}: render with 3 channels (e.g. modes=("normal",))')
        if tuple(x.shape[-2:]) != self.image_size:
            x = F.interpolate(x, size=self.image_size, mode='bilinear', align_corners=False)
        x = (x - self.mean) / self.std
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return self.visual(x)
