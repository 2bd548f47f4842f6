"""Shared helpers of the end-to-end tests: run a tool as a user would."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY_CONFIG = ROOT / 'tests' / 'configs' / 'tiny_synthetic.py'


def run_tool(*args, check=True, timeout=900, env=None):
    """python tools/<args>, from the repo root; returns the CompletedProcess."""
    full_env = dict(os.environ, HF_HUB_OFFLINE='1', PYTHONUNBUFFERED='1', **(env or {}))
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} exited {proc.returncode}\n--- stdout\n'
                             f'{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-6000:]}')
    return proc


def data_options(data_root, cache):
    """--cfg-options pointing a config at a data tree and a view cache (the
    one key data_preparation.out_dir moves the cache of prepare_data and of
    the train, val and test loaders)."""
    return ['--cfg-options', f'data_preparation.source.data_root={data_root}',
            f'data_preparation.out_dir={cache}']
