"""Curves and final / best values of one or more training runs, from mmengine's
scalar logs (WORK_DIR/<timestamp>/vis_data/scalars.json).

    python tools/analysis_tools/analyze_logs.py plot WORK_DIR [WORK_DIR ...] \\
        --keys loss acc/zero_shot [--out FILE.png] [--legend NAME ...] [--x epoch|iter]
    python tools/analysis_tools/analyze_logs.py summary WORK_DIR [WORK_DIR ...] [--keys ...]

By default the latest timestamp folder of each work dir is read;
--all-timestamps merges all of them in time order (a resumed run writes a new
one). A WORK_DIR may also be a timestamp folder or a scalars.json file.
"""
import argparse
import os.path as osp

from rich.console import Console
from rich.table import Table

from smilezoo.visualization.log_curves import (LogError, format_at, format_value, load_run,
                                               plot_curves, summary_rows)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Analyse mmengine scalar logs')
    sub = parser.add_subparsers(dest='command', required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('work_dirs', nargs='+', help='work dirs (or timestamp folders)')
    common.add_argument('--all-timestamps', action='store_true',
                        help='merge every timestamp folder of a work dir (resumed runs)')
    common.add_argument('--legend', nargs='+', help='one name per work dir')
    common.add_argument('--x', choices=['epoch', 'iter'], default='epoch',
                        help='x axis: epochs (iterations converted) or iterations')
    plot = sub.add_parser('plot', parents=[common], help='curves of several runs, one '
                          'subplot per key')
    plot.add_argument('--keys', nargs='+', default=['loss'], help='logged keys to plot')
    plot.add_argument('--out', help='PNG path (default <first work dir>/log_curves.png)')
    plot.add_argument('--title', help='figure title')
    summary = sub.add_parser('summary', parents=[common],
                             help='table of final and best values')
    summary.add_argument('--keys', nargs='+',
                         help='keys (default: the losses, acc/* and f1/macro)')
    return parser.parse_args(argv)


def load_runs(args):
    if args.legend is not None and len(args.legend) != len(args.work_dirs):
        raise LogError(f'--legend has {len(args.legend)} names for '
                       f'{len(args.work_dirs)} work dirs')
    names = args.legend or [None] * len(args.work_dirs)
    runs = [load_run(w, args.all_timestamps, name=n) for w, n in zip(args.work_dirs, names)]
    seen = {}
    for run in runs:  # two work dirs of one basename: tell them apart
        if run.name in seen and args.legend is None:
            run.name = osp.normpath(run.work_dir)
        seen[run.name] = run
    return runs


def print_summary(runs, keys, x: str, console: Console) -> None:
    rows = summary_rows(runs, keys, x)
    unit = 'iteration' if x == 'iter' or not all(r.by_epoch for r in runs) else 'epoch'
    table = Table(title='final and best logged values', show_lines=False)
    for col, justify in (('run', 'left'), ('key', 'left'), ('mode', 'left'),
                         ('final', 'right'), (f'final at {unit}', 'right'),
                         ('best', 'right'), (f'best at {unit}', 'right'),
                         ('points', 'right')):
        table.add_column(col, justify=justify, no_wrap=True)
    for r in rows:
        best = format_value(r['best'])
        if r['direction']:
            best += f' ({r["direction"]})'
        table.add_row(r['run'], r['key'], r['mode'], format_value(r['final']),
                      format_at(r['final_at']), best, format_at(r['best_at']),
                      str(r['points']))
    console.print(table)
    for run in runs:
        ipe = f'{run.iters_per_epoch} iterations per epoch' if run.iters_per_epoch else \
            'iterations per epoch unknown'
        console.print(f'{run.name}: {", ".join(run.files)} ({ipe})', soft_wrap=True)


def main(argv=None):
    args = parse_args(argv)
    out_console = Console()
    if not out_console.is_terminal:
        out_console = Console(width=200)
    try:
        runs = load_runs(args)
        if args.command == 'plot':
            out = args.out or osp.join(runs[0].work_dir if osp.isdir(runs[0].work_dir)
                                       else '.', 'log_curves.png')
            plot_curves(runs, args.keys, out, x=args.x, legend=args.legend, title=args.title)
            print(f'{len(args.keys)} key(s) of {len(runs)} run(s) plotted to {out}')
        else:
            print_summary(runs, args.keys, args.x, out_console)
    except LogError as e:
        raise SystemExit(f'error: {e}')


if __name__ == '__main__':
    main()
