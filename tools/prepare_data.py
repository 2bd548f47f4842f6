"""Render each scan's views once into a cache: python tools/prepare_data.py CONFIG [--workers N].

Reads ``data_preparation = dict(source=..., renderer=..., out_dir=...)`` from the
config, writes OUT_DIR/annotations.json (read by the training datasets),
OUT_DIR/views/*.npy and OUT_DIR/prepare_report.json listing skipped files.
Cached entries are reused only while they are what this run would write
(smilezoo.datasets.cache_manifest); the summary says how many were rendered,
reused, and why the others were not reused. For 4D sources it also sums up the
frame problems. Exit status: 0 when something was converted, 1 when nothing
was or a worker process died (the message names its scan), 2 for a missing
data_root, 130 on Ctrl-C (what is cached is kept; rerun to continue).
"""
import argparse
import os
import re
import sys
from collections import Counter

from mmengine.config import DictAction
from rich.console import Console
from rich.table import Table

from smilezoo.datasets.view_cache import PrepareError, PrepareInterrupted, prepare_view_cache
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
    except PrepareInterrupted as e:
        console.print(str(e), markup=False, highlight=False, soft_wrap=True)
        sys.exit(130)
    except PrepareError as e:
        console.print(f'[red]error:[/red] {e}', highlight=False, soft_wrap=True)
        sys.exit(1)
    console.print(f"{report['converted']} of {report['found']} scans cached in "
                  f"{report['out_dir']} ({report['rendered']} rendered, {report['reused']} "
                  f"reused) in {report['seconds']} s; report: "
                  f"{report['out_dir']}/prepare_report.json")
    if set(report.get('render_reasons', {})) - {'new'}:
        console.print(render_reasons_line(report), markup=False, highlight=False, soft_wrap=True)
    if report.get('frame_problems'):
        console.print(frame_problems_line(report), markup=False, highlight=False, soft_wrap=True)
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


def render_reasons_line(report) -> str:
    """Why the cached entries that were not reused were rendered again:
    'not reused: 2 views damaged (e.g. F0001/x.wrl: ...), 1 source changed';
    new scans are only counted."""
    examples = {}
    for r in report.get('rerendered', []):
        examples.setdefault(r['reason'], f"{r['source_path']}: {r['detail']}".rstrip(': '))
    reasons = report['render_reasons']
    parts = [f'{n} {reason}' + (f' (e.g. {examples[reason]})' if reason in examples else '')
             for reason, n in reasons.items() if reason != 'new']
    new = f", {reasons['new']} new" if 'new' in reasons else ''
    return (f"rendered again, not reused: {', '.join(parts)}{new} (every one: "
            f"{report['out_dir']}/prepare_report.json, rerendered)")


def problem_kind(problem) -> str:
    """A frame problem's reason without its exception type, path and numbers."""
    reason = problem['reason']
    if reason.startswith('missing'):
        return 'missing (gap in the frame numbering)'
    reason = re.sub(r'^[A-Za-z_]\w*: ', '', reason)
    reason = re.sub(r'\S*' + re.escape(problem['frame']) + r':?\s*', '', reason)
    return re.sub(r'\d+', 'N', reason.split(': ')[0]).strip() or 'unreadable'


def frame_problems_line(report) -> str:
    """4D: sequences with frame problems, frames dropped, the commonest reasons."""
    problems = report['frame_problems']
    missing = sum(p['reason'].startswith('missing') for p in problems)
    kinds = Counter(problem_kind(p) for p in problems).most_common(3)
    affected = len({p['source_path'] for p in problems})
    return (f"frame problems in {affected} of {report['converted']} converted sequence(s): "
            f'{len(problems) - missing} unreadable frame(s) dropped, {missing} missing; '
            f"most common: {', '.join(f'{k} ({n})' for k, n in kinds)}; every frame: "
            f"{report['out_dir']}/prepare_report.json (frame_problems)")


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:  # before the rendering started
        print('interrupted before any scan was rendered; rerun to continue', file=sys.stderr)
        sys.exit(130)
