"""The interface every frozen text encoder f_t implements."""
from typing import List

import torch
from torch import nn


class FrozenTextEncoder(nn.Module):
    """Maps prompts to embeddings, never trained; subclasses set ``embed_dim`` and implement
    ``_encode``."""
    embed_dim: int

    def freeze(self):
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)
        return self

    def train(self, mode: bool = True):  # stays in eval mode
        return super().train(False)

    @torch.no_grad()
    def encode(self, prompts: List[str]) -> torch.Tensor:
        """list of P strings -> (P, embed_dim) float32 on the CPU."""
        if not prompts:
            raise ValueError(f'{type(self).__name__}.encode: no prompts given')
        return self._encode(list(prompts)).detach().float().cpu()

    def forward(self, prompts: List[str]) -> torch.Tensor:
        return self.encode(prompts)

    def _encode(self, prompts: List[str]) -> torch.Tensor:
        raise NotImplementedError
