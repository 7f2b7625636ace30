# wattprint — the two commands: `make run` (the app) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
PORT ?= 8501
REPLICAS ?= 2
REPLICA_PORT ?= 8511

.PHONY: run serve nginx test lint typecheck chromium bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt requirements-fast.txt pyproject.toml | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q --no-deps -e .
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	STREAMLIT_BROWSER_GATHER_USAGE_STATS=false PYTHONPATH=. $(PY) -m streamlit run app/server.py \
		--server.address localhost --server.port $(PORT) --browser.gatherUsageStats false

# Several processes behind Debian's nginx (deploy/): the proxy on $(PORT), REPLICAS processes on
# consecutive ports from REPLICA_PORT, all on 127.0.0.1; Ctrl-C stops them all. `make run` stays
# the single-process default.
serve: $(VENV)/.runtime-installed nginx
	STREAMLIT_BROWSER_GATHER_USAGE_STATS=false PYTHONPATH=. $(PY) deploy/serve.py \
		--replicas $(REPLICAS) --port $(PORT) --replica-port $(REPLICA_PORT)

nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's nginx for make serve"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else \
			echo "no nginx and no usable apt-get: make serve needs nginx; the deploy tests will be skipped"; \
		fi; \
	fi

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "no /usr/bin/chromium and no usable apt-get: browser tests will be skipped"; \
		fi; \
	fi

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check wattprint app tests bench tools deploy
	$(VENV)/bin/ruff format --check wattprint app tests bench tools deploy

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy wattprint/engine wattprint/db wattprint/measure wattprint/integrations wattprint/api.py wattprint/__init__.py wattprint/cli.py

test: $(VENV)/.dev-installed chromium nginx lint typecheck
	$(PY) -m pytest -q

bench: $(VENV)/.dev-installed
	for script in bench/*.py; do PYTHONPATH=. $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
