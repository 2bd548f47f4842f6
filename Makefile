# Quick start: `make demo` (train + evaluate SMILE-VLM on built-in synthetic scans)
# and `make test` (the test suite). Both set up .venv on first use.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.smilezoo-installed

.PHONY: setup demo test clean-demo

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
