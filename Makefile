# The two commands the README opens with: `make demo` and `make test`.
# Both work on a fresh machine with nothing but Python 3.10+.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
OUT ?= out

.PHONY: demo test test-fast bench precision install servers-install clean

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

# Everything that needs no server and no browser, on every core (pytest-xdist):
# the quick check while working.
test-fast: install
	$(BIN)/python -m pytest -m "not server and not browser" -n auto $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/serve_load.py
	$(BIN)/python bench/hostile.py

# Precision and recall of the checks on the hand-labelled real files (tests/realdata):
# prints the figures and writes bench/precision.md. Needs the corpus (../shared/corpus or $$OPENBOOK_CORPUS).
precision: install
	$(BIN)/python bench/precision.py

# Every build and test artefact; the installed test servers stay (tests/servers).
clean:
	rm -rf $(VENV) build dist *.egg-info $(OUT) catalogue .cache .hypothesis .pytest_cache tests/artefacts bench/data
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
