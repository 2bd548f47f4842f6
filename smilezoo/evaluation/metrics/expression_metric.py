"""Accuracy, per-class F1 and the confusion matrix of expression predictions."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from smilezoo.registry import METRICS
from smilezoo.structures import view_names_from_yaws
from smilezoo.structures.confusion import confusion_matrix, f1_per_class, recall_per_class

MULTI_LABEL_RULES = ('primary', 'any')


def classification_summary(gt: np.ndarray, pred: np.ndarray, names: Sequence[str],
                           method: str) -> Dict:
    """acc/<method> (%), f1/macro (classes present in gt), f1/<class>,
    confusion_matrix (nested list, rows = truth) and class_names."""
    cm = confusion_matrix(gt, pred, len(names))
    f1 = f1_per_class(cm)
    present = cm.sum(1) > 0
    return {f'acc/{method}': float(100.0 * (gt == pred).mean()) if len(gt) else 0.0,
            'f1/macro': float(f1[present].mean()) if present.any() else 0.0,
            **{f'f1/{n}': float(v) for n, v in zip(names, f1)},
            'confusion_matrix': cm.tolist(), 'class_names': list(names)}


def effective_truth(gt: np.ndarray, pred: np.ndarray, label_sets: Sequence[set]) -> np.ndarray:
    """Multi-label rule 'any': a prediction that is any of a sample's labels is correct, so
    that sample's truth becomes the prediction; otherwise it stays the primary label. (B,) int."""
    return np.array([p if p in s else g for g, p, s in zip(gt, pred, label_sets)],
                    dtype=np.int64).reshape(gt.shape)


def class_scores(cm: np.ndarray, names: Sequence[str], prefix: str) -> Dict:
    """``f1/<prefix><class>``, ``f1/<prefix>macro`` and ``class_acc/<prefix><class>``,
    ``class_acc/<prefix>mean`` (recall; means over the classes with samples)."""
    f1, rec = f1_per_class(cm), recall_per_class(cm)
    present = cm.sum(1) > 0
    out = {}
    for key, values, avg in (('f1', f1, 'macro'), ('class_acc', rec, 'mean')):
        out.update({f'{key}/{prefix}{n}': float(v) for n, v in zip(names, values)})
        out[f'{key}/{prefix}{avg}'] = float(values[present].mean()) if present.any() else 0.0
    return out


def view_weight_spread(w: np.ndarray) -> Dict:
    """(B, N) fusion weights -> ``view_weights/mean`` (N,) and the means over samples of their std
    over views (``view_weights/std``: 0 when every view weighs 1/N) and of their entropy over log N
    (``view_weights/entropy``: 1 uniform, 0 when one view takes all; 0 log 0 = 0)."""
    n = w.shape[1]
    ent = -np.sum(w * np.log(np.where(w > 0, w, 1.0)), axis=1)
    return {'view_weights/mean': w.mean(axis=0).tolist(),
            'view_weights/std': float(w.std(axis=1).mean()),
            'view_weights/entropy': float(ent.mean() / np.log(n)) if n > 1 else 0.0}


@METRICS.register_module()
class ExpressionMetric(BaseMetric):
    """Fused and per-view accuracy, F1 and confusion matrix (docs/train_test.md, tools/test.py;
    ``per_view_f1`` and ``multi_label``: docs/benchmarks.md, 4DME).

    Keys: ``acc/<method>`` (%), ``f1/macro``, ``f1/<class>``, ``acc/view_<i>`` (each view alone),
    ``num_samples``, ``confusion_matrix`` (rows = truth), ``class_names``, ``view_weights/names``
    and ``view_weights/{mean,std,entropy}`` (:func:`view_weight_spread`). Every sample is counted
    once: mmengine gathers results across processes and drops the distributed sampler's padding;
    ``num_samples`` lets one check.

    Args:
        class_names: class names in label order (default: the dataset's).
        method: the name in ``acc/<method>`` ('zero_shot' for SMILE-VLM, 'classifier' for a
            supervised head).
        per_view_f1: also, per view i (as the paper's Table V), ``f1/view_<i>/{<class>,macro}``,
            ``class_acc/view_<i>/{<class>,mean}`` (recall, unweighted mean),
            ``confusion_matrix/view_<i>``, fused ``class_acc/{<class>,mean}`` and ``view_names``
            (``view_names``, else from the dataset's ``renderer.yaws``, else view_<i>).
        view_names: names of the N views, in order (also ``view_weights/names``).
        multi_label: 'primary' (the truth is ``gt_label``) or 'any': a prediction that is any of a
            sample's ``labels`` is correct and puts the sample on that row of the confusion matrix
            (else on ``gt_label``'s); adds ``num_multi_label``.
    """
    default_prefix = None

    def __init__(self, class_names: Optional[Sequence[str]] = None, method: str = 'zero_shot',
                 per_view_f1: bool = False, view_names: Optional[Sequence[str]] = None,
                 multi_label: str = 'primary', **kwargs):
        super().__init__(**kwargs)
        if multi_label not in MULTI_LABEL_RULES:
            raise ValueError(f'multi_label={multi_label!r}, expected one of {MULTI_LABEL_RULES}')
        self._class_names = list(class_names) if class_names else None
        self.method, self.per_view_f1, self.multi_label = method, per_view_f1, multi_label
        self.view_names = list(view_names) if view_names else None

    def process(self, data_batch, data_samples: List[dict]) -> None:
        for s in data_samples:
            self.results.append(dict(gt=int(s['gt_label']), pred=int(s['pred_label']),
                                     view_pred=np.asarray(s['view_pred_labels']).tolist(),
                                     weights=np.asarray(s['view_weights'], dtype=float).tolist(),
                                     sample_idx=int(s.get('sample_idx', -1)),
                                     labels=[str(x) for x in s.get('labels') or []]))

    def _view_names(self, n: int) -> List[str]:
        names = self.view_names
        if names is None:
            yaws = ((self.dataset_meta or {}).get('renderer') or {}).get('yaws')
            names = view_names_from_yaws(yaws) if yaws is not None else None
        if names is None or len(names) != n:
            names = [f'view_{i}' for i in range(n)]
        return list(names)

    def compute_metrics(self, results: List[dict]) -> Dict:
        names = self._class_names or list((self.dataset_meta or {}).get('classes', []))
        if not names:
            raise ValueError('ExpressionMetric needs class_names (or a dataset with classes)')
        gt = np.array([r['gt'] for r in results], dtype=np.int64)
        pred = np.array([r['pred'] for r in results], dtype=np.int64)
        view_pred = np.array([r['view_pred'] for r in results], dtype=np.int64)
        label_sets = None
        if self.multi_label == 'any':
            index = {n: i for i, n in enumerate(names)}
            label_sets = [{index[x] for x in r.get('labels', []) if x in index} | {r['gt']}
                          for r in results]

        def truth(p: np.ndarray) -> np.ndarray:
            return gt if label_sets is None else effective_truth(gt, p, label_sets)

        out = classification_summary(truth(pred), pred, names, self.method)
        for i in range(view_pred.shape[1]):
            out[f'acc/view_{i}'] = float(100.0 * (view_pred[:, i] == truth(view_pred[:, i])).mean())
        out['num_samples'] = len(results)
        out['num_unique_samples'] = len({r['sample_idx'] for r in results})
        out.update(view_weight_spread(np.array([r['weights'] for r in results], dtype=float)))
        out['view_weights/names'] = self._view_names(view_pred.shape[1])
        if label_sets is not None:
            out['num_multi_label'] = sum(len(s) > 1 for s in label_sets)
        if self.per_view_f1:
            fused = class_scores(np.array(out['confusion_matrix']), names, '')
            out.update({k: v for k, v in fused.items() if k.startswith('class_acc/')})
            out['view_names'] = self._view_names(view_pred.shape[1])
            for i in range(view_pred.shape[1]):
                cm = confusion_matrix(truth(view_pred[:, i]), view_pred[:, i], len(names))
                out.update(class_scores(cm, names, f'view_{i}/'))
                out[f'confusion_matrix/view_{i}'] = cm.tolist()
        return out
