"""Build the model index (model-index.yml and the tables of docs/model_zoo.md)
from the configs and a results file, so the index cannot drift from them.

    python tools/analysis_tools/model_index.py                 # rewrite both
    python tools/analysis_tools/model_index.py --check         # exit 1 if stale
    python tools/analysis_tools/model_index.py --collect work_dirs/zoo_bench
        # fold the runs of tools/analysis_tools/bench_synthetic_cpu.sh (one
        # view_drop.json per run and seed) into the results file, then rewrite

Every config under configs/ except configs/_base_/ gets one entry: algorithm,
backbone, text encoder, fusion, prompt selection, view dropout, data set,
views, and the results recorded for it in docs/model_zoo_results.json (each
with its setting, machine, seeds and command; synthetic ones say so).
"""
import argparse
import glob
import json
import os
import os.path as osp
import re
import sys
from collections import defaultdict

import numpy as np
import yaml
from mmengine.config import Config

from smilezoo.utils.atomic_io import write_text_atomic

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INDEX = 'model-index.yml'
RESULTS = 'docs/model_zoo_results.json'
ZOO_DOC = 'docs/model_zoo.md'
PREDICTION_NAMES = {'zero_shot': 'Zero-shot', 'classifier': 'Classifier'}
MARKERS = {'configs': ('<!-- model-index:configs:start -->', '<!-- model-index:configs:end -->'),
           'results': ('<!-- model-index:results:start -->', '<!-- model-index:results:end -->')}


def list_configs(root: str = ROOT):
    """configs/**/*.py except configs/_base_/, relative to the repo root, sorted."""
    found = glob.glob(osp.join(root, 'configs', '**', '*.py'), recursive=True)
    rel = (osp.relpath(p, root) for p in found)
    return sorted(p for p in rel if not p.startswith(osp.join('configs', '_base_')))


def _backbone(m) -> str:
    b = m.get('backbone') or {}
    name = str(b.get('model_name', '?'))
    if 'model_name' not in b and b.get('type'):  # a point backbone: its type and sizes
        sizes = ', '.join(f'{k} {b[k]}' for k in ('out_dim', 'k') if k in b)
        return f'{b["type"]} ({sizes + ", " if sizes else ""}random init)'
    if b.get('type') == 'TimmBackbone':
        name = f'timm/{name}'
    elif b.get('type') == 'OpenCLIPVisionBackbone':
        name = f'open_clip/{name}'
    elif '/' not in name:
        name = f'timm/{name}'
    weights = b.get('pretrained')
    return f'{name} ({weights if weights else "random init"})'


def _text_encoder(m) -> str:
    t = m.get('text_encoder')
    if not t:
        return '-'
    if t.get('type') == 'OpenCLIPTextEncoder':
        return f'open_clip/{t.get("model_name")} ({t.get("pretrained")}, frozen)'
    if t.get('type') == 'SentenceTransformerTextEncoder':
        return f'sentence-transformers {t.get("model")} (frozen)'
    return str(t.get('type'))


def _dataset(cfg) -> str:
    prep = cfg.get('data_preparation') or {}
    src = prep.get('source') or {}
    test = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    split = test.get('subject_split') or {}
    parts = [f'{src.get("type", "?")} at {src.get("data_root", "?")}']
    if split.get('num_folds'):
        parts.append(f'subject-independent, test fold {split.get("fold", 0)} of '
                     f'{split["num_folds"]}')
    if test.get('intensities'):
        parts.append(f'test intensities {list(test["intensities"])}')
    return ', '.join(parts)


def describe(path: str, root: str = ROOT) -> dict:
    """One config -> its index entry (without results)."""
    cwd = os.getcwd()
    os.chdir(root)  # custom_imports in a config name modules relative to the repo root
    sys.path.insert(0, root)
    try:
        cfg = Config.fromfile(path)
    finally:
        sys.path.remove(root)
        os.chdir(cwd)
    m = cfg.get('model') or {}
    renderer = (cfg.get('data_preparation') or {}).get('renderer') or {}
    yaws = renderer.get('yaws')
    return {
        'Name': osp.splitext(path[len('configs/'):])[0],
        'Config': path,
        'Algorithm': m.get('type'),
        'Backbone': _backbone(m),
        'Text encoder': _text_encoder(m),
        'Fusion': (m.get('fusion') or {}).get('type'),
        'Losses': sorted(k for k, v in (m.get('losses') or {}).items() if v) or '-',
        'Prompt selection': m.get('prompt_selection', 'label') if m.get('type') == 'SmileVLM'
        else '-',
        'View dropout': float(m.get('view_dropout', 0.0)),
        'Dataset': _dataset(cfg),
        'Views': ('-' if not yaws else
                  f'{len(yaws)} x {renderer["num_points"]} points, yaw '
                  f'{"/".join(map(str, yaws))}, xyz+normal' if 'num_points' in renderer else
                  f'{len(yaws)} x {renderer.get("image_size")} px, yaw '
                  f'{"/".join(map(str, yaws))}, {"+".join(renderer.get("modes", []))}'),
        'Epochs': (cfg.get('train_cfg') or {}).get('max_epochs'),
    }


def load_results(root: str = ROOT) -> list:
    path = osp.join(root, RESULTS)
    return json.load(open(path)) if osp.isfile(path) else []


def build_index(root: str = ROOT) -> dict:
    results = defaultdict(list)
    for r in load_results(root):
        results[r['config']].append(r)
    models = []
    for path in list_configs(root):
        entry = describe(path, root)
        entry['Results'] = results.get(path, [])
        models.append(entry)
    unknown = sorted(set(results) - {m['Config'] for m in models})
    if unknown:
        raise SystemExit(f'{RESULTS} has results for configs that do not exist: {unknown}')
    return {'Models': models}


def fmt(stat) -> str:
    """{'mean': m, 'std': s, 'n': n} -> 'm ± s' (one decimal)."""
    if stat is None:
        return '-'
    if stat.get('n', 1) > 1:
        return f'{stat["mean"]:.1f} ± {stat["std"]:.1f}'
    return f'{stat["mean"]:.1f}'


def tables(index: dict) -> dict:
    """Markdown for the two generated sections of docs/model_zoo.md."""
    rows = ['| config | backbone | text encoder | fusion | prompts | view dropout | '
            'data | views | measured |', '|' + '---|' * 9]
    for m in index['Models']:
        rows.append(f'| `{m["Config"]}` | {m["Backbone"]} | {m["Text encoder"]} | '
                    f'{m["Fusion"]} | {m["Prompt selection"]} | {m["View dropout"]:g} | '
                    f'{m["Dataset"]} | {m["Views"]} | '
                    f'{"below" if m["Results"] else "-"} |')
    res = []
    for m in index['Models']:
        if not m['Results']:
            continue
        first = m['Results'][0]
        keys = sorted((k for k in first['metrics'] if k != 'all'),
                      key=lambda k: (not k.startswith('drop'), k))
        yaws = first.get('view_yaws') or []

        def label(key):
            i = int(key.rsplit('_', 1)[1])
            return key.rsplit('_', 1)[0].replace('_', ' ') + (
                f' {i} ({yaws[i]}°)' if i < len(yaws) else f' {i}')

        res.append(f'**`{m["Config"]}`**: {first["setting"]}; {first["machine"]}; '
                   f'{"synthetic data" if first["synthetic"] else "real data"}. '
                   f'{PREDICTION_NAMES[first.get("prediction", "zero_shot")]} accuracy %, '
                   f'mean ± std over seeds '
                   f'(the cluster accuracy matches predicted to true classes one-to-one).\n')
        res.append('| variant | seeds | all views | ' + ' | '.join(map(label, keys)) +
                   ' | cluster acc., all views | train min/run |')
        res.append('|' + '---|' * (len(keys) + 5))
        for r in m['Results']:
            variant = ' '.join(f'`{o}`' for o in r['cfg_options']) or 'as configured'
            res.append(f'| {variant} | {",".join(map(str, r["seeds"]))} | '
                       f'{fmt(r["metrics"]["all"])} | ' +
                       ' | '.join(fmt(r['metrics'].get(k)) for k in keys) +
                       f' | {fmt(r.get("cluster_all"))} | {r["train_minutes"]:.1f} |')
        res.append('')
    return {'configs': '\n'.join(rows), 'results': '\n'.join(res).rstrip()}


def render_doc(text: str, sections: dict) -> str:
    for key, (start, end) in MARKERS.items():
        pattern = re.compile(re.escape(start) + '.*?' + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f'{ZOO_DOC}: markers {start} ... {end} are missing')
        block = f'{start}\n{sections[key]}\n{end}'
        text = pattern.sub(lambda _, block=block: block, text)
    return text


def index_yaml(index: dict) -> str:
    return ('# Generated by tools/analysis_tools/model_index.py from configs/ and '
            f'{RESULTS}; do not edit.\n' + yaml.safe_dump(index, sort_keys=False,
                                                          allow_unicode=True, width=100))


def prediction_of(config_path: str) -> str:
    """'zero_shot' or 'classifier': what the config's test evaluator scores."""
    evaluator = Config.fromfile(config_path).get('test_evaluator') or {}
    return evaluator.get('method', 'zero_shot') if isinstance(evaluator, dict) else 'zero_shot'


BENCH_COMMAND = ('bash tools/analysis_tools/bench_synthetic_cpu.sh && '
                 'python tools/analysis_tools/model_index.py --collect work_dirs/zoo_bench')


def collect(bench_dir: str, root: str = ROOT, command: str = BENCH_COMMAND) -> list:
    """Fold <bench_dir>/<run>_s<seed>/view_drop.json into results entries
    (mean and std over seeds of every view mask); ``command``: how the runs
    were made (recorded with each entry)."""
    groups = defaultdict(list)
    for path in sorted(glob.glob(osp.join(bench_dir, '*', 'view_drop.json'))):
        run = json.load(open(path))
        opts = [o for o in run['cfg_options'] if not o.startswith('randomness.seed=')]
        seed = next((int(o.split('=')[1]) for o in run['cfg_options']
                     if o.startswith('randomness.seed=')), 0)
        groups[(run['config'], tuple(opts))].append((seed, run))
    out = []
    for (config, opts), runs in groups.items():
        runs.sort(key=lambda x: x[0])
        first = runs[0][1]
        masks = [k for k in first if k == 'all' or k.startswith(('drop_view', 'only_view'))]

        def stat(values):
            v = np.array(values, dtype=float)
            return dict(mean=float(v.mean()), std=float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                        n=len(v), values=[round(float(x), 2) for x in v])

        metrics = {k: stat([r[k]['acc'] for _, r in runs]) for k in masks}
        entry = dict(
            config=config, cfg_options=list(opts), seeds=[s for s, _ in runs],
            metrics=metrics, cluster_all=stat([r['all']['cluster_acc'] for _, r in runs]),
            num_test_samples=first['num_samples'], view_yaws=first.get('view_yaws'),
            machine=first['machine'] + ', shared with other jobs',
            prediction=prediction_of(osp.join(root, config)),
            train_minutes=float(np.mean([r['train_seconds'] or 0 for _, r in runs]) / 60),
            synthetic=True,
            setting=(f'{first["num_samples"]} held-out test scans, views at yaw '
                     f'{first.get("view_yaws")} (view i = the i-th)'),
            command=command)
        out.append(entry)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='exit 1 if the index is stale')
    parser.add_argument('--collect', help='bench output folder to fold into the results')
    parser.add_argument('--command', default=BENCH_COMMAND,
                        help='with --collect: the commands that made the runs (recorded)')
    args = parser.parse_args()
    if args.collect:
        new = collect(args.collect, command=args.command)
        keep = [r for r in load_results() if (r['config'], tuple(r['cfg_options'])) not in
                {(n['config'], tuple(n['cfg_options'])) for n in new}]
        write_text_atomic(osp.join(ROOT, RESULTS), json.dumps(keep + new, indent=1) + '\n')
        print(f'{len(new)} result entries from {args.collect} -> {RESULTS}')
    index = build_index()
    text_yaml = index_yaml(index)
    doc_path = osp.join(ROOT, ZOO_DOC)
    doc = open(doc_path).read()
    new_doc = render_doc(doc, tables(index))
    index_path = osp.join(ROOT, INDEX)
    old_yaml = open(index_path).read() if osp.isfile(index_path) else ''
    if args.check:
        stale = [p for p, old, new in ((INDEX, old_yaml, text_yaml), (ZOO_DOC, doc, new_doc))
                 if old != new]
        if stale:
            raise SystemExit(f'stale: {stale}; run python tools/analysis_tools/model_index.py')
        print(f'{INDEX} and {ZOO_DOC} are up to date ({len(index["Models"])} configs)')
        return
    write_text_atomic(index_path, text_yaml)
    write_text_atomic(doc_path, new_doc)
    print(f'{len(index["Models"])} configs -> {INDEX}, {ZOO_DOC}')


if __name__ == '__main__':
    main()
