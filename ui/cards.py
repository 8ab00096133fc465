"""The index cards of «Tổng quan», the chairman's first screen: the rank and what it means among
the peers, its change or why there is none, the criteria furthest below the peers with their
lead units, and the predecessor's last ranks as context. Figures and words come from
metrics/overview.py; this module only draws."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import overview, proposals
from metrics.criteria import NO_PLAN
from metrics.units_view import short_text
from ui import fmt, queries

QUARTER_COLOR = {1: "green", 2: "blue", 3: "orange", 4: "red"}  # st.markdown badge colours, best first
NAME_CHARS = 48  # a criterion's name beyond this is cut at a word: a line and a half in a half-width card


def show(entity: str, cards: pd.DataFrame, metrics: pd.DataFrame, history: pd.DataFrame) -> None:
    """One bordered card per index, side by side. ``metrics``: the entity's criterion_metrics;
    ``history``: queries.history_trend (its predecessors' lines give the context line)."""
    breaks = [y for y, _ in queries.breaks(entity)]
    before = overview.predecessor_ranks(history)
    planned = len(queries.plans_of(entity)) > 0
    proposal = queries.proposal(entity)  # without a plan of its own: units proposed from the predecessor's
    for col, c in zip(st.columns(len(cards)), cards.itertuples()):
        with col.container(border=True):
            _card(entity, c, metrics, before[before.index_code == c.index_code], breaks, planned, proposal)


def _card(entity: str, c, metrics: pd.DataFrame, before: pd.DataFrame, breaks: list[int], planned: bool,
          proposal: proposals.Proposal) -> None:
    has_rank = not fmt.missing(c.rank)
    # the chairman's question first: the rank, and how it moved (green = better for the unit)
    move = fmt.rank_move(c.rank_change, c.prev_rank, c.rank) if has_rank else None
    st.metric(f"{fmt.INDEX_LABEL[c.index_code]} {int(c.year)}",
              f"Hạng {fmt.rank_text(c.rank, c.n_ranked, False)}" if has_rank else fmt.num(c.points),
              delta=move, delta_color="normal" if move and c.rank_change else "off")
    meaning = overview.standing(c)
    if meaning:  # good or bad, in words: the quarter of the peer group and the distance to its median
        st.markdown(f":{QUARTER_COLOR[c.quarter]}-badge[{fmt.plain(meaning[0])}] {fmt.plain(meaning[1])}".strip())
    lines = []
    note = overview.change_note(c, breaks)
    if note:
        lines.append(fmt.plain(note))
    lines.append((f"Điểm {fmt.num(c.points)}" if not fmt.missing(c.points) else "Chỉ công bố hạng")
                 + (f" ({fmt.signed(c.change_points)} so với {int(c.year) - 1})" if not fmt.missing(c.change_points) else "")
                 + (" · hạng tự tính" if has_rank and fmt.flag(c.rank_computed) else "")
                 + (f" · {fmt.plain(c.label)}" if isinstance(c.label, str) and c.label else "")
                 + (" · minh họa" if fmt.flag(c.is_illustrative) else ""))
    lines += _weak_lines(entity, c, metrics, planned, proposal)
    for p in before.itertuples():  # another peer group: a line of its own, never a change
        lines.append(f"{fmt.plain(p.series)}: {fmt.INDEX_LABEL[p.index_code]} {int(p.year)} hạng "
                     f"{fmt.rank_text(p.rank, p.n_ranked, p.rank_computed)}"
                     + (" · minh họa" if fmt.flag(p.is_illustrative) else ""))
    st.caption("  \n".join(lines))  # one element: Streamlit puts a gap between elements


def _weak_lines(entity: str, c, metrics: pd.DataFrame, planned: bool, proposal: proposals.Proposal) -> list[str]:
    """The criteria furthest below the peers with their lead units (assigned by the entity's plan,
    or proposed, and said so); without peers to compare with, the criteria that lost the most."""
    focus = proposals.with_units(queries.focus(entity, int(c.year)), proposal)
    weak = overview.furthest_below(metrics, c.index_code, int(c.year), focus)
    if weak.empty:
        down = overview.pulled_down(metrics, c.index_code, int(c.year))
        if down.empty:
            return []
        return ["Kéo xuống: " + "; ".join(f"{fmt.plain(r.criterion_code)} {fmt.plain(r.criterion_name)} "
                                          f"({fmt.signed(r.change_points)})" for r in down.itertuples())]
    lines = ["**Thấp nhất so với nhóm:**"]
    for r in weak.itertuples():
        line = (f"· {fmt.plain(r.criterion_code)} {fmt.plain(short_text(r.criterion_name, NAME_CHARS))}: "
                f"thấp hơn trung vị {fmt.num(-r.gap_to_median)} điểm")
        if len(r.lead_units):
            line += f" — {'đề xuất chủ trì' if r.units_proposed else 'chủ trì'}: {fmt.plain(fmt.units_text(r.lead_units))}"
        elif planned:
            line += " — chủ trì: chưa giao"
        lines.append(line)
    if not planned:  # the short form; proposed units are no assignment, and none is made up
        origin = "; ".join(i if isinstance(i, str) and i else t for i, t in zip(proposal.sources.issuer,
                                                                                proposal.sources.title))
        lines.append(f"Chủ trì: {NO_PLAN}" if not weak.units_proposed.any() else
                     f"{NO_PLAN[:1].upper()}{NO_PLAN[1:]}; đề xuất từ kế hoạch của {fmt.plain(origin)}")
    return lines
