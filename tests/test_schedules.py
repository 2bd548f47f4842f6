"""The stock schedules follow train_cfg.max_epochs; a run shorter than the
warm-up drops the cosine part with a warning instead of failing."""
import math

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS

from pipeline_helpers import ROOT
from smilezoo.engine import fit_param_schedulers


def lr_curve(schedulers, max_epochs, epoch_length, lr=1e-3):
    """The learning rate of every iteration, stepped as mmengine's ParamSchedulerHook does."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    built = []
    for s in schedulers:
        s = dict(s)
        s.setdefault('end', max_epochs)  # what mmengine's Runner does
        s.pop('convert_to_iter_based', None)
        typ = PARAM_SCHEDULERS.get(s.pop('type'))
        s.pop('by_epoch', None)
        built.append(typ.build_iter_from_epoch(opt, epoch_length=epoch_length, **s))
    curve = []
    for _ in range(max_epochs * epoch_length):
        curve.append(opt.param_groups[0]['lr'])
        opt.step()
        for b in built:
            b.step()
    return curve


@pytest.mark.parametrize('max_epochs', [3, 15, 40])
def test_cosine_ends_at_the_last_epoch_whatever_max_epochs(max_epochs):
    cfg = Config.fromfile(ROOT / 'configs' / 'smile_vlm_synthetic.py')
    cfg.merge_from_dict({'train_cfg.max_epochs': max_epochs})
    assert fit_param_schedulers(cfg) == []
    curve = lr_curve(cfg.param_scheduler, max_epochs, epoch_length=4)
    lr, eta_min = 1e-3, 1e-3 * 0.01
    assert curve[0] == pytest.approx(0.1 * lr)  # warm-up starts at start_factor
    assert curve[4] == pytest.approx(lr)  # cosine starts at epoch 1 at the full rate
    n = (max_epochs - 1) * 4  # cosine iterations
    for k in (1, n // 2, n - 1):  # the literal cosine: eta_min + (lr - eta_min)(1 + cos(pi k/n))/2
        expected = eta_min + (lr - eta_min) * (1 + math.cos(math.pi * k / n)) / 2
        assert curve[4 + k] == pytest.approx(expected, rel=1e-6)


def test_one_epoch_run_drops_the_cosine_part_with_a_warning():
    cfg = Config.fromfile(ROOT / 'configs' / 'smile_vlm_synthetic.py')
    cfg.merge_from_dict({'train_cfg.max_epochs': 1})
    with pytest.warns(UserWarning, match=r'param_scheduler\[1\] \(CosineAnnealingLR\) begins at '
                                         r'epoch 1 but train_cfg.max_epochs is 1'):
        dropped = fit_param_schedulers(cfg)
    assert len(dropped) == 1
    assert [s['type'] for s in cfg.param_scheduler] == ['LinearLR']
    curve = lr_curve(cfg.param_scheduler, 1, epoch_length=4)
    assert curve[0] == pytest.approx(1e-4) and curve[-1] < 1e-3
