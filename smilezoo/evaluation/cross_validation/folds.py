"""Subject folds of a cross-validation and the config of one fold."""
import copy
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

from smilezoo.utils.atomic_io import write_json_atomic

PICTURES = 'pictures'  # a fold's (and the report's) picture folder


def data_infos(dataset) -> List[Dict]:
    """Every sample's annotation dict (works for serialised mmengine datasets)."""
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def dataset_subjects(cfg) -> List[str]:
    """Every subject in the (class-filtered) annotation file of cfg's test dataset."""
    from smilezoo.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.update(subject_split=None, pipeline=[])
    return sorted({d['subject'] for d in data_infos(DATASETS.build(ds_cfg))})


def plan_folds(work_dir: str, subjects: Sequence[str], num_folds: int, seed: int,
               ann_file: str) -> List[List[str]]:
    """Subject folds, saved to work_dir/folds.json and reused when they match
    (ValueError when the saved folds are for other settings)."""
    from smilezoo.datasets.splits import subject_folds
    path = osp.join(work_dir, 'folds.json')
    if osp.isfile(path):
        saved = json.load(open(path))
        same = (saved['num_folds'] == num_folds and saved['seed'] == seed and
                sorted(s for f in saved['folds'] for s in f) == sorted(subjects))
        if not same:
            raise ValueError(f'{path} holds folds for num_folds={saved["num_folds"]}, '
                             f'seed={saved["seed"]} and {sum(map(len, saved["folds"]))} '
                             f'subjects; this run asks for num_folds={num_folds}, seed={seed} '
                             f'and {len(subjects)} subjects. Use another --work-dir.')
        return saved['folds']
    folds = subject_folds(subjects, num_folds, seed)
    os.makedirs(work_dir, exist_ok=True)
    write_json_atomic(path, dict(num_folds=num_folds, seed=seed, ann_file=ann_file, folds=folds))
    return folds


def fold_config(cfg, train_subjects, test_subjects, fold_dir: str, name: str):
    """A copy of cfg that trains on train_subjects, tests on test_subjects, resumes from fold_dir's
    last checkpoint if there is one and draws the evaluation pictures into fold_dir/pictures."""
    cfg = copy.deepcopy(cfg)
    cfg.train_dataloader.dataset.subject_split = dict(subjects=sorted(train_subjects))
    cfg.test_dataloader.dataset.subject_split = dict(subjects=sorted(test_subjects))
    # The held-out fold is never looked at during training.
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.work_dir = fold_dir
    cfg.experiment_name = name
    cfg.load_from = None
    cfg.resume = osp.isfile(osp.join(fold_dir, 'last_checkpoint'))
    hooks = [h for h in (cfg.get('custom_hooks') or [])
             if h.get('type') not in ('EvaluationPicturesHook', 'smilezoo.EvaluationPicturesHook')]
    hooks.append(dict(type='EvaluationPicturesHook', out_dir=osp.join(fold_dir, PICTURES),
                      title=name))
    cfg.custom_hooks = hooks
    return cfg


def probe_loader_cfg(cfg):
    """The training set in order, without dropping samples (for probe features)."""
    loader = copy.deepcopy(cfg.train_dataloader)
    loader.update(sampler=dict(type='DefaultSampler', shuffle=False), drop_last=False,
                  persistent_workers=False, num_workers=0)
    return loader
