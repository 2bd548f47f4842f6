"""Subject-independent k-fold cross-validation of one or more configs, and its report.

Layout of a cross-validation work dir:
    folds.json                      the subject folds (reused on reruns)
    <variant>/fold_<k>/             mmengine work dir of one training run
    <variant>/fold_<k>/result.json  that fold's test figures (written last)
    cv_report.json, cv_report.md, confusion_<variant>_<evaluation>.png
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

    from .linear_probe import extract_embeddings, fit_linear_probe, predict_linear_probe
    cfg = fold_config(cfg, train_subjects, test_subjects, fold_dir, name)
    runner = Runner.from_cfg(cfg)
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
            out = classification_summary(yt, predict_linear_probe(probe, xt), classes, ev)
            out.update(num_samples=len(yt), num_train_samples=len(y))
            result['evaluations'][ev] = out
        else:
            raise ValueError(f'unknown cv_evaluations entry {ev!r}; expected some of '
                             f'{TEST_EVALUATIONS + ("linear_probe",)}')
    result['test_samples'] = sorted(d['source_path'] for d in
                                    data_infos(runner.test_dataloader.dataset))
    write_json_atomic(result, osp.join(fold_dir, "result.json"))
    return result


def summarize(variant_results: Dict[str, List[Dict]]) -> Dict:
    """Per variant and evaluation: per-fold accuracy, mean, std (ddof=1), macro F1,
    per-class F1 and the confusion matrix summed over folds."""
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
        summary[variant] = evs
    return summary


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
    lines += ['', '## Folds (test subjects)', '']
    lines += [f'- fold {i}: {", ".join(f)}' for i, f in enumerate(folds)]
    return '\n'.join(lines) + '\n'


def plot_confusion(cm, names, title: str, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    cm = np.asarray(cm)
    rates = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.75 * len(names), 0.8 + 0.7 * len(names)))
    ax.imshow(rates, cmap='Blues', vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, str(cm[i, j]), ha='center', va='center',
                    color='white' if rates[i, j] > 0.5 else 'black', fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha='right')
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    tmp = f'{path}.tmp{os.getpid()}.png'
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def write_report(work_dir: str, variant_results: Dict[str, List[Dict]],
                 folds: List[List[str]], seed: int) -> Dict:
    summary = summarize(variant_results)
    report = dict(num_folds=len(folds), seed=seed, folds=folds, results=summary)
    for variant, evs in summary.items():
        for ev, s in evs.items():
            png = osp.join(work_dir, f'confusion_{variant}_{ev}.png')
            plot_confusion(s['confusion_matrix'], s['class_names'],
                           f'{variant} / {ev}: {s["accuracy_mean"]:.2f}% '
                           f'(summed over {len(folds)} folds)', png)
            s['confusion_png'] = osp.basename(png)
    write_json_atomic(report, osp.join(work_dir, 'cv_report.json'))
    write_text_atomic(markdown_report(summary, folds, seed), osp.join(work_dir, 'cv_report.md'))
    return report
