"""Helpers of the zoo/plugin tests: a tiny view cache written directly (no rendering),
a tiny SmileVLM config, a tool script loaded as a module."""
import importlib.util
import json
from pathlib import Path

import numpy as np

from pipeline_helpers import ROOT

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


#: the 3 classes and prompt pools of the tiny SmileVLM of the model tests
TINY_CLASSES = ['happy', 'sad', 'surprise']
TINY_POOLS = {'happy': ['a person smiling happily', 'a joyful facial expression'],
              'sad': ['a sad expression', 'a face showing sorrow'],
              'surprise': ['a surprised facial expression']}


def tiny_smile_vlm_cfg(backbone: dict, **over) -> dict:
    """A SmileVLM model config small enough for unit tests: ``backbone`` (a
    backbone dict), a 32-wide projector, view attention of width 8, the
    offline MiniLM text encoder, the three losses, :data:`TINY_CLASSES` and
    :data:`TINY_POOLS`; ``over`` replaces top-level keys."""
    cfg = dict(
        type='SmileVLM', backbone=backbone,
        projector=dict(type='MLPProjector', hidden_dim=32),
        fusion=dict(type='ViewAttentionFusion', hidden_dim=8),
        text_encoder=dict(type='SentenceTransformerTextEncoder'),
        losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss', loss_weight=0.01),
                    vl=dict(type='MultiViewInfoNCELoss'),
                    red=dict(type='CrossModalRedundancyLoss', loss_weight=0.01)),
        class_names=TINY_CLASSES, prompt_pools=TINY_POOLS)
    cfg.update(over)
    return cfg


def load_tool(path: str, name: str):
    """The script ``path`` (relative to the repo root, e.g.
    'tools/analysis_tools/gpu_check.py') imported as module ``name`` (tools/
    is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def model_and_checkpoint(config, options: dict, path, seed: int = 0):
    """(cfg, model in eval mode, checkpoint path): ``config`` loaded with
    ``options`` (a dict of --cfg-options), its model built with ``seed``, its
    random weights saved to ``path`` as a checkpoint smilezoo writes them."""
    import torch

    from smilezoo.registry import MODELS
    from smilezoo.utils import register_all_modules
    from smilezoo.utils.config_check import load_config
    register_all_modules()
    cfg = load_config(str(config), options)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model).eval()
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return cfg, model, path
