"""Render each scan's views once into a cache: python tools/prepare_data.py CONFIG [--workers N].

Reads ``data_preparation = dict(source=..., renderer=..., out_dir=...)`` from the
config, writes OUT_DIR/annotations.json (read by the training datasets),
OUT_DIR/views/*.npy and OUT_DIR/prepare_report.json listing skipped files.
Exits non-zero only if nothing was converted.
"""
import argparse
import os
import sys

from mmengine.config import DictAction
from rich.console import Console
from rich.table import Table

from smilezoo.datasets.view_cache import prepare_view_cache
from smilezoo.utils.config_check import explain_config_errors, exit_on_config_error, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Render and cache the views of a data set')
    parser.add_argument('config')
    parser.add_argument('--workers', type=int, default=1, help='rendering processes')
    parser.add_argument('--force', action='store_true', help='re-render cached views')
    parser.add_argument('--limit', type=int, help='only the first N scans (for a quick look)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, as in train.py')
    return parser.parse_args()


def main():
    args = parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    with exit_on_config_error():  # missing file, unknown key, type or argument: exit 2
        cfg = load_config(args.config, args.cfg_options, check=('data_preparation',))
    prep = cfg.get('data_preparation')
    if not prep:
        sys.exit(f'{args.config}: no data_preparation = dict(source=..., renderer=..., '
                 f'out_dir=...) in the config')
    for key in ('source', 'renderer', 'out_dir'):
        if key not in prep:
            sys.exit(f'{args.config}: data_preparation.{key} is missing')
    console = Console(stderr=True)
    try:
        with exit_on_config_error(), explain_config_errors(cfg):
            report = prepare_view_cache(prep['source'].to_dict(), prep['renderer'].to_dict(),
                                        prep['out_dir'], workers=args.workers,
                                        force=args.force, limit=args.limit)
    except FileNotFoundError as e:
        console.print(f'[red]error:[/red] {e}')
        sys.exit(2)
    console.print(f"{report['converted']} of {report['found']} scans cached in "
                  f"{report['out_dir']} ({report['rendered']} rendered, {report['reused']} "
                  f"reused) in {report['seconds']} s; report: "
                  f"{report['out_dir']}/prepare_report.json")
    if report.get('selection'):
        console.print(report['selection']['summary'], markup=False)
    if report['skipped']:
        table = Table(title=f"{len(report['skipped'])} file(s) skipped")
        table.add_column('file')
        table.add_column('reason')
        for s in report['skipped'][:50]:
            table.add_row(s['source_path'], s['reason'])
        console.print(table)
    if report['converted'] == 0:
        console.print('[red]nothing was converted[/red]')
        sys.exit(1)


if __name__ == '__main__':
    main()
