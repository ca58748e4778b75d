# litclip developer entry points. `make demo` and `make test` are all a new user needs.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_PIN := torch==2.14.1 torchvision==0.29.1

.PHONY: setup demo test test-all lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_PIN)
	$(PY) -m pip install -q -e ".[dev]" $(TORCH_PIN)
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install litclip with dev tools

demo: $(STAMP)  ## run the whole pipeline on the synthetic journal (offline, 3 to 5 min on 2 idle CPUs)
	$(VENV)/bin/litclip demo --out demo_out

test: $(STAMP)  ## run the test suite (fast; slow tests are opt-in with -m slow)
	$(PY) -m pytest -q

test-all: $(STAMP)
	$(PY) -m pytest -q -m "slow or not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

bench: $(STAMP)  ## run every benchmark script (prints figures, ratios last)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf demo_out .pytest_cache .ruff_cache
