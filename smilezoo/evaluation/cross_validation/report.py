"""The cross-validation report: statistics over folds (accuracy, F1, confusion matrix, per-view
table, fusion against single views) as cv_report.json and cv_report.md, with the summed pictures."""
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from smilezoo.structures.confusion import f1_per_class, recall_per_class
from smilezoo.utils.atomic_io import write_json_atomic, write_text_atomic

from .pictures import write_summed_pictures


def summarize(variant_results: Dict[str, List[Dict]]) -> Dict:
    """Per variant and evaluation: per-fold accuracy, mean, std (ddof=1), macro F1,
    per-class F1 and the confusion matrix summed over folds; for a test evaluation
    with per-view accuracies, 'fusion' (``fusion_summary``)."""
    summary = {}
    for variant, folds in variant_results.items():
        summary[variant] = evs = {}
        for ev in folds[0]['evaluations']:
            per = [f['evaluations'][ev] for f in folds]
            acc = np.array([p[f'acc/{ev}'] for p in per])
            cm = np.sum([np.array(p['confusion_matrix']) for p in per], axis=0)
            names = per[0]['class_names']
            mean, std = _mean_std(acc)
            evs[ev] = dict(
                accuracy_per_fold=[round(float(a), 2) for a in acc], accuracy_mean=mean,
                accuracy_std=std,
                macro_f1_mean=round(float(np.mean([p['f1/macro'] for p in per])), 4),
                f1_per_class={n: round(float(v), 4) for n, v in zip(names, f1_per_class(cm))},
                confusion_matrix=cm.tolist(), class_names=names, num_test_samples=int(cm.sum()))
            if all('view_names' in p for p in per):
                evs[ev]['per_view'] = per_view_summary(per, cm)
            if all('acc/view_0' in p for p in per):
                evs[ev]['fusion'] = fusion_summary(per, acc)
    return summary


def _mean_std(x) -> List[float]:
    """[mean, std (ddof=1; 0 for one value)] of a 1-D array, rounded to 2 decimals."""
    x = np.asarray(x, dtype=float)
    return [round(float(x.mean()), 2), round(float(x.std(ddof=1)) if len(x) > 1 else 0.0, 2)]


def fusion_summary(per: List[Dict], fused_acc: np.ndarray) -> Dict:
    """Does fusion help? From each fold's ``acc/view_<i>`` and fused accuracy: per-view and fused
    accuracy as [mean, std] over folds; ``gain_over_best_view`` (per fold, fused minus the best
    single view of that fold, an oracle choice of view: > 0 means fusion beat every view) and
    ``gain_over_<name>`` for the view best on the mean over folds, each [mean, std] with per-fold
    values; ``folds_fusion_beats_every_view``; and the spread of the fusion weights
    (ExpressionMetric ``view_weights/{mean,std,entropy}``, means over folds; None for folds written
    before those keys existed)."""
    n = sum(k.startswith('acc/view_') for k in per[0])
    names = per[0].get('view_weights/names') or per[0].get('view_names') or \
        [f'view_{i}' for i in range(n)]
    views = np.array([[p[f'acc/view_{i}'] for i in range(n)] for p in per])  # (folds, N)
    gain = fused_acc - views.max(axis=1)
    best = int(views.mean(axis=0).argmax())
    gain_fixed = fused_acc - views[:, best]

    def weights(key):
        vals = [p.get(f'view_weights/{key}') for p in per]
        return None if any(v is None for v in vals) else np.round(np.mean(vals, axis=0), 4).tolist()

    return dict(
        view_names=list(names), fused_accuracy=_mean_std(fused_acc),
        view_accuracy={nm: _mean_std(views[:, i]) for i, nm in enumerate(names)},
        best_view=names[best], gain_over_best_view=_mean_std(gain),
        gain_over_best_view_per_fold=[round(float(g), 2) for g in gain],
        gain_over_best_mean_view=_mean_std(gain_fixed),
        gain_over_best_mean_view_per_fold=[round(float(g), 2) for g in gain_fixed],
        folds_fusion_beats_every_view=int((gain > 0).sum()), view_weights_mean=weights('mean'),
        view_weights_std=weights('std'), view_weights_entropy=weights('entropy'))


def markdown_fusion(summary: Dict) -> List[str]:
    """The 'Fusion against single views' section (test evaluations with per-view accuracies)."""
    rows = [(v, ev, s['fusion']) for v, evs in summary.items() for ev, s in evs.items()
            if 'fusion' in s]
    if not rows:
        return []

    def pm(x):
        return f'{x[0]:.2f} ± {x[1]:.2f}'

    def num(x):
        return '-' if x is None else f'{x:.4f}'

    lines = ['', '## Fusion against single views', '',
             'Accuracy (%) mean ± std over folds. Gain over best view: per fold, fused minus '
             'the best single view of that fold (> 0: fusion beat every view). Gain over the '
             'best-on-average view: fused minus that one view. Weight spread: means over test '
             'samples of the std of the N fusion weights (0 = uniform) and of their entropy / '
             'log N (1 = uniform, 0 = one view takes all).', '',
             '| model | evaluation | fused | views | gain over best view | folds fused > '
             'every view | gain over best-on-average view | weight std | weight entropy |',
             '|---|---|---|---|---|---|---|---|---|']
    for variant, ev, f in rows:
        views = '; '.join(f'{n} {pm(a)}' for n, a in f['view_accuracy'].items())
        lines.append(f'| {variant} | {ev} | {pm(f["fused_accuracy"])} | {views} | '
                     f'{pm(f["gain_over_best_view"])} | {f["folds_fusion_beats_every_view"]}/'
                     f'{len(f["gain_over_best_view_per_fold"])} | {f["best_view"]}: '
                     f'{pm(f["gain_over_best_mean_view"])} | {num(f["view_weights_std"])} | '
                     f'{num(f["view_weights_entropy"])} |')
    return lines


def per_view_summary(per: List[Dict], fused_cm: np.ndarray) -> List[Dict]:
    """Table V of the paper (ExpressionMetric(per_view_f1=True)) from the folds' per-view confusion
    matrices summed over folds: a row per view and one 'fused' with F1 and per-class accuracy
    (recall) per class, their means over the classes with samples, and the pooled accuracy."""
    rows = []
    names = per[0]['view_names']
    cms = [np.sum([np.array(p[f'confusion_matrix/view_{i}']) for p in per], axis=0)
           for i in range(len(names))]
    for view, cm in zip(list(names) + ['fused'], cms + [fused_cm]):
        f1, rec = f1_per_class(cm), recall_per_class(cm)
        present = cm.sum(1) > 0
        rows.append(dict(
            view=view, f1_per_class=[round(float(v), 4) for v in f1],
            f1_mean=round(float(f1[present].mean()) if present.any() else 0.0, 4),
            class_acc_per_class=[round(100 * float(v), 2) for v in rec],
            class_acc_mean=round(100 * float(rec[present].mean()) if present.any() else 0.0, 2),
            accuracy=round(100 * float(np.trace(cm) / max(cm.sum(), 1)), 2)))
    return rows


def markdown_per_view(rows: List[Dict], names: Sequence[str]) -> List[str]:
    head = '| metric | view | ' + ' | '.join(names) + ' | average | accuracy |'
    lines = ['', 'Per view (as the paper\'s Table V; confusion matrices summed over folds; '
             'class accuracy = recall of the class, average = mean over classes, '
             'accuracy = pooled):', '', head, '|---|---|' + '---|' * (len(names) + 2)]
    for metric, key, fmt in (('F1', 'f1', '.4f'), ('class accuracy (%)', 'class_acc', '.2f')):
        for r in rows:
            per_class = ' | '.join(format(v, fmt) for v in r[f'{key}_per_class'])
            mean = format(r[f'{key}_mean'], fmt)
            lines.append(f'| {metric} | {r["view"]} | {per_class} | {mean} | {r["accuracy"]:.2f} |')
    return lines


def markdown_report(summary: Dict, folds: List[List[str]], seed: int) -> str:
    lines = ['# Cross-validation report', '',
             f'{len(folds)}-fold subject-independent cross-validation (seed {seed}, '
             f'{sum(map(len, folds))} subjects). Accuracy in %, std over folds (ddof=1); '
             f'per-class F1 from the confusion matrix summed over folds.', '',
             '| model | evaluation | accuracy (mean ± std) | macro F1 | test samples |',
             '|---|---|---|---|---|']
    for variant, evs in summary.items():
        for ev, s in evs.items():
            lines.append(f'| {variant} | {ev} | {s["accuracy_mean"]:.2f} ± {s["accuracy_std"]:.2f} '
                         f'| {s["macro_f1_mean"]:.4f} | {s["num_test_samples"]} |')
    lines += markdown_fusion(summary)
    for variant, evs in summary.items():
        for ev, s in evs.items():
            names = s['class_names']
            lines += ['', f'## {variant} / {ev}', '',
                      '| fold | ' + ' | '.join(str(i) for i in range(len(folds))) + ' |',
                      '|---|' + '---|' * len(folds),
                      '| accuracy | ' + ' | '.join(f'{a:.2f}' for a in
                                                   s['accuracy_per_fold']) + ' |', '',
                      '| class | F1 |', '|---|---|']
            lines += [f'| {n} | {s["f1_per_class"][n]:.4f} |' for n in names]
            lines += ['', 'Confusion matrix summed over folds (rows: truth):', '',
                      '| | ' + ' | '.join(names) + ' |', '|---|' + '---|' * len(names)]
            lines += [f'| {n} | ' + ' | '.join(str(v) for v in row) + ' |'
                      for n, row in zip(names, s['confusion_matrix'])]
            if 'per_view' in s:
                lines += markdown_per_view(s['per_view'], names)
            if s.get('pictures'):
                lines += ['', 'Pictures: ' + ', '.join(
                    f'[{k}]({v})' for k, v in s['pictures'].items())]
    lines += ['', '## Folds (test subjects)', '']
    lines += [f'- fold {i}: {", ".join(f)}' for i, f in enumerate(folds)]
    return '\n'.join(lines) + '\n'


def write_report(work_dir: str, variant_results: Dict[str, List[Dict]],
                 folds: List[List[str]], seed: int) -> Dict:
    """Summarise every variant's fold results, draw the summed pictures, write
    work_dir/cv_report.json and cv_report.md; returns the report dict."""
    summary = summarize(variant_results)
    report = dict(num_folds=len(folds), seed=seed, folds=folds, results=summary)
    for variant, evs in summary.items():
        for ev, s in evs.items():
            s['pictures'] = write_summed_pictures(work_dir, variant, ev, s, len(folds))
            s['confusion_png'] = s['pictures']['confusion']
    write_json_atomic(osp.join(work_dir, 'cv_report.json'), report)
    write_text_atomic(osp.join(work_dir, 'cv_report.md'), markdown_report(summary, folds, seed))
    return report
