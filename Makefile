# Every target that needs Python depends on .venv, so a fresh clone needs nothing but `make`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content
PORT ?= 8000

.PHONY: install check demo build format lint typecheck test-unit test-e2e test images messages golden bench clean

$(BIN)/linesheets: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/linesheets  ## create .venv with the project and its test tools

check: $(BIN)/linesheets  ## validate the demo content
	$(BIN)/linesheets check $(CONTENT)

build: $(BIN)/linesheets  ## render the demo brand into public/
	$(BIN)/linesheets build $(CONTENT) --out public --private build/private

# The links and passcodes print first (after a check that the port is free), then the build
# line and the server's; the server rebuilds when a content or template file changes.
demo: $(BIN)/linesheets  ## build the demo brand, then serve site + endpoint on 127.0.0.1:$(PORT)
	$(BIN)/python scripts/demo_links.py $(CONTENT) --port $(PORT)
	$(BIN)/linesheets serve $(CONTENT) --out public --private build/private --port $(PORT)

images: $(BIN)/linesheets  ## redraw the demo brand's product images
	$(BIN)/python scripts/make_demo_images.py $(CONTENT)

format: $(BIN)/linesheets
	$(BIN)/ruff format
	$(BIN)/ruff check --fix

lint: $(BIN)/linesheets
	$(BIN)/ruff check

typecheck: $(BIN)/linesheets
	$(BIN)/mypy

test-unit: $(BIN)/linesheets
	$(BIN)/pytest tests/unit

# The Nu HTML Checker validates every built page in the tests (it runs on the machine's Java).
VNU := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test-e2e: $(BIN)/linesheets $(VNU)
	$(BIN)/pytest tests/e2e

# Two processes (pytest-xdist, a test file each at a time), then the tests marked serial
# alone: a CPU-timed score and the API fuzz test, whose cases xdist cannot tell apart.
TEST_JOBS ?= 2
test: lint typecheck $(VNU)  ## lint, types and every test
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

# Interface catalogs (STYLE.md §5): the .pot and the .po files are committed, .mo files are not.
# Stable diffs: no locations, no header in the .pot, no POT-Creation-Date churn, no wrapping,
# msgids sorted; a changed English string becomes a new empty entry (no fuzzy matching) and the
# old one is dropped. Compiling into a temporary folder proves every catalog compiles, and
# tests/unit/test_messages.py fails on any untranslated entry, placeholder or plural mismatch.
LOCALES_DIR := generator/site_templates/locales
LOCALES := en ja zh_Hans zh_Hant ko fr it

messages: $(BIN)/linesheets  ## extract, update and compile the interface catalogs
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --omit-header --sort-output --no-wrap \
		--add-comments=Translators: -o $(LOCALES_DIR)/messages.pot .
	for locale in $(LOCALES); do \
		$(BIN)/pybabel -q update -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) -l $$locale \
			--init-missing --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
			--no-wrap || exit 1; \
	done
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && for locale in $(LOCALES); do \
		$(BIN)/pybabel compile --statistics -l $$locale -o "$$tmp/$$locale.mo" \
			-i $(LOCALES_DIR)/$$locale/LC_MESSAGES/messages.po || exit 1; \
	done
	$(BIN)/pytest -q tests/unit/test_messages.py

golden: $(BIN)/linesheets  ## rebuild the fixture site's golden output; review the diff
	$(BIN)/python -m tests.e2e.golden

bench: $(BIN)/linesheets
	$(BIN)/python -m bench

clean:
	rm -rf build public .pytest_cache .mypy_cache .ruff_cache
