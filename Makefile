# clipdesk: one command runner. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export CLIPDESK_VAR_DIR ?= $(CURDIR)/var
# Absolute links (share, embed, oEmbed, citations, exports, email) name the address the demo serves on.
export CLIPDESK_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: help install demo test lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=24" "setuptools>=77,<81"
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

demo: $(STAMP) ## Migrate, import the samples, create a staff login, serve at http://$(HOST):$(PORT) with a worker, a live test stream and its recorder
	$(BIN)/clipdesk migrate --no-input
	$(BIN)/clipdesk import-page samples/pages/*.txt
	HF_HUB_OFFLINE=1 $(BIN)/clipdesk demo-clip
	$(BIN)/clipdesk demo-login
	$(BIN)/clipdesk collectstatic --no-input --verbosity 0
	$(BIN)/clipdesk worker & worker=$$!; \
	$(BIN)/clipdesk demo-stream & stream=$$!; \
	$(BIN)/clipdesk recorder & recorder=$$!; \
	trap 'kill $$worker $$stream $$recorder 2>/dev/null' EXIT INT TERM; \
	$(BIN)/clipdesk serve --bind $(HOST):$(PORT) --workers 2

CLIPDESK_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

test: $(STAMP) ## Run the whole test suite on SQLite, then the database tests on PostgreSQL
	$(BIN)/pytest -n auto
	DATABASE_URL=$(CLIPDESK_TEST_POSTGRES_URL) $(BIN)/pytest -n auto tests/archive tests/transcripts tests/inquiries tests/donations tests/subscriptions tests/search \
		tests/accounts tests/uploads tests/operations/test_personal_data.py tests/operations/test_healthz.py tests/recording tests/alerts \
		tests/caching/test_anonymous_pages.py tests/caching/test_http_caching.py tests/caching/test_invalidation.py

bench: $(STAMP) ## Run the benchmarks in bench/ (each prints its figures against a peer measured in the same run)
	@for script in bench/*_bench.py; do echo "== $$script"; HF_HUB_OFFLINE=1 $(BIN)/python $$script || exit 1; done

lint: $(STAMP) ## ruff check and format check, import layers and cycles, types (pyproject.toml [tool.importlinter], [tool.mypy])
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	PYTHONPATH=src $(BIN)/lint-imports
	$(BIN)/mypy

clean: ## Remove the virtual environment and var/
	rm -rf $(VENV) var
