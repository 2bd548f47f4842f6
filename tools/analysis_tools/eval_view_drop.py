"""Zero-shot accuracy of a trained model with all views and with each view dropped.

For every view mask (all views; view i hidden from the fusion, for each i; only
view i left, for each i) runs ``SmileVLM.predict(inputs, view_mask=...)`` over
the config's test set and reports the fused zero-shot accuracy. Also reports
the cluster accuracy of the fused predictions (best one-to-one relabelling of
predicted classes, Hungarian), which measures whether expressions are separated
even when their names are not learned (useful for the label-free modes).

Usage:
    python tools/analysis_tools/eval_view_drop.py CONFIG CHECKPOINT [--out FILE]
        [--cfg-options ...]
Prints one JSON object (and writes it to --out).
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner, load_checkpoint

from smilezoo.registry import MODELS
from smilezoo.utils import explain_unknown_types, register_all_modules
from smilezoo.utils.config_check import fill_cache_paths


def cluster_accuracy(gt: np.ndarray, pred: np.ndarray, num_classes: int) -> float:
    """% correct after the best one-to-one mapping of predicted to true classes."""
    from scipy.optimize import linear_sum_assignment
    cm = np.bincount(gt * num_classes + pred, minlength=num_classes ** 2).reshape(
        num_classes, num_classes)
    rows, cols = linear_sum_assignment(-cm)
    return float(100.0 * cm[rows, cols].sum() / max(len(gt), 1))


@torch.no_grad()
def evaluate(model, loader, num_classes: int) -> dict:
    """-> {'all': {...}, 'drop_view_0': {...}, 'only_view_0': {...}, ...}, each with
    acc (%) and cluster_acc (%) of the fused zero-shot prediction."""
    preds, gts, n_views = {}, [], None
    for data in loader:
        data = model.data_preprocessor(data, False)
        x = data['inputs']
        n_views = x.shape[1]
        masks = {'all': None}
        for i in range(n_views):
            m = torch.ones(x.shape[0], n_views, dtype=torch.bool)
            m[:, i] = False
            masks[f'drop_view_{i}'] = m
            if n_views > 2:
                masks[f'only_view_{i}'] = ~m
        gts += [int(s['gt_label']) for s in data['data_samples']]
        for name, m in masks.items():
            out = model.predict(x, data['data_samples'], view_mask=m)
            preds.setdefault(name, []).extend(int(r['pred_label']) for r in out)
    gt = np.array(gts)
    res = {}
    for name, p in preds.items():
        p = np.array(p)
        res[name] = dict(acc=float(100.0 * (p == gt).mean()),
                         cluster_acc=cluster_accuracy(gt, p, num_classes))
    res['num_samples'] = len(gt)
    res['num_views'] = n_views
    return res


def machine() -> str:
    """'<cores>-core CPU (<model>)' or the GPU's name."""
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    name = ''
    try:
        with open('/proc/cpuinfo') as f:
            name = next((ln.split(':', 1)[1].strip() for ln in f
                         if ln.startswith('model name')), '')
    except OSError:
        pass
    return f'{os.cpu_count()}-core CPU' + (f' ({name})' if name else '') + ', no GPU'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', help='write the JSON here too')
    parser.add_argument('--train-seconds', type=float, help='recorded with the results')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    fill_cache_paths(cfg)
    with explain_unknown_types():
        model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu', strict=True)
    model.eval()
    loader = Runner.build_dataloader(cfg.test_dataloader)
    res = evaluate(model, loader, len(model.class_names))
    res.update(config=args.config, checkpoint=args.checkpoint,
               cfg_options=[f'{k}={v}' for k, v in (args.cfg_options or {}).items()],
               view_yaws=cfg.get('data_preparation', {}).get('renderer', {}).get('yaws'),
               train_seconds=args.train_seconds, machine=machine())
    text = json.dumps(res, indent=2)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
