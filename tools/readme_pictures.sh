#!/usr/bin/env bash
# Regenerates the README pictures of a slide, of the task table and of the commune's year (needs Debian's
# libreoffice and poppler-utils: apt-get install -y libreoffice-impress libreoffice-writer poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/python -m briefing deck --entity "Vĩnh Lộc" --year 2024 --out "$out/bao-cao.pptx"
.venv/bin/python -m briefing tasks --entity "Xã Vĩnh Lộc" --year 2025 --out "$out/phan-cong.docx"
soffice --headless --convert-to pdf --outdir "$out" "$out/bao-cao.pptx" "$out/phan-cong.docx" >/dev/null
pdftoppm -png -r 70 -f 2 -l 2 -singlefile "$out/bao-cao.pdf" docs/img/slide
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$out/phan-cong.pdf" docs/img/task-table
rm -rf "$out"
# «Tiến độ» of xã Vĩnh Lộc at 1366×768, as the browser test of the commune's year leaves it
.venv/bin/python -m pytest -q tests/test_browser_commune_year.py
cp tests/artifacts/nam-cua-xa-tien-do.png docs/img/nam-cua-xa.png
echo "docs/img/slide.png docs/img/task-table.png docs/img/nam-cua-xa.png"
