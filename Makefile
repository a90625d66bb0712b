# Set-up is part of each target: a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench

# Running needs the service's own dependencies; testing, linting and benchmarks the dev extra too.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The embedded store's master key, made once (mode 0600) and kept beside the data; the
# service refuses to start without one. A deployment sets GONGZHI_MASTER_KEY instead.
MASTER_KEY_FILE := data/master.key

$(MASTER_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())" > $@

run: $(BIN)/.installed $(MASTER_KEY_FILE)
	GONGZHI_MASTER_KEY_FILE=$(MASTER_KEY_FILE) $(BIN)/gongzhi serve --demo

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Test modules spread over one worker per core (each keeps its module's fixtures); the
# slowest tests are listed at the end.
test: lint
	$(BIN)/pytest -n auto --dist loadfile --durations=15

bench: $(BIN)/.installed-dev
	$(BIN)/python -m benchmarks
