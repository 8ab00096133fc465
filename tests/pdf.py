"""Documents rendered as an official would print them: Word (or PowerPoint) → PDF with Debian's
LibreOffice, headless (``make test`` installs libreoffice-writer-nogui and poppler-utils, like
chromium), then the pages counted, their text read, and a page turned into a picture to look at.

``render(path)`` gives the PDF next to a copy of the document in a private folder; each call
runs its own LibreOffice profile, so parallel renders never share a lock."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"


def render(document: Path | bytes, suffix: str = ".docx", out_dir: Path | None = None) -> Path:
    """The PDF of ``document`` (a path, or the bytes of a .docx/.pptx given by ``suffix``)."""
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="chiso-pdf-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(document, bytes):
        source = out_dir / f"tai-lieu{suffix}"
        source.write_bytes(document)
    else:
        source = out_dir / Path(document).name
        if Path(document).resolve() != source.resolve():
            shutil.copyfile(document, source)
    profile = out_dir / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), str(source)], check=True, capture_output=True, timeout=180)
    pdf = source.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice did not render {source.name}"
    return pdf


def pages(pdf: Path) -> int:
    """The number of pages (the page objects LibreOffice writes, uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf.read_bytes()))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, in reading order (pdftotext -layout; pages split at form feeds)."""
    out = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode("utf-8").split("\f")[:pages(pdf)]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of each page: landscape pages are wider than tall."""
    return [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]",
                                                         pdf.read_bytes())][:pages(pdf)]


def picture(pdf: Path, page: int, out: Path, dpi: int = 60) -> Path:
    """Page ``page`` (1-based) as a PNG at ``out``, to look at."""
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True, capture_output=True, timeout=60)
    return out
