"""Train and evaluate one fold with mmengine's Runner, or reuse a finished one."""
import json
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

from smilezoo.utils.atomic_io import write_json_atomic

from ..linear_probe import extract_embeddings, fit_linear_probe, predict_linear_probe
from ..metrics import classification_summary
from .folds import PICTURES, data_infos, fold_config, probe_loader_cfg

TEST_EVALUATIONS = ('zero_shot', 'classifier')
DEFAULT_EVALUATIONS = ('zero_shot', 'linear_probe')
RESULT = 'result.json'  # written last: its presence marks a finished fold

# on_fold(variant, k, num_folds, reused): called before each fold; reused is the
# path of the result.json read instead of training, or None.
FoldCallback = Callable[[str, int, int, Optional[str]], None]


def run_fold(cfg, evaluations: Sequence[str], train_subjects, test_subjects,
             fold_dir: str, name: str) -> Dict:
    """Train one fold (resuming from its last checkpoint, which must fit the
    model), evaluate it, write fold_dir/result.json; returns the result."""
    from mmengine.runner import Runner

    from smilezoo.engine import check_training_batches, fit_param_schedulers
    from smilezoo.engine.checkpoint_loading import guard_runner
    from smilezoo.visualization.evaluation_plots import write_evaluation_pictures
    cfg = fold_config(cfg, train_subjects, test_subjects, fold_dir, name)
    fit_param_schedulers(cfg)
    check_training_batches(cfg)
    runner = Runner.from_cfg(cfg)
    guard_runner(runner, f'{name} (fold resumed from {fold_dir})', partial_flag=None)
    runner.train()
    result = dict(train_subjects=sorted(train_subjects), test_subjects=sorted(test_subjects),
                  evaluations={})
    metrics = runner.test()
    classes = metrics['class_names']
    for ev in evaluations:
        if ev in TEST_EVALUATIONS:
            if f'acc/{ev}' not in metrics:
                raise KeyError(f'cv_evaluations asks for {ev!r} but the test metric gave '
                               f'{sorted(k for k in metrics if k.startswith("acc/"))}')
            result['evaluations'][ev] = dict(metrics)
        elif ev == 'linear_probe':
            model = getattr(runner.model, 'module', runner.model)
            x, y = extract_embeddings(model, runner.build_dataloader(probe_loader_cfg(cfg)))
            xt, yt = extract_embeddings(model, runner.test_dataloader)
            pt = predict_linear_probe(fit_linear_probe(x, y, len(classes)), xt)
            result['evaluations'][ev] = dict(classification_summary(yt, pt, classes, ev),
                                             num_samples=len(yt), num_train_samples=len(y))
            write_evaluation_pictures(osp.join(fold_dir, PICTURES), classes, yt, pt,
                                      title=name, method=ev, prefix=f'{ev}_')
        else:
            raise ValueError(f'unknown cv_evaluations entry {ev!r}; expected some of '
                             f'{TEST_EVALUATIONS + ("linear_probe",)}')
    result['test_samples'] = sorted(d['source_path'] for d in
                                    data_infos(runner.test_dataloader.dataset))
    write_json_atomic(osp.join(fold_dir, RESULT), result)
    return result


def fold_result(cfg, variant: str, folds: List[List[str]], k: int, work_dir: str,
                on_fold: Optional[FoldCallback] = None) -> Dict:
    """Fold k of ``variant``: its result.json when the fold finished, otherwise
    :func:`run_fold` on fold k's subjects (evaluations: cfg's ``cv_evaluations``)."""
    fold_dir = osp.join(work_dir, variant, f'fold_{k}')
    done = osp.join(fold_dir, RESULT)
    finished = osp.isfile(done)
    if on_fold is not None:
        on_fold(variant, k, len(folds), done if finished else None)
    if finished:
        with open(done) as f:
            return json.load(f)
    train = [s for i, f in enumerate(folds) if i != k for s in f]
    evaluations = list(cfg.get('cv_evaluations', DEFAULT_EVALUATIONS))
    return run_fold(cfg, evaluations, train, folds[k], fold_dir, f'{variant}_fold{k}')
