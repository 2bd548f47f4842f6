"""Load a checkpoint without running code from it, and only into a model it fits (docs/faq.md,
"Loading checkpoints"): every tool that reads a ``.pth`` follows two rules.

1. **weights only**: ``torch.load(weights_only=True)``, with what mmengine saves beyond tensors
   registered safe (:func:`register_safe_globals`); any other type is refused with a
   :class:`CheckpointError` unless :func:`allow_unsafe_load` (``--unsafe-load``).
2. **strict fit**: the ``state_dict`` must hold exactly the keys and shapes of
   ``model.state_dict()`` (:func:`check_fit`), unless ``allow_partial`` (``--allow-partial``)
   loads the matching weights and reports the rest. :class:`CheckpointFitHook` applies it inside
   mmengine's Runner (its ``after_load_checkpoint`` sees the checkpoint before the weights are
   copied).
"""
import ast
import logging
import os.path as osp
import pickle
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer, print_log

UNSAFE_FLAG = '--unsafe-load'
PARTIAL_FLAG = '--allow-partial'
SHOWN = 5  # keys named per kind in a refusal

_state = dict(unsafe=False, registered=False)


class CheckpointError(ValueError):
    """A checkpoint refused (unsafe to unpickle, unreadable, or not fitting
    the model); the message names the file and what to do."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """No file at the checkpoint path."""


# rule 1: weights only
_HISTORY_METHODS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj, name):
    """``getattr`` as the weights-only unpickler may call it: only HistoryBuffer's
    statistics methods (its pickled state names them as ``getattr(HistoryBuffer, 'mean')``)."""
    if obj is HistoryBuffer and name in _HISTORY_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(obj, "__qualname__", type(obj).__name__)}, {name!r}) is not allowed')


def register_safe_globals() -> None:
    """Let ``weights_only=True`` read what mmengine saves besides tensors: numpy arrays,
    dtypes and scalars (also under numpy 1's ``numpy.core`` names), mmengine's
    HistoryBuffer (the message hub's), and the restricted getattr above."""
    if _state['registered']:
        return
    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    safe = [HistoryBuffer, np.ndarray, np.dtype, (_history_buffer_getattr, 'builtins.getattr')]
    for mod in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        safe += [(multiarray._reconstruct, f'{mod}._reconstruct'),
                 (multiarray.scalar, f'{mod}.scalar')]
    # numpy >= 1.25 may pickle a dtype by its class (numpy.dtypes.Float64DType ...)
    for name in ('Float64DType', 'Float32DType', 'Int64DType', 'Int32DType', 'BoolDType'):
        cls = getattr(getattr(np, 'dtypes', None), name, None)
        if cls is not None:
            safe.append((cls, f'numpy.dtypes.{name}'))
    torch.serialization.add_safe_globals(safe)
    _state['registered'] = True


def allow_unsafe_load(enabled: bool = True) -> None:
    """Opt in (``--unsafe-load``) to fully unpickling checkpoints that the
    weights-only load refuses, for every later load in this process."""
    _state['unsafe'] = bool(enabled)


def _refused_type(err: Exception) -> str:
    text = str(err)
    m = re.search(r'GLOBAL (\S+) was not an allowed global', text) or \
        re.search(r'(getattr\([^)]*\)) is not allowed', text) or \
        re.search(r'(unsupported GLOBAL \S+)', text)
    if m:
        return m.group(1)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return next((ln for ln in lines if 'Unsupported' in ln or 'unsupported' in ln),
                lines[-1] if lines else type(err).__name__)


def _refusal(filename: str, err: Exception) -> CheckpointError:
    return CheckpointError(
        f'{filename}: refused: unpickling it needs {_refused_type(err)}, which a checkpoint saved '
        'by smilezoo does not hold. smilezoo loads checkpoints with torch.load(weights_only=True) '
        'so that a file cannot run code on this machine. If you trust this file and where it came '
        f'from, rerun with {UNSAFE_FLAG} (see docs/faq.md).')


def _unreadable(filename: str, err: Exception) -> CheckpointError:
    first = ' '.join(str(err).split())[:300] or type(err).__name__
    return CheckpointError(f'{filename}: not a readable checkpoint (truncated, or not written '
                           f'by torch.save: {first})')


def _existing_file(filename) -> str:
    """``filename`` with ``~`` expanded; CheckpointNotFoundError when there is no such file."""
    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise CheckpointNotFoundError(f'checkpoint {filename} not found')
    return filename


def load_checkpoint_file(filename: str, map_location=None, unsafe: Optional[bool] = None) -> dict:
    """What ``torch.load(filename, weights_only=True)`` with smilezoo's safe globals reads;
    ``unsafe``: unpickle fully (runs code in the file) when that load refuses it (None: as
    set by :func:`allow_unsafe_load`). Raises CheckpointError for a missing or unreadable
    file, or one that needs a type outside the safe list (unless ``unsafe``)."""
    register_safe_globals()
    filename = _existing_file(filename)
    unsafe = _state['unsafe'] if unsafe is None else unsafe
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        if not unsafe:
            raise _refusal(filename, e) from None
        print_log(f'{UNSAFE_FLAG}: fully unpickling {filename} (it needs {_refused_type(e)}); '
                  f'any code it holds runs now', logger='current', level=logging.WARNING)
        return torch.load(filename, map_location=map_location, weights_only=False)
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise _unreadable(filename, e) from None


def precheck_checkpoint_file(filename: Optional[str]) -> None:
    """Rule 1 before anything is built: unpickle ``filename`` weights-only
    with its tensors memory-mapped (cheap even for a large file); raises
    :class:`CheckpointError` as :func:`load_checkpoint_file` does. A file
    torch cannot memory-map (the legacy format) is left to the full load."""
    if not filename:
        return
    register_safe_globals()
    filename = _existing_file(filename)
    if _state['unsafe']:
        return
    try:
        torch.load(filename, map_location='cpu', weights_only=True, mmap=True)
    except pickle.UnpicklingError as e:
        raise _refusal(filename, e) from None
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        if 'mmap' not in str(e):  # a legacy-format file is left to the full load
            raise _unreadable(filename, e) from None


# rule 2: strict fit
def state_dict_of(checkpoint, filename: str = 'checkpoint') -> Dict[str, object]:
    """The weights of a checkpoint (``checkpoint['state_dict']``, or the dict itself for a
    bare state dict), the DDP ``module.`` prefix removed as mmengine's loader does."""
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{filename}: not a checkpoint: it holds a '
                              f'{type(checkpoint).__name__}, not a dict with a state_dict')
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, dict):
        raise CheckpointError(f'{filename}: its state_dict is a {type(state).__name__}, '
                              f'not a dict of weights')
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


@dataclass
class FitReport:
    """How a checkpoint's weights match a model's ``state_dict()``."""
    missing: List[str] = field(default_factory=list)  # model keys the checkpoint lacks
    unexpected: List[str] = field(default_factory=list)  # checkpoint keys the model lacks
    # (key, checkpoint shape, model shape) for keys in both
    mismatched: List[Tuple[str, tuple, tuple]] = field(default_factory=list)
    num_model: int = 0  # number of model keys
    num_loaded: int = 0  # those that match

    @property
    def fits(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def counts(self, verb: str = 'match') -> str:
        return (f'{self.num_loaded} of {self.num_model} model weights {verb}; '
                f'{len(self.missing)} missing, {len(self.unexpected)} unexpected, '
                f'{len(self.mismatched)} of another shape')

    def as_dict(self) -> dict:
        return dict(num_model_weights=self.num_model, num_loaded=self.num_loaded,
                    missing=len(self.missing), unexpected=len(self.unexpected),
                    shape_mismatch=len(self.mismatched))


def compare_state_dict(model: torch.nn.Module, state: Dict[str, object]) -> FitReport:
    """Compare checkpoint weights with ``model.state_dict()`` (keys, shapes)."""
    own = model.state_dict()
    report = FitReport(num_model=len(own))
    report.missing = [k for k in own if k not in state]
    report.unexpected = [k for k in state if k not in own]
    for k, v in own.items():
        if k in state:
            a, b = getattr(state[k], 'shape', None), getattr(v, 'shape', None)
            if a is not None and b is not None and tuple(a) != tuple(b):
                report.mismatched.append((k, tuple(a), tuple(b)))
    report.num_loaded = len(own) - len(report.missing) - len(report.mismatched)
    return report


def matching_state_dict(model: torch.nn.Module, state: Dict[str, object]) -> Dict[str, object]:
    """The checkpoint weights whose key and shape the model has."""
    own = model.state_dict()
    return {k: v for k, v in state.items() if k in own and
            tuple(getattr(v, 'shape', ())) == tuple(getattr(own[k], 'shape', ()))}


def _literal(node):
    """Value of a literal / dict(...) AST node; None for anything else (the
    config text in a checkpoint is parsed, never executed)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'dict':
        return {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg}
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def describe_training(checkpoint) -> Optional[str]:
    """What the checkpoint says it was trained with, from mmengine's meta (experiment name,
    model type and backbone parsed from the saved config text); None without meta."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if not isinstance(meta, dict):
        return None
    parts = []
    if isinstance(meta.get('experiment_name'), str):
        parts.append(f'experiment {meta["experiment_name"]!r}')
    text = meta.get('cfg')
    if isinstance(text, str):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            tree = None
        model = next((_literal(n.value) for n in getattr(tree, 'body', [])
                      if isinstance(n, ast.Assign) and len(n.targets) == 1 and
                      isinstance(n.targets[0], ast.Name) and n.targets[0].id == 'model'), None)
        if isinstance(model, dict):
            desc = f'model {model.get("type")}'
            bb = model.get('backbone')
            if isinstance(bb, dict):
                name = bb.get('model_name') or bb.get('arch') or bb.get('depth')
                desc += f', backbone {bb.get("type")}' + (f' {name}' if name else '')
            parts.append(desc)
    return '; '.join(parts) or None


def _names(items, shown=SHOWN) -> str:
    more = f', ... ({len(items) - shown} more)' if len(items) > shown else ''
    return ', '.join(items[:shown]) + more


def check_fit(model: torch.nn.Module, checkpoint, filename: str, target: str,
              allow_partial: bool = False, partial_flag: Optional[str] = PARTIAL_FLAG) -> FitReport:
    """Refuse (CheckpointError) a checkpoint (what :func:`load_checkpoint_file` returned)
    that does not fit ``model``, naming the first few missing, unexpected and reshaped
    weights, the counts and what it was trained with; returns the :class:`FitReport`.

    Args:
        target: what the model is, for the message (e.g. the config path).
        allow_partial: return the report (``fits`` False) instead of raising.
        partial_flag: the opt-in named in the message (None: none offered).
    """
    state = state_dict_of(checkpoint, filename)
    report = compare_state_dict(model, state)
    if report.fits or allow_partial:
        return report
    lines = [f'{filename} does not fit the model of {target}: {report.counts()}.']
    if not state:
        lines.append('  the checkpoint holds no weights (empty state_dict)')
    shapes = [f'{k} (checkpoint {list(a)}, model {list(b)})' for k, a, b in report.mismatched]
    for kind, keys in [('missing', report.missing), ('unexpected', report.unexpected),
                       ('another shape', shapes)]:
        if keys:
            lines.append(f'  {kind} ({len(keys)}): {_names(keys)}')
    trained = describe_training(checkpoint)
    if trained:
        lines.append(f'  the checkpoint was trained with: {trained}')
    hint = 'Use the config the checkpoint was trained with'
    if partial_flag:
        hint += f', or pass {partial_flag} to load only the matching weights'
    lines.append(hint + '.')
    raise CheckpointError('\n'.join(lines))


def load_exact_weights(model: torch.nn.Module, filename: str, target: str) -> dict:
    """Rules 1 and 2 for a tool that builds its own model (no Runner): read ``filename``
    weights-only, refuse it (CheckpointError) unless it fits ``model`` exactly, copy the
    weights in (strict); returns the checkpoint."""
    checkpoint = load_checkpoint_file(filename, map_location='cpu')
    check_fit(model, checkpoint, filename, target, partial_flag=None)
    model.load_state_dict(state_dict_of(checkpoint, filename), strict=True)
    return checkpoint


def partial_warning(filename: str, report: FitReport) -> str:
    """The warning of a deliberate partial load."""
    return (f'{PARTIAL_FLAG}: {filename} loaded partially: {report.counts("loaded")}; the other '
            f'weights keep their initial values')


class CheckpointFitHook(Hook):
    """Apply :func:`check_fit` to every checkpoint the Runner loads (``load_from`` and
    resume), before the weights are copied; ``report``: the last load's :class:`FitReport`."""
    priority = 'VERY_HIGH'

    def __init__(self, target: str, allow_partial: bool = False,
                 partial_flag: Optional[str] = PARTIAL_FLAG):
        self.target, self.allow_partial, self.partial_flag = target, allow_partial, partial_flag
        self.report: Optional[FitReport] = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = getattr(runner.model, 'module', runner.model)
        filename = runner._load_from
        if filename is None and runner._resume:  # auto-resume: the work dir's latest
            from mmengine.runner import find_latest_checkpoint
            filename = find_latest_checkpoint(runner.work_dir)
        filename = filename or 'the checkpoint'
        self.report = check_fit(model, checkpoint, filename, self.target,
                                self.allow_partial, self.partial_flag)
        if not self.report.fits:
            runner.logger.warning(partial_warning(filename, self.report))


def guard_runner(runner, target: str, allow_partial: bool = False,
                 partial_flag: Optional[str] = PARTIAL_FLAG) -> CheckpointFitHook:
    """Register a :class:`CheckpointFitHook` on ``runner``; returns it."""
    hook = CheckpointFitHook(target, allow_partial, partial_flag)
    runner.register_hook(hook)
    return hook


def add_checkpoint_args(parser, partial: bool = True) -> None:
    """Add ``--unsafe-load`` (and, with ``partial``, ``--allow-partial``) to a tool's parser."""
    parser.add_argument(UNSAFE_FLAG, action='store_true',
                        help='fully unpickle a checkpoint that the weights-only load refuses: this '
                        'runs any code the file holds; only for files you trust (docs/faq.md)')
    if partial:
        parser.add_argument(PARTIAL_FLAG, action='store_true',
                            help='load a checkpoint that does not fit the model (missing, '
                            'unexpected or reshaped weights): only the matching weights, '
                            'with a warning')


@contextmanager
def exit_on_checkpoint_error():
    """A :class:`CheckpointError` inside becomes ``SystemExit('error: ...')``
    (the message on stderr, exit status 1, no traceback)."""
    try:
        yield
    except CheckpointError as e:
        raise SystemExit(f'error: {e}') from None
