"""FiniteTrainingHook: a NaN or infinite training loss stops the run at that
iteration with one message, and weights that are not finite are never saved
(before, training went on and saved NaN weights: a bf16 run on an Intel AMX CPU
did so in about 1 of 5 runs of test_amp_cpu's 16 px config)."""
import math
from types import SimpleNamespace

import pytest
import torch

from pipeline_helpers import TINY_CONFIG, run_tool
from smilezoo.engine import FiniteTrainingHook, NonFiniteTrainingError
from test_training_options import write_view_cache


def test_a_non_finite_loss_stops_with_the_iteration_and_the_terms():
    hook, runner = FiniteTrainingHook(), SimpleNamespace(iter=4, epoch=1)
    hook.after_train_iter(runner, 0, outputs=dict(loss=torch.tensor(3.5)))  # finite: nothing
    hook.after_train_iter(runner, 0, outputs=None)
    for bad in (math.nan, math.inf):
        with pytest.raises(NonFiniteTrainingError, match=r'at iteration 5 \(epoch 2\): '
                                                         r'loss_vl=.*, loss_red=1') as info:
            hook.after_train_iter(runner, 0, outputs=dict(
                loss=torch.tensor(bad), loss_vl=torch.tensor(bad), loss_red=torch.tensor(1.0)))
        assert 'bf16' in str(info.value)


def test_weights_that_are_not_finite_are_not_saved():
    hook, runner = FiniteTrainingHook(), SimpleNamespace(iter=24, epoch=0)
    good = {'a.weight': torch.ones(2, 2), 'steps': torch.tensor(3)}
    hook.before_save_checkpoint(runner, dict(state_dict=good))
    bad = dict(good, **{'b.weight': torch.tensor([1.0, math.nan])})
    with pytest.raises(NonFiniteTrainingError, match=r'after iteration 24 \(epoch 1\) the '
                                                     r'weights b\.weight are not finite'):
        hook.before_save_checkpoint(runner, dict(state_dict=bad))


def test_train_py_stops_a_diverging_run_with_one_message(tmp_path):
    ann = write_view_cache(tmp_path / 'cache', subjects=6, size=16)
    work = tmp_path / 'work'
    proc = run_tool('tools/train.py', TINY_CONFIG, '--no-validate', '--work-dir', work,
                    '--cfg-options', f'data_preparation.out_dir={ann.parent}',
                    'optim_wrapper.optimizer.lr=1e30', 'optim_wrapper.optimizer.weight_decay=0',
                    'param_scheduler=[]', 'train_cfg.max_epochs=3',
                    check=False, env=dict(OMP_NUM_THREADS='1'))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert 'Traceback' not in out, out[-3000:]
    # lr 1e30: the weights after step 1 are huge but finite (saved), step 2's loss is not
    assert f'error: {TINY_CONFIG}: training loss is nan at iteration 2' in proc.stderr, \
        proc.stderr[-2000:]
    assert not (work / 'epoch_2.pth').exists()
    for ckpt in work.glob('epoch_*.pth'):  # whatever was saved holds finite weights
        state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
        assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
