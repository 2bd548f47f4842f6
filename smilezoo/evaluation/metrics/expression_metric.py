"""Accuracy, per-class F1 and the confusion matrix of expression predictions."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from smilezoo.registry import METRICS


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """(C, C) counts; row = ground truth, column = prediction."""
    return np.bincount(gt * num_classes + pred, minlength=num_classes ** 2).reshape(
        num_classes, num_classes)


def f1_per_class(cm: np.ndarray) -> np.ndarray:
    """(C,) F1 from a confusion matrix; 0 for a class never seen nor predicted."""
    tp = np.diag(cm).astype(float)
    denom = cm.sum(0) + cm.sum(1)
    return np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)


def classification_summary(gt: np.ndarray, pred: np.ndarray, names: Sequence[str],
                           method: str) -> Dict:
    """acc/<method> (%), f1/macro (classes present in gt), f1/<class>,
    confusion_matrix (nested list, rows = truth) and class_names."""
    cm = confusion_matrix(gt, pred, len(names))
    f1 = f1_per_class(cm)
    present = cm.sum(1) > 0
    out = {f'acc/{method}': float(100.0 * (gt == pred).mean()) if len(gt) else 0.0,
           'f1/macro': float(f1[present].mean()) if present.any() else 0.0}
    out.update({f'f1/{n}': float(v) for n, v in zip(names, f1)})
    out['confusion_matrix'] = cm.tolist()
    out['class_names'] = list(names)
    return out


@METRICS.register_module()
class ExpressionMetric(BaseMetric):
    """Fused and per-view accuracy, F1 and confusion matrix.

    Keys: ``acc/<method>`` (%; method 'zero_shot' for SMILE-VLM, 'classifier'
    for a supervised head), ``f1/macro``, ``f1/<class>``,
    ``acc/view_<i>`` (each view alone), ``num_samples``, ``confusion_matrix``
    (nested list, rows = truth), ``class_names``, and
    ``view_weights/mean`` (N,) the fusion weights averaged over samples.
    Every sample is counted once: mmengine gathers results across processes and
    drops the distributed sampler's padding; ``num_samples`` lets one check.
    """
    default_prefix = None

    def __init__(self, class_names: Optional[Sequence[str]] = None,
                 method: str = 'zero_shot', **kwargs):
        super().__init__(**kwargs)
        self._class_names = list(class_names) if class_names else None
        self.method = method

    def process(self, data_batch, data_samples: List[dict]) -> None:
        for s in data_samples:
            self.results.append(dict(
                gt=int(s['gt_label']), pred=int(s['pred_label']),
                view_pred=np.asarray(s['view_pred_labels']).tolist(),
                weights=np.asarray(s['view_weights'], dtype=float).tolist(),
                sample_idx=int(s.get('sample_idx', -1))))

    def compute_metrics(self, results: List[dict]) -> Dict:
        names = self._class_names or list((self.dataset_meta or {}).get('classes', []))
        if not names:
            raise ValueError('ExpressionMetric needs class_names (or a dataset with classes)')
        gt = np.array([r['gt'] for r in results])
        pred = np.array([r['pred'] for r in results])
        out = classification_summary(gt, pred, names, self.method)
        view_pred = np.array([r['view_pred'] for r in results])
        for i in range(view_pred.shape[1]):
            out[f'acc/view_{i}'] = float(100.0 * (view_pred[:, i] == gt).mean())
        out['num_samples'] = len(results)
        out['num_unique_samples'] = len({r['sample_idx'] for r in results})
        out['view_weights/mean'] = np.mean([r['weights'] for r in results], axis=0).tolist()
        return out
