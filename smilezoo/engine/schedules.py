"""Fit a config's parameter schedulers to its train loop before the runner is built."""
import warnings
from typing import List


def fit_param_schedulers(cfg) -> List[str]:
    """Drop the epoch-based schedulers of ``cfg.param_scheduler`` that would begin at or after
    ``train_cfg.max_epochs`` (e.g. the cosine decay that follows a 1-epoch warm-up, in a run
    shortened to 1 epoch with ``--cfg-options train_cfg.max_epochs=1``): mmengine would refuse them
    ("end should be larger than begin"). Edits ``cfg`` in place; returns one message per scheduler
    dropped (also issued as a warning)."""
    schedulers = cfg.get('param_scheduler')
    train_cfg = cfg.get('train_cfg') or {}
    max_epochs = train_cfg.get('max_epochs')
    if not schedulers or max_epochs is None or not train_cfg.get('by_epoch', True):
        return []
    single = isinstance(schedulers, dict)
    kept, dropped = [], []
    for i, s in enumerate([schedulers] if single else schedulers):
        if s.get('by_epoch', True) and s.get('begin', 0) >= max_epochs:
            dropped.append(f'param_scheduler[{i}] ({s.get("type")}) begins at epoch '
                           f'{s.get("begin")} but train_cfg.max_epochs is {max_epochs}: '
                           'not used in this run')
        else:
            kept.append(s)
    if dropped:
        cfg.param_scheduler = kept[0] if single and kept else kept
        for msg in dropped:
            warnings.warn(msg, stacklevel=2)
    return dropped
