"""A picture of one prediction: the rendered views (or dynamic images) the model
saw, each with its fusion weight and its own predicted class, and the top-k
class probabilities as a bar chart (plus the free-text prompts, when scored).

matplotlib is imported when a card is drawn, and only its object-oriented API
with the Agg canvas is used (no pyplot, no global backend change).
"""
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np

from smilezoo.utils.atomic_io import atomic_open

__all__ = ['save_prediction_card', 'view_image']


def view_image(view: np.ndarray) -> np.ndarray:
    """(C, H, W) uint8 or [0, 1] float view -> (H, W, 3) float image in [0, 1]:
    3 channels as RGB (normal maps), 1 as grey (depth, shading); with other
    counts, the last 3 channels (the normal map of modes ('depth', 'normal'))
    or the first one."""
    v = np.asarray(view)
    v = v.astype(np.float32) / 255.0 if v.dtype == np.uint8 else v.astype(np.float32)
    if v.ndim == 2:
        v = v[None]
    if v.shape[0] == 3:
        rgb = v
    elif v.shape[0] > 3:
        rgb = v[-3:]
    else:
        rgb = np.repeat(v[:1], 3, axis=0)
    return np.clip(np.moveaxis(rgb, 0, -1), 0.0, 1.0)


def save_prediction_card(path: str, views: np.ndarray, result: Dict,
                         view_names: Optional[Sequence[str]] = None,
                         title: Optional[str] = None, dpi: int = 100) -> str:
    """Write a PNG card of one prediction (atomically: temporary name, then
    rename).

    Args:
        path: the PNG to write (folders are created).
        views: (N, C, H, W) the model's input views (uint8 or [0, 1]).
        result: one result dict of :class:`smilezoo.apis.ExpressionInferencer`
            (``top_k``, ``view_weights``, ``view_predictions``,
            ``predicted_class``, optionally ``prompts``).
        view_names: names of the N views (default: the keys of
            ``result['view_weights']``).
        title: figure title (default: the input's file or folder name).

    Returns:
        the path written.
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
    width = max(6.0, 2.3 * n)
    fig = Figure(figsize=(width, 3.2 + bar_h + prompt_h), dpi=dpi, layout='constrained')
    grid = fig.add_gridspec(rows, n, height_ratios=[2.6, bar_h] + ([prompt_h] if prompts else []))
    best = int(np.nanargmax(w)) if np.isfinite(w).any() else -1
    what = 'dynamic image' if kind == 'sequence' else 'view'
    for k in range(n):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(view_image(views[k]), interpolation='nearest')
        ax.set_xticks([])
        ax.set_yticks([])
        name = names[k] if k < len(names) else f'view{k}'
        label = f'{name} {what}\nweight {w[k]:.3f}' if k < len(w) and np.isfinite(w[k]) \
            else f'{name} {what}'
        if name in per_view:
            label += f'\nalone: {per_view[name]}'
        ax.set_title(label, fontsize=9, fontweight='bold' if k == best else 'normal')
        colour = '#d62728' if k == best else '#888888'
        for spine in ax.spines.values():
            spine.set_edgecolor(colour)
            spine.set_linewidth(1.0 + 5.0 * (w[k] if k < len(w) and np.isfinite(w[k]) else 0))

    ax = fig.add_subplot(grid[1, :])
    classes = [t['class'] for t in top][::-1]
    probs = [t['probability'] for t in top][::-1]
    pred = result.get('predicted_class')
    colours = ['#d62728' if c == pred else '#1f77b4' for c in classes]
    ax.barh(classes, probs, color=colours)
    for y, p in enumerate(probs):
        ax.text(min(p + 0.01, 0.9), y, f'{p:.3f}', va='center', fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel('probability', fontsize=9)
    ax.set_title(f'top-{len(top)} classes', fontsize=9)
    ax.tick_params(labelsize=8)

    if prompts:
        ax = fig.add_subplot(grid[2, :])
        texts = list(prompts)[::-1]
        probs = [prompts[t]['probability'] for t in texts]
        ax.barh([_short(t) for t in texts], probs, color='#2ca02c')
        for y, t in enumerate(texts):
            ax.text(min(prompts[t]['probability'] + 0.01, 0.8), y,
                    f"{prompts[t]['probability']:.3f} (cos {prompts[t]['score']:.3f})",
                    va='center', fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_xlabel('probability among the prompts', fontsize=9)
        ax.set_title('free-text prompts', fontsize=9)
        ax.tick_params(labelsize=8)

    parts = osp.normpath(str(result.get('path', ''))).split(os.sep)
    head = title or '/'.join(parts[-2:] if kind == 'sequence' else parts[-1:])
    fig.suptitle(f'{head} ({kind}): {pred}', fontsize=11)
    with atomic_open(path) as f:
        fig.savefig(f, format='png', bbox_inches='tight')
    return path


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[:width - 1] + '\u2026'
