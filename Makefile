# Two commands do all the set-up on a machine with only Python 3.11+:
#   make serve   build the example playbook strictly, then serve it on http://127.0.0.1:8000
#   make test    lint, type-check and run the whole test suite
# (make test-fast: the tests but the slow tier, between edits)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test test-fast lint browser-deps screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# Zensical for its build test. Every zensical release pins a `zensical-ui` that the
	# package registry here does not have, so it is installed without its dependencies
	# (its others are ours already, but tomli) and the test supplies the theme folder.
	$(BIN)/python -m pip install --quiet --no-deps zensical==0.1.3 tomli==2.5.0
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/mkdocs build --strict

serve: build
	$(BIN)/mkdocs serve

lint: $(STAMP)
	$(BIN)/ruff check mkdocs_cjm tests benchmarks
	$(BIN)/ruff format --check mkdocs_cjm tests benchmarks
	$(BIN)/mypy

# Debian's Chromium (for the browser tests) and axe-core (for the accessibility
# checks) come from the machine's registries; without root or apt the browser
# tests are skipped with a reason, the rest still runs.
browser-deps:
	@bash scripts/browser-deps.sh

test: $(STAMP) browser-deps lint
	$(BIN)/pytest -n 2 --dist loadgroup --durations=25

# Between edits: every test but the slow tier (browser, `mkdocs serve`, see the
# `slow` marker in tests/conftest.py), no lint; a few minutes on two cores.
test-fast: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow" --durations=25

# The browser tests write every screenshot to build/screenshots/ (whole pages,
# and the first screen of each); the README shows the first screen of the
# example's journey page at 1440 x 900 and 390 x 844, light and dark.
screenshots: $(STAMP) browser-deps
	$(BIN)/pytest -n 2 --dist loadgroup tests/browser
	mkdir -p docs/images
	cp build/screenshots/journey-map-1440-default.png docs/images/journey-light.png
	cp build/screenshots/journey-map-1440-slate.png docs/images/journey-dark.png
	cp build/screenshots/journey-map-390-default.png docs/images/journey-phone-light.png
	cp build/screenshots/journey-map-390-slate.png docs/images/journey-phone-dark.png
	cp build/screenshots/view-register-1440-default.png docs/images/register-light.png
	cp build/screenshots/view-kpi-board-1440-slate.png docs/images/kpi-board-dark.png
	cp build/screenshots/view-team-1440-default.png docs/images/team-light.png
	cp build/screenshots/view-heatmap-1440-slate.png docs/images/heatmap-dark.png
	cp build/screenshots/overview-landscape-1440-default.png docs/images/landscape-light.png
	cp build/screenshots/overview-landscape-390-slate.png docs/images/landscape-phone-dark.png
	cp build/screenshots/canvas-branches-390-slate.png docs/images/branches-phone-dark.png

clean:
	rm -rf $(VENV) site build .cache .pytest_cache .mypy_cache .ruff_cache
