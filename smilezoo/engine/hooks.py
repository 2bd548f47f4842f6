"""The training hook smilezoo adds to mmengine's (reseeding every step)."""
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from smilezoo.registry import HOOKS


@HOOKS.register_module()
class StepSeedHook(Hook):
    """Reseed torch, numpy and random before every training iteration from
    (seed, iteration, rank).

    The random draws of a step (view augmentations, prompt sampling, view
    dropout) then depend only on the step, so a run resumed from a checkpoint
    continues with exactly the random numbers the uninterrupted run would have
    used (mmengine restores data order, optimizer and scheduler state, but not
    the global random state).

    Args:
        seed: base seed; None takes the runner's seed (``randomness.seed``).
    """
    priority = 'VERY_HIGH'

    def __init__(self, seed=None):
        self.seed = seed

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        base = self.seed if self.seed is not None else (runner.seed or 0)
        step_seed = (int(base) * 1_000_003 + runner.iter * 101 + get_rank()) % (2 ** 31)
        torch.manual_seed(step_seed)
        np.random.seed(step_seed)
        random.seed(step_seed)
