# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   set up, then write the demo one-pager into ./weekly-demo/
#   make test   set up, then run the test suite
# Each creates .venv and installs the system packages WeasyPrint needs if they are missing.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Fonts: Inter (Latin), WenQuanYi Micro Hei (Chinese; TrueType, so the PDF subsets fast),
# Noto Sans CJK SC (bold Chinese, which WenQuanYi lacks), DejaVu (everything else). Pango and HarfBuzz are WeasyPrint's layout engine.
# poppler-utils gives pdftoppm, to look at the PDF as PNG.
# chromium is the browser tests/scenarios/test_browser.py drives with Playwright (reflow on a
# phone, axe-core); Playwright never downloads a browser of its own.
SYSTEM_PACKAGES := fonts-inter fonts-wqy-microhei fonts-noto-cjk fonts-dejavu-core \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium

.PHONY: demo test lint format bench expected recordings system clean messages catalogs upgrade

demo: system $(VENV)/.installed
	$(BIN)/weekly demo --out weekly-demo

test: system $(VENV)/.installed
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check weekly testing tests benchmarks
	$(BIN)/ruff format --check weekly testing tests benchmarks
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format weekly testing tests benchmarks
	$(BIN)/ruff check --fix weekly testing tests benchmarks

# Rewrite tests/expected/ from the current templates; review the diff before committing.
expected: $(VENV)/.installed
	WEEKLY_UPDATE_EXPECTED=1 $(BIN)/pytest -q tests/scenarios/test_expected_output.py

# Rewrite weekly/demo/recordings/, what the demo's Jira and GitHub answer, from the fakes
# serving testing/jira_site.py and github_site.py; review the diff before committing.
recordings: $(VENV)/.installed
	$(BIN)/python -m testing.record_demo

# The gettext catalogs (README, "Languages"): `make messages` extracts the words from the
# code and templates and merges them into each language's .po; `make catalogs` compiles
# the .po files (a build or install does it too).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location \
		--sort-output --project weekly -o weekly/locale/weekly.pot .
	$(BIN)/pybabel update -i weekly/locale/weekly.pot -d weekly/locale -D weekly --no-wrap

catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d weekly/locale -D weekly

# Build the wheel, list it, and run `weekly demo` from it installed away from the checkout;
# fails if any of the test rig (testing/) is inside.
wheel-check: system $(VENV)/.installed
	$(BIN)/python -m testing.wheel_check

bench: system $(VENV)/.installed
	$(BIN)/python -m benchmarks

# python3-venv only where this Python cannot make a virtual environment by itself.
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# constraints.txt pins every package to the versions the suite passed with, so a new
# release of a dependency never changes a Friday unseen; `make upgrade` refreshes it.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

upgrade: $(VENV)/.installed
	$(BIN)/pip install -q --upgrade -e '.[dev]'
	( head -2 constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^weekly==' ) \
		> constraints.txt.new && mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) weekly-demo .pytest_cache .mypy_cache .ruff_cache
