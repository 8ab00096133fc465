"""An entity among its peers for one index, criterion and year: who is compared, whether the
comparison means anything, and what to say when it does not."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.criteria import Thresholds
from metrics.sql_files import sql


@dataclass(frozen=True)
class Comparison:
    peers: pd.DataFrame          # one row per peer, best first (see metrics/sql/peers.sql)
    n_scored: int                # peers with a score
    n_ranked: int | None         # the group size ranks are out of (published, or the units ranked)
    meaningful: bool             # enough scored peers to draw a comparison
    inverted: list = field(default_factory=list)    # published ranks that run against the scores
    conflicts: list = field(default_factory=list)   # (unit, why) for units whose score finds no rank

    @property
    def me(self) -> pd.Series | None:
        mine = self.peers[self.peers.is_me]
        return mine.iloc[0] if len(mine) else None

    @property
    def missing(self) -> int:
        """Units ranked by the publisher whose scores we do not have (PCI 2023+: top 30 only)."""
        return max(0, (self.n_ranked or 0) - self.n_scored)

    @property
    def partial(self) -> bool:
        """Fewer than half the ranked units have a score: bars of them would mislead."""
        return self.missing > 0 and 2 * self.n_scored < (self.n_ranked or 0)


def compare(con, entity_code: str, index_code: str, year: int, criterion_code: str | None = None,
            thresholds: Thresholds | None = None) -> Comparison:
    t = thresholds or Thresholds.load()
    groups = peer_groups(con, entity_code, index_code, year, criterion_code)
    peers = con.execute(sql("peers.sql"), {"entity_code": entity_code, "year": year, "peer_ids": groups}).df()
    scored = peers[peers.points.notna()]
    n_ranked = pd.to_numeric(peers.n_ranked, errors="coerce").max()
    return Comparison(
        peers=peers, n_scored=len(scored),
        n_ranked=None if pd.isna(n_ranked) else int(n_ranked),
        meaningful=len(scored) >= t.min_peers,
        inverted=inverted_published(scored),
        conflicts=list(zip(peers[peers.rank_conflict].entity_name, peers[peers.rank_conflict].rank_note)))


def peer_groups(con, entity_code: str, index_code: str, year: int, criterion_code: str | None) -> list[int]:
    """The peer groups (peer_id) an entity is compared in for one index, criterion and year:
    the group of its own row; where it has no row there, the group there of the units it is
    compared with in other years or criteria (the page still lists its usual peers)."""
    params = {"entity_code": entity_code, "index_code": index_code, "year": year, "criterion_code": criterion_code}
    own = [g for (g,) in con.execute(sql("own_peer_groups.sql"), params).fetchall()]
    return own or [g for (g,) in con.execute(sql("fellows_peer_groups.sql"), params).fetchall()]


def inverted_published(df: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs (higher-ranked, lower-ranked) of units whose published ranks run against their
    scores, in one group's rows (columns entity_name, points, rank, rank_computed)."""
    pub = df[~df.rank_computed.astype(bool) & df.points.notna() & df["rank"].notna()]
    pairs = []
    arr = pub[["entity_name", "points", "rank"]].to_numpy()
    for a in arr:
        for b in arr:
            if a[2] < b[2] and a[1] < b[1] and not np.isclose(a[1], b[1]):
                pairs.append((a[0], b[0]))
    return pairs
