# The two commands a new user types: `make run` and `make test`.
# Both create .venv when missing, install the pinned packages, and build the database.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     := build/chiso.duckdb
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
SOURCES := $(shell find data domain loaders store cli/data.py -type f \( -name '*.csv' -o -name '*.md' -o -name '*.py' -o -name '*.sql' -o -name '*.xls' -o -name '*.xlsx' -o -name '*.docx' \) 2>/dev/null)

.PHONY: run test test-fast build chromium office clean page-times

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

$(DB): $(STAMP) $(SOURCES)
	$(PY) -m loaders build --db $(DB)

build: $(DB)

run: $(DB)
	CHISO_DB=$(DB) $(VENV)/bin/python -m cli.serve

# The browser tests drive Debian's chromium (Playwright cannot download a browser here); the
# document tests render Word files to PDF with Debian's LibreOffice and read the pages with
# poppler-utils (tests/pdf.py). Installed once, when missing.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

office:
	@{ test -x /usr/bin/soffice && test -x /usr/bin/pdftotext; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils >/dev/null; }

test: $(DB) chromium office
	CHISO_DB=$(DB) $(PY) -m pytest -q

# The inner loop while editing: no browser, no benchmark, none of the tests marked slow, and
# the hypothesis tests with a tenth of their examples. Under 2 minutes on 2 cores.
# `make test` (what CI runs) still runs everything.
FAST_MARKS := not browser and not bench and not slow
test-fast: $(DB)
	CHISO_DB=$(DB) CHISO_HYPOTHESIS_PROFILE=fast $(PY) -m pytest -q -m "$(FAST_MARKS)"

clean:
	rm -rf build tests/artifacts

# Script time of every page on the shipped data (median of 5 warm runs, and a cold run).
page-times: $(DB)
	CHISO_DB=$(DB) $(PY) -m bench.page_times --runs 5

# Every performance figure, shipped data and a generated national-scale dataset (build/bench/):
# build time and memory, import throughput, page times, metric queries, server memory after
# 10 browser sessions, then a TARGETS block. About 5 minutes on 2 cores; see docs/benchmarks.md.
.PHONY: bench
bench: $(DB) chromium
	$(PY) -m bench.run

# Load held by one server (docs/benchmarks.md, «Load»): 50 concurrent sessions on the national
# dataset (build/bench/national.duckdb, generated and built when missing): page time p50/p95,
# errors, server memory. First 50 websocket clients speaking Streamlit's protocol (the server
# alone, ~2 minutes), then 50 Chromium contexts, 3 pages each (~7 minutes on 2 cores). Exits
# non-zero if either run counted an error. Not part of `make test` nor `make bench`.
.PHONY: bench-load
bench-load: $(STAMP) chromium
	$(PY) -m bench.load --client protocol; p=$$?; $(PY) -m bench.load; b=$$?; test $$p -eq 0 && test $$b -eq 0
