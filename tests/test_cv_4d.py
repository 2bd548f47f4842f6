"""4D end to end: synthetic BU-4DFE / BP4D / 4DME trees in their real formats
-> tools/prepare_data.py (dynamic images) -> tools/cross_validate.py --folds 2
on a tiny config -> the report."""
import json
import re

import numpy as np
import pytest

from pipeline_helpers import ROOT, data_options, run_tool

LAYOUTS = {  # layout -> make_synthetic arguments
    'bu4dfe': ['--subjects', 4, '--frames', 10],
    'bp4d': ['--subjects', 4, '--frames', 10],
    '4dme': ['--subjects', 4, '--clips', 5, '--frames', 12],
}
TRAIN = ['train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1']


@pytest.fixture(scope='module', params=sorted(LAYOUTS))
def cv_4d(request, tmp_path_factory):
    layout = request.param
    tmp = tmp_path_factory.mktemp(f'cv_{layout}')
    tree, cache, work = tmp / 'tree', tmp / 'cache', tmp / 'work'
    run_tool('tools/dataset_converters/make_synthetic.py', '--layout', layout, '--out', tree,
             *LAYOUTS[layout], '--resolution', 800, '--seed', 2, '--no-progress')
    config = ROOT / 'tests' / 'configs' / f'tiny_{layout}.py'
    opts = data_options(tree, cache)
    run_tool('tools/prepare_data.py', config, *opts)
    proc = run_tool('tools/cross_validate.py', config, '--folds', 2, '--work-dir', work,
                    *opts, *TRAIN)
    ann = json.loads((cache / 'annotations.json').read_text())
    return layout, f'tiny_{layout}', ann, work, proc


def fold_results(work, variant):
    return [json.loads((work / variant / f'fold_{k}' / 'result.json').read_text())
            for k in range(2)]


def test_folds_are_subject_disjoint_and_each_sample_is_tested_once(cv_4d):
    layout, variant, ann, work, _ = cv_4d
    entries = ann['data_list']
    assert ann['metainfo']['temporal']['pooling'] == 'approx_rank_pooling'
    assert len(entries) == 4 * {'bu4dfe': 6, 'bp4d': 8, '4dme': 5}[layout]
    folds = json.loads((work / 'folds.json').read_text())['folds']
    assert not set(folds[0]) & set(folds[1])
    assert set(folds[0]) | set(folds[1]) == {d['subject'] for d in entries}
    tested = []
    for k, r in enumerate(fold_results(work, variant)):
        assert r['test_subjects'] == sorted(folds[k])
        assert not set(r['train_subjects']) & set(r['test_subjects'])
        by_path = {d['source_path']: d['subject'] for d in entries}
        assert {by_path[p] for p in r['test_samples']} == set(folds[k])
        zs = r['evaluations']['zero_shot']
        assert zs['num_samples'] == zs['num_unique_samples'] == len(r['test_samples'])
        tested += r['test_samples']
    assert sorted(tested) == sorted(d['source_path'] for d in entries)
    report = json.loads((work / 'cv_report.json').read_text())['results'][variant]
    assert set(report) == {'zero_shot', 'linear_probe'}
    for s in report.values():
        assert s['num_test_samples'] == len(entries) == np.sum(s['confusion_matrix'])


def test_markdown_figures_equal_json(cv_4d):
    _, variant, _, work, _ = cv_4d
    report = json.loads((work / 'cv_report.json').read_text())['results'][variant]
    md = (work / 'cv_report.md').read_text()
    rows = re.findall(r'^\| (\S+) \| (\S+) \| ([\d.]+) ± ([\d.]+) \| ([\d.]+) \| (\d+) \|$',
                      md, re.M)
    assert len(rows) == 2
    for name, ev, mean, std, f1, n in rows:
        s = report[ev]
        assert name == variant
        assert float(mean) == pytest.approx(s['accuracy_mean'], abs=0.005)
        assert float(std) == pytest.approx(s['accuracy_std'], abs=0.005)
        assert float(f1) == pytest.approx(s['macro_f1_mean'], abs=5e-5)
        assert int(n) == s['num_test_samples']


@pytest.mark.parametrize('cv_4d', ['4dme'], indirect=True)  # Table V is 4DME's evaluation
def test_4dme_per_view_per_class_f1(cv_4d):
    layout, variant, ann, work, _ = cv_4d
    classes = ['positive', 'negative', 'surprise', 'repression', 'others']
    labels = {d['source_path']: d['labels'] for d in ann['data_list']}
    for r in fold_results(work, variant):
        m = r['evaluations']['zero_shot']
        assert m['view_names'] == ['left', 'front', 'right']
        for i in range(3):
            assert {f'f1/view_{i}/{c}' for c in classes} <= set(m)
            assert {f'class_acc/view_{i}/{c}' for c in classes} <= set(m)
            assert f'f1/view_{i}/macro' in m and f'class_acc/view_{i}/mean' in m
            assert np.sum(m[f'confusion_matrix/view_{i}']) == len(r['test_samples'])
        assert {f'class_acc/{c}' for c in classes} <= set(m)
        assert m['num_multi_label'] == sum(len(labels[p]) > 1 for p in r['test_samples'])
        cm = np.array(m['confusion_matrix'])
        assert 100 * np.trace(cm) / cm.sum() == pytest.approx(m['acc/zero_shot'])
    report = json.loads((work / 'cv_report.json').read_text())['results'][variant]
    rows = report['zero_shot']['per_view']
    assert [row['view'] for row in rows] == ['left', 'front', 'right', 'fused']
    assert 'per_view' not in report['linear_probe']
    md = (work / 'cv_report.md').read_text()
    for row in rows:
        f1 = re.search(rf'^\| F1 \| {row["view"]} \| (.*) \|$', md, re.M).group(1)
        assert [float(v) for v in f1.split(' | ')] == pytest.approx(
            row['f1_per_class'] + [row['f1_mean'], row['accuracy']], abs=5e-5)
