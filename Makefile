# Two commands do all the set-up (see README):
#   make run   - create .venv if needed, install, start the app on the bundled model (offline)
#   make test  - install the test extras (and Debian chromium and postgresql if missing), run the
#                whole suite
#   make bench - run every benchmark and write bench/results.{csv,md}

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-1} $(PY) scripts/serve.py --server.port $(PORT)

test: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-postgres
	HF_HUB_OFFLINE=1 $(PY) -m ruff check .
	HF_HUB_OFFLINE=1 $(PY) -m pytest

bench: $(STAMP)
	scripts/ensure-chromium
	HF_HUB_OFFLINE=1 $(PY) -m bench

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
