"""The hook that draws evaluation pictures after testing."""
import os.path as osp
from collections.abc import Mapping
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import collect_results, is_main_process
from mmengine.hooks import Hook

from smilezoo.registry import HOOKS
from smilezoo.structures import view_names_from_yaws

from .evaluation_plots import PREDICTIONS_FILE, save_predictions, write_evaluation_pictures


@HOOKS.register_module()
class EvaluationPicturesHook(Hook):
    """Draw evaluation pictures after testing (:func:`write_evaluation_pictures`).

    It keeps, per test sample, what the model's ``predict`` returned (``gt_label``,
    ``pred_label``, ``view_weights``, ``embedding``), gathers it from every process
    (``collect_results``, the distributed sampler's padding dropped) and draws on the main
    process only; the metrics are not touched. The confusion matrix drawn is the metric's
    ``confusion_matrix`` when there is one (so multi-label rules agree with the metrics file);
    the prototypes are ``model.prompt_bank.prototypes`` when the model has them. Also writes
    ``predictions.npz`` (gt, pred, view_weights, embeddings, prototypes, sample_idx, class_names,
    view_names) next to the pictures. Added by ``tools/test.py`` and, per fold, cross-validation.

    Args:
        out_dir: where the PNGs go (default ``<work_dir>/pictures``).
        title: first part of each title (default: the config file's name).
        embedding_method: 'auto', 'tsne', 'pca' or 'none'.
        seed: seed of t-SNE and of point jitter.
        save_predictions: also write ``predictions.npz``.
    """
    priority = 'LOW'  # after the LoggerHook has logged the metrics

    def __init__(self, out_dir: Optional[str] = None, title: Optional[str] = None,
                 embedding_method: str = 'auto', seed: int = 0, save_predictions: bool = True):
        if embedding_method not in ('auto', 'tsne', 'pca', 'none'):
            raise ValueError(f'EvaluationPicturesHook: embedding_method={embedding_method!r}, '
                             "expected 'auto', 'tsne', 'pca' or 'none'")
        self.out_dir = out_dir
        self.title = title
        self.embedding_method = embedding_method
        self.seed = seed
        self.save_predictions = save_predictions
        self._records: List[dict] = []
        self.written: Dict[str, str] = {}

    def before_test_epoch(self, runner) -> None:
        self._records = []
        self.written = {}

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        for s in outputs or []:
            if not isinstance(s, Mapping):
                s = s.to_dict() if hasattr(s, 'to_dict') else {}
            if 'gt_label' not in s or 'pred_label' not in s:
                continue
            rec = dict(gt=int(s['gt_label']), pred=int(s['pred_label']),
                       sample_idx=int(s.get('sample_idx', -1)))
            for key, name in (('view_weights', 'weights'), ('embedding', 'embedding')):
                if s.get(key) is not None:
                    rec[name] = _as_numpy(s[key])
            self._records.append(rec)

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        size = len(runner.test_dataloader.dataset)
        records = collect_results(self._records, size, 'cpu')
        self._records = []
        if not is_main_process():
            return
        if not records:
            runner.logger.warning('EvaluationPicturesHook: the test outputs carry no '
                                  'gt_label / pred_label; no pictures drawn')
            return
        metrics = dict(metrics or {})
        meta = runner.test_dataloader.dataset.metainfo or {}
        names = list(metrics.get('class_names') or meta.get('classes') or [
            str(i) for i in range(1 + max(max(r['gt'], r['pred']) for r in records))])
        gt = np.array([r['gt'] for r in records], dtype=np.int64)
        pred = np.array([r['pred'] for r in records], dtype=np.int64)
        weights = _stack(records, 'weights')
        emb = _stack(records, 'embedding')
        cm = metrics.get('confusion_matrix')
        cm = cm if np.shape(cm) == (len(names), len(names)) else None
        model = getattr(runner.model, 'module', runner.model)
        protos = getattr(getattr(model, 'prompt_bank', None), 'prototypes', None)
        protos = _as_numpy(protos) if protos is not None else None
        if protos is not None and (emb is None or protos.shape != (len(names), emb.shape[1])):
            protos = None
        yaws = (meta.get('renderer') or {}).get('yaws')
        view_names = metrics.get('view_names') or (view_names_from_yaws(yaws) if yaws else None)
        method = next((k[len('acc/'):] for k in metrics if k.startswith('acc/')
                       and not k.startswith('acc/view_')), None)
        title = self.title
        if title is None:
            filename = getattr(runner.cfg, 'filename', None)
            title = osp.splitext(osp.basename(filename))[0] if filename else runner.experiment_name
        out_dir = self.out_dir or osp.join(runner.work_dir, 'pictures')
        self.written = write_evaluation_pictures(
            out_dir, names, gt, pred, view_weights=weights, embeddings=emb, prototypes=protos,
            view_names=view_names, cm=cm, title=title, method=method,
            embedding_method=self.embedding_method, seed=self.seed)
        if self.save_predictions:
            self.written['predictions'] = save_predictions(
                osp.join(out_dir, PREDICTIONS_FILE), gt=gt, pred=pred, view_weights=weights,
                embeddings=emb, prototypes=protos,
                sample_idx=np.array([r['sample_idx'] for r in records], dtype=np.int64),
                class_names=np.array(names), method=np.array(method or ''),
                view_names=np.array(view_names) if view_names else None)
        runner.logger.info(f'evaluation pictures written to {out_dir}: '
                           + ', '.join(sorted(osp.basename(p) for p in self.written.values())))


def _as_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=np.float32)


def _stack(records: List[dict], key: str) -> Optional[np.ndarray]:
    """(M, ...) of records[i][key] (M >= 1), or None unless every record has it."""
    return np.stack([r[key] for r in records]) if all(key in r for r in records) else None
