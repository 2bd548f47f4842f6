"""Train a smilezoo model: python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] ..."""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.runner import Runner

from smilezoo.apis.readiness import explain_missing_data
from smilezoo.engine import NonFiniteTrainingError, check_training_batches, fit_param_schedulers
from smilezoo.engine.checkpoint_loading import (add_checkpoint_args, allow_unsafe_load,
                                                exit_on_checkpoint_error, guard_runner,
                                                precheck_checkpoint_file)
from smilezoo.utils import end_distributed, register_all_modules, setup_distributed_cpu
from smilezoo.utils.config_check import explain_config_errors, exit_on_config_error, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Train a smilezoo model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the given checkpoint, or from the latest '
                        'checkpoint in the work dir when none is given')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (AnyDeviceAmpOptimWrapper: mmengine\'s '
                        'AmpOptimWrapper on a GPU, bfloat16 autocast on the CPU)')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate with the global batch size')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. model.backbone.model_name=resnet50')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    add_checkpoint_args(parser)  # for --resume and load_from
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    """Fold the flags into the config (loaded with its --cfg-options: the flags
    win over them)."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    # --amp, or mmengine's AmpOptimWrapper (which asserts a GPU): the same wrapper on a GPU,
    # bfloat16 autocast on the CPU; a configured dtype is kept (None: the device's default)
    if args.amp or cfg.optim_wrapper.get('type') == 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'AnyDeviceAmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    return cfg


def main():
    args = parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    allow_unsafe_load(args.unsafe_load)
    with exit_on_config_error():  # missing file, unknown key or argument: one line, exit 2
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
    with exit_on_checkpoint_error():  # --resume CKPT / load_from: unsafe or missing file
        precheck_checkpoint_file(cfg.get('load_from'))
    problem = explain_missing_data(cfg, args.config)
    if problem:
        raise SystemExit(problem)
    fit_param_schedulers(cfg)  # a run shortened below a scheduler's begin drops it
    setup_distributed_cpu(cfg, args.launcher)
    # an unknown type= names the registry and custom_imports; a bad argument its config key
    with exit_on_config_error(), explain_config_errors(cfg), exit_on_checkpoint_error():
        runner = Runner.from_cfg(cfg)  # builds the model: a weights problem is said first
        guard_runner(runner, args.config, args.allow_partial)  # --resume / load_from must fit
        try:
            check_training_batches(cfg)
        except ValueError as e:
            raise SystemExit(f'{args.config}: {e}')
        try:
            runner.train()
        except NonFiniteTrainingError as e:  # one message, exit 1, no NaN checkpoint
            raise SystemExit(f'error: {args.config}: {e}') from None


if __name__ == '__main__':
    try:
        main()
    finally:
        end_distributed()
