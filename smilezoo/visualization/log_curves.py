"""Training curves and final / best values from mmengine's scalar logs.

In ``WORK_DIR/<timestamp>/vis_data/scalars.json`` (one JSON object per line), training entries
carry ``iter`` (global, 1-based), ``epoch`` (1-based, epoch-based loops only) and ``step``
(= iter); validation entries carry the metric keys and ``step`` (the epoch of an epoch-based
loop, the iteration of an iteration-based one). A resumed run continues the iteration count in
its own timestamp folder, so ``all_timestamps=True`` merges the folders in time order.
"""
import glob
import json
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .evaluation_plots import class_colors, new_figure, save_figure

INDEX_KEYS = ('epoch', 'iter', 'step')
LOWER_IS_BETTER = ('time', 'data_time', 'memory', 'eta')


class LogError(ValueError):
    """A work dir without logs, or a key absent from a run."""


@dataclass
class RunLog:
    """The scalar log of one work dir."""
    name: str
    work_dir: str
    files: List[str]
    train: List[Dict] = field(default_factory=list)
    val: List[Dict] = field(default_factory=list)
    iters_per_epoch: Optional[int] = None
    by_epoch: bool = True

    def keys(self, mode: str) -> List[str]:
        """Numeric keys logged in ``mode`` ('train' or 'val')."""
        entries = self.train if mode == 'train' else self.val
        return sorted({k for e in entries for k, v in e.items()
                       if k not in INDEX_KEYS and _is_number(v)})

    def describe_keys(self) -> str:
        return (f'train keys: {", ".join(self.keys("train")) or "none"}; '
                f'val keys: {", ".join(self.keys("val")) or "none"}')


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def find_scalar_files(work_dir: str, all_timestamps: bool = False) -> List[str]:
    """The scalars.json of the latest run in ``work_dir`` (or of every run, oldest first).
    ``work_dir`` may also be a timestamp folder or the file."""
    work_dir = str(work_dir)
    if osp.isfile(work_dir):
        return [work_dir]
    if not osp.isdir(work_dir):
        raise LogError(f'{work_dir}: no such directory (expected a work dir holding '
                       '<timestamp>/vis_data/scalars.json)')
    direct = osp.join(work_dir, 'vis_data', 'scalars.json')
    if osp.isfile(direct):
        return [direct]
    files = sorted(glob.glob(osp.join(glob.escape(work_dir), '*', 'vis_data', 'scalars.json')),
                   key=lambda p: osp.basename(osp.dirname(osp.dirname(p))))
    if not files:
        raise LogError(f'{work_dir}: no scalar log found (looked for '
                       f'{osp.join(work_dir, "<timestamp>", "vis_data", "scalars.json")}; '
                       'a training run writes it from its first logged iteration, a '
                       'test-only run writes none)')
    return files if all_timestamps else files[-1:]


def read_json_lines(path: str) -> List[Dict]:
    """The entries of a scalars.json; a truncated last line (a run still writing) is skipped, a
    bad line elsewhere is an error naming the line."""
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    out = []
    for i, line in enumerate(lines):
        try:
            out.append(json.loads(line))
        except ValueError as e:
            if i == len(lines) - 1:
                break
            raise LogError(f'{path}:{i + 1}: not a JSON line ({e})') from e
    return out


def load_run(work_dir: str, all_timestamps: bool = False, name: Optional[str] = None) -> RunLog:
    """Read a work dir's scalar log(s) into a :class:`RunLog`."""
    files = find_scalar_files(work_dir, all_timestamps)
    train, val = {}, {}  # iter -> entry, step -> entry
    for path in files:  # later runs (a resume) replace the entries they repeat
        for e in read_json_lines(path):
            if 'iter' in e:
                train[int(e['iter'])] = e
            elif 'step' in e:
                val[e['step']] = e
    run = RunLog(name=name or default_name(work_dir), work_dir=str(work_dir), files=files,
                 train=[train[k] for k in sorted(train)], val=[val[k] for k in sorted(val)])
    run.by_epoch = any('epoch' in e for e in run.train) or (not run.train and bool(run.val))
    run.iters_per_epoch = iters_per_epoch(run.train, files) if run.by_epoch else None
    return run


def default_name(work_dir: str) -> str:
    path = osp.normpath(str(work_dir))
    if osp.isfile(path):  # .../<work dir>/<timestamp>/vis_data/scalars.json
        path = osp.dirname(osp.dirname(osp.dirname(path)))
    return osp.basename(path) or path


def iters_per_epoch(train: List[Dict], files: Sequence[str] = ()) -> Optional[int]:
    """Iterations per epoch: the 'N' of 'Epoch(train) [e][i/N]' in the text log next to the
    scalars (exact); else the smallest N consistent with every training entry,
    (epoch - 1) * N < iter <= epoch * N (LoggerHook logs every ``interval`` iterations, not
    always an epoch's last one); None without epochs."""
    for path in reversed(list(files)):
        run_dir = osp.dirname(osp.dirname(path))
        for text in sorted(glob.glob(osp.join(glob.escape(run_dir), '*.log'))):
            with open(text, errors='replace') as f:
                found = re.findall(r'Epoch\(train\)\s*\[\d+\]\s*\[\s*\d+/(\d+)\]', f.read())
            if found:
                return int(found[-1])
    pts = [(int(e['epoch']), int(e['iter'])) for e in train if 'epoch' in e and 'iter' in e]
    return max(1, max(-(-it // ep) for ep, it in pts)) if pts else None


def series(run: RunLog, key: str, x: str = 'epoch') -> List[Tuple[str, np.ndarray, np.ndarray]]:
    """[(mode, xs, ys)] of ``key`` in the run's train and val entries; x is 'epoch' (iterations /
    iters per epoch) or 'iter'."""
    if x not in ('epoch', 'iter'):
        raise ValueError(f'x={x!r}, expected epoch or iter')
    out = []
    for mode, entries in (('train', run.train), ('val', run.val)):
        pts = [(e, e[key]) for e in entries if _is_number(e.get(key))]
        if not pts:
            continue
        xs = np.array([_x(run, mode, e, x) for e, _ in pts], dtype=float)
        out.append((mode, xs, np.array([v for _, v in pts], dtype=float)))
    if not out:
        raise LogError(f'key {key!r} is not in the log of run {run.name!r} '
                       f'({", ".join(run.files)}); {run.describe_keys()}')
    return out


def _x(run: RunLog, mode: str, e: Dict, x: str) -> float:
    ipe = run.iters_per_epoch
    if mode == 'train':
        it = float(e['iter'])
        if x == 'iter' or not run.by_epoch:
            return it
        return it / ipe if ipe else float(e.get('epoch', it))
    step = float(e['step'])  # val: the epoch (epoch-based) or the iteration
    return step * ipe if x == 'iter' and run.by_epoch and ipe else step


def x_label(runs: Sequence[RunLog], x: str) -> str:
    return 'iteration' if x == 'iter' or not all(r.by_epoch for r in runs) else 'epoch'


def check_keys(runs: Sequence[RunLog], keys: Sequence[str]) -> None:
    """LogError listing, per run, the keys asked for that it lacks."""
    problems = []
    for run in runs:
        present = set(run.keys('train')) | set(run.keys('val'))
        missing = [k for k in keys if k not in present]
        if missing:
            problems.append(f'run {run.name!r} ({", ".join(run.files)}) has no '
                            f'{", ".join(map(repr, missing))}; {run.describe_keys()}')
    if problems:
        raise LogError('\n'.join(problems))


def plot_curves(runs: Sequence[RunLog], keys: Sequence[str], path: str, x: str = 'epoch',
                legend: Optional[Sequence[str]] = None, title: Optional[str] = None) -> str:
    """One subplot per key, one colour per run (train: line, val: dashed with markers); PNG
    written atomically. Raises LogError for a missing key."""
    if not keys:
        raise LogError('no keys to plot')
    if legend is not None and len(legend) != len(runs):
        raise LogError(f'{len(legend)} legend names for {len(runs)} runs')
    check_keys(runs, keys)
    names = list(legend) if legend is not None else [r.name for r in runs]
    colors = class_colors(len(runs))
    ncol = 1 if len(keys) == 1 else 2
    nrow = (len(keys) + ncol - 1) // ncol
    fig = new_figure(5.4 * ncol, 0.5 + 3.3 * nrow)
    label = x_label(runs, x)
    data = {key: [series(r, key, x if r.by_epoch else 'iter') for r in runs] for key in keys}
    # one x range for every subplot, from 0 to the last logged point
    xmax = max(float(xs.max()) for per_run in data.values() for curves in per_run
               for _, xs, _ in curves)
    for i, key in enumerate(keys):
        ax = fig.add_subplot(nrow, ncol, i + 1)
        for curves, name, color in zip(data[key], names, colors):
            both = len(curves) > 1
            for mode, xs, ys in curves:
                val = mode == 'val'
                ax.plot(xs, ys, '--' if val else '-', color=color, linewidth=1.2,
                        label=f'{name} ({mode})' if both else name,
                        marker='o' if val or len(xs) == 1 else None, markersize=3.5)
        modes = sorted({m for curves in data[key] for m, _, _ in curves})
        ax.set_title(f'{key} ({" / ".join(modes)})', fontsize=9)
        ax.set(xlabel=label, ylabel=key, xlim=(0, xmax * 1.04 if xmax > 0 else 1))
        if xmax >= 2:
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle(title or ('training curves: ' + ', '.join(names)), fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def direction(key: str, mode: str) -> Optional[str]:
    """'min', 'max' or None (no 'best' for e.g. the learning rate)."""
    base = key.split('/')[-1]
    if 'loss' in key or base in LOWER_IS_BETTER:
        return 'min'
    if key.startswith(('lr', 'num_')) or mode == 'train' and 'acc' not in key:
        return None
    return 'max'


def default_summary_keys(run: RunLog) -> List[str]:
    """The training losses and the validation accuracies and macro F1."""
    train = [k for k in run.keys('train') if 'loss' in k]
    val = [k for k in run.keys('val') if k.startswith('acc/') or k == 'f1/macro']
    return train + [k for k in val if k not in train]


def summary_rows(runs: Sequence[RunLog], keys: Optional[Sequence[str]] = None,
                 x: str = 'epoch') -> List[Dict]:
    """Per run, key and mode: final value (the last entry), best value (min or max by
    :func:`direction`) and where (epoch or iteration), number of points."""
    if keys:
        check_keys(runs, keys)
    rows = []
    for run in runs:
        for key in (keys or default_summary_keys(run)):
            for mode, xs, ys in series(run, key, x if run.by_epoch else 'iter'):
                d = direction(key, mode)
                row = dict(run=run.name, key=key, mode=mode, final=float(ys[-1]),
                           final_at=float(xs[-1]), points=len(ys), best=None, best_at=None,
                           direction=d)
                if d:
                    j = int(np.argmin(ys) if d == 'min' else np.argmax(ys))
                    row.update(best=float(ys[j]), best_at=float(xs[j]))
                rows.append(row)
    return rows


def format_value(v: Optional[float]) -> str:
    return '-' if v is None else f'{v:.6g}'


def format_at(v: Optional[float]) -> str:
    if v is None:
        return '-'
    return f'{v:g}' if float(v).is_integer() else f'{v:.2f}'
