# Quarry's two entry points: `make run` (web, worker, beat and the sandbox on the embedded defaults, with a demo
# team) and `make test` (the whole suite). Both set up everything they need on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SANDBOX_PORT ?= 8100
# pip on these machines warns about absent local mirrors; keep its real errors, drop that noise.
PIP_FILTER := { grep -v 'is ignored: it is neither a file nor a directory' || true; }

.PHONY: help run test e2e lint format lock chromium benchmarks clean

help:
	@echo "make run    start Quarry (web, worker, beat, sandbox) at http://127.0.0.1:$(PORT) with a demo team"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check and format check"
	@echo "make lock   re-pin requirements*.txt from pyproject.toml"

# A failed or interrupted install removes the venv, so the next run starts from scratch instead of
# stumbling over a half-built one (say, a venv without pip because ensurepip was missing); a venv
# whose pip does not run is rebuilt. The stamp files are touched only once everything installed.
define install_locked
	@echo "Installing $(1) into $(VENV)/"
	@trap 'rm -rf $(VENV); echo "Installing $(1) failed: removed $(VENV)/, the next run starts afresh." >&2; exit 1' ERR; \
	trap 'rm -rf $(VENV); exit 130' INT TERM; \
	$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }; \
	$(PY) -m pip install -q --require-hashes -r $(1) 2>&1 | $(PIP_FILTER); \
	touch $@
endef

$(VENV)/.runtime: requirements.txt
	$(call install_locked,requirements.txt)

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(call install_locked,requirements-dev.txt)

# Another PORT or SANDBOX_PORT moves the URLs Quarry hands out (the LookC webhook) and calls with it.
run: export QUARRY_PORT := $(PORT)
run: export SANDBOX_PORT := $(SANDBOX_PORT)
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export SANDBOX_URL ?= http://127.0.0.1:$(SANDBOX_PORT)
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py create_demo_team --if-empty
	@echo ""
	@echo "  Quarry is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker, beat and the sandbox)"
	@echo ""
	$(VENV)/bin/honcho start -f Procfile.dev

# Browser tests drive Debian's Chromium; install it when it is missing (root or sudo needed).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.dev chromium
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n 2 --dist loadgroup

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# One universal resolution for every Python pyproject.toml allows (3.11+, any platform): dependencies
# that only some interpreters need carry environment markers (redis needs async-timeout before 3.11.3,
# Debian 12's python3 is 3.11.2), so the hash-pinned files install everywhere. uv keeps the versions
# already pinned unless pyproject.toml asks for others.
UV := var/uv/bin/uv
UV_VERSION := 0.13.8
LOCK := $(UV) pip compile -q --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"

lock:
	test -x $(UV) && $(UV) --version | grep -qF ' $(UV_VERSION) ' || { \
	  rm -rf var/uv; $(PYTHON) -m venv var/uv; var/uv/bin/pip install -q uv==$(UV_VERSION) 2>&1 | $(PIP_FILTER); }
	$(LOCK) -o requirements.txt pyproject.toml
	$(LOCK) --extra dev -o requirements-dev.txt pyproject.toml

benchmarks: $(VENV)/.dev
	$(VENV)/bin/pytest tests/benchmarks -p no:xdist -s

clean:
	rm -rf var/broker var/staticfiles .pytest_cache
