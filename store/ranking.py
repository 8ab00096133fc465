"""One consistent ordering of ranks inside each peer group, stored once per write.

A peer group (``peer_id``, defined once in store/sql/rank_base.sql) may mix ranks a
publisher printed with units that have only a score. Published ranks are facts; the others
are computed so that they fill the free rank slots around the published ones:

- every published rank takes its place; a computed rank takes a free one (the publisher
  breaks ties the shown precision hides, so a score equal to a published unit's takes the
  free place next to it rather than sharing its rank and leaving the last place short);
- no unit with a lower score is ranked above one with a higher score, unless both ranks
  are published (that disagreement is the publisher's, and pages say so);
- where a source places a unit only in a group («one of the bottom three», «top five»:
  ``rank_min``/``rank_max``), its computed rank falls inside it;
- where a unit's score cannot fit (it contradicts the published ranks, the group a source
  states, or no place is left), it gets no rank and ``rank_note`` says why
  (domain.vocabulary.RANK_NOTES), instead of a rank that lies;
- no rank is computed among fewer scored units than ``min_peers`` (data/thresholds.csv):
  «1/1» tells nobody anything.

Scores are rounded to the index's published precision (indices.csv ``rank_decimals``)
before ranking, so a total summed in floating point cannot flip a rank between two
imports of the same file; a tie there is still broken by the precision pages show
(``domain.text.SHOWN_DECIMALS``), so 8,09 never shares a rank with 8,08. The result is the
table ``score_rank``, rebuilt by every write (build, import) and read by the ``scores`` view.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import duckdb
import pandas as pd

from domain.text import SHOWN_DECIMALS
from domain.vocabulary import threshold
from store import db

FEW_PEERS, CONTRADICTS, OUTSIDE_GROUP, NO_PLACE = "few_peers", "published", "band", "full"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def fill_ranks(points: Sequence[Any], given: Sequence[int | None], n_published: int | None = None,
               bands: Sequence[tuple[int | None, int | None] | None] | None = None,
               min_peers: int = 1) -> tuple[list[int | None], list[str | None]]:
    """Ranks for one peer group: ``given`` ranks stay; the others take free slots in score
    order, never past the group size (``n_published``, the size the publisher printed, else
    the units with a score or a rank). ``points``: a score, or any comparable key (the
    ranking's (published precision, shown precision) pair), None when missing; ``bands``:
    per unit the group a source places it in, (best, worst) rank. Returns (rank per unit,
    why a scored unit has none: a key of domain.vocabulary.RANK_NOTES, else None).
    Computed units with equal scores on consecutive places share the first of them
    (1, 2, 2, 4)."""
    n = len(points)
    pts = [None if _missing(p) else p for p in points]
    giv = [None if _missing(g) else int(g) for g in given]
    band = [(None, None) if b is None else tuple(None if _missing(x) else int(x) for x in b)
            for b in (bands or [None] * n)]
    ranks: list[int | None] = list(giv)
    notes: list[str | None] = [None] * n
    todo = sorted((i for i in range(n) if giv[i] is None and pts[i] is not None), key=lambda i: pts[i],
                  reverse=True)  # stable: equal scores keep the group's order
    if sum(p is not None for p in pts) < min_peers:
        for i in todo:
            notes[i] = FEW_PEERS
        return ranks, notes
    size = n_published or sum(1 for i in range(n) if pts[i] is not None or giv[i] is not None)
    published = [(giv[i], pts[i]) for i in range(n) if giv[i] is not None]
    taken: set[int] = set()
    for r in {r for r, _ in published}:  # k units tied at r occupy r … r+k-1 (1, 2, 2, 4)
        taken.update(range(r, r + sum(1 for q, _ in published if q == r)))

    def free(lo: int, hi: int) -> int | None:
        return next((s for s in range(lo, hi + 1) if s not in taken), None)

    last = 0  # the last slot a computed rank took: computed ranks only go down the table
    pos = 0
    while pos < len(todo):
        run = [i for i in todo[pos:] if pts[i] == pts[todo[pos]]]
        pos += len(run)
        placed = []
        for i in run:
            key = pts[i]
            lo_pub = 1 + max((r for r, p in published if p is not None and p > key), default=0)
            hi_pub = min([size] + [r - 1 for r, p in published if p is not None and p < key])
            if lo_pub > hi_pub:
                notes[i] = CONTRADICTS
                continue
            best, worst = band[i]
            lo, hi = max(lo_pub, last + 1, best or 1), min(hi_pub, worst or size)
            slot = free(lo, hi) if lo <= hi else None
            if slot is None:
                stated = best is not None or worst is not None
                notes[i] = OUTSIDE_GROUP if stated and free(max(lo_pub, last + 1), hi_pub) else NO_PLACE
                continue
            taken.add(slot)
            ranks[i] = last = slot
            placed.append(i)
        slots = [ranks[i] for i in placed]
        for k in range(1, len(placed)):  # a tie on consecutive places shares the first (1, 2, 2, 4)
            if slots[k] == slots[k - 1] + 1:
                ranks[placed[k]] = ranks[placed[k - 1]]
    return ranks, notes


def _rank_mixed(df: pd.DataFrame, min_peers: int) -> pd.DataFrame:
    """fill_ranks over every peer group of a frame with a published rank or a stated group."""
    out = []
    for _, g in df.groupby("peer_id", sort=False):
        given_n = pd.to_numeric(g.n_given, errors="coerce").max()
        keys = [None if _missing(r) else (r, s) for r, s in zip(g.points_r, g.points_s)]
        ranks, notes = fill_ranks(keys, g.rank_given.tolist(), None if pd.isna(given_n) else int(given_n),
                                  list(zip(g.band_lo, g.band_hi)), min_peers)
        ranked = [r for r in ranks if r is not None]
        n = int(max([len(ranked), max(ranked, default=0), 0 if pd.isna(given_n) else int(given_n)]))
        out.append(pd.DataFrame({
            "year": g.year, "index_code": g.index_code, "framework": g.framework,
            "criterion_code": g.criterion_code, "entity_code": g.entity_code,
            "rank": pd.array(ranks, dtype="Int64"), "n_ranked": n if ranked else None,
            "rank_published": g.rank_given.notna().to_numpy(),
            "rank_conflict": [x not in (None, FEW_PEERS) for x in notes], "rank_note": notes,
            "peer_id": g.peer_id, "peers_illustrative": g.peers_illustrative}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``score_rank`` from ``score``: SQL ranks the groups without any published
    rank or stated group (nearly all of them); Python fills the few mixed groups."""
    min_peers = int(threshold("min_peers"))
    db.run_script(con, "rank_base.sql", {"shown_decimals": SHOWN_DECIMALS})
    mixed = con.execute("SELECT * FROM t_rank_base WHERE mixed").df()
    if len(mixed):
        for col in ("rank_given", "band_lo", "band_hi"):
            mixed[col] = mixed[col].astype(object).where(mixed[col].notna(), None)
        ranked = _rank_mixed(mixed, min_peers)
        ranked["rank"] = ranked["rank"].astype(object).where(ranked["rank"].notna(), None)
        con.register("t_ranked", ranked)
        con.execute("INSERT INTO t_mixed_rank BY NAME SELECT * FROM t_ranked")
        con.unregister("t_ranked")
    db.run_script(con, "score_rank.sql", {"min_peers": min_peers})
