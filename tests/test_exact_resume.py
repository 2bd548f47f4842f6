"""--resume continues exactly: same data order, optimizer/scheduler state and random draws."""
import json
import shutil

import pytest

from pipeline_helpers import TINY_CONFIG, data_options, run_tool


def step_losses(work):
    logs = sorted(work.glob('*/vis_data/scalars.json'))
    rows = [json.loads(line) for log in logs for line in log.read_text().splitlines()]
    return {r['step']: r['loss'] for r in rows if 'loss' in r}


def test_resumed_run_repeats_the_uninterrupted_losses(synthetic_tree, tmp_path):
    cache = tmp_path / 'cache'
    opts = data_options(synthetic_tree, cache)
    run_tool('tools/prepare_data.py', TINY_CONFIG, *opts)
    train_opts = opts + ['train_cfg.max_epochs=2', 'param_scheduler.0.T_max=2',
                         'log_processor.window_size=1', 'default_hooks.logger.interval=1',
                         'default_hooks.checkpoint.max_keep_ckpts=3']
    full = tmp_path / 'full'
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', full, '--no-validate', *train_opts)
    reference = step_losses(full)
    assert len(reference) == 24  # 12 iterations an epoch
    # As if the job died after epoch 1: keep only that checkpoint, resume.
    interrupted = tmp_path / 'interrupted'
    interrupted.mkdir()
    shutil.copy(full / 'epoch_1.pth', interrupted / 'epoch_1.pth')
    (interrupted / 'last_checkpoint').write_text(str(interrupted / 'epoch_1.pth'))
    run_tool('tools/train.py', TINY_CONFIG, '--work-dir', interrupted, '--resume',
             '--no-validate', *train_opts)
    resumed = step_losses(interrupted)
    assert sorted(resumed) == list(range(13, 25))
    for step in resumed:
        assert resumed[step] == pytest.approx(reference[step], rel=1e-5, abs=1e-6), step
