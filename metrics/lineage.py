"""Where an assessed entity came from and what became of it: the 2025 reform (districts
dissolved, 63 provinces merged into 34) and earlier mergers, read from entities and
entity_successors. Pages use this for the lineage line under the picker, the notice on an
entity that no longer exists, and the break in trends."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from domain.entities import styled_name
from domain.vocabulary import reforms
from metrics.sql_files import sql


@dataclass(frozen=True)
class Link:
    code: str
    name: str          # as running text writes it: «huyện Vĩnh Lộc»
    level: str
    effective: date
    partial: bool      # the predecessor's area went to several successors


@dataclass(frozen=True)
class Lineage:
    code: str
    name: str
    level: str
    valid_from: date | None
    valid_to: date | None
    predecessors: list[Link] = field(default_factory=list)
    successors: list[Link] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.valid_to is not None

    def breaks(self) -> list[tuple[int, str]]:
        """(first assessment year on the new side, what changed) for every change of this
        entity's lineage and every reform of its level (data/registry/reforms.csv): a trend
        is broken before that year, because the unit or its peers are no longer the same
        (a commune is not ranked among 27 districts; a province among 34 is not among 63)."""
        out = {first_year_after(r.effective): r["name"].split(":")[0] for _, r in reforms().iterrows() if self.level in r.levels}
        for link in self.predecessors + self.successors:
            out.setdefault(first_year_after(link.effective), f"thay đổi địa giới từ {vn_date(link.effective)}")
        return sorted(out.items())


LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def level_breaks(level: str) -> list[int]:
    """First assessment years after each reform of a whole level (data/registry/reforms.csv)."""
    return sorted(first_year_after(r.effective) for _, r in reforms().iterrows() if level in r.levels)


def first_year_after(day: date) -> int:
    """The first assessment year on the new side of a change effective on ``day``, by the
    registry's rule (domain/entities.py): a unit dissolved on 30/6/2025 was last assessed
    for 2024, so a change on 1/7/2025 counts from 2025; Hà Tây, ended on 31/7/2008, was
    still assessed for 2008, so its merger counts from 2009."""
    return day.year if (day.month, day.day) <= (7, 1) else day.year + 1


def vn_date(day: date) -> str:
    """«01/7/2025»: the way Vietnamese documents write the date of a reform."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def lineage(con, entity_code: str) -> Lineage | None:
    """The entity with its predecessors and successors (None for an unknown code)."""
    row = con.execute("SELECT name, level, valid_from, valid_to FROM entities WHERE entity_code = ?",
                      [entity_code]).fetchone()
    if row is None:
        return None
    links = con.execute(sql("lineage.sql"), {"entity_code": entity_code}).df()

    def make(df: pd.DataFrame) -> list[Link]:
        df = df.assign(k=df.level.map(LEVEL_ORDER).fillna(3)).sort_values(["k", "name"])
        return [Link(r.code, styled_name(r.name, r.level), r.level, _day(r.effective), bool(r.partial))
                for r in df.itertuples()]

    return Lineage(entity_code, row[0], row[1], _day(row[2]), _day(row[3]),
                   make(links[links.direction == "from"]), make(links[links.direction == "to"]))


def _names(links: list[Link]) -> str:
    names = [link.name for link in links]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def origin_text(lin: Lineage) -> str:
    """«Kế thừa một phần huyện Vĩnh Lộc; hợp nhất xã Vĩnh Quang, xã Vĩnh Yên từ 01/7/2025»;
    empty for an entity without predecessors."""
    parts = []
    for effective in sorted({link.effective for link in lin.predecessors}):
        links = [link for link in lin.predecessors if link.effective == effective]
        partial = [link for link in links if link.partial]
        whole = [link for link in links if not link.partial]
        said = []
        if partial:
            said.append("kế thừa một phần " + _names(partial))
        if whole:  # an entity that existed before (Hà Nội in 2008) took the others in
            verb = "sáp nhập thêm " if lin.valid_from is None else "hợp nhất " if len(whole) > 1 else "kế thừa "
            said.append(verb + _names(whole))
        parts.append("; ".join(said) + f" từ {vn_date(effective)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def end_text(lin: Lineage) -> str:
    """«Huyện Vĩnh Lộc không còn từ 01/7/2025 …»; empty for an entity that still exists."""
    if not lin.ended:
        return ""
    name = styled_name(lin.name, lin.level)
    after = lin.valid_to.toordinal() + 1
    text = f"{name[:1].upper() + name[1:]} không còn là đơn vị hành chính từ {vn_date(date.fromordinal(after))}"
    if lin.successors:
        merged = all(not link.partial for link in lin.successors) and len(lin.successors) == 1
        text += (": sáp nhập vào " if merged else ": địa bàn nay thuộc ") + _names(lin.successors)
    return text + ". Số liệu và kế hoạch của đơn vị này được giữ làm lịch sử."


def history_trend(con, entity_code: str, own: pd.DataFrame) -> pd.DataFrame:
    """The index totals of ``entity_code`` (``own``: its criterion_metrics) followed by those
    of its predecessors, each marked: ``series`` names whose line it is, ``history`` is True
    for a predecessor's years. A trend of a merged province or a successor commune thus
    shows where it came from, as separate lines that the chart never joins."""
    from metrics.criteria import criterion_metrics

    lin = lineage(con, entity_code)
    cols = ["index_code", "year", "points", "pct", "rank", "n_ranked", "rank_computed", "is_illustrative", "source"]
    frames = [own[own.criterion_code.isna()][cols].assign(series=lin.name if lin else entity_code, history=False)]
    for link in (lin.predecessors if lin else []):
        m = criterion_metrics(con, link.code)
        m = m[m.criterion_code.isna() & m.points.notna()]
        if len(m):
            label = link.name[:1].upper() + link.name[1:] + f" (trước {vn_date(link.effective)})"
            frames.append(m[cols].assign(series=label, history=True))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["history", "series", "index_code", "year"]).reset_index(drop=True)
