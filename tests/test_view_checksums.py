"""The cached views of a fixed synthetic set are bit-identical to a reference.

The reference (tests/reference/view_checksums.json) was made from the code before the
issue-10/11 changes (commit 5716374) with ``python tests/test_view_checksums.py --write``;
any change to reading, normalisation, rendering, frame sampling or dynamic-image
pooling that alters one byte of a cached view fails this test.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_helpers import ROOT, data_options, run_tool  # noqa: E402

REFERENCE = ROOT / 'tests' / 'reference' / 'view_checksums.json'
# (layout, config, subjects, extra make_synthetic args)
SETS = [('bu3dfe', 'tests/configs/tiny_synthetic.py', 2, ['--resolution', 1500]),
        ('bu4dfe', 'tests/configs/tiny_bu4dfe.py', 2, ['--resolution', 1500, '--frames', 10])]


def array_digest(path: Path) -> str:
    arr = np.load(path, allow_pickle=False)
    h = hashlib.sha256(f'{arr.dtype.str}{arr.shape}'.encode())
    h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def cache_digests(work: Path) -> dict:
    """Generate each fixed set, cache its views, and hash every cached array."""
    out = {}
    for layout, config, subjects, extra in SETS:
        data, cache = work / f'data_{layout}', work / f'cache_{layout}'
        run_tool('tools/dataset_converters/make_synthetic.py', '--layout', layout, '--out', data,
                 '--subjects', subjects, '--seed', 3, '--no-progress', *extra)
        run_tool('tools/prepare_data.py', config, *data_options(data, cache)[:3])
        files = sorted((cache / 'views').rglob('*.npy'))
        assert files, f'no cached views under {cache}'
        out[layout] = {str(f.relative_to(cache / 'views')): array_digest(f) for f in files}
    return out


def test_cached_views_match_the_reference(tmp_path):
    reference = json.loads(REFERENCE.read_text())
    got = cache_digests(tmp_path)
    for layout, files in reference.items():
        assert sorted(got[layout]) == sorted(files), f'{layout}: other cached entries'
        changed = [name for name, digest in files.items() if got[layout][name] != digest]
        assert not changed, (f'{layout}: {len(changed)} of {len(files)} cached views changed, '
                             f'e.g. {changed[:3]}')


if __name__ == '__main__' and sys.argv[1:] == ['--write']:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        REFERENCE.parent.mkdir(exist_ok=True)
        REFERENCE.write_text(json.dumps(cache_digests(Path(d)), indent=1, sort_keys=True) + '\n')
    print('wrote', REFERENCE)
