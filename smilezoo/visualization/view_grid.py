"""A grid of the rendered views a model sees, straight from a config's data pipeline: a row per
sample, a column per view, each optionally followed by its training augmentations A and B."""
import copy
import os.path as osp
import textwrap
from typing import Dict, List, Optional, Sequence

import numpy as np

from .evaluation_plots import new_figure, save_figure

SPLITS = ('train', 'val', 'test')


def split_dataset_cfg(cfg, split: str):
    """The dataset config of ``<split>_dataloader`` (a copy)."""
    if split not in SPLITS:
        raise ValueError(f'split {split!r}, expected one of {SPLITS}')
    loader = cfg.get(f'{split}_dataloader')
    if not loader or not loader.get('dataset'):
        raise KeyError(f'the config has no {split}_dataloader.dataset')
    return copy.deepcopy(loader['dataset'])


def pick_indices(labels: Sequence[int], num: int, seed: int = 0) -> List[int]:
    """``num`` sample indices, spread over the classes: a seeded shuffle of each class, then taken
    class by class in turn (so 8 samples of 6 classes show every class), sorted by class."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    turns = sorted((turn, int(c), int(i)) for c in np.unique(labels)  # (turn, class, index)
                   for turn, i in enumerate(rng.permutation(np.flatnonzero(labels == c))))
    return sorted((i for _, _, i in turns[:max(num, 0)]), key=lambda i: (int(labels[i]), i))


def load_view_samples(cfg, split: str = 'train', num: int = 8, seed: int = 0) -> Dict:
    """Build ``<split>_dataloader.dataset`` and run its pipeline for ``num`` samples. Returns
    dict(views (K, N, C, H, W) uint8 or float image views, or (K, N, P, C) point views, labels
    (K,) row labels, metainfo, indices, dataset size)."""
    from smilezoo.registry import DATASETS
    dataset = DATASETS.build(split_dataset_cfg(cfg, split))
    if len(dataset) == 0:
        raise ValueError(f'the {split} split of the config has no samples '
                         f'(ann_file {dataset.ann_file})')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    indices = pick_indices([d.get('gt_label', 0) for d in infos], num, seed)
    classes = list(dataset.metainfo.get('classes') or [])
    items = (dataset[i] for i in indices)
    views = [np.asarray(x['inputs'] if isinstance(x, dict) else x) for x in items]
    return dict(views=np.stack(views), labels=[row_label(infos[i], classes) for i in indices],
                metainfo=dict(dataset.metainfo), indices=indices, size=len(dataset))


def row_label(info: Dict, classes: Sequence[str]) -> str:
    """'happy\\nF0001 · I3' (class, subject, intensity when there is one)."""
    name = info.get('expression')
    if name is None and 'gt_label' in info and classes:
        name = classes[int(info['gt_label'])]
    intensity = info.get('intensity')
    tail = '' if intensity is None else f' · I{intensity}'
    return f'{name}\n{info.get("subject", "?")}{tail}'


def to_unit_float(views: np.ndarray) -> np.ndarray:
    """uint8 views -> float32 / 255, as MultiViewDataPreprocessor does."""
    views = np.asarray(views)
    return views.astype(np.float32) / 255.0 if views.dtype == np.uint8 else views.astype(np.float32)


def to_rgb(image: np.ndarray, modes: Optional[Sequence[str]] = None) -> np.ndarray:
    """(C, H, W) in [0, 1] -> (H, W, 3) for display: the 'normal' channels when the renderer
    wrote them (as RGB), else the first channel in grey."""
    c = image.shape[0]
    modes = list(modes or [])
    sizes = dict(depth=1, normal=3, shaded=1)
    if modes and sum(sizes.get(m, 1) for m in modes) == c and 'normal' in modes:
        start = sum(sizes.get(m, 1) for m in modes[:modes.index('normal')])
        rgb = image[start:start + 3]
    elif c == 3:
        rgb = image
    else:
        rgb = np.repeat(image[:1], 3, axis=0)
    return np.clip(np.transpose(rgb, (1, 2, 0)), 0, 1)


def draw_points(ax, view: np.ndarray) -> None:
    """One point view (P, C >= 6: xyz in the camera frame, x right, y up, z toward the camera;
    unit normals) as seen from its camera: x-y scatter, nearer points drawn last, each coloured
    by its normal as a normal map is."""
    view = np.asarray(view, np.float32)
    order = np.argsort(view[:, 2])
    xy, normal = view[order, :2], view[order, 3:6]
    ax.scatter(xy[:, 0], xy[:, 1], c=np.clip((normal + 1) / 2, 0, 1), s=4, linewidths=0)
    ax.set_aspect('equal')
    ax.set_facecolor('black')
    lim = max(float(np.abs(xy).max()) * 1.05, 1e-6) if len(xy) else 1.0
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim))


def view_names(metainfo: Dict, n: int) -> List[str]:
    from smilezoo.structures import view_names_from_yaws
    yaws = (metainfo.get('renderer') or {}).get('yaws')
    names = view_names_from_yaws(yaws) if yaws is not None else []
    if len(names) != n:
        return [f'view_{i}' for i in range(n)]
    return [f'{name} (yaw {y:+g}°)' for name, y in zip(names, yaws)]


def build_augment(cfg):
    """The model's augmentation module (``model.augment``; BatchViewAugment when the model config
    names none), as SmileVLM builds it."""
    from smilezoo.registry import MODELS
    aug = (cfg.get('model') or {}).get('augment')
    return MODELS.build(copy.deepcopy(aug) if aug else dict(type='BatchViewAugment'))


def augment_views(views: np.ndarray, augment, seed: int = 0):
    """(K, N, C, H, W) image or (K, N, P, C) point views -> two augmented float copies (A, B),
    drawn as in training: uint8 views / 255, all K*N views flattened into one call, twice."""
    import torch
    x = torch.from_numpy(to_unit_float(views))
    flat = x.flatten(0, 1)
    torch.manual_seed(seed)
    with torch.no_grad():
        a, b = augment(flat), augment(flat)
    return a.view_as(x).numpy(), b.view_as(x).numpy()


def describe_views(metainfo: Dict) -> str:
    """'normal maps, 32 px' or, for 4D, 'dynamic images (approximate rank pooling of 8 frames
    sampled per sequence) of normal maps, 32 px'; for point views 'point views of 256 points
    (xyz, normal), coloured by the normal'."""
    r = metainfo.get('renderer') or {}
    t = metainfo.get('temporal')
    frames = (t or {}).get('num_frames_sampled')
    if r.get('num_points'):
        what = f'point views of {r["num_points"]} points (xyz, normal), coloured by the normal'
        if t:
            return (f'4D: {what}, of the last of {frames or "the"} sampled frames (each point '
                    f'also carries its displacement from the first)')
        return what
    modes = '+'.join(r.get('modes') or ['views'])
    what = f'{modes} {"maps" if modes == "normal" else "views"}'
    size = f', {r["image_size"]} px' if r.get('image_size') else ''
    if t:
        pooling = str(t.get('pooling', 'rank pooling')).replace('_', ' ').replace(
            'approx ', 'approximate ')
        of = f' of {frames} frames sampled per sequence' if frames else ''
        return f'4D: dynamic images ({pooling}{of}) of {what}{size}'
    return f'{what}{size}'


def draw_view_grid(samples: Dict, path: str, title: str = '', augment=None,
                   seed: int = 0, cell: float = 1.15) -> str:
    """Write the grid PNG of ``samples`` (see :func:`load_view_samples`) to ``path`` atomically.
    With ``augment``, the clean view is followed by augmentations A and B of it."""
    views = to_unit_float(samples['views'])
    k, n = views.shape[:2]
    meta = samples.get('metainfo') or {}
    modes = (meta.get('renderer') or {}).get('modes')
    points = views.ndim == 4  # (K, N, P, C) point views, not (K, N, C, H, W) images
    names = view_names(meta, n)
    stacks = [('clean', views)]
    if augment is not None:
        a, b = augment_views(samples['views'], augment, seed)
        stacks += [('aug A', a), ('aug B', b)]
    cols = [(v, tag, arr) for v in range(n) for tag, arr in stacks]
    ncol = len(cols)
    # layout in inches: row labels | cells; title and column titles on top
    label_w, gap, pad = 1.0, 0.06, 0.08
    width = label_w + ncol * cell + (ncol - 1) * gap + pad
    lines = [part for line in title.splitlines()
             for part in textwrap.wrap(line, max(30, int(width * 13))) or ['']]
    header = 0.08 + 0.19 * len(lines) + (0.34 if augment is not None else 0.2)
    height = header + k * cell + (k - 1) * gap + pad
    fig = new_figure(width, height)
    grid = fig.add_gridspec(k, ncol, left=label_w / width, right=1 - pad / width,
                            top=1 - header / height, bottom=pad / height,
                            wspace=gap / cell, hspace=gap / cell)
    for r in range(k):
        for j, (v, tag, arr) in enumerate(cols):
            ax = fig.add_subplot(grid[r, j])
            if points:
                draw_points(ax, arr[r, v])
            else:
                ax.imshow(to_rgb(arr[r, v], modes), interpolation='nearest')
            ax.set(xticks=[], yticks=[])
            if augment is not None and tag != 'clean':
                for side in ax.spines.values():
                    side.set(color='tab:orange', linewidth=1.2)
            if r == 0:
                ax.set_title(names[v] if augment is None else f'{names[v]}\n{tag}',
                             fontsize=7.5, pad=3)
            if j == 0:
                ax.set_ylabel(samples['labels'][r], fontsize=7.5, rotation=0, ha='right',
                              va='center', labelpad=4)
    fig.suptitle('\n'.join(lines), fontsize=9, y=1 - 0.05 / height, va='top')
    return save_figure(fig, path, dpi=120)


def default_title(cfg_path: str, split: str, samples: Dict, augment: bool,
                  reuse_aug_as_clean: bool = False) -> str:
    meta = samples.get('metainfo') or {}
    dataset = meta.get('dataset') or ''
    head = (f'{osp.basename(cfg_path)}: {len(samples["labels"])} of {samples["size"]} '
            f'{split} samples{f" ({dataset})" if dataset else ""}')
    line = describe_views(meta)
    if augment:
        line += '; training augmentations A and B of each view (orange frame)'
        if reuse_aug_as_clean:
            line += ', A doubles as the clean view in training (reuse_aug_as_clean)'
    return f'{head}\n{line}'
