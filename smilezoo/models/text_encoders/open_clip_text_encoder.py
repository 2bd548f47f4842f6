"""CLIP's text tower through open_clip: the paper's frozen f_t."""
from typing import Optional

from smilezoo.registry import MODELS
from ..backbones.open_clip_backbone import create_open_clip
from .base import FrozenTextEncoder


@MODELS.register_module()
class OpenCLIPTextEncoder(FrozenTextEncoder):
    """Frozen CLIP text tower: P prompts -> (P, d), d = 512 for ViT-B, 768 for ViT-L.

    Args:
        model_name: open_clip architecture, e.g. 'ViT-B-16'.
        pretrained: an open_clip tag (network or local hub cache) or a local checkpoint file
            of the whole CLIP model; empty (random weights) only with
            ``allow_random_weights=True`` (tests only).
        quick_gelu: see ``create_open_clip``.
    """

    def __init__(self, model_name: str = 'ViT-B-16', pretrained='openai',
                 allow_random_weights: bool = False, quick_gelu: Optional[bool] = None):
        super().__init__()
        import open_clip
        if not pretrained and not allow_random_weights:
            raise ValueError('OpenCLIPTextEncoder: pretrained is empty. A frozen text tower '
                             'with random weights gives meaningless prompt embeddings; pass an '
                             'open_clip tag or a local checkpoint path.')
        clip = create_open_clip(model_name, pretrained, 'OpenCLIPTextEncoder',
                                quick_gelu=quick_gelu)
        clip.visual = None
        self.clip = clip
        self.tokenizer = open_clip.get_tokenizer(model_name)
        proj = getattr(clip, 'text_projection', None)
        if proj is not None and hasattr(proj, 'shape'):
            self.embed_dim = int(proj.shape[1])
        elif proj is not None and hasattr(proj, 'out_features'):
            self.embed_dim = int(proj.out_features)
        else:
            self.embed_dim = int(clip.transformer.width)
        self.freeze()

    def _encode(self, prompts):
        tokens = self.tokenizer(prompts)
        return self.clip.encode_text(tokens).float()
