"""ExpressionMetric options for 4D: per-view F1 / per-class accuracy (Table V),
multi-label clips, and the per-view table of the cross-validation report."""
import re

import numpy as np
import pytest

from smilezoo.evaluation.cross_validation.report import markdown_report, summarize
from smilezoo.evaluation.metrics import ExpressionMetric
from smilezoo.structures import view_names_from_yaws

NAMES = ['positive', 'negative', 'surprise']
BASE_KEYS = {'acc/zero_shot', 'f1/macro', 'confusion_matrix', 'class_names', 'num_samples',
             'num_unique_samples', 'view_weights/mean', 'acc/view_0', 'acc/view_1',
             'acc/view_2', 'view_weights/std', 'view_weights/entropy',
             'view_weights/names'} | {f'f1/{n}' for n in NAMES}


def sample(gt, pred, views, labels=None, idx=0):
    s = dict(gt_label=gt, pred_label=pred, view_pred_labels=np.array(views),
             view_weights=np.full(3, 1 / 3), sample_idx=idx)
    if labels is not None:
        s['labels'] = labels
    return s


# gt, pred, per-view predictions, labels (class names; the first is primary)
SAMPLES = [
    (0, 0, [0, 0, 1], ['positive']),
    (1, 0, [1, 0, 2], ['negative', 'positive']),  # multi-label, fused pred = 2nd label
    (1, 2, [2, 1, 1], ['negative']),
    (2, 2, [2, 2, 0], ['surprise', 'negative']),
    (2, 1, [1, 1, 2], ['surprise', 'negative']),  # multi-label, pred = 2nd label
    (0, 1, [0, 0, 0], ['positive']),
]


def run(**kwargs):
    metric = ExpressionMetric(class_names=NAMES, **kwargs)
    metric.dataset_meta = dict(classes=NAMES, renderer=dict(yaws=[-30, 0, 30]))
    metric.process({}, [sample(g, p, v, lab, i) for i, (g, p, v, lab) in enumerate(SAMPLES)])
    return metric.compute_metrics(metric.results)


def test_defaults_keep_the_keys_and_read_the_primary_label():
    out = run()
    assert set(out) == BASE_KEYS
    assert out['acc/zero_shot'] == pytest.approx(100 * 2 / 6)  # samples 0 and 3
    assert out['acc/view_2'] == pytest.approx(100 * 3 / 6)  # samples 2, 4, 5


def test_multi_label_any_counts_a_prediction_among_the_labels_as_correct():
    out = run(multi_label='any')
    assert set(out) == BASE_KEYS | {'num_multi_label'}
    assert out['num_multi_label'] == 3
    assert out['acc/zero_shot'] == pytest.approx(100 * 4 / 6)  # 0, 1 (2nd label), 3, 4
    cm = np.array(out['confusion_matrix'])
    # the multi-label samples answered with a secondary label sit on that label's row
    assert cm.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert np.trace(cm) / cm.sum() * 100 == pytest.approx(out['acc/zero_shot'])
    assert out['f1/positive'] == pytest.approx(2 * 2 / (3 + 2))
    # view 1 predicts [0, 0, 1, 2, 1, 0]: each is one of its sample's labels
    assert out['acc/view_1'] == pytest.approx(100.0)
    assert run()['acc/view_1'] == pytest.approx(100 * 4 / 6)  # primary only: 0, 2, 3, 5


def test_per_view_f1_and_class_accuracy_as_table_v():
    out = run(per_view_f1=True, multi_label='any')
    assert out['view_names'] == ['left', 'front', 'right']
    for i in range(3):
        cm = np.array(out[f'confusion_matrix/view_{i}'])
        assert cm.sum() == 6
        for c, name in enumerate(NAMES):
            tp, row, col = cm[c, c], cm[c].sum(), cm[:, c].sum()
            f1 = 2 * tp / (row + col) if row + col else 0.0
            assert out[f'f1/view_{i}/{name}'] == pytest.approx(f1)
            assert out[f'class_acc/view_{i}/{name}'] == pytest.approx(tp / row if row else 0)
        present = cm.sum(1) > 0
        assert out[f'f1/view_{i}/macro'] == pytest.approx(
            np.mean([out[f'f1/view_{i}/{n}'] for n, p in zip(NAMES, present) if p]))
    # view 1 (front) is right on every sample under the 'any' rule
    assert [out[f'class_acc/view_1/{n}'] for n in NAMES] == pytest.approx([1.0, 1.0, 1.0])
    # fused per-class accuracy = recall of the fused confusion matrix
    cm = np.array(out['confusion_matrix'])
    assert [out[f'class_acc/{n}'] for n in NAMES] == pytest.approx(np.diag(cm) / cm.sum(1))
    assert out['class_acc/mean'] == pytest.approx(np.mean(np.diag(cm) / cm.sum(1)))
    assert out['f1/macro'] == run(multi_label='any')['f1/macro']  # unchanged by the option


def test_view_names():
    assert view_names_from_yaws([-30, 0, 30]) == ['left', 'front', 'right']
    assert view_names_from_yaws([-60, -30, 0]) == ['left60', 'left30', 'front']
    metric = ExpressionMetric(class_names=NAMES, per_view_f1=True)
    metric.dataset_meta = dict(classes=NAMES)  # no renderer: generic names
    metric.process({}, [sample(0, 0, [0, 1, 2])])
    assert metric.compute_metrics(metric.results)['view_names'] == ['view_0', 'view_1',
                                                                   'view_2']
    with pytest.raises(ValueError, match='multi_label'):
        ExpressionMetric(multi_label='all')


def test_cv_report_per_view_table_equals_json():
    folds = []
    for k in range(2):
        m = run(per_view_f1=True, multi_label='any')
        folds.append(dict(evaluations=dict(zero_shot=m)))
    summary = summarize({'tiny': folds})
    rows = summary['tiny']['zero_shot']['per_view']
    assert [r['view'] for r in rows] == ['left', 'front', 'right', 'fused']
    fused = rows[-1]
    assert fused['f1_per_class'] == pytest.approx(
        list(summary['tiny']['zero_shot']['f1_per_class'].values()), abs=1e-4)
    assert fused['accuracy'] == pytest.approx(100 * 4 / 6, abs=0.01)
    md = markdown_report(summary, [['a'], ['b']], seed=0)
    for r in rows:
        f1 = re.search(rf'^\| F1 \| {r["view"]} \| (.*) \|$', md, re.M).group(1).split(' | ')
        assert [float(v) for v in f1] == pytest.approx(
            r['f1_per_class'] + [r['f1_mean'], r['accuracy']], abs=5e-5)
        acc = re.search(rf'^\| class accuracy \(%\) \| {r["view"]} \| (.*) \|$', md,
                        re.M).group(1).split(' | ')
        assert [float(v) for v in acc] == pytest.approx(
            r['class_acc_per_class'] + [r['class_acc_mean'], r['accuracy']], abs=0.005)
