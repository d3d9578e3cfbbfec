# Two commands on a fresh machine with Python 3.11+ and make:
#   make deck   build the deck into dist/
#   make test   run the whole test suite
#   make preview  write an HTML preview of every card into preview/ (open preview/index.html)
# Node.js (npm) is optional: formulas are checked by Anki's MathJax in Python; npm only adds the
# tests that compare it with MathJax in Node, and rebuilds the bundled MathJax.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# the oldest library versions the project declares, for the deck's code blocks
OLDEST := .venv-oldest
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: deck test check preview screenshots clean

deck: $(VENV)/.installed-deck node_modules/.installed
	$(BIN)/python build_deck.py

check: $(VENV)/.installed-deck node_modules/.installed
	$(BIN)/python build_deck.py --check

test: $(VENV)/.installed-test node_modules/.installed $(OLDEST)/.installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest
	PYTHONPATH=. $(OLDEST)/bin/python -m pytest tests/test_deck.py -k code_block -q -p no:cacheprovider

preview: $(VENV)/.installed-deck node_modules/.installed
	$(BIN)/python build_deck.py --preview preview

screenshots: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python tools/screenshots.py

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-deck: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed-deck

$(OLDEST)/.installed: constraints-oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -r constraints-oldest.txt
	touch $@

# mathjax-full 3.2.2 and esbuild, pinned by package-lock.json: only to cross-check the bundled
# MathJax against Node's and to rebuild the bundle (tools/build_mathjax_bundle.py); skipped without npm
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo 'npm not found: the Node cross-check tests are skipped (math is still checked, in Python)' >&2; fi

clean:
	rm -rf $(VENV) $(OLDEST) dist .cache node_modules preview
