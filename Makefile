# Every target that needs Python depends on .venv, so a fresh clone needs nothing but `make`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONTENT ?= content

.PHONY: install check demo build serve format lint typecheck test-unit test-e2e test images bench clean

$(BIN)/linesheets: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/linesheets  ## create .venv with the project and its test tools

check: $(BIN)/linesheets  ## validate the demo content
	$(BIN)/linesheets check $(CONTENT)

demo: check  ## the demo brand (the site and endpoint arrive with the site issue)
	@echo "make demo: the content checks out. Building and serving pages is not built yet:"
	@echo "it arrives with the static-site issue (#4) and the endpoint (#5, #6)."

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

test-e2e: $(BIN)/linesheets
	$(BIN)/pytest tests/e2e

test: lint typecheck  ## lint, types and every test
	$(BIN)/pytest

bench: $(BIN)/linesheets
	$(BIN)/python -m bench

clean:
	rm -rf build public .pytest_cache .mypy_cache .ruff_cache
