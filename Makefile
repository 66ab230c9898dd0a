# fangpin: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
FANGPIN := $(VENV)/bin/fangpin
DEMO_HOUSEHOLDS ?= 30000
DEMO_SEED ?= 2026
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup setup-test frontend static demo-data serve dev lint bench lock clean-demo

$(VENV)/.created:
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	touch $@

$(VENV)/.base: $(VENV)/.created requirements/base.lock
	$(UV) pip install --quiet --python $(PY) -r requirements/base.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.lock
	$(UV) pip install --quiet --python $(PY) -r requirements/test.lock
	touch $@

setup: $(VENV)/.base frontend
setup-test: $(VENV)/.test frontend

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed
	$(PY) scripts/vendor_static.py

demo: setup
	$(FANGPIN) migrate --noinput
	$(FANGPIN) collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) $(FANGPIN) demo-setup --households $(DEMO_HOUSEHOLDS) --seed $(DEMO_SEED)
	@echo "启动服务：http://$(HOST):$(PORT)/  （Ctrl+C 退出）"
	FANGPIN_JOB_MODE=spawn $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 120 --access-logfile - --access-logformat '%(h)s "%(r)s" %(s)s %(L)ss'

dev: setup
	$(FANGPIN) migrate --noinput
	FANGPIN_DEBUG=1 $(FANGPIN) runserver $(HOST):$(PORT)

test: setup-test
	$(PY) scripts/ensure_chromium.py
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: setup-test
	$(VENV)/bin/ruff check fangpin config tests bench scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy fangpin config

bench: setup-test
	$(PY) -m bench.run $(BENCH_ARGS)

lock: $(VENV)/.created
	$(UV) pip compile pyproject.toml --python-version 3.11 -o requirements/base.lock --quiet
	$(UV) pip compile pyproject.toml --python-version 3.11 --extra test --extra dev --extra bench -o requirements/test.lock --quiet

clean-demo:
	rm -f var/fangpin.sqlite3 var/fangpin.sqlite3-wal var/fangpin.sqlite3-shm
