# Quick start: `make demo` (train + evaluate SMILE-VLM on built-in synthetic scans)
# and `make test` (the test suite). Both set up .venv on first use.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.smilezoo-installed

.PHONY: setup demo test clean-demo docs-check docs-check-run

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml tools/setup_env.sh
	VENV=$(VENV) PYTHON=$(PYTHON) bash tools/setup_env.sh
	touch $(STAMP)

demo: setup
	PY=$(PY) bash tools/run_demo.sh

test: setup
	$(PY) -m pytest -q

clean-demo:
	rm -rf data/synthetic_bu3dfe data/cache/synthetic_bu3dfe work_dirs/smile_vlm_synthetic

# The documentation's commands: static check (scripts, configs, options, links; ~10 s),
# and with docs-check-run also run, shrunk, in a scratch copy (~17 min on 2 cores).
docs-check: setup
	$(PY) tools/check_docs.py

docs-check-run: setup
	$(PY) tools/check_docs.py --run
