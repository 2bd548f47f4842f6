"""Evaluation pictures: confusion matrix, per-class F1, fusion weights per view and class, and a
2-D map of the fused embeddings with the class text prototypes. Each function draws on its own
``matplotlib.figure.Figure`` (no pyplot, no global backend switch, nothing left open) and writes
its PNG atomically; the test-time hook and the cross-validation report share them."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from smilezoo.structures.confusion import confusion_matrix, f1_per_class
from smilezoo.utils.atomic_io import atomic_open

PICTURE_NAMES = dict(confusion='confusion_matrix.png', f1='f1_per_class.png',
                     view_weights='view_weights.png', embeddings='embeddings.png')
PREDICTIONS_FILE = 'predictions.npz'


# --------------------------------------------------------------------------- helpers
def new_figure(width: float, height: float):
    """A pyplot-free Figure (Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path: str, dpi: int = 110) -> str:
    """Write ``fig`` as PNG at ``path`` atomically; returns ``path``."""
    path = str(path)
    with atomic_open(path) as f:
        fig.savefig(f, format='png', dpi=dpi, bbox_inches='tight')
    return path


def class_colors(n: int) -> List:
    """n distinct colours (tab10, then tab20, then a hue wheel)."""
    from matplotlib import colormaps
    if n > 20:
        return [colormaps['hsv'](i / n) for i in range(n)]
    return [colormaps['tab10' if n <= 10 else 'tab20'](i) for i in range(n)]


def _tick_names(names: Sequence[str], counts: Optional[Sequence[int]] = None) -> List[str]:
    return list(names) if counts is None else [f'{n}\n(n={int(c)})' for n, c in zip(names, counts)]


# --------------------------------------------------------------------------- pictures
def plot_confusion_matrix(cm, class_names: Sequence[str], title: str, path: str) -> str:
    """Counts in each cell, coloured by the share of the true class (row)."""
    cm = np.asarray(cm, dtype=np.int64)
    c = len(class_names)
    rates = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    side = max(3.2, 1.4 + 0.62 * c)
    fig = new_figure(side + 1.0, side)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(rates, cmap='Blues', vmin=0, vmax=1)
    small = c > 12
    for i in range(c):
        for j in range(c):
            text = str(cm[i, j]) if small else f'{cm[i, j]}\n{100 * rates[i, j]:.0f}%'
            ax.text(j, i, text, ha='center', va='center', fontsize=6 if small else 7.5,
                    color='white' if rates[i, j] > 0.55 else 'black')
    ax.set_xticks(range(c), list(class_names), rotation=45, ha='right')
    ax.set_yticks(range(c), _tick_names(class_names, cm.sum(1)), fontsize=8)
    ax.set(xlabel='predicted class', ylabel='true class (number of samples)')
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label='share of the true class')
    return save_figure(fig, path)


def plot_f1_per_class(f1, class_names: Sequence[str], title: str, path: str,
                      support: Optional[Sequence[int]] = None) -> str:
    """One bar per class with its value; dashed line: the macro F1 over the
    classes with samples (all classes when ``support`` is None)."""
    f1 = np.asarray(f1, dtype=float)
    c = len(class_names)
    fig = new_figure(max(4.0, 1.2 + 0.7 * c), 3.6)
    ax = fig.add_subplot(1, 1, 1)
    bars = ax.bar(range(c), f1, color=class_colors(c), edgecolor='black', linewidth=0.5)
    for bar, v in zip(bars, f1):
        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f'{v:.2f}', ha='center',
                va='bottom', fontsize=8)
    present = (np.asarray(support) > 0) if support is not None else np.ones(c, bool)
    macro = float(f1[present].mean()) if present.any() else 0.0
    ax.axhline(macro, color='black', linestyle='--', linewidth=1, label=f'macro F1 {macro:.3f}')
    ax.set_xticks(range(c), _tick_names(class_names, support), rotation=0 if c <= 8 else 45,
                  fontsize=8)
    ax.set(ylim=(0, 1.12), ylabel='F1 score',
           xlabel='class' + (' (number of test samples)' if support is not None else ''))
    ax.set_title(title, fontsize=9)
    ax.legend(loc='upper right', fontsize=8, frameon=False)
    ax.grid(axis='y', alpha=0.3)
    ax.set_axisbelow(True)
    return save_figure(fig, path)


def plot_view_weights(weights, labels, class_names: Sequence[str],
                      view_names: Sequence[str], title: str, path: str) -> str:
    """For each class, one box per view of the fusion weights its samples gave that view (points
    on top; dotted line: uniform weight 1/N)."""
    weights = np.asarray(weights, dtype=float)
    labels = np.asarray(labels, dtype=np.int64)
    c, n = len(class_names), weights.shape[1]
    view_names = list(view_names)
    fig = new_figure(max(5.0, 1.5 + (0.35 * n + 0.35) * c), 3.8)
    ax = fig.add_subplot(1, 1, 1)
    from matplotlib import colormaps
    vcolors = [colormaps['Set2'](i % 8) for i in range(n)]
    width = 0.8 / n
    rng = np.random.default_rng(0)
    present = [k for k in range(c) if (labels == k).any()]
    for v in (range(n) if present else ()):  # no boxes without samples
        pos = [k + (v - (n - 1) / 2) * width for k in present]
        data = [weights[labels == k, v] for k in present]
        box = ax.boxplot(data, positions=pos, widths=width * 0.85, patch_artist=True,
                         showfliers=False, manage_ticks=False,
                         medianprops=dict(color='black', linewidth=1))
        for patch in box['boxes']:
            patch.set(facecolor=vcolors[v], alpha=0.85, edgecolor='black', linewidth=0.6)
        for p, w in zip(pos, data):
            jitter = rng.uniform(-0.25, 0.25, len(w)) * width
            ax.scatter(p + jitter, w, s=6, color='black', alpha=0.45, linewidths=0, zorder=3)
    for k in sorted(set(range(c)) - set(present)):
        ax.text(k, 0.5 / n, 'no samples', ha='center', va='center', fontsize=7, color='gray',
                rotation=90)
    uniform = ax.axhline(1.0 / n, color='gray', linestyle=':', linewidth=1, label=f'uniform 1/{n}')
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=vcolors[v], edgecolor='black', label=view_names[v])
               for v in range(n)] + [uniform]
    ax.legend(handles=handles, title='view', fontsize=8, title_fontsize=8,
              loc='upper left', bbox_to_anchor=(1.01, 1.0), frameon=False)
    counts = [int((labels == k).sum()) for k in range(c)]
    ax.set_xticks(range(c), _tick_names(class_names, counts), fontsize=8,
                  rotation=0 if c <= 8 else 45)
    # zoomed on the weights (and 1/N): near-uniform weights still show their spread
    lo = min(float(weights.min()), 1.0 / n) if weights.size else 0.0
    hi = max(float(weights.max()), 1.0 / n) if weights.size else 1.0
    pad = max(0.12 * (hi - lo), 0.01)
    ax.set(xlim=(-0.6, c - 0.4), ylim=(max(0.0, lo - pad), hi + pad if hi + pad < 1 else 1.01),
           xlabel='true class (number of samples)', ylabel='fusion weight of the view')
    ax.set_title(title, fontsize=9)
    ax.grid(axis='y', alpha=0.3)
    ax.set_axisbelow(True)
    return save_figure(fig, path)


def project_2d(points: np.ndarray, method: str = 'auto', seed: int = 0, min_tsne: int = 40):
    """(M, d) -> ((M, 2), method used). 'auto': t-SNE (scikit-learn) from ``min_tsne`` points
    on, PCA below (t-SNE needs a perplexity well under M)."""
    points = np.asarray(points, dtype=np.float64)
    m = len(points)
    if method == 'auto':
        method = 'tsne' if m >= min_tsne else 'pca'
    if method not in ('tsne', 'pca'):
        raise ValueError(f'embedding projection {method!r}, expected auto, tsne or pca')
    if m < 3 or points.shape[1] < 2:
        out = np.zeros((m, 2))
        out[:, :min(2, points.shape[1])] = points[:, :2]
        return out, 'pca'
    if method == 'pca':
        from sklearn.decomposition import PCA
        return PCA(n_components=2, random_state=seed).fit_transform(points), 'pca'
    from sklearn.manifold import TSNE
    perplexity = float(min(30.0, max(2.0, (m - 1) / 3.0)))
    return TSNE(n_components=2, perplexity=perplexity, init='pca', random_state=seed,
                metric='cosine').fit_transform(points), 'tsne'


def plot_embeddings(embeddings, labels, class_names: Sequence[str], title: str, path: str,
                    prototypes=None, pred=None, method: str = 'auto', seed: int = 0,
                    max_points: int = 3000) -> str:
    """The fused embeddings (L2-normalised) projected to 2-D together with the class prototypes
    (stars), coloured by true class; a hollow marker is a sample predicted wrong. Returns the
    path; the method used is in the title."""
    emb = np.asarray(embeddings, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    pred = None if pred is None else np.asarray(pred, dtype=np.int64)
    if len(emb) > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(len(emb), max_points, replace=False))
        emb, labels = emb[keep], labels[keep]
        pred = None if pred is None else pred[keep]
    split = len(emb)  # the samples, then the prototypes projected with them
    if prototypes is not None:
        emb = np.concatenate([emb, np.asarray(prototypes, dtype=np.float64)])
    xy, used = project_2d(emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12),
                          method, seed)
    pts, pxy = xy[:split], (xy[split:] if prototypes is not None else None)
    c = len(class_names)
    colors = class_colors(c)
    fig = new_figure(6.4, 5.0)
    ax = fig.add_subplot(1, 1, 1)
    for k in range(c):
        sel = labels == k
        if not sel.any():
            continue
        right = sel if pred is None else sel & (pred == labels)
        ax.scatter(pts[right, 0], pts[right, 1], s=22, color=colors[k], alpha=0.8,
                   edgecolors='none', label=f'{class_names[k]} ({int(sel.sum())})')
        if pred is not None and (sel & (pred != labels)).any():
            wrong = sel & (pred != labels)
            ax.scatter(pts[wrong, 0], pts[wrong, 1], s=22, facecolors='none',
                       edgecolors=[colors[k]], linewidths=1.0)
    if pxy is not None:
        # labels pushed away from the prototypes' centre (they often bunch up)
        span = np.ptp(pxy, axis=0) + 1e-12
        away = (pxy - pxy.mean(0)) / span
        angle = np.arctan2(away[:, 1], away[:, 0])
        angle[np.linalg.norm(away, axis=1) < 1e-6] = np.pi / 4
        for k in range(c):
            ax.scatter(pxy[k, 0], pxy[k, 1], marker='*', s=300, color=colors[k],
                       edgecolors='black', linewidths=1.0, zorder=5)
            dx, dy = 16 * np.cos(angle[k]), 16 * np.sin(angle[k])
            ax.annotate(class_names[k], pxy[k], xytext=(dx, dy), textcoords='offset points',
                        ha='left' if dx >= 0 else 'right', va='bottom' if dy >= 0 else 'top',
                        fontsize=8, fontweight='bold', zorder=6, color=colors[k],
                        bbox=dict(boxstyle='round,pad=0.15', fc='white', ec='none', alpha=0.8),
                        arrowprops=dict(arrowstyle='-', color='gray', lw=0.6))
    from matplotlib.lines import Line2D
    handles, _ = ax.get_legend_handles_labels()
    if pxy is not None:
        handles.append(Line2D([], [], marker='*', color='gray', markeredgecolor='black',
                              linestyle='', markersize=12, label='text prototype'))
    if pred is not None:
        handles.append(Line2D([], [], marker='o', color='gray', markerfacecolor='none',
                              linestyle='', label='predicted wrong'))
    ax.legend(handles=handles, title='true class (samples)', fontsize=8,
              title_fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1.0), frameon=False)
    name = 't-SNE (cosine)' if used == 'tsne' else 'PCA'
    ax.set(xlabel=f'{name} 1', ylabel=f'{name} 2', xticks=[], yticks=[])
    ax.margins(0.12)
    what = ' and class prototypes' if pxy is not None else ''
    ax.set_title(f'{title}\nfused embeddings{what}, {name} of L2-normalised vectors', fontsize=9)
    return save_figure(fig, path)


# --------------------------------------------------------------------------- the set
def write_evaluation_pictures(out_dir: str, class_names: Sequence[str], gt, pred,
                              view_weights=None, embeddings=None, prototypes=None,
                              view_names: Optional[Sequence[str]] = None, cm=None,
                              title: str = '', method: Optional[str] = None,
                              embedding_method: str = 'auto', seed: int = 0,
                              prefix: str = '') -> Dict[str, str]:
    """Draw the evaluation pictures into ``out_dir``; returns name -> path.

    Args:
        gt, pred: (M,) true and predicted labels.
        view_weights: (M, N) fusion weights (no view picture when None).
        embeddings: (M, d) fused embeddings (no embedding picture when None).
        prototypes: (C, d) class prototypes to mark in the embedding picture.
        cm: the confusion matrix to draw (default: from gt and pred); pass the metric's own so
            the picture matches the metrics file exactly.
        title: first part of every title (model / run name).
        method: evaluation name for the titles (e.g. 'zero_shot').
        embedding_method: 'auto' (t-SNE, PCA when few samples), 'tsne', 'pca' or 'none'.
        prefix: prepended to every file name.
    """
    names = list(class_names)
    gt = np.asarray(gt, dtype=np.int64)
    pred = np.asarray(pred, dtype=np.int64)
    cm = np.asarray(cm if cm is not None else confusion_matrix(gt, pred, len(names)))
    f1 = f1_per_class(cm)
    support = cm.sum(1)
    present = support > 0
    acc = 100.0 * float(np.trace(cm)) / max(int(cm.sum()), 1)
    macro = float(f1[present].mean()) if present.any() else 0.0
    head = f'{title}: ' if title else ''
    sub = (method.replace('_', '-') + ', ' if method else '') + \
        f'{int(cm.sum())} test samples, accuracy {acc:.1f}%, macro F1 {macro:.3f}'
    out = {}
    path = lambda key: osp.join(out_dir, prefix + PICTURE_NAMES[key])  # noqa: E731
    out['confusion'] = plot_confusion_matrix(cm, names, f'{head}confusion matrix\n{sub}',
                                             path('confusion'))
    out['f1'] = plot_f1_per_class(f1, names, f'{head}F1 per class\n{sub}', path('f1'),
                                  support=support)
    if view_weights is not None and len(gt):
        w = np.asarray(view_weights, dtype=float)
        vn = list(view_names) if view_names and len(view_names) == w.shape[1] else \
            [f'view_{i}' for i in range(w.shape[1])]
        out['view_weights'] = plot_view_weights(
            w, gt, names, vn, f'{head}fusion weight of each view, per true class\n{sub}',
            path('view_weights'))
    if embeddings is not None and embedding_method != 'none' and len(gt) >= 2:
        out['embeddings'] = plot_embeddings(
            embeddings, gt, names, f'{head}{sub}', path('embeddings'),
            prototypes=prototypes, pred=pred, method=embedding_method, seed=seed)
    return out


def save_predictions(path: str, **arrays) -> str:
    """np.savez of the collected arrays (None values skipped), atomically."""
    with atomic_open(path) as f:
        np.savez(f, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})
    return path


def load_predictions(path: str) -> Dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
