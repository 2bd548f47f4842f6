"""Zero-shot accuracy of a trained model with all views and with views dropped (docs/tools.md,
``eval_view_drop.py``). The cluster accuracy (best one-to-one relabelling of predicted classes,
Hungarian) measures whether expressions are separated even when their names are not learned.
"""
import numpy as np
import torch

from smilezoo.structures.confusion import confusion_matrix


def cluster_accuracy(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> float:
    """% correct after the best one-to-one mapping of predicted to true classes."""
    from scipy.optimize import linear_sum_assignment
    cm = confusion_matrix(gt, pred, num_classes)
    rows, cols = linear_sum_assignment(-cm)
    return float(100.0 * cm[rows, cols].sum() / max(len(gt), 1))


@torch.no_grad()
def view_drop_accuracy(model, loader) -> dict:
    """-> {'all': {...}, 'drop_view_0': {...}, 'only_view_0': {...} (more than two views), ...,
    'num_samples', 'num_views'}: acc (%) and cluster_acc (%) of the fused prediction of
    ``model.predict(inputs, data_samples, view_mask=...)`` (zero-shot, or a supervised model's
    classifier); ``model`` in eval mode, batches of (B, N, C, H, W) image or (B, N, P, C) point
    views."""
    preds, gts, n_views, num_classes = {}, [], None, None
    for data in loader:
        data = model.data_preprocessor(data, False)
        x = data['inputs']
        n_views = x.shape[1]
        masks = {'all': None}
        for i in range(n_views):
            m = torch.ones(x.shape[0], n_views, dtype=torch.bool)
            m[:, i] = False
            masks[f'drop_view_{i}'] = m
            if n_views > 2:
                masks[f'only_view_{i}'] = ~m
        gts += [int(s['gt_label']) for s in data['data_samples']]
        for name, m in masks.items():
            out = model.predict(x, data['data_samples'], view_mask=m)
            if out and 'pred_label' not in out[0]:
                raise ValueError(f'{type(model).__name__} predicts no class (no classifier '
                                 f'or zero-shot head): there is no accuracy to drop views from')
            num_classes = num_classes or (len(out[0]['pred_score']) if out else None)
            preds.setdefault(name, []).extend(int(r['pred_label']) for r in out)
    gt = np.array(gts)
    res = {}
    for name, p in preds.items():
        p = np.array(p)
        res[name] = dict(acc=float(100.0 * (p == gt).mean()),
                         cluster_acc=cluster_accuracy(gt, p, num_classes))
    return dict(res, num_samples=len(gt), num_views=n_views)


def evaluate_view_drop(cfg, checkpoint: str, target: str = 'the config') -> dict:
    """:func:`view_drop_accuracy` of cfg's model over cfg's test set, its weights from
    ``checkpoint`` (weights only, exact fit, else CheckpointError naming ``target``)."""
    from mmengine.runner import Runner

    from smilezoo.engine.checkpoint_loading import load_exact_weights
    from smilezoo.registry import MODELS
    from smilezoo.utils import build_with_hints
    model = build_with_hints(MODELS, cfg.model)
    load_exact_weights(model, checkpoint, target)
    model.eval()
    return view_drop_accuracy(model, Runner.build_dataloader(cfg.test_dataloader))
