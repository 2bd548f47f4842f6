"""Pictures of the cross-validation report: confusion matrix and per-class F1
summed over folds, fusion weights pooled over the folds' test samples."""
import os.path as osp
from typing import Dict, List

import numpy as np

from smilezoo.structures.confusion import f1_per_class
from smilezoo.visualization.evaluation_plots import (PREDICTIONS_FILE, load_predictions,
                                                     plot_confusion_matrix, plot_f1_per_class,
                                                     plot_view_weights)

from .folds import PICTURES
from .run_fold import TEST_EVALUATIONS


def fold_predictions(work_dir: str, variant: str, num_folds: int) -> List[Dict]:
    """Every fold's predictions.npz (EvaluationPicturesHook) of a variant, or []
    when one is missing (folds run before the pictures existed)."""
    paths = [osp.join(work_dir, variant, f'fold_{k}', PICTURES, PREDICTIONS_FILE)
             for k in range(num_folds)]
    return [load_predictions(p) for p in paths] if all(map(osp.isfile, paths)) else []


def write_summed_pictures(work_dir: str, variant: str, ev: str, s: Dict,
                          num_folds: int) -> Dict[str, str]:
    """The confusion matrix (confusion_<variant>_<ev>.png) and, under pictures/, per-class F1 of the
    confusion matrix summed over folds and, for a test evaluation, the fusion weights of every
    fold's test samples pooled; returns name -> path relative to work_dir."""
    cm, names = np.array(s['confusion_matrix']), s['class_names']
    head = (f'{variant} / {ev}: {s["accuracy_mean"]:.2f}% ± {s["accuracy_std"]:.2f} '
            f'over {num_folds} folds')
    out = dict(confusion=f'confusion_{variant}_{ev}.png')
    plot_confusion_matrix(cm, names, f'{head}\nconfusion matrix summed over folds '
                          f'({int(cm.sum())} test samples)', osp.join(work_dir, out['confusion']))
    out['f1'] = osp.join(PICTURES, f'{variant}_{ev}_f1_per_class.png')
    plot_f1_per_class(f1_per_class(cm), names, f'{head}\nF1 per class of the summed confusion '
                      'matrix', osp.join(work_dir, out['f1']), support=cm.sum(1))
    preds = fold_predictions(work_dir, variant, num_folds) if ev in TEST_EVALUATIONS else []
    if preds and all('view_weights' in p for p in preds):
        w = np.concatenate([p['view_weights'] for p in preds])
        gt = np.concatenate([p['gt'] for p in preds])
        views = [str(v) for v in preds[0]['view_names']] if 'view_names' in preds[0] else \
            [f'view_{i}' for i in range(w.shape[1])]
        out['view_weights'] = osp.join(PICTURES, f'{variant}_{ev}_view_weights.png')
        plot_view_weights(w, gt, names, views, f'{head}\nfusion weight of each view per true '
                          f'class, {len(gt)} test samples pooled over folds',
                          osp.join(work_dir, out['view_weights']))
    return out
