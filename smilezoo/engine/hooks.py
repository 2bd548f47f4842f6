"""The training hooks smilezoo adds to mmengine's: reseeding every step, and a stop
at the first non-finite loss or weight."""
import math
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from smilezoo.registry import HOOKS


@HOOKS.register_module()
class StepSeedHook(Hook):
    """Reseed torch, numpy and random before every training iteration from (seed, iteration, rank):
    a step's random draws (augmentations, prompts, view dropout) then depend only on the step, so a
    resumed run repeats the uninterrupted one (mmengine restores data order, optimizer and scheduler
    state, not the global random state). ``seed``: None takes the runner's (``randomness.seed``)."""
    priority = 'VERY_HIGH'

    def __init__(self, seed=None):
        self.seed = seed

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        base = self.seed if self.seed is not None else (runner.seed or 0)
        step_seed = (int(base) * 1_000_003 + runner.iter * 101 + get_rank()) % (2 ** 31)
        torch.manual_seed(step_seed)
        np.random.seed(step_seed)
        random.seed(step_seed)


def _scalar(value) -> float:
    """A logged loss (tensor, possibly still attached to the graph, or number) as a float."""
    return float(value.detach()) if torch.is_tensor(value) else float(value)


class NonFiniteTrainingError(RuntimeError):
    """Training produced a NaN or infinite loss, or weights about to be saved are."""


KNOWN_CAUSES = ('Known causes: bf16 autocast on the CPU (--amp, AnyDeviceAmpOptimWrapper: '
                'NaN gradients of a conv on 1 x 1 feature maps were seen on an Intel AMX CPU '
                'with 16 px views; docs/performance.md), a learning rate too high for the '
                'batch, or an empty or constant batch of views')


@HOOKS.register_module()
class FiniteTrainingHook(Hook):
    """Stop at the first training iteration whose loss is not finite, and before saving a
    checkpoint whose weights are not, naming the iteration and the loss terms (or the first
    weights). The loss is read from ``train_step``'s outputs (scalars mmengine's
    RuntimeInfoHook already reads every iteration, so no extra device sync)."""
    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        loss = (outputs or {}).get('loss')
        if loss is None or math.isfinite(_scalar(loss)):
            return
        terms = ', '.join(f'{k}={_scalar(v):.4g}' for k, v in outputs.items()
                          if k.startswith('loss') and k != 'loss')
        raise NonFiniteTrainingError(
            f'training loss is {_scalar(loss)} at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}){f": {terms}" if terms else ""}; stopped so that no NaN '
            f'weights are saved. {KNOWN_CAUSES}.')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('state_dict') or {}
        bad = [k for k, v in state.items()
               if torch.is_tensor(v) and v.is_floating_point() and not torch.isfinite(v).all()]
        if bad:
            more = f' and {len(bad) - 3} more' if len(bad) > 3 else ''
            raise NonFiniteTrainingError(
                f'after iteration {runner.iter} (epoch {runner.epoch + 1}) the weights '
                f'{", ".join(bad[:3])}{more} are not finite; the checkpoint is not saved. '
                f'{KNOWN_CAUSES}.')
