"""A config checked before anything is built: its file, the ``--cfg-options`` keys (the rule:
docs/configs.md, "Which keys are accepted"; ``+K=V`` adds ``K`` unchecked) and the arguments of
every module dict (``type=...``): its keys must be arguments of its class (``accepted_arguments``);
for a class taking ``**kwargs``, ``explain_config_errors`` turns the ``TypeError`` raised while
building into the same one-line message.
"""
import difflib
import glob
import inspect
import os.path as osp
import re
import sys
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from .registry_hints import UnknownTypeError, explain_unknown_types, unknown_type_message


class ConfigError(ValueError):
    """A user's config or ``--cfg-options`` is wrong; the message says how."""


# keys smilezoo's tools and mmengine's Runner read from the top level of a config
# besides Runner.__init__'s arguments
TOP_LEVEL_KEYS = ('model_wrapper_cfg', 'sync_bn', 'find_unused_parameters',
                  'activation_checkpointing', 'efficient_conv_bn_eval', 'compile', 'custom_imports',
                  'data_preparation', 'cv_evaluations', 'cpu_variant', 'prepared_by')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
# keys a builder takes off a module dict before calling its class
POPPED = {'optim_wrapper': ('constructor', 'paramwise_cfg'),
          'param_scheduler': ('convert_to_iter_based',), 'train_cfg': ('by_epoch',)}
# arguments the builder passes itself (not config keys)
INJECTED = {'train_cfg': ('runner', 'dataloader'), 'val_cfg': ('runner', 'dataloader', 'evaluator'),
            'test_cfg': ('runner', 'dataloader', 'evaluator'), 'param_scheduler': ('optimizer',)}
# where a ``type`` is looked up: the registries (names in smilezoo.registry) of
# the config's top-level key, unless a later part of the path names others
TOP_CONTEXT = {'model': ('MODELS',), 'data_preparation': (),
               'val_evaluator': ('METRICS', 'EVALUATOR'),
               'test_evaluator': ('METRICS', 'EVALUATOR'),
               'default_hooks': ('HOOKS',), 'custom_hooks': ('HOOKS',),
               'optim_wrapper': ('OPTIM_WRAPPERS',), 'param_scheduler': ('PARAM_SCHEDULERS',),
               'train_cfg': ('LOOPS',), 'val_cfg': ('LOOPS',), 'test_cfg': ('LOOPS',),
               'model_wrapper_cfg': ('MODEL_WRAPPERS',), 'data_preprocessor': ('MODELS',),
               'dataset': ('DATASETS',), 'pipeline': ('TRANSFORMS',)}
INNER_CONTEXT = {'data_preprocessor': ('MODELS',), 'dataset': ('DATASETS',),
                 'datasets': ('DATASETS',), 'source': ('DATASETS',), 'pipeline': ('TRANSFORMS',),
                 'renderer': ('TRANSFORMS',), 'sampler': ('DATA_SAMPLERS',),
                 'batch_sampler': ('DATA_SAMPLERS',), 'collate_fn': ('FUNCTIONS',),
                 'worker_init_fn': ('FUNCTIONS',), 'optimizer': ('OPTIMIZERS',)}
# mmengine-only registries (smilezoo has no child of them)
MMENGINE_CONTEXT = {'visualizer': 'VISUALIZERS', 'vis_backends': 'VISBACKENDS',
                    'log_processor': 'LOG_PROCESSORS'}
_ANY = None  # accepted_arguments() of a callable taking **kwargs


def join(path: Sequence[str]) -> str:
    return '.'.join(map(str, path))


def _nodes(node: Any, path: Tuple = ()) -> Iterator[Tuple[Tuple, Any]]:
    """(path, value) of ``node`` and of everything inside it (dict items and
    list entries, at any depth), each parent before its children."""
    yield path, node
    items = (node.items() if isinstance(node, dict) else
             enumerate(node) if isinstance(node, (list, tuple)) else ())
    for k, v in items:
        yield from _nodes(v, path + (k,))


def flat_keys(node: Any, prefix: str = '') -> List[str]:
    """Every dotted key of a config (inner dicts' and list indices included):
    ``['model', 'model.backbone', 'model.backbone.type', ..., 'param_scheduler.0', ...]``."""
    return [prefix + join(path) for path, _ in _nodes(node)][1:]


def context_registries(path: Sequence[Any]) -> list:
    """The registries a ``type`` of a module dict at ``path`` is looked up in
    (smilezoo's first; [] where the config's structure does not say)."""
    import mmengine.registry as mm_registries

    import smilezoo.registry as registries
    top = str(path[0]) if path else ''
    names: Tuple[str, ...] = TOP_CONTEXT.get(top, ())
    mm_name = MMENGINE_CONTEXT.get(top)
    for part in path[1:]:
        if str(part) in INNER_CONTEXT:
            names, mm_name = INNER_CONTEXT[str(part)], None
        elif str(part) in MMENGINE_CONTEXT:
            names, mm_name = (), MMENGINE_CONTEXT[str(part)]
    regs = [getattr(registries, n) for n in names]
    return regs + ([getattr(mm_registries, mm_name)] if mm_name else [])


def _lookup(path: Sequence[Any], type_: Any) -> Tuple[Optional[Any], bool]:
    """(class or function ``type_`` names at ``path`` or None, whether every
    registry of the context answered that it does not know it)."""
    if not isinstance(type_, str):
        return (type_ if callable(type_) else None), False
    regs, known = context_registries(path), True
    for reg in regs:
        try:
            obj = reg.get(type_)
        except Exception:  # a broken module: said when it is built
            obj, known = None, False
        if obj is not None:
            return obj, False
    return None, bool(regs) and known


def implied_type(path: Sequence[str], node: dict) -> Optional[Any]:
    """The class that takes a dict without ``type`` at ``path``, if mmengine
    fixes one: a dataloader, a loop; None otherwise."""
    if len(path) != 1:
        return None
    if path[0] in LOADERS:
        from torch.utils.data import DataLoader
        return DataLoader
    from mmengine.runner import loops
    if path[0] == 'train_cfg':
        return loops.EpochBasedTrainLoop if node.get('by_epoch', True) else loops.IterBasedTrainLoop
    return dict(val_cfg=loops.ValLoop, test_cfg=loops.TestLoop).get(path[0])


def accepted_arguments(obj: Any, path: Sequence[str] = ()) -> Optional[List[str]]:
    """Keyword arguments a config dict at ``path`` may give ``obj`` (a class
    or function), or None when it takes ``**kwargs`` (or has no signature)."""
    names, takes_kwargs = _own_arguments(obj)
    if takes_kwargs:
        return _ANY
    if len(path) == 1 and str(path[0]) in LOADERS:
        names += ['num_batch_per_epoch']  # mmengine's Runner takes it off
    if path and all(isinstance(p, int) for p in path[1:]):
        names += POPPED.get(str(path[0]), ())
        names = [n for n in names if n not in INJECTED.get(str(path[0]), ())]
    if path and path[-1] == 'optimizer':
        names = [n for n in names if n != 'params']
    return sorted(set(names))


def module_class(path: Sequence[str], node: dict) -> Tuple[Optional[Any], bool]:
    """(cls, unknown): the class a dict at ``path`` is built into (its ``type`` looked up in the
    registries of that place, or an implied one; None if not found), and whether every registry
    there said it does not know the ``type``."""
    if 'type' in node:
        return _lookup(path, node['type'])
    return implied_type(path, node), False


def _module_dicts(node: Any, path: Tuple = ()) -> Iterator[Tuple[Tuple, dict]]:
    """(path, dict) of every dict in ``node`` (itself included)."""
    return ((p, n) for p, n in _nodes(node, path) if isinstance(n, dict))


def unknown_argument_message(where: str, key: str, accepted: Sequence[str]) -> str:
    """"model.fusion: unknown argument 'hiden_dim' (accepted: embed_dim,
    hidden_dim); did you mean model.fusion.hidden_dim?"."""
    close = difflib.get_close_matches(key, accepted, n=1)
    return (f'{where}: unknown argument {key!r} (accepted: {", ".join(accepted)})'
            + (f'; did you mean {where}.{close[0]}?' if close else ''))


def module_problems(cfg, roots: Optional[Sequence[str]] = None) -> List[str]:
    """One line per key of a module dict that its class does not accept (as
    ``unknown_argument_message``), and per ``type`` no registry of its place knows.
    ``roots``: only the dicts under these top-level keys."""
    problems, cfg = [], _root(cfg)
    for key in (roots if roots is not None else list(cfg.keys())):
        if key not in cfg:
            continue
        for path, node in _module_dicts(cfg[key], (key,)):
            obj, unknown = module_class(path, node)
            if unknown:  # "model.fusion: 'FooFusion' is not in the smilezoo 'model' registry ..."
                reg = context_registries(path)[0]
                problems.append(f'{join(path)}: '
                                f'{unknown_type_message(node["type"], reg.scope, reg.name)}')
                continue
            accepted = accepted_arguments(obj, path) if obj is not None else _ANY
            if accepted is not _ANY:
                problems += [unknown_argument_message(join(path), k, accepted) for k in node
                             if k not in ('type', '_scope_', *accepted)]
    return problems


def option_key_problems(cfg, options: Dict[str, Any]) -> List[str]:
    """One line per ``--cfg-options`` key that ``cfg`` does not have and that is no new argument of
    the module above it (see the module docstring); each names the closest existing key."""
    problems, flat, cfg = [], None, _root(cfg)
    for full_key in options:
        parts = full_key.split('.')
        node, parent_path = cfg, []
        for i, part in enumerate(parts):
            if isinstance(node, dict) and part in node:
                node, parent_path = node[part], parent_path + [part]
                continue
            if isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
                node, parent_path = node[int(part)], parent_path + [int(part)]
                continue
            problem = _new_key_problem(options, parent_path, node, part)
            if problem is not None:
                flat = flat if flat is not None else flat_keys(cfg)
                problems.append(problem if problem else
                                _missing_key_message(full_key, parts[:i + 1], node, flat))
            break
    return problems


def _new_key_problem(options, parent_path: List[str], parent: Any, key: str) -> Optional[str]:
    """None when ``key`` may be added under ``parent``; else a message for a
    module dict ('' for "no such key")."""
    if not isinstance(parent, dict):
        return ''
    if not parent_path:
        from mmengine.runner import Runner
        top = [*inspect.signature(Runner).parameters, 'work_dir', *TOP_LEVEL_KEYS]
        return None if key in top else ''
    type_key = join(parent_path + ['type'])
    node = dict(parent, type=options[type_key]) if type_key in options else parent
    obj = module_class(parent_path, node)[0]
    if obj is None:  # no module dict, or a type= that building will explain
        return None if node.get('type') is not None else ''
    accepted = accepted_arguments(obj, parent_path)
    if accepted is _ANY or key in accepted:
        return None
    return (f'--cfg-options {join(parent_path + [key])}: '
            + unknown_argument_message(join(parent_path), key, accepted))


def _missing_key_message(full_key: str, upto: List[str], parent: Any, flat: List[str]) -> str:
    where = join(upto[:-1])
    if where and not isinstance(parent, (dict, list, tuple)):
        msg = (f'--cfg-options {full_key}: {where} is {parent!r} in the config, not a dict, '
               f'so it has no key {upto[-1]!r}; set the whole dict in a config file '
               f'({upto[-2]}=dict({upto[-1]}=...))')
    else:
        msg = f'--cfg-options {full_key}: the config has no key {join(upto)!r}'
    close = difflib.get_close_matches(full_key, flat, n=1, cutoff=0.6)
    msg += f'; did you mean {close[0]}?' if close else ''
    return msg + f' (to add a key the config does not have, write +{full_key}=...)'


def split_added(options: Optional[Dict[str, Any]]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """``--cfg-options`` -> (keys to check, ``+key`` ones to add unchecked, '+' removed)."""
    checked, added = {}, {}
    for k, v in (options or {}).items():
        (added if k.startswith('+') else checked)[k.lstrip('+')] = v
    return checked, added


def config_file_message(path: str) -> str:
    """'config file X not found' with the closest config files near it."""
    folder = osp.dirname(path) or '.'
    near = glob.glob(osp.join(folder, '*.py')) if osp.isdir(folder) else []
    near += glob.glob('configs/**/*.py', recursive=True)
    close = difflib.get_close_matches(path, sorted(set(near)), n=2, cutoff=0.8)
    return (f'config file {path!r} not found'
            + (f'; did you mean {" or ".join(close)}?' if close else ''))


def fill_cache_paths(cfg) -> None:
    """Give each dataloader's dataset that names no ``ann_file`` the annotation file of the
    cache ``data_preparation.out_dir`` (``<out_dir>/annotations.json``), in place
    (docs/configs.md, "The view cache")."""
    out_dir = (cfg.get('data_preparation') or {}).get('out_dir')
    for key in LOADERS:
        dataset = (cfg.get(key) or {}).get('dataset')
        if out_dir and isinstance(dataset, dict) and not dataset.get('ann_file'):
            dataset['ann_file'] = osp.join(out_dir, 'annotations.json')


def load_config(path: str, cfg_options: Optional[Dict[str, Any]] = None,
                check: Optional[Sequence[str]] = None):
    """``Config.fromfile(path)`` merged with ``cfg_options`` (parsed ``--cfg-options``), its
    datasets' ``ann_file`` filled in (``fill_cache_paths``); or ConfigError for a missing or
    unreadable file, an option key the config does not have, or a module argument its class
    does not take (``check``: only the module dicts under these top-level keys; None: all)."""
    from mmengine.config import Config
    if not osp.isfile(path):
        raise ConfigError(config_file_message(path))
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, FileNotFoundError, ImportError) as e:
        raise ConfigError(f'{path}: {type(e).__name__}: {e}') from e
    checked, added = split_added(cfg_options)
    problems = option_key_problems(cfg, checked)
    if problems:
        raise ConfigError('\n'.join(problems))
    if checked or added:
        cfg.merge_from_dict({**checked, **added})
    fill_cache_paths(cfg)
    problems = module_problems(cfg, check)
    if problems:
        raise ConfigError('\n'.join(f'{path}: {p}' for p in problems))
    return cfg


_UNEXPECTED = re.compile(r"(?:(?:(?P<cls>\w+)\.)?__init__|(?P<fn>\w+))\(\) got an unexpected "
                         r"keyword argument '(?P<key>\w+)'")


def unexpected_argument_message(cfg, error: TypeError) -> Optional[str]:
    """The config dict a TypeError "X.__init__() got an unexpected keyword
    argument 'k'" came from, as an unknown-argument line; None when no module
    dict of ``cfg`` gives ``k`` to an X (or to a class forwarding **kwargs)."""
    match = _UNEXPECTED.search(str(error))
    if match is None:
        return None
    name, key = match['cls'] or match['fn'], match['key']
    forwarders = []
    for path, node in _module_dicts(_root(cfg)):
        obj = module_class(path, node)[0] if key in node else None
        if obj is None:
            continue
        accepted = accepted_arguments(obj, path)
        named = [c for c in getattr(obj, '__mro__', (obj,)) if getattr(c, '__name__', '') == name]
        if named:
            if accepted is _ANY:  # **kwargs forwarded to the class the error names
                accepted = sorted((set(_own_arguments(named[0].__init__)[0]) |
                                   set(_own_arguments(obj)[0])) - {'self'})
            return unknown_argument_message(join(path), key, accepted)
        if accepted is _ANY:
            forwarders.append((path, obj))
    if len(forwarders) == 1:
        path, obj = forwarders[0]
        return (f'{join(path)}: unknown argument {key!r} ({getattr(obj, "__name__", obj)} '
                f'passes it on to {name}, which does not take it)')
    return None


def _own_arguments(obj: Any) -> Tuple[List[str], bool]:
    """(named arguments of ``obj``, whether it takes ``**kwargs``); ([], True) without a
    signature."""
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return [], True
    return ([p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)],
            any(p.kind is p.VAR_KEYWORD for p in params))


def _root(cfg) -> Any:
    """The plain dict tree of a Config (or the dict itself)."""
    return cfg._cfg_dict if hasattr(cfg, '_cfg_dict') else cfg


@contextmanager
def explain_config_errors(cfg=None):
    """Build from ``cfg`` inside: an unknown ``type=`` becomes an
    ``UnknownTypeError`` (registry_hints), a TypeError for a keyword argument
    a module dict of ``cfg`` gives becomes a ConfigError naming the dict."""
    try:
        with explain_unknown_types():
            yield
    except TypeError as e:
        msg = unexpected_argument_message(cfg, e) if cfg is not None else None
        if msg is None:
            raise
        raise ConfigError(msg) from e


@contextmanager
def exit_on_config_error(code: int = 2):
    """For a tool's main(): a ConfigError or UnknownTypeError ends the process with its message on
    stderr (``error: ...``) and exit ``code``, without a traceback."""
    try:
        yield
    except (ConfigError, UnknownTypeError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(code)
