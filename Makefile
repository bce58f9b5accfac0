# The two set-up commands are `make run` and `make test`; both create .venv and install the project
# when needed, so a fresh clone with Python 3.11 needs nothing else.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean-data venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -e '.[dev]'
	@touch $(STAMP)

# `make run DATA=ground-truth` seeds the README's walkthrough data on first run; `SIZE=medium` a bigger set
run: $(STAMP)
	$(BIN)/hub up $(if $(DATA),--data $(DATA)) $(if $(SIZE),--size $(SIZE))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(STAMP) lint
	bash scripts/test.sh

bench: $(STAMP)
	bash scripts/bench.sh

clean-data:
	rm -rf data
