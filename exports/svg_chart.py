"""The printable report's two chart kinds written directly as SVG text: columns (points per
year) and a line with markers (rank per year, rank 1 at the top).

Drawing them here rather than through plotly and Kaleido keeps a report a matter of
milliseconds: Kaleido starts a headless Chromium, which took seconds per report. The charts
are deliberately plain: categories on the x axis (years, never "2.021,5"), a linear value
axis with gridlines, values written above the marks with the decimal comma when the series
is short enough for labels not to collide, and a gap (no mark, no line through it) for a
missing year. Every mark carries its number unrounded in ``data-value`` and a ``<title>``
(the tooltip a browser shows), so the figures can be checked against the Briefing.

This module computes no numbers of its own: the caller passes the values and the label
text (``exports.briefing.vn``), and every piece of text is escaped here.
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

FONT = "Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
FONT_PX = 13
GRID = "#dddddd"
AXIS = "#000000"

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text) -> str:
    """Text as it may appear in SVG: NFC, no XML-illegal characters, escaped."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    return html.escape(_XML_ILLEGAL.sub("", text), quote=True)


def tick_text(value: float) -> str:
    """An axis tick: "20", "2,5" (decimal comma, no trailing zeros)."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.6g}".replace(".", ",")


def nice_step(span: float, target: int = 5) -> float:
    """A 1–2–2,5–5 × 10ⁿ step giving about ``target`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


@dataclass
class Plot:
    """The drawing area of one chart and its scales: categories spread evenly on x, a
    linear y from ``y_bottom`` (the bottom edge) to ``y_top`` (the top edge); a reversed
    axis simply has ``y_bottom > y_top``."""
    width: int
    height: int
    categories: list[str]
    y_bottom: float
    y_top: float
    slanted: bool = False
    left: int = 64
    right: int = 20
    top: int = 24

    @property
    def bottom(self) -> int:
        return 78 if self.slanted else 54

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def band(self) -> float:
        return self.plot_w / max(1, len(self.categories))

    def x(self, i: int) -> float:
        return self.left + self.band * (i + 0.5)

    def y(self, v: float) -> float:
        frac = (v - self.y_bottom) / (self.y_top - self.y_bottom)
        return self.top + self.plot_h * (1 - frac)

    def frame(self, title: str, y_title: str, x_title: str, ticks: list[float], body: list[str]) -> str:
        base = self.top + self.plot_h
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                 f'viewBox="0 0 {self.width} {self.height}" role="img" font-family="{esc(FONT)}" '
                 f'font-size="{FONT_PX}" fill="#000000">',
                 f"<title>{esc(title)}</title>",
                 f'<rect width="{self.width}" height="{self.height}" fill="#ffffff"/>',
                 '<g class="y-axis">']
        for t in ticks:
            y = _num(self.y(t))
            parts.append(f'<line x1="{self.left}" x2="{_num(self.left + self.plot_w)}" y1="{y}" y2="{y}" '
                         f'stroke="{GRID}" stroke-width="1"/>')
            parts.append(f'<text class="tick" x="{self.left - 6}" y="{y}" text-anchor="end" '
                         f'dominant-baseline="central">{esc(tick_text(t))}</text>')
        ymid = _num(self.top + self.plot_h / 2)
        parts.append(f'<text class="axis-title" x="16" y="{ymid}" text-anchor="middle" '
                     f'transform="rotate(-90 16 {ymid})">{esc(y_title)}</text></g>')
        parts.append(f'<g class="x-axis"><line x1="{self.left}" x2="{_num(self.left + self.plot_w)}" '
                     f'y1="{_num(base)}" y2="{_num(base)}" stroke="{AXIS}" stroke-width="1"/>')
        for i, c in enumerate(self.categories):
            x = _num(self.x(i))
            if self.slanted:
                parts.append(f'<text class="category" x="{x}" y="{_num(base + 14)}" text-anchor="end" '
                             f'transform="rotate(-45 {x} {_num(base + 14)})">{esc(c)}</text>')
            else:
                parts.append(f'<text class="category" x="{x}" y="{_num(base + 18)}" '
                             f'text-anchor="middle">{esc(c)}</text>')
        parts.append(f'<text class="axis-title" x="{_num(self.left + self.plot_w / 2)}" '
                     f'y="{self.height - 8}" text-anchor="middle">{esc(x_title)}</text></g>')
        parts += body
        parts.append("</svg>")
        return "".join(parts)


def columns(categories: list[str], values: list[float | None], texts: list[str], *, title: str, y_title: str,
            x_title: str, show_values: bool, unit: str, width: int, height: int, color: str = "#1f5fa8",
            slanted: bool = False) -> str:
    """Columns from zero, one per category. ``texts`` are the values as the report writes
    them: in each column's tooltip, and above the column when ``show_values``."""
    present = [v for v in values if v is not None]
    top = max(present + [0.0]) or 1.0
    step = nice_step(top)
    p = Plot(width, height, categories, 0.0, top * 1.12, slanted)
    ticks = [k * step for k in range(int(top * 1.12 / step + 1e-9) + 1)]
    body = ['<g class="bars">']
    bar_w = p.band * 0.8
    for i, (c, v) in enumerate(zip(categories, values)):
        if v is None:
            continue
        y0, y1 = p.y(0.0), p.y(v)
        body.append(f'<rect class="bar" data-category="{esc(c)}" data-value="{v!r}" x="{_num(p.x(i) - bar_w / 2)}" '
                    f'y="{_num(min(y0, y1))}" width="{_num(bar_w)}" height="{_num(abs(y0 - y1))}" fill="{color}">'
                    f"<title>{esc(f'{c}: {texts[i]} {unit}')}</title></rect>")
        if show_values:
            body.append(f'<text class="value" x="{_num(p.x(i))}" y="{_num(y1 - 5)}" '
                        f'text-anchor="middle">{esc(texts[i])}</text>')
    body.append("</g>")
    return p.frame(title, y_title, x_title, ticks, body)


def rank_line(categories: list[str], ranks: list[int | None], texts: list[str], *, worst: int,
              tickvals: list[int], title: str, y_title: str, x_title: str, show_values: bool, width: int,
              height: int, color: str = "#c0392b", slanted: bool = False) -> str:
    """Ranks joined by a line, rank 1 at the top and ``worst`` at the bottom; a missing year
    breaks the line. ``texts`` («5/27») in each marker's tooltip, and above the marker when
    ``show_values``."""
    p = Plot(width, height, categories, worst + 0.5, 0.5, slanted)
    body = ['<g class="line">']
    run: list[str] = []
    segments: list[list[str]] = []
    for i, r in enumerate(ranks):
        if r is None:
            if run:
                segments.append(run)
            run = []
            continue
        run.append(f"{_num(p.x(i))},{_num(p.y(r))}")
    if run:
        segments.append(run)
    for seg in segments:
        if len(seg) > 1:
            body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="2"/>')
    for i, (c, r) in enumerate(zip(categories, ranks)):
        if r is None:
            continue
        body.append(f'<circle class="marker" data-category="{esc(c)}" data-value="{r}" cx="{_num(p.x(i))}" '
                    f'cy="{_num(p.y(r))}" r="4" fill="{color}">'
                    f"<title>{esc(f'{c}: hạng {texts[i]}')}</title></circle>")
        if show_values:
            body.append(f'<text class="value" x="{_num(p.x(i))}" y="{_num(p.y(r) - 10)}" '
                        f'text-anchor="middle">{esc(texts[i])}</text>')
    body.append("</g>")
    return p.frame(title, y_title, x_title, [float(t) for t in tickvals], body)
