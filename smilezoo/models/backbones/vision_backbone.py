"""One config key for every backbone, ``model.backbone.model_name='<family>/<name>'``
(docs/model_zoo.md); ``BACKBONE_ZOO`` lists the backbones the zoo documents and tests."""
from typing import Optional, Sequence, Union

from torch import nn

from smilezoo.registry import MODELS
from .open_clip_backbone import OpenCLIPVisionBackbone
from .timm_backbone import TimmBackbone

FAMILIES = ('timm', 'open_clip')

BACKBONE_ZOO = {
    # model_name: (output size, what it is)
    'open_clip/ViT-B-16': (512, 'CLIP ViT-B/16 image tower (the paper\'s)'),
    'open_clip/ViT-B-32': (512, 'CLIP ViT-B/32 image tower'),
    'open_clip/ViT-L-14': (768, 'CLIP ViT-L/14 image tower'),
    'open_clip/RN50': (1024, 'CLIP ResNet-50 image tower'),
    'timm/resnet10t': (512, 'timm ResNet-10-T (the CPU demo)'),
    'timm/resnet18': (512, 'timm ResNet-18'),
    'timm/resnet50': (2048, 'timm ResNet-50'),
    'timm/convnext_tiny': (768, 'timm ConvNeXt-T'),
    'timm/vit_small_patch16_224': (384, 'timm ViT-S/16'),
}


def split_model_name(model_name: str):
    """'open_clip/ViT-B-16' -> ('open_clip', 'ViT-B-16'); 'resnet18' -> ('timm', 'resnet18')."""
    family, sep, name = model_name.partition('/')
    if sep and family in FAMILIES:
        return family, name
    if sep and family.replace('-', '_') in ('open_clip', 'openclip'):
        return 'open_clip', name
    return 'timm', model_name


@MODELS.register_module()
def VisionBackbone(model_name: str = 'timm/resnet18', pretrained=None, in_chans: int = 3,
                   input_size: Optional[Union[int, Sequence[int]]] = None,
                   mean: Optional[Sequence[float]] = None, std: Optional[Sequence[float]] = None,
                   **kwargs) -> nn.Module:
    """Build the backbone ``model_name`` names: (M, C, H, W) in [0, 1] -> (M, out_dim).

    Registered like a class, but returns the family's own module (``TimmBackbone`` or
    ``OpenCLIPVisionBackbone``), so checkpoints keep that module's parameter names.

    Args:
        model_name: '<family>/<name>', family 'timm' (default) or 'open_clip'.
        pretrained: None (random), an open_clip tag / True for timm's default hub weights
            (network or local hub cache), or a local file path.
        in_chans: channels of the views (open_clip towers need 3).
        input_size, mean, std: see ``TimmBackbone`` / ``OpenCLIPVisionBackbone`` (image_size).
        **kwargs: passed to the family's class, e.g. ``grad_checkpointing=True`` or
            ``channels_last=True`` (both families; docs/performance.md).
    """
    family, name = split_model_name(model_name)
    if family == 'open_clip':
        if in_chans != 3:
            raise ValueError(f'VisionBackbone({model_name!r}): open_clip towers take 3-channel '
                             f'views, in_chans={in_chans}')
        if pretrained is True:
            pretrained = 'openai'
        return OpenCLIPVisionBackbone(name, pretrained=pretrained, image_size=input_size,
                                      mean=mean, std=std, **kwargs)
    return TimmBackbone(name, pretrained=pretrained, in_chans=in_chans, input_size=input_size,
                        mean=mean, std=std, **kwargs)
