"""Evaluate a checkpoint: python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE].

Writes the metrics as JSON (default WORK_DIR/metrics_test.json) and evaluation
pictures (default WORK_DIR/pictures/: confusion matrix, per-class F1, fusion
weights per view and class, 2-D map of the test embeddings with the class
prototypes; see EvaluationPicturesHook). --no-pictures leaves them out.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from smilezoo.apis.readiness import explain_missing_data
from smilezoo.engine.checkpoint_loading import (add_checkpoint_args, allow_unsafe_load,
                                                exit_on_checkpoint_error, guard_runner,
                                                precheck_checkpoint_file)
from smilezoo.utils import end_distributed, register_all_modules, setup_distributed_cpu
from smilezoo.utils.atomic_io import write_json_atomic
from smilezoo.utils.config_check import explain_config_errors, exit_on_config_error, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test a smilezoo model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--out', help='metrics JSON path (default WORK_DIR/metrics_test.json)')
    parser.add_argument('--pictures-dir',
                        help='where the evaluation pictures go (default WORK_DIR/pictures)')
    parser.add_argument('--no-pictures', action='store_true',
                        help='do not draw the evaluation pictures')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    add_checkpoint_args(parser)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def add_pictures_hook(cfg, out_dir: str, explicit: bool = False) -> None:
    """Append EvaluationPicturesHook to custom_hooks; when the config has one
    already, only set its out_dir (if unset, or if ``explicit``)."""
    hooks = list(cfg.get('custom_hooks') or [])
    for hook in hooks:
        if hook.get('type') in ('EvaluationPicturesHook', 'smilezoo.EvaluationPicturesHook'):
            if explicit or not hook.get('out_dir'):
                hook['out_dir'] = out_dir
            break
    else:
        hooks.append(dict(type='EvaluationPicturesHook', out_dir=out_dir))
    cfg.custom_hooks = hooks


def main():
    args = parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    allow_unsafe_load(args.unsafe_load)
    with exit_on_config_error():  # missing file, unknown key or argument: one line, exit 2
        cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    with exit_on_checkpoint_error():  # missing, unreadable or unsafe: said before any build
        precheck_checkpoint_file(args.checkpoint)
    cfg.load_from = args.checkpoint
    problem = explain_missing_data(cfg, args.config)
    if problem:
        raise SystemExit(problem)
    if not args.no_pictures:
        add_pictures_hook(cfg, args.pictures_dir or osp.join(cfg.work_dir, 'pictures'),
                          explicit=bool(args.pictures_dir))
    setup_distributed_cpu(cfg, args.launcher)
    with exit_on_config_error(), explain_config_errors(cfg), exit_on_checkpoint_error():
        runner = Runner.from_cfg(cfg)
        fit = guard_runner(runner, args.config, args.allow_partial)  # refuses a misfit
        metrics = runner.test()
    if is_main_process():
        out = args.out or osp.join(cfg.work_dir, 'metrics_test.json')
        partial = {} if fit.report is None or fit.report.fits else \
            dict(partial_load=fit.report.as_dict())
        write_json_atomic(out, dict(config=args.config, checkpoint=args.checkpoint, **partial,
                                    **metrics), indent=2)
        runner.logger.info(f'metrics written to {out}')


if __name__ == '__main__':
    try:
        main()
    finally:
        end_distributed()
