"""tools/cross_validate.py end to end on synthetic BU-3DFE-layout data (2 folds, 2 models)."""
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline_helpers import ROOT, TINY_CONFIG, data_options, run_tool

TINY_SUPERVISED = ROOT / 'tests' / 'configs' / 'tiny_supervised.py'


@pytest.fixture(scope='module')
def cv_run(synthetic_tree, tmp_path_factory):
    cache = tmp_path_factory.mktemp('cv_cache') / 'views'
    run_tool('tools/prepare_data.py', TINY_CONFIG, '--workers', 2,
             *data_options(synthetic_tree, cache))
    work = tmp_path_factory.mktemp('cv_work')
    opts = data_options(synthetic_tree, cache) + ['train_cfg.max_epochs=2',
                                                  'param_scheduler.0.T_max=2']
    proc = run_tool('tools/cross_validate.py', TINY_CONFIG, TINY_SUPERVISED, '--folds', 2,
                    '--seed', 3, '--work-dir', work, *opts)
    return work, cache, opts, proc


def test_folds_are_subject_disjoint_and_cover_every_subject(cv_run):
    work, cache, _, _ = cv_run
    folds = json.loads((work / 'folds.json').read_text())['folds']
    subjects = {d['subject'] for d in json.loads(
        (cache / 'annotations.json').read_text())['data_list']}
    assert len(folds) == 2 and not set(folds[0]) & set(folds[1])
    assert set(folds[0]) | set(folds[1]) == subjects
    for variant in ('tiny_synthetic', 'tiny_supervised'):
        for k in range(2):
            r = json.loads((work / variant / f'fold_{k}' / 'result.json').read_text())
            assert r['test_subjects'] == sorted(folds[k])
            assert not set(r['train_subjects']) & set(r['test_subjects'])
            assert {Path(p).parts[0] for p in r['test_samples']} == set(folds[k])


def test_each_test_sample_is_counted_once(cv_run):
    work, cache, _, _ = cv_run
    ann = json.loads((cache / 'annotations.json').read_text())['data_list']
    expected = sum(d['intensity'] in (3, 4) for d in ann)  # the test filter of the config
    report = json.loads((work / 'cv_report.json').read_text())['results']
    assert set(report) == {'tiny_synthetic', 'tiny_supervised'}
    assert set(report['tiny_synthetic']) == {'zero_shot', 'linear_probe'}
    assert set(report['tiny_supervised']) == {'classifier', 'linear_probe'}
    for evs in report.values():
        for s in evs.values():
            assert s['num_test_samples'] == expected == np.sum(s['confusion_matrix'])
    samples = []
    for k in range(2):
        r = json.loads((work / 'tiny_synthetic' / f'fold_{k}' / 'result.json').read_text())
        samples += r['test_samples']
        assert r['evaluations']['zero_shot']['num_unique_samples'] == len(r['test_samples'])
    assert len(samples) == len(set(samples)) == expected


def test_markdown_figures_equal_json(cv_run):
    work, _, _, _ = cv_run
    report = json.loads((work / 'cv_report.json').read_text())['results']
    md = (work / 'cv_report.md').read_text()
    rows = re.findall(r'^\| (\S+) \| (\S+) \| ([\d.]+) ± ([\d.]+) \| ([\d.]+) \| (\d+) \|$',
                      md, re.M)
    assert len(rows) == 4
    for variant, ev, mean, std, f1, n in rows:
        s = report[variant][ev]
        assert float(mean) == pytest.approx(s['accuracy_mean'], abs=0.005)
        assert float(std) == pytest.approx(s['accuracy_std'], abs=0.005)
        assert float(f1) == pytest.approx(s['macro_f1_mean'], abs=5e-5)
        assert int(n) == s['num_test_samples']
        folds_row = re.search(rf'## {variant} / {ev}\n\n.*\n.*\n\| accuracy \| (.*) \|', md)
        per_fold = [float(v) for v in folds_row.group(1).split(' | ')]
        assert per_fold == pytest.approx(s['accuracy_per_fold'], abs=0.005)
        mean_check = np.mean(s['accuracy_per_fold'])
        assert s['accuracy_mean'] == pytest.approx(mean_check, abs=0.01)


def test_confusion_pngs_are_pictures(cv_run):
    import matplotlib.image as mpimg
    work, _, _, _ = cv_run
    pngs = sorted(work.glob('confusion_*.png'))
    assert len(pngs) == 4
    assert mpimg.imread(pngs[0]).std() > 0.05


def test_rerun_reuses_finished_folds_and_resumes_an_interrupted_one(cv_run, tmp_path):
    work, _, opts, _ = cv_run
    copy = tmp_path / 'work'
    shutil.copytree(work, copy)
    (copy / 'tiny_synthetic' / 'fold_1' / 'result.json').unlink()  # as if killed after training
    proc = run_tool('tools/cross_validate.py', TINY_CONFIG, TINY_SUPERVISED, '--folds', 2,
                    '--seed', 3, '--work-dir', copy, *opts)
    out = proc.stdout + proc.stderr
    assert out.count('done, reusing') == 3
    assert 'Resuming' in out or 'resumed' in out.lower()
    assert (copy / 'tiny_synthetic' / 'fold_1' / 'result.json').exists()
    with pytest.raises(AssertionError, match='folds.json'):
        run_tool('tools/cross_validate.py', TINY_CONFIG, '--folds', 3, '--work-dir', copy,
                 *opts)


def test_cross_validation_on_bosphorus_layout(tmp_path):
    tree = tmp_path / 'bosphorus'
    run_tool('tools/dataset_converters/make_synthetic.py', '--layout', 'bosphorus', '--out',
             tree, '--subjects', 5, '--seed', 0, '--resolution', 6000)
    config = ROOT / 'tests' / 'configs' / 'tiny_bosphorus.py'
    cache = tmp_path / 'cache'
    opts = data_options(tree, cache)
    run_tool('tools/prepare_data.py', config, *opts)
    report = json.loads((cache / 'prepare_report.json').read_text())
    # bs003 lacks E_FEAR, so 4 subjects x 6 emotions remain
    assert report['converted'] == 24
    work = tmp_path / 'work'
    run_tool('tools/cross_validate.py', config, '--folds', 2, '--work-dir', work, *opts,
             'train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1', 'train_dataloader.batch_size=4')
    cv = json.loads((work / 'cv_report.json').read_text())
    folds = cv['folds']
    assert sorted(folds[0] + folds[1]) == ['bs000', 'bs001', 'bs002', 'bs004']
    assert not set(folds[0]) & set(folds[1])
    for s in cv['results']['tiny_bosphorus'].values():
        assert s['num_test_samples'] == 24 == np.sum(s['confusion_matrix'])
    md = (work / 'cv_report.md').read_text()
    for ev, s in cv['results']['tiny_bosphorus'].items():
        assert f'| tiny_bosphorus | {ev} | {s["accuracy_mean"]:.2f} ± ' in md


def test_fusion_is_measured_against_every_single_view(cv_run):
    work, _, _, _ = cv_run
    report = json.loads((work / 'cv_report.json').read_text())['results']
    md = (work / 'cv_report.md').read_text()
    for variant, ev in (('tiny_synthetic', 'zero_shot'), ('tiny_supervised', 'classifier')):
        f = report[variant][ev]['fusion']
        per = [json.loads((work / variant / f'fold_{k}' / 'result.json').read_text())
               ['evaluations'][ev] for k in range(2)]
        views = np.array([[p[f'acc/view_{i}'] for i in range(3)] for p in per])
        fused = np.array([p[f'acc/{ev}'] for p in per])
        assert f['fused_accuracy'] == [report[variant][ev]['accuracy_mean'],
                                       report[variant][ev]['accuracy_std']]
        assert [a[0] for a in f['view_accuracy'].values()] == pytest.approx(
            views.mean(0), abs=0.005)
        assert f['gain_over_best_view_per_fold'] == pytest.approx(fused - views.max(1),
                                                                  abs=0.005)
        assert f['folds_fusion_beats_every_view'] == int((fused > views.max(1)).sum())
        assert 0 <= f['view_weights_entropy'] <= 1 and f['view_weights_std'] >= 0
        assert sum(f['view_weights_mean']) == pytest.approx(1, abs=1e-3)
        row = re.search(rf'^\| {variant} \| {ev} \| ([\d.]+) ± [\d.]+ \| (.*?) \| '
                        r'(-?[\d.]+) ± ([\d.]+) \|', md, re.M)
        assert float(row.group(1)) == pytest.approx(f['fused_accuracy'][0], abs=0.005)
        assert float(row.group(3)) == pytest.approx(f['gain_over_best_view'][0], abs=0.005)
    assert 'fusion' not in report['tiny_synthetic']['linear_probe']


def test_fusion_summary_of_known_folds():
    from smilezoo.evaluation.cross_validation.report import markdown_report, summarize
    from smilezoo.evaluation.metrics.expression_metric import view_weight_spread
    uniform = view_weight_spread(np.full((4, 3), 1 / 3))
    assert uniform['view_weights/std'] == pytest.approx(0, abs=1e-12)
    assert uniform['view_weights/entropy'] == pytest.approx(1)
    one_hot = view_weight_spread(np.eye(3)[[0, 1]])
    assert one_hot['view_weights/entropy'] == 0 and one_hot['view_weights/mean'] == [
        0.5, 0.5, 0]
    assert one_hot['view_weights/std'] == pytest.approx(np.std([1, 0, 0]))
    folds = []
    for fused, views, w in ((80, (70, 85, 75), uniform), (90, (88, 86, 60), one_hot)):
        m = {'acc/zero_shot': fused, 'f1/macro': 0.5, 'confusion_matrix': [[1, 0], [0, 1]],
             'class_names': ['a', 'b'], 'view_weights/names': ['left', 'front', 'right'],
             **{f'acc/view_{i}': a for i, a in enumerate(views)}, **w}
        folds.append(dict(evaluations=dict(zero_shot=m)))
    f = summarize({'m': folds})['m']['zero_shot']['fusion']
    assert f['gain_over_best_view_per_fold'] == [-5, 2]  # 80 - 85, 90 - 88
    assert f['gain_over_best_view'] == [-1.5, round(float(np.std([-5, 2], ddof=1)), 2)]
    assert f['best_view'] == 'front' and f['gain_over_best_mean_view_per_fold'] == [-5, 4]
    assert f['folds_fusion_beats_every_view'] == 1
    assert f['view_accuracy']['left'] == [79.0, round(float(np.std([70, 88], ddof=1)), 2)]
    assert f['view_weights_entropy'] == 0.5
    md = markdown_report(summarize({'m': folds}), [['s1'], ['s2']], seed=0)
    assert '| m | zero_shot | 85.00 ± 7.07 | left 79.00 ± 12.73; front 85.50 ± 0.71; ' \
           'right 67.50 ± 10.61 | -1.50 ± 4.95 | 1/2 | front: -0.50 ± 6.36 | ' in md
