"""Subject-independent k-fold cross-validation of one or more configs, and its report.

Layout of a cross-validation work dir:
    folds.json                      the subject folds (reused on reruns)
    <variant>/fold_<k>/             mmengine work dir of one training run
    <variant>/fold_<k>/result.json  that fold's test figures (written last)
    <variant>/fold_<k>/pictures/    that fold's evaluation pictures (EvaluationPicturesHook:
                                    confusion matrix, per-class F1, view weights per class,
                                    2-D embedding map with the prototypes, predictions.npz;
                                    linear_probe_*.png for the linear probe)
    cv_report.json, cv_report.md, confusion_<variant>_<evaluation>.png
    pictures/<variant>_<evaluation>_{f1_per_class,view_weights}.png
                                    summed / pooled over folds (no embedding map: every fold
                                    has its own model and embedding space)
A fold whose result.json exists is skipped; one interrupted mid-training resumes
from its last checkpoint.
"""
import copy
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from .metrics import classification_summary, f1_per_class, recall_per_class

PICTURES = 'pictures'

TEST_EVALUATIONS = ('zero_shot', 'classifier')


def write_text_atomic(text: str, path: str) -> None:
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def write_json_atomic(obj, path: str) -> None:
    write_text_atomic(json.dumps(obj, indent=1), path)


def dataset_subjects(cfg) -> List[str]:
    """Every subject in the (class-filtered) annotation file of cfg's test dataset."""
    from smilezoo.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.update(subject_split=None, pipeline=[])
    return sorted({d['subject'] for d in data_infos(DATASETS.build(ds_cfg))})


def data_infos(dataset) -> List[Dict]:
    """Every sample's annotation dict (works for serialised mmengine datasets)."""
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def plan_folds(work_dir: str, subjects: Sequence[str], num_folds: int, seed: int,
               ann_file: str) -> List[List[str]]:
    """Subject folds, saved to work_dir/folds.json and reused when they match."""
    from smilezoo.datasets.splits import subject_folds
    path = osp.join(work_dir, 'folds.json')
    if osp.isfile(path):
        saved = json.load(open(path))
        same = (saved['num_folds'] == num_folds and saved['seed'] == seed and
                sorted(s for f in saved['folds'] for s in f) == sorted(subjects))
        if not same:
            raise ValueError(f'{path} holds folds for num_folds={saved["num_folds"]}, '
                             f'seed={saved["seed"]} and {sum(map(len, saved["folds"]))} '
                             f'subjects; this run asks for num_folds={num_folds}, seed={seed} '
                             f'and {len(subjects)} subjects. Use another --work-dir.')
        return saved['folds']
    folds = subject_folds(subjects, num_folds, seed)
    os.makedirs(work_dir, exist_ok=True)
    write_json_atomic(dict(num_folds=num_folds, seed=seed, ann_file=ann_file, folds=folds),
                      path)
    return folds


def fold_config(cfg, train_subjects, test_subjects, fold_dir: str, name: str):
    """A copy of cfg that trains on train_subjects and tests on test_subjects."""
    cfg = copy.deepcopy(cfg)
    cfg.train_dataloader.dataset.subject_split = dict(subjects=sorted(train_subjects))
    cfg.test_dataloader.dataset.subject_split = dict(subjects=sorted(test_subjects))
    # The held-out fold is never looked at during training.
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.work_dir = fold_dir
    cfg.experiment_name = name
    cfg.load_from = None
    cfg.resume = osp.isfile(osp.join(fold_dir, 'last_checkpoint'))
    hooks = [h for h in (cfg.get('custom_hooks') or [])
             if h.get('type') not in ('EvaluationPicturesHook', 'smilezoo.EvaluationPicturesHook')]
    hooks.append(dict(type='EvaluationPicturesHook', out_dir=osp.join(fold_dir, PICTURES),
                      title=name))
    cfg.custom_hooks = hooks
    return cfg


def probe_loader_cfg(cfg):
    """The training set in order, without dropping samples (for probe features)."""
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.update(sampler=dict(type='DefaultSampler', shuffle=False), drop_last=False,
                  persistent_workers=False, num_workers=0)
    return loader


def run_fold(cfg, evaluations: Sequence[str], train_subjects, test_subjects,
             fold_dir: str, name: str) -> Dict:
    """Train one fold, evaluate it, write fold_dir/result.json; returns the result."""
    from mmengine.runner import Runner

    from smilezoo.visualization.evaluation_plots import write_evaluation_pictures

    from .linear_probe import extract_embeddings, fit_linear_probe, predict_linear_probe
    from smilezoo.engine import check_training_batches, fit_param_schedulers
    from smilezoo.engine.checkpoint_loading import guard_runner
    cfg = fold_config(cfg, train_subjects, test_subjects, fold_dir, name)
    fit_param_schedulers(cfg)
    check_training_batches(cfg)
    runner = Runner.from_cfg(cfg)
    guard_runner(runner, f'{name} (fold resumed from {fold_dir})', partial_flag=None)
    runner.train()
    result = dict(train_subjects=sorted(train_subjects), test_subjects=sorted(test_subjects),
                  evaluations={})
    metrics = runner.test()
    classes = metrics['class_names']
    for ev in evaluations:
        if ev in TEST_EVALUATIONS:
            if f'acc/{ev}' not in metrics:
                raise KeyError(f'cv_evaluations asks for {ev!r} but the test metric gave '
                               f'{sorted(k for k in metrics if k.startswith("acc/"))}')
            result['evaluations'][ev] = dict(metrics)
        elif ev == 'linear_probe':
            model = getattr(runner.model, 'module', runner.model)
            x, y = extract_embeddings(model, runner.build_dataloader(probe_loader_cfg(cfg)))
            xt, yt = extract_embeddings(model, runner.test_dataloader)
            probe = fit_linear_probe(x, y, len(classes))
            pt = predict_linear_probe(probe, xt)
            out = classification_summary(yt, pt, classes, ev)
            out.update(num_samples=len(yt), num_train_samples=len(y))
            result['evaluations'][ev] = out
            write_evaluation_pictures(osp.join(fold_dir, PICTURES), classes, yt, pt,
                                      title=name, method=ev, prefix=f'{ev}_')
        else:
            raise ValueError(f'unknown cv_evaluations entry {ev!r}; expected some of '
                             f'{TEST_EVALUATIONS + ("linear_probe",)}')
    result['test_samples'] = sorted(d['source_path'] for d in
                                    data_infos(runner.test_dataloader.dataset))
    write_json_atomic(result, osp.join(fold_dir, "result.json"))
    return result


def summarize(variant_results: Dict[str, List[Dict]]) -> Dict:
    """Per variant and evaluation: per-fold accuracy, mean, std (ddof=1), macro F1,
    per-class F1 and the confusion matrix summed over folds; for a test evaluation
    with per-view accuracies, 'fusion' (``fusion_summary``)."""
    summary = {}
    for variant, folds in variant_results.items():
        evs = {}
        for ev in folds[0]['evaluations']:
            per = [f['evaluations'][ev] for f in folds]
            acc = np.array([p[f'acc/{ev}'] for p in per])
            cm = np.sum([np.array(p['confusion_matrix']) for p in per], axis=0)
            names = per[0]['class_names']
            evs[ev] = dict(
                accuracy_per_fold=[round(float(a), 2) for a in acc],
                accuracy_mean=round(float(acc.mean()), 2),
                accuracy_std=round(float(acc.std(ddof=1)) if len(acc) > 1 else 0.0, 2),
                macro_f1_mean=round(float(np.mean([p['f1/macro'] for p in per])), 4),
                f1_per_class={n: round(float(v), 4) for n, v in zip(names, f1_per_class(cm))},
                confusion_matrix=cm.tolist(), class_names=names,
                num_test_samples=int(cm.sum()))
            if all('view_names' in p for p in per):
                evs[ev]['per_view'] = per_view_summary(per, cm)
            if all('acc/view_0' in p for p in per):
                evs[ev]['fusion'] = fusion_summary(per, acc)
        summary[variant] = evs
    return summary


def _mean_std(x) -> List[float]:
    """[mean, std (ddof=1; 0 for one value)] of a 1-D array, rounded to 2 decimals."""
    x = np.asarray(x, dtype=float)
    return [round(float(x.mean()), 2), round(float(x.std(ddof=1)) if len(x) > 1 else 0.0, 2)]


def fusion_summary(per: List[Dict], fused_acc: np.ndarray) -> Dict:
    """Does fusion help? From each fold's ``acc/view_<i>`` and fused accuracy:
    per-view and fused accuracy as [mean, std] over folds; ``gain_over_best_view``
    (per fold, fused minus the best single view of that fold, an oracle choice
    of view: > 0 means fusion beat every view) and ``gain_over_<name>`` for the
    view best on the mean over folds, each [mean, std] with per-fold values;
    ``folds_fusion_beats_every_view``; and the spread of the fusion weights
    (ExpressionMetric ``view_weights/{mean,std,entropy}``, means over folds;
    None for folds written before those keys existed)."""
    n = sum(k.startswith('acc/view_') for k in per[0])
    names = per[0].get('view_weights/names') or per[0].get('view_names') or \
        [f'view_{i}' for i in range(n)]
    views = np.array([[p[f'acc/view_{i}'] for i in range(n)] for p in per])  # (folds, N)
    gain = fused_acc - views.max(axis=1)
    best = int(views.mean(axis=0).argmax())
    gain_fixed = fused_acc - views[:, best]

    def weights(key):
        vals = [p.get(f'view_weights/{key}') for p in per]
        return None if any(v is None for v in vals) else \
            np.round(np.mean(vals, axis=0), 4).tolist()

    return dict(
        view_names=list(names), fused_accuracy=_mean_std(fused_acc),
        view_accuracy={nm: _mean_std(views[:, i]) for i, nm in enumerate(names)},
        best_view=names[best],
        gain_over_best_view=_mean_std(gain),
        gain_over_best_view_per_fold=[round(float(g), 2) for g in gain],
        gain_over_best_mean_view=_mean_std(gain_fixed),
        gain_over_best_mean_view_per_fold=[round(float(g), 2) for g in gain_fixed],
        folds_fusion_beats_every_view=int((gain > 0).sum()),
        view_weights_mean=weights('mean'), view_weights_std=weights('std'),
        view_weights_entropy=weights('entropy'))


def markdown_fusion(summary: Dict) -> List[str]:
    """The 'Fusion against single views' section (test evaluations with per-view
    accuracies)."""
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
    """Table V of the paper from the folds' per-view confusion matrices
    (ExpressionMetric(per_view_f1=True)), each summed over folds: one row per
    view and one 'fused', with F1 and per-class accuracy (recall) per class,
    their means over the classes with samples, and the pooled accuracy."""
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
    for r in rows:
        lines.append(f'| F1 | {r["view"]} | ' + ' | '.join(f'{v:.4f}' for v in r['f1_per_class'])
                     + f' | {r["f1_mean"]:.4f} | {r["accuracy"]:.2f} |')
    for r in rows:
        lines.append(f'| class accuracy (%) | {r["view"]} | '
                     + ' | '.join(f'{v:.2f}' for v in r['class_acc_per_class'])
                     + f' | {r["class_acc_mean"]:.2f} | {r["accuracy"]:.2f} |')
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
            lines.append(f'| {variant} | {ev} | {s["accuracy_mean"]:.2f} ± '
                         f'{s["accuracy_std"]:.2f} | {s["macro_f1_mean"]:.4f} | '
                         f'{s["num_test_samples"]} |')
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


def plot_confusion(cm, names, title: str, path: str) -> None:
    """Kept for callers of the old name; see
    ``smilezoo.visualization.evaluation_plots.plot_confusion_matrix``."""
    from smilezoo.visualization.evaluation_plots import plot_confusion_matrix
    plot_confusion_matrix(cm, names, title, path)


def fold_predictions(work_dir: str, variant: str, num_folds: int) -> List[Dict]:
    """Every fold's predictions.npz (EvaluationPicturesHook) of a variant, or []
    when one is missing (folds run before the pictures existed)."""
    from smilezoo.visualization.evaluation_plots import PREDICTIONS_FILE, load_predictions
    paths = [osp.join(work_dir, variant, f'fold_{k}', PICTURES, PREDICTIONS_FILE)
             for k in range(num_folds)]
    return [load_predictions(p) for p in paths] if all(map(osp.isfile, paths)) else []


def write_summed_pictures(work_dir: str, variant: str, ev: str, s: Dict,
                          num_folds: int) -> Dict[str, str]:
    """The confusion matrix (confusion_<variant>_<ev>.png) and, under pictures/,
    per-class F1 of the confusion matrix summed over folds and, for a test
    evaluation, the fusion weights of every fold's test samples pooled;
    returns name -> path relative to work_dir."""
    from smilezoo.visualization.evaluation_plots import (plot_confusion_matrix,
                                                         plot_f1_per_class, plot_view_weights)
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


def write_report(work_dir: str, variant_results: Dict[str, List[Dict]],
                 folds: List[List[str]], seed: int) -> Dict:
    summary = summarize(variant_results)
    report = dict(num_folds=len(folds), seed=seed, folds=folds, results=summary)
    for variant, evs in summary.items():
        for ev, s in evs.items():
            s['pictures'] = write_summed_pictures(work_dir, variant, ev, s, len(folds))
            s['confusion_png'] = s['pictures']['confusion']
    write_json_atomic(report, osp.join(work_dir, 'cv_report.json'))
    write_text_atomic(markdown_report(summary, folds, seed), osp.join(work_dir, 'cv_report.md'))
    return report
