"""A pandas reference implementation of the metrics, kept as a test oracle.

It starts from the raw tables (not from the SQL views) and re-derives everything the SQL
in metrics/sql/ computes, written the plain way. Tests assert both agree exactly.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from domain.vocabulary import threshold
from store.ranking import fill_ranks

MIN_PEERS = int(threshold("min_peers"))  # the store ranks nobody among fewer scored units

from metrics.criteria import Thresholds

PEER = ["year", "index_code", "framework", "criterion_code", "entity_level", "peer_group"]
ENT = ["entity_code", "index_code", "criterion_code"]


def tables(con) -> dict[str, pd.DataFrame]:
    out = {t: con.execute(f"SELECT * FROM {t}").df()
           for t in ("entities", "frameworks", "criteria", "indices")}
    # with the published precision ranks are computed at, rounded as DuckDB rounds
    out["view_totals"] = con.execute("""SELECT year, index_code, framework, entity_code, rank, n_ranked
                                         FROM scores WHERE criterion_code IS NULL""").df()
    out["score"] = con.execute("""SELECT s.*, round(s.points, i.rank_decimals) AS points_r,
                                         round(s.points, 2) AS points_s
                                  FROM score s JOIN indices i USING (index_code)""").df()
    return out


def reference_metrics(t: dict[str, pd.DataFrame], th: Thresholds) -> pd.DataFrame:
    s = t["score"].merge(t["entities"][["entity_code", "name", "level", "parent_code"]], on="entity_code")
    s = s.merge(t["frameworks"][["framework", "total_max"]], on="framework")
    crit = t["criteria"][["framework", "code", "max_points", "series", "level"]].rename(
        columns={"code": "criterion_code", "max_points": "crit_max", "level": "crit_level"})
    s = s.merge(crit, on=["framework", "criterion_code"], how="left")
    s["peer_group"] = s.parent_code.fillna("")
    s["entity_level"] = s.level
    s["max_points"] = s.max_points.where(s.max_points.notna(),
                                         np.where(s.criterion_code.isna(), s.total_max, s.crit_max))
    s["pct"] = 100.0 * s.points / s.max_points.replace(0, np.nan)
    s["series"] = s.series.where(s.criterion_code.notna(),
                                 s.index_code + ":TOTAL:" + s.total_max.map(lambda v: str(float(v))))
    s["crit_key"] = s.criterion_code.fillna("∅")  # pandas groupby drops NaN keys otherwise
    peer = PEER[:3] + ["crit_key"] + PEER[4:]
    g = s.groupby(peer)
    # a tie at the published precision is broken at the shown one (2 decimals): the shown
    # score moves the key by less than one step of the published precision (≥ 0,0001)
    s["rank_key"] = s.points_r + 1e-7 * s.points_s
    g = s.groupby(peer)
    s["rank_calc"] = g.rank_key.rank(method="min", ascending=False)
    s["n_calc"] = g.points_r.transform("count")
    s["rank_calc"] = s.rank_calc.where(s.n_calc >= MIN_PEERS)  # no ranking among too few
    s["peers_ill_rank"] = g.is_illustrative.transform("any")
    s["rank_computed"] = s["rank"].isna()
    s["rank_out"] = s.rank_calc
    s["n_out"] = s.n_calc.astype(float)
    # groups with a published rank: published ranks stand, computed ones fill the gaps
    stated = s["rank"].notna() | s.rank_min.notna() | s.rank_max.notna()
    for _, grp in s[stated.groupby([s[c] for c in peer]).transform("any")].groupby(peer):
        n_max = pd.to_numeric(grp.n_ranked, errors="coerce").max()
        n_pub = None if pd.isna(n_max) else int(n_max)
        keys = [None if pd.isna(r) else (r, k) for r, k in zip(grp.points_r, grp.points_s)]
        bands = [(None if pd.isna(a) else int(a), None if pd.isna(b) else int(b))
                 for a, b in zip(grp.rank_min, grp.rank_max)]
        ranks, _notes = fill_ranks(keys, [None if pd.isna(r) else int(r) for r in grp["rank"]], n_pub, bands,
                                   MIN_PEERS)
        ranked = [r for r in ranks if r is not None]
        s.loc[grp.index, "rank_out"] = [np.nan if r is None else r for r in ranks]
        s.loc[grp.index, "n_out"] = (max(len(ranked), max(ranked, default=0), n_pub or 0)
                                     if ranked else np.nan)
    s["ill_view"] = s.is_illustrative | (s.rank_computed & s.points.notna() & s.peers_ill_rank)
    s["peer_median"] = g.points.transform("median")
    s["peer_best"] = g.points.transform("max")
    s["peers_illustrative"] = s.groupby(peer).ill_view.transform("any")

    s = s.sort_values(["entity_code", "index_code", "crit_key", "year"])
    e = s.groupby(["entity_code", "index_code", "crit_key"])
    prev = {c: e[c].shift(1) for c in ("year", "series", "points", "pct", "max_points", "rank_out")}
    same = prev["series"].eq(s.series)
    s["prev_year"] = prev["year"]
    s["break_before"] = prev["year"].notna() & ~same
    s["change_points"] = (s.points - prev["points"]).where(same & prev["max_points"].eq(s.max_points))
    s["change_pct_points"] = (s.pct - prev["pct"]).where(same)
    s["rank_change"] = (prev["rank_out"] - s.rank_out).where(same)

    runs = []
    for _, grp in s.groupby(["entity_code", "index_code", "crit_key"], sort=False):
        n = 0
        for v in grp.change_pct_points:
            n = n + 1 if (not pd.isna(v) and v < 0) else 0
            runs.append(n)
    s["decline_run"] = runs
    s["is_illustrative_out"] = s.ill_view | s.peers_illustrative
    s["gap_to_median"] = s.points - s.peer_median
    s["gap_to_best"] = s.points - s.peer_best
    s["no_data"] = s.points.isna()
    fell = (s.change_pct_points < -th.decline_pct_points).fillna(False)
    s["declining"] = fell | (s.decline_run >= th.decline_years_running)
    s["n_peers"] = g.points.transform("count").reindex(s.index)
    bottom = ((s.n_out >= th.min_peers) & (s.rank_out > s.n_out * (1 - th.low_rank_fraction))).fillna(False)
    below = (th.below_median & (s.n_peers >= th.min_peers) & (s.points < s.peer_median)).fillna(False)
    s["low_ranked"] = bottom | below
    s = s.drop(columns=["rank", "n_ranked", "is_illustrative"])
    return s.rename(columns={"rank_out": "rank", "n_out": "n_ranked", "is_illustrative_out": "is_illustrative"})


def reference_points_to_climb(t: dict[str, pd.DataFrame], entity_code: str, year: int, th: Thresholds) -> pd.DataFrame:
    s = t["score"].merge(t["entities"][["entity_code", "level", "parent_code"]], on="entity_code")
    s["peer_group"] = s.parent_code.fillna("")
    totals = s[s.criterion_code.isna() & s.points.notna() & (s.year == year)]
    me = totals[totals.entity_code == entity_code]
    crit, fw = t["criteria"], t["frameworks"].set_index("framework")
    out = []
    for m in me.itertuples():
        peers = totals[(totals.index_code == m.index_code) & (totals.framework == m.framework)
                       & (totals.level == m.level) & (totals.peer_group == m.peer_group)].points
        above = peers[peers > m.points]
        v = t["view_totals"]
        v = v[(v.year == year) & (v.index_code == m.index_code) & (v.framework == m.framework)
              & (v.entity_code == entity_code)].iloc[0]
        # the gap is known only when every unit ranked above has a known score
        known = pd.isna(v["rank"]) or len(above) >= v["rank"] - 1
        next_total = above.min() if len(above) and known else None
        ordered = sorted(peers, reverse=True)
        n = max(len(ordered), 0 if pd.isna(v.n_ranked) else int(v.n_ranked))
        k = max(1, math.floor(n * th.top_fraction))
        top_total = ordered[k - 1] if k <= len(ordered) else None  # rank ≤ n·f
        rows = s[(s.entity_code == entity_code) & (s.year == year) & (s.framework == m.framework)
                 & s.criterion_code.notna()]
        cf = crit[crit.framework == m.framework]
        n_top = (cf.parent_code == "").sum()
        for r in rows.itertuples():
            c = cf[cf.code == r.criterion_code].iloc[0]
            if c.level == "alternate_total":
                continue
            rule = fw.loc[m.framework, "total_rule"]
            if rule == "sum":
                eff = None if (cf.parent_code == c.code).any() else 1.0
            elif rule == "weighted":
                eff = c.weight / 100.0 * fw.loc[m.framework, "total_max"] / c.max_points
            else:
                eff = None if c.parent_code == "" else 1.0 / (n_top * (cf.parent_code == c.parent_code).sum())
            maxp = r.max_points if not pd.isna(r.max_points) else c.max_points
            to_next = None if (eff is None or next_total is None or pd.isna(eff)) else (next_total - m.points) / eff
            to_top = (None if eff is None or pd.isna(eff) or top_total is None
                      else (max(top_total - m.points, 0) / eff))
            out.append({"index_code": m.index_code, "criterion_code": r.criterion_code,
                        "points_to_next_rank": to_next, "points_to_top": to_top,
                        "headroom": None if pd.isna(r.points) else maxp - r.points})
    return pd.DataFrame(out)
