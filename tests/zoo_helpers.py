"""Helpers of the zoo/plugin tests: a tiny view cache written directly (no rendering)."""
import json
from pathlib import Path

import numpy as np

CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']


def write_random_view_cache(root: Path, subjects: int = 5, intensities=(3, 4), size: int = 32,
                            views: int = 3, seed: int = 0) -> Path:
    """An annotation file in the cached-view format with random uint8 views
    (N, 3, size, size), one per subject x expression x intensity; returns its path."""
    rng = np.random.default_rng(seed)
    data_list = []
    for s in range(subjects):
        subject = f'F{s + 1:04d}'
        (root / 'views' / subject).mkdir(parents=True, exist_ok=True)
        for expr in CLASSES:
            for i in intensities:
                rel = f'views/{subject}/{subject}_{expr}_{i}.npy'
                arr = rng.integers(0, 255, (views, 3, size, size), dtype=np.uint8)
                np.save(root / rel, arr)
                data_list.append(dict(source_path=rel, dataset='bu3dfe', subject=subject,
                                      expression=expr, intensity=i, views=rel))
    meta = dict(format='smilezoo.cached_views', version=1, dataset='bu3dfe',
                renderer=dict(type='MultiViewRenderer', yaws=[-30, 0, 30][:views],
                              image_size=size, modes=['normal']))
    ann = root / 'annotations.json'
    ann.write_text(json.dumps(dict(metainfo=meta, data_list=data_list)))
    return ann


def tiny_train_options(ann: Path, epochs: int = 2, batch_size: int = 16):
    """--cfg-options that point a synthetic config at the cache of ``ann``
    (<cache>/annotations.json) and shrink the run."""
    return ['--cfg-options', f'data_preparation.out_dir={ann.parent}',
            *[f'{k}_dataloader.{o}' for k in ('train', 'val', 'test')
              for o in (f'batch_size={batch_size}', 'num_workers=0',
                        'persistent_workers=False')],
            f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
            f'param_scheduler.1.T_max={max(epochs - 1, 1)}', 'default_hooks.logger.interval=1']
