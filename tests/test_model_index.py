"""The model index lists every config, each config loads, and the index is current."""
import subprocess
import sys

import yaml
from mmengine.config import Config

from pipeline_helpers import ROOT

sys.path.insert(0, str(ROOT / 'tools' / 'analysis_tools'))
import model_index  # noqa: E402


def test_every_config_is_in_the_index_and_loads():
    index = yaml.safe_load((ROOT / 'model-index.yml').read_text())
    listed = {m['Config'] for m in index['Models']}
    configs = model_index.list_configs(str(ROOT))
    assert configs and not any('_base_' in c for c in configs)
    missing = sorted(set(configs) - listed)
    assert not missing, (f'not in model-index.yml: {missing}; run '
                         f'python tools/analysis_tools/model_index.py')
    assert not sorted(listed - set(configs)), 'model-index.yml lists configs that are gone'
    sys.path.insert(0, str(ROOT))  # for configs with custom_imports of projects/...
    for c in configs:
        cfg = Config.fromfile(ROOT / c)
        assert 'model' in cfg and cfg.model.get('type'), c
    for m in index['Models']:
        for key in ('Backbone', 'Text encoder', 'Fusion', 'Dataset', 'Results'):
            assert key in m, (m['Config'], key)
        for r in m['Results']:  # every figure says where it was measured and on what
            assert r['machine'] and r['setting'] and r['seeds'] and 'synthetic' in r
            assert r['metrics']['all']['n'] == len(r['seeds'])


def test_index_and_zoo_doc_match_the_configs_and_results():
    proc = subprocess.run([sys.executable, 'tools/analysis_tools/model_index.py', '--check'],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
