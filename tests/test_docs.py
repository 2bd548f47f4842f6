"""The documentation's commands: static check per page, the checker's own
errors, and a run of every run-annotated command (tools/check_docs.py).

The run (test_docs_commands_run) takes about 17 min on 2 cores (16.5 min measured); it runs by
default and in CI. Skip it locally with SMILEZOO_SKIP_DOCS_RUN=1.
"""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / 'tools' / 'check_docs.py'
# Pages whose shell blocks are not annotated yet (being edited by others); the
# lead engineer annotates them and removes them from this set.
ANNOTATIONS_PENDING = set()  # pages whose shell blocks are not annotated yet
DOCS_RUN_BUDGET_S = 40 * 60


def load_checker():
    spec = importlib.util.spec_from_file_location('check_docs', TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules['check_docs'] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


check_docs = load_checker()
PAGES = check_docs.default_files(str(ROOT))


def run_checker(*args, timeout=600):
    env = dict(os.environ, HF_HUB_OFFLINE='1', PYTHONUNBUFFERED='1')
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope='module')
def static_errors():
    """Errors of the static check over every page, by page (one argparse pass)."""
    docs, errors = check_docs.load_docs(PAGES, str(ROOT))
    errors += check_docs.static_check(docs, str(ROOT))
    by_page = {}
    for e in errors:
        by_page.setdefault(e.split(':', 1)[0], []).append(e)
    return by_page


@pytest.mark.parametrize('page', [
    pytest.param(p, marks=pytest.mark.xfail(strict=False, reason='annotations pending'))
    if p in ANNOTATIONS_PENDING else p for p in PAGES])
def test_page_passes_static_check(static_errors, page):
    errors = static_errors.get(page, [])
    assert not errors, '\n'.join(errors)


def test_readme_and_new_pages_are_checked():
    for page in ('README.md', 'docs/get_started.md', 'docs/data_preparation.md',
                 'docs/train_test.md', 'docs/configs.md', 'docs/tools.md', 'docs/faq.md',
                 'docs/tutorials/custom_fusion.md'):
        assert page in PAGES


BROKEN = '''# A page with mistakes

<!-- docs-check: static: not run in this test -->
```bash
python tools/train.py configs/no_such_config.py
python tools/train.py configs/smile_vlm_synthetic.py --no-such-option
```

Some text.

```bash
python tools/test.py configs/smile_vlm_synthetic.py work_dirs/x/epoch_1.pth
```

A [broken link](no_such_page.md) and a [bad anchor](#no-such-heading).

<!-- docs-check: static: -->
```sh
make demo
```
'''


def test_checker_names_file_and_line_of_each_mistake(tmp_path):
    page = tmp_path / 'broken.md'
    page.write_text(BROKEN)
    proc = run_checker(page)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    expected = [
        (5, 'configs/no_such_config.py does not exist'),
        (6, 'unknown option(s) --no-such-option'),
        (11, 'block without a docs-check annotation'),
        (15, "link target 'no_such_page.md' does not exist"),
        (15, 'no heading with anchor #no-such-heading'),
        (17, 'a static annotation needs a reason'),
    ]
    for line, message in expected:
        hits = [ln for ln in out.splitlines() if f'{page}:{line}:' in ln and message in ln]
        assert hits, f'expected "{page}:{line}: ... {message}" in:\n{out}'


def test_checker_catches_options_of_placeholder_commands_and_launchers(tmp_path):
    page = tmp_path / 'synopsis.md'
    page.write_text('<!-- docs-check: static: synopsis -->\n```bash\n'
                    'python tools/cross_validate.py CONFIG [CONFIG ...] --folds N --fold 3\n'
                    'bash tools/dist_train.sh configs/smile_vlm_synthetic.py 2 --resum\n'
                    'make no-such-target\n```\n')
    proc = run_checker(page)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert f'{page}:3:' in out and 'unknown option(s) --fold' in out, out
    assert f'{page}:4:' in out and 'unknown option(s) --resum' in out, out  # no prefixes
    assert f'{page}:5:' in out and "make target 'no-such-target'" in out, out


def test_shrinks_are_applied_and_listed(tmp_path):
    page = tmp_path / 'shrink.md'
    page.write_text(
        '<!-- docs-check: run --cfg-options train_cfg.max_epochs=1 --replace epoch_15 epoch_1 '
        '--skip "make test" # CI time -->\n```bash\n'
        'python tools/train.py configs/smile_vlm_synthetic.py  # trains\n'
        'python tools/test.py configs/smile_vlm_synthetic.py work_dirs/smile_vlm_synthetic/'
        'epoch_15.pth\nmake test\n```\n')
    docs, errors = check_docs.load_docs([str(page)], str(ROOT))
    assert not errors and not docs[0].errors
    train, test, make = docs[0].blocks[0].commands
    assert train.effective() == ('python tools/train.py configs/smile_vlm_synthetic.py '
                                 '--cfg-options train_cfg.max_epochs=1')
    assert test.effective().endswith('epoch_1.pth') and '--cfg-options' not in test.effective()
    assert train.runs and test.runs and not make.runs
    assert check_docs.static_check(docs, str(ROOT)) == []


def test_run_failure_names_file_line_command_and_output(tmp_path):
    page = tmp_path / 'fails.md'
    page.write_text('# run\n\n<!-- docs-check: run --env GREETING=hello -->\n```bash\n'
                    'test "$GREETING" = hello\n'
                    'python -c "import sys; sys.stderr.write(\'the cause is here\\n\'); '
                    'sys.exit(3)"\necho never reached\n```\n')
    proc = run_checker(page, '--run', '--scratch', tmp_path / 'scratch')
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert f'FAILED {page}:6:' in out and 'sys.exit(3)' in out and 'exit 3' in out, out
    assert 'the cause is here' in out, out
    assert '[3/3]' not in out  # the first failure stops the run
    # the scratch copy is a copy: the repository's files are there, not the user's data
    assert (tmp_path / 'scratch' / 'tools' / 'check_docs.py').is_file()
    assert not (tmp_path / 'scratch' / 'work_dirs').exists()


@pytest.mark.skipif(os.environ.get('SMILEZOO_SKIP_DOCS_RUN') == '1',
                    reason='SMILEZOO_SKIP_DOCS_RUN=1')
@pytest.mark.timeout(DOCS_RUN_BUDGET_S + 300)
def test_docs_commands_run():
    """Every run-annotated command of README.md and docs/ (shrunk as annotated),
    in a scratch copy of the repository: the quick-start demo (10 subjects),
    data preparation per data set, training / testing / resuming / 2-process
    training / cross-validation, the --cfg-options examples, the tools'
    examples and the plugin tutorial (training with the custom fusion)."""
    pages = [p for p in PAGES if p not in ANNOTATIONS_PENDING]
    proc = run_checker(*pages, '--run', timeout=DOCS_RUN_BUDGET_S)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-8000:]
    assert 'docs/tutorials/custom_fusion.md' in out and '$ make demo' in out, out[-4000:]
