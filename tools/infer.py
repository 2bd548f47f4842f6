"""Predict the expression of raw face scans or 4D sequences with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] [--out DIR] [--save-vis]
        [--prompts "a nervous face" "a bored face"] [--topk K] [--device cpu]

INPUT is a scan file (.wrl BU-3DFE/BU-4DFE VRML, .obj BP4D/4DME frame, .ply mesh or
point cloud, .bnt Bosphorus range scan), a sequence folder (the frames of one 4D
sequence), or a folder of such inputs. What a folder is depends on the config:

* 3D config (data_preparation.source reads single scans): every scan file below the
  folder is one input (textures, landmarks and other files are ignored);
* 4D config (a sequence source, e.g. BU4DFESequences, BP4DSequences): a folder that
  holds frame files is one sequence; a folder of sub-folders gives one sequence per
  sub-folder holding frames (e.g. a whole BU-4DFE tree F001/Angry/000.wrl ...).

Every input is rendered with the config's data_preparation.renderer (sequences: its
source's frame sampling, normalisation and approximate-rank-pooling dynamic images,
exactly as tools/prepare_data.py), then goes through the config's test pipeline,
collate function and data preprocessor: the model sees what it saw in tools/test.py.

Output: a table per input (top-k classes with their probabilities, each view's
fusion weight and the class that view alone predicts), and DIR/predictions.json
(default DIR: work_dirs/infer/<config name>) holding per input: path, kind
(scan/sequence), predicted_class, probabilities per class, top_k, view_weights and
view_predictions per view name (left/front/right for yaws -30/0/+30), with
--prompts the cosine score and probability (softmax over the prompts, the zero-shot
head's scale) of each free-text prompt, and under "errors" every input that could
not be predicted with a one-line reason. --save-vis writes DIR/vis/<input>.png: the
views (or dynamic images) with their weights and the top-k bar chart.

Exit status: 0 when at least one input was predicted, 1 when none was, 2 for a
usage error (missing config, checkpoint or INPUT, bad option).

Examples::

    # one scan and a folder of scans (any of .wrl .obj .ply .bnt), pictures too
    python tools/infer.py configs/smile_vlm_synthetic.py \\
        work_dirs/smile_vlm_synthetic/epoch_15.pth \\
        data/synthetic_bu3dfe/F0001/F0001_HA04LA_F3D.wrl data/synthetic_bu3dfe/M0002 \\
        --out work_dirs/infer_demo --save-vis --topk 3

    # free-text prompts scored like the class prompts
    python tools/infer.py configs/smile_vlm_synthetic.py EPOCH.pth scan.ply \\
        --prompts "a nervous face" "a bored face"

    # 4D: one sequence folder, or a whole tree of sequences
    python tools/infer.py configs/benchmarks/synthetic_4d_cpu/smile_vlm_bu4dfe.py EPOCH.pth \\
        data/synthetic_bu4dfe/F001/Happy data/synthetic_bu4dfe
"""
import argparse
import os
import os.path as osp
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict facial expressions of raw scans / 4D sequences',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='INPUT: .wrl .obj .ply .bnt file, sequence folder, or folder of those')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', metavar='INPUT', help='scan, sequence folder, '
                        'or folder of inputs')
    parser.add_argument('--out', help='output folder (default work_dirs/infer/<config name>)')
    parser.add_argument('--save-vis', action='store_true',
                        help='write one PNG per input under OUT/vis/')
    parser.add_argument('--prompts', nargs='+', metavar='TEXT',
                        help='free-text prompts to score, e.g. "a nervous face"')
    parser.add_argument('--topk', type=int, default=5, help='classes listed per input')
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda', 'cuda:1', ...")
    parser.add_argument('--batch-size', type=int, help='inputs per model call')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    parser.add_argument('--cfg-options', nargs='+', action=_dict_action(),
                        help='override config keys, as in train.py')
    from smilezoo.engine.checkpoint_loading import add_checkpoint_args
    add_checkpoint_args(parser)
    args = parser.parse_args(argv)
    for what, path in (('config', args.config), ('checkpoint', args.checkpoint)):
        if not osp.isfile(path):
            parser.error(f'{what} not found: {path}')
    missing = [p for p in args.inputs if not osp.exists(p)]
    if missing:
        parser.error('input not found: ' + ', '.join(missing))
    if args.topk < 1:
        parser.error(f'--topk must be >= 1, got {args.topk}')
    if args.batch_size is not None and args.batch_size < 1:
        parser.error(f'--batch-size must be >= 1, got {args.batch_size}')
    if args.prompts is not None and not all(p.strip() for p in args.prompts):
        parser.error('--prompts: empty prompt')
    if args.device.startswith('cuda'):
        import torch
        if not torch.cuda.is_available():
            parser.error(f'--device {args.device}: CUDA is not available here; use --device cpu')
    args.usage_error = parser.error
    return args


def _dict_action():
    from mmengine.config import DictAction
    return DictAction


class VisNames:
    """Unique PNG names from input paths: the path relative to the inputs'
    common folder, '/' -> '__'."""

    def __init__(self, items):
        paths = [osp.abspath(i.path) for i in items] or ['.']
        common = osp.commonpath(paths)
        self.base = osp.dirname(common) if len(set(paths)) == 1 or common in paths else common
        self.used = set()

    def __call__(self, path: str) -> str:
        rel = osp.relpath(osp.abspath(path), self.base).replace(os.sep, '__')
        rel = ''.join(c if c.isalnum() or c in '._-' else '_' for c in rel).lstrip('.') or 'input'
        name, k = f'{rel}.png', 1
        while name in self.used:
            k += 1
            name = f'{rel}_{k}.png'
        self.used.add(name)
        return name


def result_table(res: dict, view_names):
    from rich.table import Table
    table = Table()
    for col, just in (('#', 'right'), ('class', 'left'), ('probability', 'right'),
                      ('view', 'left'), ('weight', 'right'), ('view alone', 'left')):
        table.add_column(col, justify=just)
    top = res['top_k']
    views = list(res['view_weights'])
    best = max(views, key=res['view_weights'].get) if views else None
    for k in range(max(len(top), len(views))):
        row = [str(k + 1), top[k]['class'], f"{top[k]['probability']:.4f}"] if k < len(top) \
            else ['', '', '']
        if k < len(views):
            v = views[k]
            w = f"{res['view_weights'][v]:.4f}"
            row += [f'[bold]{v}[/bold]' if v == best else v, w, res['view_predictions'][v]]
        else:
            row += ['', '', '']
        table.add_row(*row)
    return table


def prompt_table(res: dict):
    from rich.table import Table
    table = Table()
    table.add_column('prompt')
    table.add_column('score (cosine)', justify='right')
    table.add_column('probability', justify='right')
    for text, s in sorted(res['prompts'].items(), key=lambda kv: -kv[1]['probability']):
        table.add_row(text, f"{s['score']:.4f}", f"{s['probability']:.4f}")
    return table


def main(argv=None):
    args = parse_args(argv)
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    from rich.console import Console
    from rich.table import Table

    from smilezoo.apis import ExpressionInferencer, collect_inputs
    from smilezoo.utils.atomic_io import write_json_atomic
    from smilezoo.utils.config_check import explain_config_errors, load_config
    out_console = Console()
    if not out_console.is_terminal:
        out_console = Console(width=max(out_console.width, 200))
    err_console = Console(stderr=True)
    try:  # a ConfigError (unknown key, type or argument) is a ValueError
        cfg = load_config(args.config, args.cfg_options)
        with explain_config_errors(cfg):
            infer = ExpressionInferencer(cfg, args.checkpoint, device=args.device,
                                         batch_size=args.batch_size,
                                         allow_partial=args.allow_partial,
                                         unsafe_load=args.unsafe_load)
    except (ValueError, KeyError, FileNotFoundError, ImportError) as e:
        from rich.markup import escape
        err_console.print(f'[red]error:[/red] {escape(str(e))}')
        sys.exit(2)
    if args.prompts and getattr(infer.model, 'prompt_bank', None) is None:
        args.usage_error(f'--prompts needs a vision-language model with a text encoder (e.g. '
                         f'SmileVLM); the model of {args.config} is '
                         f'{type(infer.model).__name__}')
    if args.save_vis and getattr(infer.renderer, 'view_kind', 'image') == 'points':
        args.usage_error(f'--save-vis draws rendered images; {args.config} renders point views '
                         f'(data_preparation.renderer.type PointViewRenderer): drop --save-vis')
    if infer.partial_warning:
        err_console.print(f'[yellow]warning:[/yellow] {infer.partial_warning}')
    out_dir = args.out or osp.join('work_dirs', 'infer',
                                   osp.splitext(osp.basename(args.config))[0])
    items = collect_inputs(args.inputs, infer.sequences)
    vis_name = VisNames(items)
    vis_dir = osp.join(out_dir, 'vis')

    def on_result(res, views):
        if args.save_vis and views is not None:
            from smilezoo.visualization.prediction_card import save_prediction_card
            res['vis'] = save_prediction_card(osp.join(vis_dir, vis_name(res['path'])), views,
                                              res, infer.view_names)

    results = infer(items, prompts=args.prompts, topk=min(args.topk, len(infer.class_names)
                                                          or args.topk),
                    progress=not args.no_progress, on_result=on_result)
    predictions = [r for r in results if 'error' not in r]
    errors = [r for r in results if 'error' in r]
    for res in predictions:
        out_console.print(f"[bold]{res['path']}[/bold] ({res['kind']}): "
                          f"[bold green]{res['predicted_class']}[/bold green]", soft_wrap=True)
        out_console.print(result_table(res, infer.view_names))
        if res.get('prompts'):
            out_console.print(prompt_table(res))
        for p in res.get('frame_problems') or []:
            out_console.print(f"  [yellow]frame skipped:[/yellow] {p['frame']}: {p['reason']}")
    if errors:
        table = Table(title=f'{len(errors)} input(s) could not be predicted',
                      title_justify='left', title_style='bold red')
        table.add_column('input', overflow='fold')
        table.add_column('error', overflow='fold')
        for r in errors:
            msg = r['error']
            short = msg[len(r['path']) + 2:] if msg.startswith(f"{r['path']}: ") else msg
            table.add_row(r['path'], short)
        out_console.print(table)
    report = dict(config=args.config, checkpoint=args.checkpoint, device=args.device,
                  kind='sequence' if infer.sequences else 'scan',
                  class_names=infer.class_names, view_names=infer.view_names,
                  prompts=list(dict.fromkeys(args.prompts)) if args.prompts else None,
                  num_inputs=len(results), num_predicted=len(predictions),
                  num_errors=len(errors), predictions=predictions,
                  errors=[dict(path=r['path'], kind=r['kind'], error=r['error'])
                          for r in errors])
    json_path = osp.join(out_dir, 'predictions.json')
    write_json_atomic(json_path, report, indent=2)
    out_console.print(f'{len(predictions)} of {len(results)} input(s) predicted'
                      f'{f", {len(errors)} failed" if errors else ""}; '
                      f'predictions: {json_path}'
                      f'{f"; pictures: {vis_dir}" if args.save_vis and predictions else ""}',
                      soft_wrap=True)
    if not predictions:
        sys.exit(1)


if __name__ == '__main__':
    main()
