# Two commands on a fresh clone: `make report` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: report test lint docs lock clean

$(STAMP): requirements.lock pyproject.toml
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Until the HTML/PDF report lands: validate the example workspace, write its schema and
# export the latest quarter's figures.
report: $(STAMP)
	$(BIN)/storyteller validate
	$(BIN)/storyteller schema --output output/story.schema.json
	$(BIN)/storyteller export --format json --quarter latest --output output/latest.json
	$(BIN)/storyteller export --format csv --quarter latest --output output/latest.csv

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check storyteller tests
	$(BIN)/mypy

# Regenerate the field reference in docs/story-format.md from the model.
docs: $(STAMP)
	$(BIN)/python -m storyteller.docgen

# Re-pin every dependency (needs the package registry); commit requirements.lock.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --extra test \
		--strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) output build *.egg-info
