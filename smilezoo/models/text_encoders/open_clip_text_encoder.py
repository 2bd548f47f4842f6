"""CLIP's text tower through open_clip: the paper's frozen f_t."""

from smilezoo.registry import MODELS
from ..backbones.open_clip_backbone import create_open_clip
from .base import FrozenTextEncoder


@MODELS.register_module()
class OpenCLIPTextEncoder(FrozenTextEncoder):
    """Frozen CLIP text tower: prompts -> (P, d), d = 512 for ViT-B.

    Args:
        model_name: open_clip architecture, e.g. 'ViT-B-16'.
        pretrained: an open_clip tag (needs the network) or a local checkpoint
            file. A text tower with random weights is refused unless
            ``allow_random_weights=True`` (only meant for tests).
    """

    def __init__(self, model_name: str = 'ViT-B-16', pretrained='openai',
                 allow_random_weights: bool = False):
        super().__init__()
        import open_clip
        if not pretrained and not allow_random_weights:
            raise ValueError('OpenCLIPTextEncoder: pretrained is empty. A frozen text tower '
                             'with random weights gives meaningless prompt embeddings; pass an '
                             'open_clip tag or a local checkpoint path.')
        clip = create_open_clip(model_name, pretrained, 'OpenCLIPTextEncoder')
        clip.visual = None
        self.clip = clip
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self.embed_dim = int(clip.text_projection.shape[1]) if hasattr(
            clip, 'text_projection') and clip.text_projection is not None else int(
                clip.transformer.width)
        self.freeze()

    def _encode(self, prompts):
        tokens = self.tokenizer(prompts)
        return self.clip.encode_text(tokens).float()
