# The two commands of the README: `make run` and `make test`. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/okr-coach review examples/draft.md --fail-on never

test: install
	$(BIN)/ruff check coach tests bench
	$(BIN)/pytest

eval: install
	$(BIN)/okr-coach eval --dataset evals/datasets/dev.jsonl evals/datasets/test.jsonl

bench: install
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
