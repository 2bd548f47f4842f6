"""A grid PNG of the rendered views of a config's data, straight from its pipeline.

    python tools/visualize_views.py CONFIG [--num 8] [--split train|val|test]
        [--augment] [--out FILE.png] [--seed S] [--cfg-options KEY=VALUE ...]

Rows: samples (class, subject, intensity), spread over the classes; columns:
the views, named from the renderer's yaws (left / front / right). For a 4D
config the views are the per-view dynamic images of each sequence. --augment
adds the model's training augmentations: two augmented versions (A, B) next
to each clean view, drawn as in training. Default output:
work_dirs/<config name>/views_<split>[_augment].png.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction

from smilezoo.apis.readiness import explain_missing_data
from smilezoo.utils import register_all_modules
from smilezoo.utils.config_check import explain_config_errors, exit_on_config_error, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Grid of the rendered views of a config')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--num', type=int, default=8, help='number of samples (rows)')
    parser.add_argument('--split', choices=['train', 'val', 'test'], default='train',
                        help='which dataloader\'s dataset to show')
    parser.add_argument('--augment', action='store_true',
                        help='show two training augmentations (A, B) of each view')
    parser.add_argument('--out', help='PNG path (default work_dirs/<config>/views_<split>.png)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the sample choice and of the augmentations')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.num < 1:
        raise SystemExit('--num must be at least 1')
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    from smilezoo.visualization.view_grid import (build_augment, default_title,
                                                  draw_view_grid, load_view_samples,
                                                  split_dataset_cfg)
    with exit_on_config_error():  # missing file, unknown key, type or argument: exit 2
        cfg = load_config(args.config, args.cfg_options)
    try:
        ann = split_dataset_cfg(cfg, args.split).get('ann_file')
    except (KeyError, ValueError) as e:
        raise SystemExit(f'{args.config}: {e}')
    if ann and not osp.isfile(ann):
        raise SystemExit(explain_missing_data(cfg, args.config)
                         or f'{args.config}: {ann} does not exist')
    name = osp.splitext(osp.basename(args.config))[0]
    out = args.out or osp.join(cfg.get('work_dir') or osp.join('work_dirs', name),
                               f'views_{args.split}{"_augment" if args.augment else ""}.png')
    with exit_on_config_error(), explain_config_errors(cfg):
        try:
            samples = load_view_samples(cfg, args.split, args.num, args.seed)
        except ValueError as e:
            raise SystemExit(f'{args.config}: {e}')
        augment = build_augment(cfg) if args.augment else None
    reuse = bool((cfg.get('model') or {}).get('reuse_aug_as_clean', False))
    title = default_title(args.config, args.split, samples, args.augment, reuse)
    draw_view_grid(samples, out, title=title, augment=augment, seed=args.seed)
    print(f'{len(samples["labels"])} samples x {samples["views"].shape[1]} views '
          f'written to {out}')


if __name__ == '__main__':
    main()
