# Two commands do all the set-up (see README):
#   make run   - create .venv if needed, install, start the app on the bundled model (offline)
#   make test  - install the test extras (and Debian chromium, haproxy and postgresql if missing),
#                run the whole suite
#   make bench - run every benchmark and write bench/results.{csv,md}
#   make cluster N=2 - N app processes behind HAProxy on $(CLUSTER_PORT) (Ctrl-C stops all)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501
N      ?= 2
CLUSTER_PORT ?= 8500
BIND   ?= 127.0.0.1

.PHONY: run test bench lint clean cluster

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-1} $(PY) scripts/serve.py --server.port $(PORT)

cluster: $(STAMP)
	scripts/ensure-haproxy
	$(PY) scripts/cluster.py run --replicas $(N) --port $(CLUSTER_PORT) --bind $(BIND)

test: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-haproxy
	scripts/ensure-postgres
	HF_HUB_OFFLINE=1 $(PY) -m ruff check .
	HF_HUB_OFFLINE=1 $(PY) -m pytest

bench: $(STAMP)
	scripts/ensure-chromium
	scripts/ensure-haproxy
	HF_HUB_OFFLINE=1 $(PY) -m bench

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
