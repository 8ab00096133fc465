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

# Production: N dashboard processes (default one per core; `make serve N=4`) behind nginx on port
# 8501, each browser kept on one process by a cookie nginx sets; config and logs in build/serve/.
# See docs/operations.md. `make run` stays the one-process default.
.PHONY: serve nginx
serve: $(DB) nginx
	CHISO_DB=$(DB) $(PY) -m cli.serve_many $(if $(N),--processes $(N))

# Debian's nginx (the light build), installed once, when missing: `make serve` and its tests.
nginx:
	@{ command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# The browser tests drive Debian's chromium (Playwright cannot download a browser here); the
# document tests render Word files to PDF with Debian's LibreOffice and read the pages with
# poppler-utils (tests/pdf.py). Installed once, when missing.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

office:
	@{ test -x /usr/bin/soffice && test -x /usr/bin/pdftotext; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils >/dev/null; }

test: $(DB) chromium office nginx
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

# Load held by the production serve command (`make serve`: one process per core, or N=, behind
# nginx) on the national dataset (build/bench/national.duckdb, generated and built when missing),
# websocket clients speaking Streamlit's protocol, each keeping nginx's cookie (docs/operations.md):
# 50 sessions × 5 pages without pause (target p95 <= 3 s, 0 errors, all processes' memory <= 1.5 GB),
# then 200 sessions × 5 pages pausing 30 s between pages (target p95 <= 2 s, 0 errors). Prints each
# figure with its target, PASS or FAIL; exits non-zero if either run missed one. 5–10 minutes on 2 cores.
# The browser run of docs/benchmarks.md: `.venv/bin/python -m bench.load`. Not part of `make test`.
BENCH_LOAD = $(PY) -m bench.load --client protocol --serve production $(if $(N),--processes $(N))
.PHONY: bench-load
bench-load: $(STAMP) nginx
	$(BENCH_LOAD) --sessions 50 --pages 5 --target-p95 3 --target-memory-mb 1536; a=$$?; \
	$(BENCH_LOAD) --sessions 200 --pages 5 --think 30 --ramp 30 --target-p95 2; b=$$?; \
	test $$a -eq 0 && test $$b -eq 0
