# tap-emag developer commands. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint sandbox about clean readme

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Virtual environment with the tap, the sandbox and the test tools

test: $(STAMP) ## The whole test suite
	$(BIN)/ruff check tap_emag emag_sandbox tests scripts
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check tap_emag emag_sandbox tests scripts

sandbox: $(STAMP) ## Run the eMAG sandbox on port 8765 (MAIN 5,000 and FBE 3,000 products)
	$(BIN)/emag-sandbox --port 8765

about: $(STAMP) ## The settings table for the README
	$(BIN)/tap-emag --about --format=markdown

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

readme: $(STAMP) ## Refresh the README's settings table from tap-emag --about
	$(BIN)/python scripts/readme_settings.py
