"""Subject-independent k-fold cross-validation of one or more configs, and its report
(docs/train_test.md, "Cross-validation"; modules ``folds``, ``run_fold``, ``report``, ``pictures``).

Layout of a cross-validation work dir:
    folds.json                      the subject folds (reused on reruns)
    <variant>/fold_<k>/             mmengine work dir of one training run
    <variant>/fold_<k>/result.json  that fold's test figures (written last: the fold is done)
    <variant>/fold_<k>/pictures/    that fold's EvaluationPicturesHook pictures and
                                    predictions.npz (linear_probe_*.png for the linear probe)
    cv_report.json, cv_report.md, confusion_<variant>_<evaluation>.png
    pictures/<variant>_<evaluation>_{f1_per_class,view_weights}.png
                                    summed / pooled over folds (no embedding map: every fold
                                    has its own model and embedding space)
"""
import os.path as osp
from typing import Dict, Optional, Sequence

from smilezoo.utils import register_all_modules
from smilezoo.utils.config_check import ConfigError, explain_config_errors, load_config
from smilezoo.utils.registry_hints import UnknownTypeError

from .folds import dataset_subjects, plan_folds
from .report import write_report
from .run_fold import FoldCallback, fold_result


class CrossValidationError(ValueError):
    """A cross-validation that cannot be run as asked (the message says why)."""


def variant_name(path: str) -> str:
    """A config's name in the report: its file name without extension."""
    return osp.splitext(osp.basename(path))[0]


def load_variants(configs: Sequence[str], cfg_options: Optional[Dict] = None) -> Dict:
    """variant name -> Config of each config file (``cfg_options`` merged into
    every one); they must train and test on the same annotation file."""
    cfgs = {}
    for path in configs:
        cfg = load_config(path, cfg_options)
        name = variant_name(path)
        if name in cfgs:
            raise CrossValidationError(f'two configs are named {name!r}; rename one')
        cfgs[name] = cfg
    for name, cfg in cfgs.items():
        if cfg.train_dataloader.dataset.ann_file != cfg.test_dataloader.dataset.ann_file:
            raise CrossValidationError(
                f'{name} trains on {cfg.train_dataloader.dataset.ann_file} and tests on '
                f'{cfg.test_dataloader.dataset.ann_file}: a cross-data-set protocol has no '
                f'folds; run tools/train.py and tools/test.py on it instead')
    anns = {n: c.test_dataloader.dataset.ann_file for n, c in cfgs.items()}
    if len(set(anns.values())) > 1:
        raise CrossValidationError(f'the configs read different annotation files {anns}; '
                                   f'cross-validate models on the same data')
    return cfgs


def cross_validate(configs: Sequence[str], work_dir: str, num_folds: int = 10, seed: int = 0,
                   only_folds: Optional[Sequence[int]] = None,
                   cfg_options: Optional[Dict] = None,
                   on_fold: Optional[FoldCallback] = None) -> Optional[Dict]:
    """Train and test every config on the same subject folds of its data; returns the report
    (as cv_report.json), or None when only some folds were run.

    Args:
        configs: config files; each one's ``cv_evaluations`` (default
            ['zero_shot', 'linear_probe']) says how it is evaluated.
        work_dir: where folds, fold runs and the report go (module docstring).
        num_folds, seed: the subject folds (saved in work_dir/folds.json).
        only_folds: run only these folds (then no report unless they are all).
        cfg_options: overrides merged into every config.
        on_fold: ``on_fold(variant, k, num_folds, reused)`` before each fold.

    Raises:
        CrossValidationError: configs that cannot be cross-validated together, saved folds
            for other settings, missing or unreadable data.
        ConfigError, UnknownTypeError: a config mistake (naming its key).
        smilezoo.engine.checkpoint_loading.CheckpointError: a fold's last checkpoint cannot
            be resumed.
    """
    register_all_modules()
    cfgs = load_variants(configs, cfg_options)
    first = next(iter(cfgs.values()))
    try:
        with explain_config_errors(first):
            folds = plan_folds(work_dir, dataset_subjects(first), num_folds, seed,
                               first.test_dataloader.dataset.ann_file)
    except (ConfigError, UnknownTypeError):
        raise
    except (ValueError, FileNotFoundError) as e:
        raise CrossValidationError(str(e)) from e
    wanted = list(only_folds) if only_folds is not None else list(range(len(folds)))
    if any(not 0 <= k < len(folds) for k in wanted):
        raise CrossValidationError(f'folds {wanted} asked for; there are {len(folds)}, '
                                   f'numbered 0 to {len(folds) - 1}')
    results = {}
    for name, cfg in cfgs.items():
        with explain_config_errors(cfg):
            results[name] = [fold_result(cfg, name, folds, k, work_dir, on_fold) for k in wanted]
    if len(wanted) != len(folds):
        return None
    return write_report(work_dir, results, folds, seed)
