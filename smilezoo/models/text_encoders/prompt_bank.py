"""Prompt pools as data, their frozen embeddings computed once, and class prototypes."""
import hashlib
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.utils.atomic_io import atomic_open

from .base import FrozenTextEncoder


def default_cache_dir() -> str:
    return osp.join(os.environ.get('SMILEZOO_CACHE', osp.expanduser('~/.cache/smilezoo')),
                    'prompt_embeddings')


class PromptBank(nn.Module):
    """All prompts of all classes, embedded once by the frozen text encoder; pools are flat:
    class c's prompts are rows ``offsets[c] : offsets[c] + sizes[c]`` of ``embeddings`` (P, d).

    Args:
        class_names: the C class names, in label order.
        prompt_pools: class name -> list of prompts (the paper's Table I).
        get_text_encoder: returns the FrozenTextEncoder; called only on a disk-cache miss.
        cache_key: identifies the encoder's weights (see text_encoder_cache_key).
        cache_dir: the embeddings' disk cache, keyed by ``cache_key`` and the prompts; None
            for the default, False for none.
    """

    def __init__(self, class_names: Sequence[str], prompt_pools: Dict[str, List[str]],
                 get_text_encoder: Callable[[], FrozenTextEncoder], cache_key: str, cache_dir=None):
        super().__init__()
        missing = [c for c in class_names if not prompt_pools.get(c)]
        if missing:
            raise KeyError(f'prompt_pools has no prompts for class(es) {missing}; '
                           f'pools given: {sorted(prompt_pools)}')
        self.class_names = list(class_names)
        self.prompts = [p for c in class_names for p in prompt_pools[c]]
        sizes = torch.tensor([len(prompt_pools[c]) for c in class_names])
        self.register_buffer('sizes', sizes, persistent=False)
        self.register_buffer('offsets', torch.cumsum(sizes, 0) - sizes, persistent=False)
        self.register_buffer('pool_of_prompt', torch.repeat_interleave(
            torch.arange(len(sizes)), sizes), persistent=False)
        emb = self._embed(self.prompts, get_text_encoder, cache_key, cache_dir)
        self.embed_dim = emb.shape[1]
        self.register_buffer('embeddings', emb, persistent=False)
        self.register_buffer('prototypes', self.class_prototypes(emb), persistent=False)

    def class_prototypes(self, emb: torch.Tensor) -> torch.Tensor:
        """(P, d) -> (C, d): mean of each pool's L2-normalised embeddings, re-normalised."""
        unit = F.normalize(emb, dim=-1)
        protos = torch.zeros(len(self.class_names), emb.shape[1], dtype=emb.dtype)
        protos.index_add_(0, self.pool_of_prompt.cpu(), unit)
        return F.normalize(protos, dim=-1)

    @staticmethod
    def _embed(prompts, get_text_encoder, cache_key, cache_dir) -> torch.Tensor:
        if cache_dir is False:
            return get_text_encoder().encode(prompts)
        cache_dir = cache_dir or default_cache_dir()
        key = hashlib.sha1(json.dumps([cache_key, prompts]).encode()).hexdigest()
        path = osp.join(cache_dir, f'{key}.pt')
        if osp.isfile(path):
            cached = torch.load(path, map_location='cpu', weights_only=True)
            if cached.get('prompts') == prompts and cached.get('key') == cache_key:
                return cached['embeddings']
        emb = get_text_encoder().encode(prompts)
        with atomic_open(path) as f:
            torch.save(dict(prompts=prompts, key=cache_key, embeddings=emb), f)
        return emb

    def sample(self, labels: torch.Tensor, generator: Optional[torch.Generator] = None
               ) -> torch.Tensor:
        """(B,) class indices -> (B,) indices of one prompt drawn uniformly from each pool."""
        u = torch.rand(labels.shape, generator=generator, device=labels.device)
        return self.offsets[labels] + (u * self.sizes[labels]).long().clamp(
            max=self.sizes[labels] - 1)
