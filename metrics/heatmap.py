"""The criteria × years heatmap of «Chỉ số thành phần», computed (the page only draws it).

A cell's colour is the unit's position among its peers on that criterion in that year, from
its rank: ``(n_ranked − rank) / (n_ranked − 1)``, 1 = first, 0 = last. A high % of the
maximum says little when every district scores high (SIPAS 2.2 of Vĩnh Lộc in 2024: 73,7 %
of the maximum and last of 27); the position shows the weak cell. Where there is no ranking
(fewer than ``min_peers`` units ranked, or no rank at all) the cell falls back to the % of
the maximum, on the same 0–1 scale, and says so.

One grid per framework version: a criterion code means something else in another version,
and a version's rows are empty in the other versions' years. The page shows the version in
force in the selected year, the others on demand.
"""
from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field

import pandas as pd

from domain.text import format_number
from metrics.criteria import Thresholds

WRAP = 45  # characters per line of a row label
LINE_PX = 14  # height of one label line (tick font 12 px)
ROW_PAD_PX = 10  # room above and below a row's label

POSITION = "position"  # colour = position among peers (from the rank)
PCT = "pct"  # colour = % of the maximum (no ranking for the cell)


def _inert(text: object) -> str:
    """Text made inert for plotly, which reads <b>, <a href=…>, <br> and entities as markup:
    a name from a file shows as written (plotly turns &lt; &gt; &amp; back into characters)."""
    return html.escape(str(text), quote=False)


def wrap_label(text: str, width: int = WRAP) -> str:
    """The whole text, broken into lines of at most ``width`` characters at spaces, joined
    with <br> (plotly's line break); never cut. Each line is escaped (``_inert``): the only
    markup in the result is the <br>."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(_inert(line) for line in lines) if lines else _inert(text)


def code_key(code: str) -> list:
    """Natural order of criterion codes: 1.2 < 1.10, SC12 < SC21, C08 < SC11."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|[^\d.]+", str(code))]


def position(rank, n_ranked, min_peers: int) -> float | None:
    """(n − rank)/(n − 1): 1 = first, 0 = last; None without a ranking of at least ``min_peers``."""
    if rank is None or n_ranked is None or pd.isna(rank) or pd.isna(n_ranked):
        return None
    n = int(n_ranked)
    if n < max(2, min_peers):
        return None
    return min(1.0, max(0.0, (n - float(rank)) / (n - 1)))


def framework_in_force(metrics: pd.DataFrame, year: int | None) -> str | None:
    """The framework version of the entity's scores in ``year`` (totals count too); without
    scores that year, the latest version it has."""
    if metrics.empty:
        return None
    rows = metrics[metrics.year == year] if year is not None else metrics.iloc[0:0]
    if rows.empty:
        rows = metrics[metrics.year == metrics.year.max()]
    return str(rows.sort_values("criterion_code", na_position="last").framework.iloc[0])


def cells(metrics: pd.DataFrame, min_peers: int | None = None) -> pd.DataFrame:
    """The leaf criteria of ``metrics`` (criteria.criterion_metrics of one entity and index) with
    ``colour`` (0–1), ``basis`` (POSITION or PCT), the text in the cell and the hover lines.
    Cells with neither a ranking nor a % of the maximum are left out."""
    if min_peers is None:
        min_peers = Thresholds.load().min_peers
    c = metrics[metrics.criterion_code.notna() & metrics.is_leaf].copy()
    cols = ["framework", "criterion_code", "criterion_name", "year", "points", "max_points", "pct", "rank",
            "n_ranked", "colour", "basis", "cell_text", "hover"]
    if c.empty:
        return pd.DataFrame(columns=cols)
    pos = [position(r, n, min_peers) for r, n in zip(c["rank"], c.n_ranked)]
    c["colour"] = [p if p is not None else (v / 100 if pd.notna(v) else None) for p, v in zip(pos, c.pct)]
    c["basis"] = [POSITION if p is not None else (PCT if pd.notna(v) else None) for p, v in zip(pos, c.pct)]
    c = c[c.basis.notna()].copy()
    c["colour"] = c.colour.astype(float).clip(0, 1)
    rank_txt = [f"{int(r)}/{int(n)}" + (" (tự tính)" if comp else "") if pd.notna(r) and pd.notna(n) else None
                for r, n, comp in zip(c["rank"], c.n_ranked, c.rank_computed.fillna(False))]
    c["cell_text"] = [str(int(r)) if b == POSITION else f"{format_number(v, 0)}%"
                      for b, r, v in zip(c.basis, c["rank"], c.pct)]
    hover = []
    for code, name, year, pts, mx, pct, rt, b in zip(c.criterion_code, c.criterion_name, c.year, c.points,
                                                       c.max_points, c.pct, rank_txt, c.basis):
        lines = [f"<b>{_inert(code)} · {wrap_label(name, 60)}</b>", f"Năm {int(year)}",
                 f"Điểm: {format_number(pts)}" + (f" / {format_number(mx)}" if pd.notna(mx) else ""),
                 f"Hạng {rt}" if rt else "Không có hạng",
                 f"{format_number(pct, 1)}% điểm tối đa" if pd.notna(pct) else "Không có điểm tối đa công bố"]
        if b == PCT:
            lines.append("<i>Màu theo % điểm tối đa (không có hạng so với đơn vị khác)</i>")
        hover.append("<br>".join(lines))
    c["hover"] = hover
    return c[cols].reset_index(drop=True)


@dataclass
class Grid:
    """One framework version's heatmap, ready to draw: rows top to bottom, years left to right.

    ``y_edges`` are the row boundaries (rows are as tall as their wrapped label), ``y_mid``
    where each label sits; ``z`` holds None where a criterion has no value that year."""
    framework: str
    years: list[int]
    codes: list[str]
    labels: list[str]
    z: list[list[float | None]]
    text: list[list[str]]
    hover: list[list[str]]
    y_edges: list[float]
    y_mid: list[float]
    bases: set[str] = field(default_factory=set)
    left_out: list[str] = field(default_factory=list)  # scored, but neither ranked nor with a maximum

    @property
    def height_px(self) -> int:
        return int(self.y_edges[-1])

    @property
    def empty(self) -> bool:
        return not any(v is not None for row in self.z for v in row)

    @property
    def period(self) -> str:
        return f"{self.years[0]}–{self.years[-1]}" if self.years[0] != self.years[-1] else str(self.years[0])

    @property
    def colour_title(self) -> str:
        if self.bases == {PCT}:
            return "% điểm<br>tối đa"
        return "Vị trí so với<br>đơn vị cùng cấp"

    @property
    def tick_text(self) -> list[str]:
        if self.bases == {PCT}:
            return ["0%", "50%", "100%"]
        return ["nhóm cuối", "giữa", "nhóm đầu"]

    @property
    def caption(self) -> str:
        """What the colours mean, in plain Vietnamese."""
        if self.bases == {PCT}:
            return ("Không có hạng so với các đơn vị khác cho các tiêu chí này, nên màu theo % điểm tối đa: "
                    "đỏ = thấp, xanh = cao; số trong ô là % điểm tối đa.")
        text = ("Màu theo vị trí so với các đơn vị cùng cấp (theo hạng của từng tiêu chí trong năm đó): "
                "đỏ = nhóm cuối, vàng = giữa, xanh = nhóm đầu; số trong ô là hạng. "
                "Một tiêu chí đạt % điểm tối đa cao vẫn có thể đỏ khi các đơn vị khác còn cao hơn.")
        if PCT in self.bases:
            text += " Ô có dấu % là tiêu chí không có hạng: màu theo % điểm tối đa."
        if self.left_out:
            text += (f" {len(self.left_out)} tiêu chí ({', '.join(self.left_out)}) không có hạng so với đơn vị khác "
                     "và không có điểm tối đa công bố nên không có trong bảng màu; điểm của chúng ở bảng dưới.")
        return text


def grid(c: pd.DataFrame, framework: str) -> Grid:
    """The grid of one framework version from ``cells``: one row per criterion that has a
    value in some year, in code order, labelled with its full name."""
    part = c[c.framework == framework]
    years = sorted(int(y) for y in part.year.unique())
    latest = part.sort_values("year").groupby("criterion_code").criterion_name.last()
    codes = sorted(latest.index, key=code_key)
    labels = [wrap_label(f"{code} · {latest[code]}") for code in codes]
    at = {(r.criterion_code, int(r.year)): r for r in part.itertuples()}
    z = [[at[(code, y)].colour if (code, y) in at else None for y in years] for code in codes]
    text = [[at[(code, y)].cell_text if (code, y) in at else "" for y in years] for code in codes]
    hover = [[at[(code, y)].hover if (code, y) in at else "" for y in years] for code in codes]
    edges = [0.0]
    for label in labels:
        edges.append(edges[-1] + LINE_PX * (label.count("<br>") + 1) + ROW_PAD_PX)
    mid = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    return Grid(framework, years, codes, labels, z, text, hover, edges, mid, set(part.basis))


def grids(metrics: pd.DataFrame, year: int | None, min_peers: int | None = None) -> tuple[Grid | None, list[Grid]]:
    """(the grid of the version in force in ``year``, the other versions' grids newest
    first). A version with nothing to colour has no grid (an all-empty heatmap blanks the
    page in the browser)."""
    c = cells(metrics, min_peers)
    current = framework_in_force(metrics, year)
    if c.empty:
        return None, []
    order = c.groupby("framework").year.max().sort_values(ascending=False).index
    made = {f: grid(c, f) for f in order}
    made = {f: g for f, g in made.items() if not g.empty}
    scored = metrics[metrics.criterion_code.notna() & metrics.is_leaf & metrics.points.notna()]
    for f, g in made.items():
        g.left_out = sorted(set(scored[scored.framework == f].criterion_code) - set(g.codes), key=code_key)
    return made.get(current), [g for f, g in made.items() if f != current]


# ---------------------------------------------------------------- the one-criterion panel

def _rank(rank, n, computed) -> str:
    if rank is None or pd.isna(rank) or n is None or pd.isna(n):
        return "—"
    return f"{int(rank)}/{int(n)}" + (" (tự tính)" if pd.notna(computed) and bool(computed) else "")


def panel_lines(criterion: pd.Series, total: pd.Series | None, climb: pd.Series | None,
                top_fraction: float | None = None) -> list[str]:
    """The lines (markdown, numbers only) of the one-criterion panel: the criterion's own
    rank, then the rank of the index total and how many points on this criterion would move
    that total, each saying which rank it is about.

    ``criterion``: its row of criteria.criterion_metrics; ``total``: the index total's row that
    year (None if none); ``climb``: its row of criteria.points_to_climb (None if none)."""
    if top_fraction is None:
        top_fraction = Thresholds.load().top_fraction
    points = format_number(criterion.points)
    lines = [f"**Điểm tiêu chí:** {points} / {format_number(criterion.max_points)}" if pd.notna(criterion.max_points)
             else f"**Điểm tiêu chí:** {points} (không công bố điểm tối đa)"]
    if pd.notna(criterion.n_ranked) and criterion.n_ranked > 1 and pd.notna(criterion["rank"]):
        lines.append(f"**Hạng của tiêu chí này:** {_rank(criterion['rank'], criterion.n_ranked, criterion.rank_computed)}"
                     " — xếp riêng theo điểm của tiêu chí này")
    else:
        lines.append("**Hạng của tiêu chí này:** chưa có (không có điểm tiêu chí này của các đơn vị khác để so)")
    if total is not None:
        lines.append(f"**Hạng điểm tổng của chỉ số:** {_rank(total['rank'], total.n_ranked, total.rank_computed)}"
                     f", điểm tổng {format_number(total.points)}")
    if climb is None or pd.isna(climb.total_per_point):
        lines.append("Không tính được điểm cần thêm để điểm tổng lên hạng từ tiêu chí này "
                     "(thiếu điểm tổng của các đơn vị xếp trên, hoặc tiêu chí không cộng thẳng vào điểm tổng).")
        return lines
    if climb.already_first:
        lines.append("**Điểm tổng của chỉ số đang đứng đầu nhóm**: không còn hạng nào để lên.")
    elif pd.notna(climb.points_to_next_rank):
        text = (f"**Điểm tổng của chỉ số cần thêm để lên một hạng:** {format_number(climb.next_total - climb.total)}"
                f" điểm tổng, tức thêm **{format_number(climb.points_to_next_rank)}** điểm ở riêng tiêu chí này"
                " (các tiêu chí khác giữ nguyên)")
        if not climb.next_rank_possible:
            text += f" — **không thể**: tiêu chí này chỉ còn {format_number(climb.headroom)} điểm đến tối đa"
        lines.append(text)
    else:
        lines.append("**Điểm tổng của chỉ số cần thêm để lên một hạng:** chưa biết (thiếu điểm tổng của "
                     "các đơn vị xếp trên).")
    share = f"1/{round(1 / top_fraction)}" if top_fraction else ""
    if pd.notna(climb.points_to_top):
        if climb.points_to_top <= 0:
            lines.append(f"Điểm tổng của chỉ số đã ở nhóm {share} đầu.")
        else:
            text = (f"**Để điểm tổng vào nhóm {share} đầu:** thêm {format_number(climb.top_total - climb.total)}"
                    f" điểm tổng, tức **{format_number(climb.points_to_top)}** điểm ở riêng tiêu chí này")
            if not climb.top_possible:
                text += " — **không thể** với riêng tiêu chí này"
            lines.append(text)
    return lines
