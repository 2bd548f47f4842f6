"""Linear-probe evaluation: a multinomial logistic regression on frozen embeddings."""
from typing import Dict, Tuple

import numpy as np
import torch
import torch.nn.functional as F


@torch.no_grad()
def extract_embeddings(model, dataloader, key: str = 'fused') -> Tuple[np.ndarray, np.ndarray]:
    """Run ``model.extract_feat`` over a dataloader (clean views, eval mode) -> (X (M, d) float32,
    y (M,) int64) in dataloader order."""
    model.eval()
    feats, labels = [], []
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        feats.append(model.extract_feat(data['inputs'])[key].float().cpu())
        labels.extend(int(s['gt_label']) for s in data['data_samples'])
    return torch.cat(feats).numpy(), np.asarray(labels, dtype=np.int64)


def fit_linear_probe(x: np.ndarray, y: np.ndarray, num_classes: int,
                     weight_decay: float = 1e-3, max_iter: int = 300) -> Dict[str, torch.Tensor]:
    """L2-regularised softmax regression fitted with L-BFGS on standardised features: (M, d)
    training embeddings ``x`` and (M,) labels ``y`` in [0, num_classes) -> dict(mean (d,),
    std (d,), weight (C, d), bias (C,))."""
    xt = torch.as_tensor(x, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.long)
    mean, std = xt.mean(0), xt.std(0, unbiased=False).clamp_min(1e-6)
    xs = (xt - mean) / std
    w = torch.zeros(num_classes, xs.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=max_iter, line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(xs @ w.T + b, yt) + weight_decay * w.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return dict(mean=mean, std=std, weight=w.detach(), bias=b.detach())


def predict_linear_probe(probe: Dict[str, torch.Tensor], x: np.ndarray) -> np.ndarray:
    """(M, d) embeddings -> (M,) predicted labels."""
    xs = (torch.as_tensor(x, dtype=torch.float64) - probe['mean']) / probe['std']
    return (xs @ probe['weight'].T + probe['bias']).argmax(1).numpy()
