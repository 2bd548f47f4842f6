"""A picture of one prediction: the rendered views (or dynamic images) the model saw, each with
its fusion weight and its own predicted class, and the top-k class probabilities as a bar chart
(plus the free-text prompts, when scored). matplotlib is imported when a card is drawn."""
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np

from .evaluation_plots import save_figure
from .view_grid import to_rgb, to_unit_float

__all__ = ['save_prediction_card', 'view_image']


def view_image(view: np.ndarray) -> np.ndarray:
    """(C, H, W) uint8 or [0, 1] float view -> (H, W, 3) float image in [0, 1]: 3 channels as RGB
    (normal maps), 1 as grey (depth, shading); with other counts, the last 3 channels (the normal
    map of modes ('depth', 'normal')) or the first one."""
    v = to_unit_float(view)
    if v.ndim == 2:
        v = v[None]
    return to_rgb(v[-3:] if len(v) > 3 else v)


def save_prediction_card(path: str, views: np.ndarray, result: Dict,
                         view_names: Optional[Sequence[str]] = None,
                         title: Optional[str] = None, dpi: int = 100) -> str:
    """Write a PNG card of one prediction atomically (folders are created); returns ``path``.

    Args:
        views: (N, C, H, W) the model's input views (uint8 or [0, 1]).
        result: one :class:`~smilezoo.structures.Prediction` (``top_k``, ``view_weights``,
            ``view_predictions``, ``predicted_class``, optionally ``prompts``).
        view_names: names of the N views (default: the keys of ``result['view_weights']``).
        title: figure title (default: the input's file or folder name).
    """
    from matplotlib.figure import Figure

    views = np.asarray(views)
    n = len(views)
    weights = result.get('view_weights', {})
    names = list(view_names or weights or [f'view{k}' for k in range(n)])
    w = np.array([weights.get(v, np.nan) for v in names], dtype=float)
    per_view = result.get('view_predictions', {})
    top = result.get('top_k', [])
    prompts = result.get('prompts') or {}
    kind = result.get('kind', 'scan')

    rows = 2 + (1 if prompts else 0)
    bar_h = max(1.4, 0.32 * len(top) + 0.5)
    prompt_h = max(1.2, 0.32 * len(prompts) + 0.5) if prompts else 0
    fig = Figure(figsize=(max(6.0, 2.3 * n), 3.2 + bar_h + prompt_h), dpi=dpi, layout='constrained')
    grid = fig.add_gridspec(rows, n, height_ratios=[2.6, bar_h] + ([prompt_h] if prompts else []))
    best = int(np.nanargmax(w)) if np.isfinite(w).any() else -1
    what = 'dynamic image' if kind == 'sequence' else 'view'
    for k in range(n):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(view_image(views[k]), interpolation='nearest')
        ax.set(xticks=[], yticks=[])
        name = names[k] if k < len(names) else f'view{k}'
        weight = w[k] if k < len(w) and np.isfinite(w[k]) else None
        label = f'{name} {what}' + (f'\nweight {weight:.3f}' if weight is not None else '')
        if name in per_view:
            label += f'\nalone: {per_view[name]}'
        ax.set_title(label, fontsize=9, fontweight='bold' if k == best else 'normal')
        for spine in ax.spines.values():
            spine.set(edgecolor='#d62728' if k == best else '#888888',
                      linewidth=1.0 + 5.0 * (weight if weight is not None else 0))

    classes = [t['class'] for t in top][::-1]
    probs = [t['probability'] for t in top][::-1]
    pred = result.get('predicted_class')
    _bars(fig.add_subplot(grid[1, :]), classes, probs, [f'{p:.3f}' for p in probs], 0.9,
          ['#d62728' if c == pred else '#1f77b4' for c in classes], 'probability',
          f'top-{len(top)} classes')
    if prompts:
        texts = list(prompts)[::-1]
        probs = [prompts[t]['probability'] for t in texts]
        _bars(fig.add_subplot(grid[2, :]), [_short(t) for t in texts], probs,
              [f"{p:.3f} (cos {prompts[t]['score']:.3f})" for p, t in zip(probs, texts)], 0.8,
              '#2ca02c', 'probability among the prompts', 'free-text prompts')

    parts = osp.normpath(str(result.get('path', ''))).split(os.sep)
    head = title or '/'.join(parts[-2:] if kind == 'sequence' else parts[-1:])
    fig.suptitle(f'{head} ({kind}): {pred}', fontsize=11)
    save_figure(fig, path, dpi=dpi)
    return path


def _bars(ax, labels, probs, notes, note_max: float, color, xlabel: str, title: str) -> None:
    """Horizontal bars of probabilities in [0, 1], each with its note at its end (at most at
    ``note_max``)."""
    ax.barh(labels, probs, color=color)
    for y, (p, note) in enumerate(zip(probs, notes)):
        ax.text(min(p + 0.01, note_max), y, note, va='center', fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=8)


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[:width - 1] + '\u2026'
