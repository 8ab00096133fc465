"""One consistent ordering of ranks inside each peer group, stored once per write.

A peer group (``peer_id``, defined once in store/sql/rank_base.sql) may mix ranks a
publisher printed with units that have only a score. Published ranks are facts; the others
are computed so that they fill the free rank slots around the published ones:

- no computed rank collides with a published one, except a true tie (equal score);
- no unit with a lower score is ranked above one with a higher score, unless both ranks
  are published (that disagreement is the publisher's, and pages say so);
- where a unit's score cannot fit between the published ranks (the score contradicts
  them), it gets no rank and ``rank_conflict`` says why, instead of a rank that lies.

Scores are rounded to the index's published precision (indices.csv ``rank_decimals``)
before ranking, so a total summed in floating point cannot flip a rank between two
imports of the same file. The result is the table ``score_rank``, rebuilt by every
write (build, import) and read by the ``scores`` view.
"""
from __future__ import annotations

import math

import duckdb
import pandas as pd

from store import db


def fill_ranks(points: list[float | None], given: list[int | None],
               n_published: int | None = None) -> tuple[list[int | None], list[bool]]:
    """Ranks for one peer group: ``given`` ranks stay; the others fill the free slots in
    score order, never past ``n_published`` (the group size the publisher printed).
    Returns (rank per unit, conflict per unit). Equal scores share a rank."""
    n = len(points)
    pts = [None if p is None or (isinstance(p, float) and math.isnan(p)) else float(p) for p in points]
    giv = [None if g is None or (isinstance(g, float) and math.isnan(g)) else int(g) for g in given]
    ranks: list[int | None] = list(giv)
    conflict = [False] * n
    published = [(giv[i], pts[i]) for i in range(n) if giv[i] is not None]
    taken: set[int] = set()
    for r in {r for r, _ in published}:  # k units tied at r occupy r … r+k-1 (1, 2, 2, 4)
        k = sum(1 for q, _ in published if q == r)
        taken.update(range(r, r + k))
    todo = sorted((i for i in range(n) if giv[i] is None and pts[i] is not None), key=lambda i: -pts[i])
    last = 0  # the last slot a computed rank used: computed ranks only go down the table
    pos = 0
    while pos < len(todo):
        score = pts[todo[pos]]
        tie = [i for i in todo[pos:] if pts[i] == score]
        pos += len(tie)
        above = max((r for r, p in published if p is not None and p > score), default=0)
        below = min((r for r, p in published if p is not None and p < score), default=math.inf)
        below = min(below, (n_published or math.inf) + 1)
        equal = [r for r, p in published if p is not None and p == score]
        if equal:  # a tie with a published unit shares its rank, if that rank fits
            r = min(equal)
            if not above < r < below:
                for i in tie:
                    conflict[i] = True
                continue
            for i in tie:
                ranks[i] = r
            last = max(last, _consume(taken, r, len(tie)))  # 1, 1, 3: the tie still takes its places
            continue
        slot = max(above, last) + 1
        while slot in taken:
            slot += 1
        if slot >= below:  # no free place between the published ranks: the score contradicts them
            for i in tie:
                conflict[i] = True
            continue
        for i in tie:
            ranks[i] = slot
        last = _consume(taken, slot, len(tie))
    return ranks, conflict


def _consume(taken: set[int], start: int, k: int) -> int:
    """Take the first k free places from ``start`` on (a tie of k units uses k places);
    returns the last place taken."""
    s, used = start, 0
    while used < k:
        if s not in taken:
            taken.add(s)
            used += 1
        s += 1
    return s - 1


def _rank_mixed(df: pd.DataFrame) -> pd.DataFrame:
    """fill_ranks over every peer group of a frame that has at least one published rank."""
    out = []
    for _, g in df.groupby("peer_id", sort=False):
        given_n = pd.to_numeric(g.n_given, errors="coerce").max()
        ranks, conflict = fill_ranks(g.points_r.tolist(), g.rank_given.tolist(),
                                     None if pd.isna(given_n) else int(given_n))
        ranked = [r for r in ranks if r is not None]
        n = int(max([len(ranked), max(ranked, default=0), 0 if pd.isna(given_n) else int(given_n)]))
        out.append(pd.DataFrame({
            "year": g.year, "index_code": g.index_code, "framework": g.framework,
            "criterion_code": g.criterion_code, "entity_code": g.entity_code,
            "rank": pd.array(ranks, dtype="Int64"), "n_ranked": n if ranked else None,
            "rank_published": g.rank_given.notna().to_numpy(), "rank_conflict": conflict,
            "peer_id": g.peer_id, "peers_illustrative": g.peers_illustrative}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``score_rank`` from ``score``: SQL ranks the groups without any published
    rank (nearly all of them); Python fills the few mixed groups."""
    db.run_script(con, "rank_base.sql")
    mixed = con.execute("SELECT * FROM t_rank_base WHERE mixed").df()
    if len(mixed):
        mixed["rank_given"] = mixed.rank_given.astype(object).where(mixed.rank_given.notna(), None)
        mixed["points_r"] = mixed.points_r.astype(float)
        ranked = _rank_mixed(mixed)
        ranked["rank"] = ranked["rank"].astype(object).where(ranked["rank"].notna(), None)
        con.register("t_ranked", ranked)
        con.execute("INSERT INTO t_mixed_rank BY NAME SELECT * FROM t_ranked")
        con.unregister("t_ranked")
    db.run_script(con, "score_rank.sql")
