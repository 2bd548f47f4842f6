"""L_vl: multi-view vision-language InfoNCE (paper eq. 6)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS
from ..utils import all_gather_cat, rank
from .precision import float32_loss

FALSE_NEGATIVE_MODES = ('same_pool', 'same_prompt', 'keep')


@MODELS.register_module()
class MultiViewInfoNCELoss(nn.Module):
    """InfoNCE of each view and of the fused embedding against the batch's texts.

    L = -1/((N+1)B) [ sum_i sum_b log softmax_j(sim(z'_{i,b}, z^t_j)/tau)_b
                      + sum_b log softmax_j(sim(z^mv_b, z^t_j)/tau)_b ]

    Args:
        temperature, loss_weight: tau, and beta of the joint loss (eq. 10).
        false_negatives: which texts j != b are not negatives of sample b (the paper is
            silent): 'same_pool' (default) those drawn from b's prompt pool, 'same_prompt'
            identical prompts only, 'keep' none (the literal equation).
        global_batch: all-gather the texts (with gradients): every process sees the global
            batch's negatives.
    """

    def __init__(self, temperature: float = 0.1, loss_weight: float = 1.0,
                 false_negatives: str = 'same_pool', global_batch: bool = True):
        super().__init__()
        if false_negatives not in FALSE_NEGATIVE_MODES:
            raise ValueError(f'MultiViewInfoNCELoss: false_negatives={false_negatives!r}, '
                             f'expected one of {FALSE_NEGATIVE_MODES}')
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.false_negatives = false_negatives
        self.global_batch = global_batch

    @float32_loss
    def forward(self, z_views: torch.Tensor, z_mv: torch.Tensor, z_t: torch.Tensor,
                pool_ids: Optional[torch.Tensor] = None,
                prompt_ids: Optional[torch.Tensor] = None) -> torch.Tensor:
        """z_views: (B, N, d) per-view embeddings z'_i; z_mv: (B, d) fused embeddings; z_t:
        (B, d) text embeddings of the prompts drawn for the batch; pool_ids, prompt_ids: (B,)
        prompt pool and index of each sample's prompt."""
        b = z_mv.shape[0]
        queries = torch.cat([z_views, z_mv[:, None]], dim=1)  # (B, N+1, d)
        queries = F.normalize(queries, dim=-1)
        texts = F.normalize(z_t.to(queries.dtype), dim=-1)
        ids = {'same_pool': pool_ids, 'same_prompt': prompt_ids}.get(self.false_negatives)
        offset = 0
        if self.global_batch:
            texts = all_gather_cat(texts)
            offset = rank() * b
            if ids is not None:
                ids = all_gather_cat(ids)
        logits = torch.einsum('bnd,jd->nbj', queries, texts) / self.temperature
        target = torch.arange(b, device=logits.device) + offset
        if self.false_negatives != 'keep':
            if ids is None:
                raise ValueError(f'MultiViewInfoNCELoss(false_negatives='
                                 f'{self.false_negatives!r}) needs the ids of the prompts')
            own = ids[target]
            masked = (own[:, None] == ids[None, :])
            masked[torch.arange(b), target] = False
            logits = logits.masked_fill(masked[None], float('-inf'))
        log_prob = F.log_softmax(logits, dim=-1)  # (N+1, B, B_global)
        picked = log_prob[:, torch.arange(b), target]
        return -self.loss_weight * picked.mean()
