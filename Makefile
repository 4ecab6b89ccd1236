# The two commands the README opens with: `make demo` and `make test`.
# Both work on a fresh machine with nothing but Python 3.10+.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
OUT ?= out

.PHONY: demo test bench install servers-install clean

# Dependencies, once per change of setup.cfg.
$(VENV)/.deps: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q ".[test]"
	touch $@

# A plain (not editable) install of the current tree: what a user gets, schemas included.
install: $(VENV)/.deps
	$(BIN)/pip install -q --no-deps --force-reinstall .
	rm -rf build

demo: install
	bash scripts/demo.sh $(BIN) $(OUT)

# Installs the servers the tests need (PostgreSQL, Redis, a CKAN virtualenv,
# moto); the tests themselves start and stop them by process id.
servers-install:
	bash tests/servers/install.sh
	bash tests/install_browser.sh

test: install servers-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info $(OUT) catalogue
