"""Batched point-set operations of the point backbones (pure PyTorch, no Python loop over
points). Shapes: M point sets (B*N views), P points, C channels, S samples, k neighbours."""
import torch


def check_points(x: torch.Tensor, in_channels: int, who: str) -> None:
    """Refuse anything but (M, P, in_channels) with P >= 1, naming the backbone."""
    if x.dim() != 3 or x.shape[-1] != in_channels or x.shape[1] < 1:
        raise ValueError(f'{who}: expected point views of shape (M, P, {in_channels}) '
                         f'(xyz, then the other channels), got {tuple(x.shape)}')


def knn(query: torch.Tensor, ref: torch.Tensor, k: int) -> torch.Tensor:
    """query (M, S, C), ref (M, P, C) -> (M, S, k) long, k <= P: the k nearest ref points
    (Euclidean; a point in ref is its own nearest). Indices carry no gradient, so the
    distances are computed without autograd (nothing kept for backward)."""
    with torch.no_grad():
        return torch.cdist(query, ref).topk(min(k, ref.shape[1]), dim=-1, largest=False).indices


def gather(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x (M, P, C), idx (M, ...) long -> (M, ..., C): x[m, idx[m, ...]]."""
    m, c = x.shape[0], x.shape[-1]
    flat = idx.reshape(m, -1, 1).expand(-1, -1, c)
    return x.gather(1, flat).view(*idx.shape, c)


def farthest_point_sample(xyz: torch.Tensor, s: int) -> torch.Tensor:
    """Farthest point sampling: (M, P, 3) -> (M, S) long indices, S = min(s, P), one
    vectorised step per sample. Starts at the point farthest from the centroid (not index
    0), so the sampled points do not depend on the input order (up to exact ties)."""
    m, p, _ = xyz.shape
    s = min(s, p)
    idx = torch.empty(m, s, dtype=torch.long, device=xyz.device)
    rows = torch.arange(m, device=xyz.device)
    nearest = torch.full((m, p), float('inf'), dtype=xyz.dtype, device=xyz.device)
    cur = (xyz - xyz.mean(dim=1, keepdim=True)).square().sum(-1).argmax(-1)  # from the centroid
    for i in range(s):
        idx[:, i] = cur
        d = (xyz - xyz[rows, cur].unsqueeze(1)).square().sum(-1)
        nearest = torch.minimum(nearest, d)
        cur = nearest.argmax(-1)
    return idx
