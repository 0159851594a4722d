# The two commands a newcomer needs: `make run` and `make test`.
# Everything they need is installed from PyPI and Debian by the targets below.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
TOWN    ?= towns/port-lumiere
EXTRAS  ?= dev

.PHONY: run test lint check system-deps install clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install when the project's dependency list changes.
$(VENV)/.installed-$(EXTRAS): pyproject.toml | $(VENV)/bin/python
	bash scripts/install-python-deps.sh $(PY) "$(EXTRAS)"
	touch $@

install: $(VENV)/.installed-$(EXTRAS)

# Debian packages (speech, translation, test recordings). Needs root or sudo.
system-deps:
	bash scripts/install-system-deps.sh

run: EXTRAS = dev,voice,translate,console,telephony,meaning
run: system-deps install
	$(VENV)/bin/civicline flows check
	$(VENV)/bin/civicline serve

test: EXTRAS = dev,voice,translate,console,telephony,meaning,denoise,peer
test: system-deps install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/civicline flows check
	$(VENV)/bin/civicline simulate scenarios/
	$(PY) -m pytest -q

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
