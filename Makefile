# Two entry points (see README): `make studio` and `make test`. Everything else is set-up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup studio test lint system-deps pipeline

$(STAMP): requirements.txt requirements-dev.txt requirements-llama.txt scripts/install-llama-cpp.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt -r requirements-dev.txt
	bash scripts/install-llama-cpp.sh $(BIN)/python
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python -m core.ahk.build || echo "the AutoHotkey checker stays pure Python (slower, same results)"

system-deps:
	bash scripts/install-system-deps.sh

studio: setup
	$(BIN)/python launch.py --corpus data/raw_scripts --config config/cpu-demo.yaml

pipeline: setup
	$(BIN)/python -m core.pipeline --config config/cpu-demo.yaml

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup system-deps lint
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc
