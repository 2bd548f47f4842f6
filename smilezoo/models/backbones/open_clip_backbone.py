"""The image tower of an open_clip CLIP model as f_v (the paper's backbone)."""
import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS
from .weights import weights_error

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


def create_open_clip(model_name: str, pretrained, component: str):
    """open_clip model with weights from a tag (network), a local file or none."""
    import open_clip
    try:
        return open_clip.create_model(model_name, pretrained=pretrained or None)
    except Exception as e:  # open_clip raises several kinds for a failed download
        if pretrained:
            raise weights_error(component, model_name, pretrained, e) from e
        raise


@MODELS.register_module()
class OpenCLIPVisionBackbone(nn.Module):
    """CLIP image tower: (M, 3, H, W) in [0, 1] -> (M, embed_dim).

    Views are resized to the tower's input size and normalised with CLIP's
    mean and std.

    Args:
        model_name: open_clip architecture, e.g. 'ViT-B-16'.
        pretrained: an open_clip tag ('openai', 'laion2b_s34b_b88k', ...), the
            path of a local checkpoint file, or None for random weights.
    """

    def __init__(self, model_name: str = 'ViT-B-16', pretrained='openai'):
        super().__init__()
        clip = create_open_clip(model_name, pretrained, 'OpenCLIPVisionBackbone')
        self.visual = clip.visual
        del clip
        size = self.visual.image_size
        self.image_size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        self.out_dim = self.visual.output_dim
        mean = getattr(self.visual, 'image_mean', None) or OPENAI_MEAN
        std = getattr(self.visual, 'image_std', None) or OPENAI_STD
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] != 3:
            raise ValueError(f'OpenCLIPVisionBackbone expects 3-channel views, got '
                             f'{tuple(x.shape)}: render with 3 channels (e.g. modes=("normal",))')
        if tuple(x.shape[-2:]) != self.image_size:
            x = F.interpolate(x, size=self.image_size, mode='bilinear', align_corners=False)
        return self.visual((x - self.mean) / self.std)
