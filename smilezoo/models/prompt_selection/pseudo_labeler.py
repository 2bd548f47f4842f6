"""Label-free prompt selection: which prompt pool a sample's text is drawn from,
decided from the model's own embeddings instead of the ground-truth category."""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from smilezoo.registry import MODELS


def balanced_assignment(scores: torch.Tensor, eps: float = 0.05, iters: int = 3) -> torch.Tensor:
    """Sinkhorn-Knopp equal partition (as in SwAV), in the log domain: (B, C) scores -> (B, C)
    soft assignment, rows summing to 1 and columns to about B / C (so a batch's pseudo-labels
    cannot collapse onto one class)."""
    b, c = scores.shape
    log_q = scores.float() / eps
    for _ in range(iters):
        log_q = log_q - log_q.logsumexp(dim=0, keepdim=True) + math.log(b / c)
        log_q = log_q - log_q.logsumexp(dim=1, keepdim=True)
    return log_q.exp()


def _lloyd(x: torch.Tensor, c: torch.Tensor, iters: int) -> torch.Tensor:
    for _ in range(iters):
        sim = x @ c.T
        assign = sim.argmax(dim=1)
        for j in range(c.shape[0]):
            members = x[assign == j]
            if len(members):
                c[j] = F.normalize(members.sum(0), dim=0)
            else:  # re-seed an empty cluster with the worst-fitting point
                c[j] = x[sim.max(dim=1).values.argmin()]
    return c


def _kmeans_pp(x: torch.Tensor, k: int, generator) -> torch.Tensor:
    """k-means++ seeding with 1 - cos (half the squared distance of unit vectors)."""
    m = x.shape[0]
    idx = [int(torch.randint(m, (1,), generator=generator))]
    for _ in range(1, k):
        d = (1 - x @ x[idx].T).min(dim=1).values.clamp_min(0)
        p = d / d.sum() if d.sum() > 0 else torch.full_like(d, 1.0 / m)
        idx.append(int(torch.multinomial(p, 1, generator=generator)))
    return x[idx].clone()


def spherical_kmeans(x: torch.Tensor, k: int, iters: int = 10,
                     init: Optional[torch.Tensor] = None, n_init: int = 4,
                     generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """(M, d) unit vectors -> (k, d) unit centroids (cosine k-means). ``init`` (k, d) warm-starts
    it (keeps cluster identities across refreshes); else the best (highest summed similarity)
    of ``n_init`` k-means++ runs."""
    if init is not None:
        return _lloyd(x, F.normalize(init.clone(), dim=-1), iters)
    best, best_fit = None, -float('inf')
    for _ in range(n_init):
        c = _lloyd(x, _kmeans_pp(x, k, generator), iters)
        fit = (x @ c.T).max(dim=1).values.sum().item()
        if fit > best_fit:
            best, best_fit = c, fit
    return best


def match_to_classes(centroids: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
    """(k, d), (C, d) with k == C -> (k,) class of each cluster: the one-to-one
    matching that maximises the summed cosine similarity (Hungarian)."""
    from scipy.optimize import linear_sum_assignment
    sim = F.normalize(centroids, dim=-1) @ F.normalize(prototypes, dim=-1).T
    _, cols = linear_sum_assignment(-sim.double().cpu().numpy())  # rows: 0..k-1 in order
    return torch.as_tensor(cols, dtype=torch.long, device=centroids.device)


@MODELS.register_module()
class PseudoLabeler(nn.Module):
    """Class indices for prompt sampling, without ground truth: (B, d) fused embeddings and
    (C, d) class prototypes -> (B,) pseudo-labels.

    Args:
        mode: 'zero_shot_pseudo' (the nearest prototype, every step) or 'cluster' (the class
            matched to the nearest k-means centroid of a memory bank, every
            ``refresh_interval`` steps); the table in docs/model_zoo.md.
        num_classes, embed_dim: C and d (filled in by SmileVLM).
        balance: equal-partition the zero-shot guesses of a batch.
        sinkhorn_eps: entropy of the equal partition (smaller: closer to argmax).
        bank_size, refresh_interval, kmeans_iters: of the 'cluster' mode.
    """

    MODES = ('zero_shot_pseudo', 'cluster')

    def __init__(self, mode: str, num_classes: int, embed_dim: int, balance: bool = True,
                 sinkhorn_eps: float = 0.05, bank_size: int = 512, refresh_interval: int = 20,
                 kmeans_iters: int = 10):
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f'PseudoLabeler: mode {mode!r}, expected one of {self.MODES}')
        self.mode, self.num_classes = mode, num_classes
        self.balance, self.sinkhorn_eps = balance, sinkhorn_eps
        self.bank_size, self.refresh_interval = bank_size, refresh_interval
        self.kmeans_iters = kmeans_iters
        self.register_buffer('bank', torch.zeros(bank_size, embed_dim), persistent=False)
        self.register_buffer('centroids', torch.zeros(num_classes, embed_dim), persistent=False)
        self.register_buffer('cluster_class', torch.arange(num_classes), persistent=False)
        self.filled, self.ptr, self.step, self.has_centroids = 0, 0, 0, False

    @torch.no_grad()
    def forward(self, z_mv: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
        """z_mv: (B, d) fused embeddings; prototypes: (C, d) -> (B,) long."""
        z = F.normalize(z_mv.detach().float(), dim=-1)
        protos = F.normalize(prototypes.to(z), dim=-1)
        if self.mode == 'cluster':
            self._enqueue(z)
        if self.mode == 'zero_shot_pseudo' or self.filled < self.num_classes:
            scores = z @ protos.T
            if self.balance:
                scores = balanced_assignment(scores, self.sinkhorn_eps)
            return scores.argmax(dim=1)
        if not self.has_centroids or self.step % self.refresh_interval == 0:
            bank = self.bank[:self.filled]
            self.centroids.copy_(spherical_kmeans(
                bank, self.num_classes, self.kmeans_iters,
                init=self.centroids if self.has_centroids else None))
            self.cluster_class.copy_(match_to_classes(self.centroids, protos))
            self.has_centroids = True
        self.step += 1
        return self.cluster_class[(z @ self.centroids.T).argmax(dim=1)]

    def _enqueue(self, z: torch.Tensor) -> None:
        z = z[-self.bank_size:]
        idx = (self.ptr + torch.arange(len(z), device=z.device)) % self.bank_size
        self.bank[idx] = z
        self.ptr = int((self.ptr + len(z)) % self.bank_size)
        self.filled = min(self.bank_size, self.filled + len(z))
