# Two commands on a fresh clone: `make report` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: report test check tools lint docs lock clean golden audit bench

$(STAMP): requirements.lock pyproject.toml
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The example workspace's report of its latest quarter (HTML and PDF), its one-page brief,
# its digest as Markdown, Slack JSON and e-mail, its figures as JSON and CSV, and the story
# schema for editors; all in output/.
report: $(STAMP)
	$(BIN)/storyteller build
	$(BIN)/storyteller build --brief --quiet
	$(BIN)/storyteller digest --format markdown --quarter latest --output output/latest-digest.md
	$(BIN)/storyteller digest --format slack --quarter latest --output output/latest-digest.slack.json
	$(BIN)/storyteller digest --format email --quarter latest --output output/latest-digest.eml
	$(BIN)/storyteller export --format json --quarter latest --output output/latest.json
	$(BIN)/storyteller export --format csv --quarter latest --output output/latest.csv
	$(BIN)/storyteller schema --output output/story.schema.json
	$(BIN)/storyteller build --format pptx

# Every test, whatever its marks: `-m ""` selects them all, even if a default selection is
# ever added to pytest's options. CI runs this, then `make audit` (.ci/run).
test: $(STAMP) tools
	$(BIN)/python -m pytest -m ""

# The inner loop while working, under a minute: ruff, then the tests without a mark of
# pyproject's [tool.pytest.ini_options] (no mypy, no PDF builds in subprocesses, no outside
# tools, so no `make tools`). `make test` before pushing.
FAST := not (slow or browser or validator or strace or mypy or benchmark or office)
check: $(STAMP)
	$(BIN)/ruff check storyteller tests bench docs/examples
	$(BIN)/ruff format --check storyteller tests bench docs/examples
	$(BIN)/python -m pytest -q -m "$(FAST)"

# What the report checks in the tests need besides Python: Debian's Chromium (axe-core runs
# in it), Poppler (PDF checks), a Java runtime (the Nu HTML Checker) and strace (what native
# code opens during a hostile build, tests/test_containment.py), installed with apt
# only when missing, and LibreOffice Impress (the deck is rendered with it, tests/test_deck_render.py);
# then the pinned npm packages of tests/tools (vnu-jar, axe-core,
# playwright-core). --ignore-scripts: no package may download anything of its own (vnu-jar's
# install script would fetch a Java runtime); the tests use /usr/bin/chromium and java.
TOOLS := tests/tools
TOOLS_STAMP := $(TOOLS)/node_modules/.installed
tools: $(TOOLS_STAMP)
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-impress"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "make tools: missing Debian packages:$$missing. Install them as root: apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
		echo "make tools: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
	fi

$(TOOLS_STAMP): $(TOOLS)/package.json $(TOOLS)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make tools: Node.js 20 or newer with npm is needed for tests/tools" >&2; exit 1; }
	cd $(TOOLS) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check storyteller tests
	$(BIN)/mypy

# pip-audit against the locked versions; says plainly when its vulnerability service cannot be
# reached (AUDIT_STRICT=1 makes that a failure). See docs/security.md.
audit: $(STAMP)
	$(BIN)/python tests/tools/audit.py

# Regenerate the field reference in docs/story-format.md from the model.
docs: $(STAMP)
	$(BIN)/python -m storyteller.format.docgen

# Re-pin every dependency (needs the package registry); commit requirements.lock.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --extra test \
		--strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) output build *.egg-info

# Regenerate tests/golden/report-2026-Q2.html after an intended change to the templates or
# the figures; review the diff before committing it.
golden: $(STAMP)
	$(BIN)/python -m tests.test_golden --update

# The benchmark (bench/run.py): storyteller against WeasyPrint alone and a naive peer, at
# generated workspaces of BENCH_SIZES stories, BENCH_RUNS runs each; writes docs/performance.md.
# The full run takes long (the naive peer alone about 2 minutes a run at 1,000 stories); while
# working, try `make bench BENCH_SIZES=10,100 BENCH_RUNS=3`. BENCH_RUNS may give one count
# per size (BENCH_RUNS=3,3,3,1).
BENCH_SIZES ?= 10,30,100,1000
BENCH_RUNS ?= 3
BENCH_OUTPUT ?= docs/performance.md
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES) --runs $(BENCH_RUNS) --output $(BENCH_OUTPUT)
