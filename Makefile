# The two commands of the README: `make run` and `make test`. Both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run test lint bench eval record-evals clean

install: $(STAMP)

# Says what it is doing: the first install takes a minute or two.
$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) (Python: $$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	@echo "==> installing okr-coach and its dependencies into $(VENV) (a minute or two the first time)"
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)
	@echo "==> installed"

# Debian's chromium for the real-browser test (Playwright drives it; no browser download).
browser:
	./scripts/install-browser.sh || echo "chromium not installed: the browser test will be skipped"

# PORT=8080 make run, HOST=0.0.0.0 make run
run: install
	$(BIN)/okr-coach serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: install browser
	$(BIN)/ruff check coach tests bench
	$(BIN)/pytest

# Every mode of the committed baseline (rules + replayed LLM answers), gated; reports in eval-report/.
eval: install
	$(BIN)/okr-coach eval --baseline evals/baseline.json --judge \
		--out eval-report/eval.html --out eval-report/eval.md --out eval-report/junit.xml --out eval-report/eval.json

# After a change to prompts/ or rubrics/: re-record the scripted model's answers (evals/scripted_model.py).
record-evals: install
	$(BIN)/python evals/scripted_model.py

bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/llm_load.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/shared_state.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
