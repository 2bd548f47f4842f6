"""Zero-shot accuracy of a trained model with all views and with each view dropped.

For every view mask (all views; view i hidden from the fusion, for each i; only
view i left, for each i) runs ``SmileVLM.predict(inputs, view_mask=...)`` over
the config's test set and reports the fused zero-shot accuracy and the cluster
accuracy of the fused predictions (useful for the label-free modes); see
``smilezoo.evaluation.view_drop``.

Usage:
    python tools/analysis_tools/eval_view_drop.py CONFIG CHECKPOINT [--out FILE]
        [--cfg-options ...]
Prints one JSON object (and writes it to --out). A checkpoint that does not fit
the config's model exactly, or an option key the config does not have, ends it
with one error message and a non-zero exit.
"""
import argparse
import json
import os
import sys

from mmengine.config import DictAction

from smilezoo.engine.checkpoint_loading import exit_on_checkpoint_error
from smilezoo.evaluation.view_drop import evaluate_view_drop
from smilezoo.utils import register_all_modules
from smilezoo.utils.atomic_io import write_text_atomic
from smilezoo.utils.config_check import exit_on_config_error, load_config
from smilezoo.utils.machine import describe_machine


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', help='write the JSON here too')
    parser.add_argument('--train-seconds', type=float, help='recorded with the results')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if os.getcwd() not in sys.path:  # custom_imports may name modules under it (projects/...)
        sys.path.insert(0, os.getcwd())
    register_all_modules()
    with exit_on_config_error(), exit_on_checkpoint_error():
        cfg = load_config(args.config, args.cfg_options)
        try:
            res = evaluate_view_drop(cfg, args.checkpoint, target=args.config)
        except ValueError as e:  # a model that predicts no class
            raise SystemExit(f'error: {args.config}: {e}') from None
    res.update(config=args.config, checkpoint=args.checkpoint,
               cfg_options=[f'{k}={v}' for k, v in (args.cfg_options or {}).items()],
               view_yaws=cfg.get('data_preparation', {}).get('renderer', {}).get('yaws'),
               train_seconds=args.train_seconds, machine=describe_machine())
    text = json.dumps(res, indent=2)
    print(text)
    if args.out:  # whole or not at all (the folder is made if needed)
        write_text_atomic(args.out, text + '\n')
    return res


if __name__ == '__main__':
    main()
