#!/usr/bin/env bash
# Regenerates every picture the docs show (docs/img/, checked by tests/test_docs.py): the first screen after
# `make run`, a slide, the task table and the commune's year. Needs Debian's libreoffice and poppler-utils
# (apt-get install -y libreoffice-impress libreoffice-writer poppler-utils) and chromium, as `make test` does.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# the shipped data as the current code builds it, in a private database (build/chiso.duckdb is left alone)
.venv/bin/python -m loaders build --db "$out/chiso.duckdb" >/dev/null
export CHISO_DB="$out/chiso.duckdb"
.venv/bin/python -m briefing deck --entity "Vĩnh Lộc" --year 2024 --out "$out/bao-cao.pptx"
.venv/bin/python -m briefing tasks --entity "Xã Vĩnh Lộc" --year 2025 --out "$out/phan-cong.docx"
soffice --headless --convert-to pdf --outdir "$out" "$out/bao-cao.pptx" "$out/phan-cong.docx" >/dev/null
pdftoppm -png -r 70 -f 2 -l 2 -singlefile "$out/bao-cao.pdf" docs/img/slide
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$out/phan-cong.pdf" docs/img/task-table
# «Tổng quan» of xã Vĩnh Lộc at 1366×768, the first screen after `make run` (README.md), as its browser test leaves it
.venv/bin/python -m pytest -q tests/test_browser_first_screen.py
cp tests/artifacts/first-screen-1366.png docs/img/tong-quan-1366.png
# «Tiến độ» of xã Vĩnh Lộc at 1366×768, as the browser test of the commune's year leaves it
.venv/bin/python -m pytest -q tests/test_browser_commune_year.py
cp tests/artifacts/nam-cua-xa-tien-do.png docs/img/nam-cua-xa.png
echo "docs/img/tong-quan-1366.png docs/img/slide.png docs/img/task-table.png docs/img/nam-cua-xa.png"
