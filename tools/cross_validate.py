"""Subject-independent k-fold cross-validation of one or more configs, side by side.

    python tools/cross_validate.py CONFIG [CONFIG ...] --folds 10 [--seed S] [--work-dir DIR]

Every config is trained and tested on the same subject folds (saved in
WORK_DIR/folds.json). Each config's ``cv_evaluations`` (default
['zero_shot', 'linear_probe']) says how it is evaluated. Finished folds are
skipped on a rerun and an interrupted fold resumes from its last checkpoint.
Writes WORK_DIR/cv_report.json, cv_report.md and a confusion-matrix PNG per
model and evaluation.
"""
import argparse
import json
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from rich.console import Console

from smilezoo.evaluation.cross_validation import (dataset_subjects, plan_folds, run_fold,
                                                  write_report)
from smilezoo.engine.checkpoint_loading import (add_checkpoint_args, allow_unsafe_load,
                                                exit_on_checkpoint_error)
from smilezoo.utils import register_all_modules
from smilezoo.utils.config_check import explain_config_errors, exit_on_config_error, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Subject-independent cross-validation')
    parser.add_argument('configs', nargs='+', help='one or more config files')
    parser.add_argument('--folds', type=int, default=10, help='number of folds')
    parser.add_argument('--seed', type=int, default=0, help='seed of the subject folds')
    parser.add_argument('--work-dir', help='default: work_dirs/cv_<first config name>')
    parser.add_argument('--only-folds', type=int, nargs='+',
                        help='run only these folds (the report needs all of them)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override keys of every config')
    add_checkpoint_args(parser, partial=False)  # a fold resumes from its last checkpoint
    return parser.parse_args()


def variant_name(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def main():
    args = parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    allow_unsafe_load(args.unsafe_load)
    console = Console(stderr=True)
    cfgs = {}
    for path in args.configs:
        with exit_on_config_error():  # missing file, unknown key, type or argument: exit 2
            cfg = load_config(path, args.cfg_options)
        name = variant_name(path)
        if name in cfgs:
            raise SystemExit(f'two configs are named {name!r}; rename one')
        cfgs[name] = cfg
    for name, cfg in cfgs.items():
        if cfg.train_dataloader.dataset.ann_file != cfg.test_dataloader.dataset.ann_file:
            raise SystemExit(
                f'{name} trains on {cfg.train_dataloader.dataset.ann_file} and tests on '
                f'{cfg.test_dataloader.dataset.ann_file}: a cross-data-set protocol has no '
                f'folds; run tools/train.py and tools/test.py on it instead')
    anns = {n: c.test_dataloader.dataset.ann_file for n, c in cfgs.items()}
    if len(set(anns.values())) > 1:
        raise SystemExit(f'the configs read different annotation files {anns}; '
                         f'cross-validate models on the same data')
    first = next(iter(cfgs.values()))
    work_dir = args.work_dir or osp.join('work_dirs', f'cv_{variant_name(args.configs[0])}')
    try:
        with exit_on_config_error(), explain_config_errors(first):
            folds = plan_folds(work_dir, dataset_subjects(first), args.folds, args.seed,
                               next(iter(anns.values())))
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    wanted = args.only_folds if args.only_folds is not None else range(len(folds))
    results = {}
    for name, cfg in cfgs.items():
        evaluations = list(cfg.get('cv_evaluations', ['zero_shot', 'linear_probe']))
        results[name] = []
        for k in wanted:
            fold_dir = osp.join(work_dir, name, f'fold_{k}')
            done = osp.join(fold_dir, 'result.json')
            if osp.isfile(done):
                console.print(f'[green]{name} fold {k}: done, reusing {done}[/green]')
                with open(done) as f:
                    results[name].append(json.load(f))
                continue
            console.rule(f'{name}: fold {k + 1} of {len(folds)}')
            train = [s for i, f in enumerate(folds) if i != k for s in f]
            with exit_on_config_error(), explain_config_errors(cfg), exit_on_checkpoint_error():
                results[name].append(run_fold(cfg, evaluations, train, folds[k], fold_dir,
                                              f'{name}_fold{k}'))
    if args.only_folds is not None and len(wanted) != len(folds):
        console.print('only some folds were run: no report written')
        return
    report = write_report(work_dir, results, folds, args.seed)
    console.print(f'report: {work_dir}/cv_report.md')
    for name, evs in report['results'].items():
        for ev, s in evs.items():
            console.print(f'{name:40s} {ev:13s} {s["accuracy_mean"]:6.2f} ± '
                          f'{s["accuracy_std"]:.2f} %  (macro F1 {s["macro_f1_mean"]:.4f})')


if __name__ == '__main__':
    main()
