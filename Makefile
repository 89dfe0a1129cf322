# The two commands of the README: `make run` and `make test`. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run test lint bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's chromium for the real-browser test (Playwright drives it; no browser download).
browser:
	./scripts/install-browser.sh || echo "chromium not installed: the browser test will be skipped"

run: install
	$(BIN)/okr-coach serve

test: install browser
	$(BIN)/ruff check coach tests bench
	$(BIN)/pytest

eval: install
	$(BIN)/okr-coach eval --dataset evals/datasets/dev.jsonl evals/datasets/dev-b.jsonl evals/datasets/dev-c.jsonl evals/datasets/test.jsonl

bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/api_load.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
