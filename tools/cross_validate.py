"""Subject-independent k-fold cross-validation of one or more configs, side by side.

    python tools/cross_validate.py CONFIG [CONFIG ...] --folds 10 [--seed S] [--work-dir DIR]

Every config is trained and tested on the same subject folds (saved in
WORK_DIR/folds.json). Each config's ``cv_evaluations`` (default
['zero_shot', 'linear_probe']) says how it is evaluated. Finished folds are
skipped on a rerun and an interrupted fold resumes from its last checkpoint.
Writes WORK_DIR/cv_report.json, cv_report.md and a confusion-matrix PNG per
model and evaluation (smilezoo.evaluation.cross_validation.cross_validate).
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from rich.console import Console

from smilezoo.engine.checkpoint_loading import (add_checkpoint_args, allow_unsafe_load,
                                                exit_on_checkpoint_error)
from smilezoo.evaluation.cross_validation import (CrossValidationError, cross_validate,
                                                  variant_name)
from smilezoo.utils.config_check import exit_on_config_error


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


def main():
    args = parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    allow_unsafe_load(args.unsafe_load)
    console = Console(stderr=True)

    def on_fold(name, k, num_folds, reused):
        if reused:
            console.print(f'[green]{name} fold {k}: done, reusing {reused}[/green]')
        else:
            console.rule(f'{name}: fold {k + 1} of {num_folds}')

    work_dir = args.work_dir or osp.join('work_dirs', f'cv_{variant_name(args.configs[0])}')
    with exit_on_config_error(), exit_on_checkpoint_error():  # exit 2 / 1, no traceback
        try:
            report = cross_validate(args.configs, work_dir, args.folds, args.seed,
                                    args.only_folds, args.cfg_options, on_fold)
        except CrossValidationError as e:
            raise SystemExit(f'error: {e}') from None
    if report is None:
        console.print('only some folds were run: no report written')
        return
    console.print(f'report: {work_dir}/cv_report.md')
    for name, evs in report['results'].items():
        for ev, s in evs.items():
            console.print(f'{name:40s} {ev:13s} {s["accuracy_mean"]:6.2f} ± '
                          f'{s["accuracy_std"]:.2f} %  (macro F1 {s["macro_f1_mean"]:.4f})')


if __name__ == '__main__':
    main()
