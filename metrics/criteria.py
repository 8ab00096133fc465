"""Trends, flags, next year's focus, points to climb and responsibility, computed once.

Every page, export and command uses these functions so that they all show the same
numbers. The arithmetic runs in DuckDB (metrics/sql/); Python only shapes small results
and writes the Vietnamese reasons. Functions take a DuckDB connection (or cursor).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from domain.frameworks import criterion_name_for
from domain.text import vn_number

from metrics.sql_files import sql

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Thresholds:
    decline_pct_points: float = 2.0
    decline_years_running: int = 2
    low_rank_fraction: float = 1 / 3
    below_median: bool = True
    top_fraction: float = 1 / 3
    min_peers: int = 3

    @classmethod
    def load(cls, path: Path | None = None) -> "Thresholds":
        """data/thresholds.csv (or ``path``), read again only when the file changed: a page asks
        for it a dozen times."""
        path = Path(path or ROOT / "data" / "thresholds.csv")
        st = path.stat()
        return _read_thresholds(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _read_thresholds(path: str, mtime_ns: int, size: int) -> Thresholds:
    df = pd.read_csv(path, dtype=str)
    v = dict(zip(df.key, df.value))
    return Thresholds(float(v["decline_pct_points"]), int(float(v["decline_years_running"])),
                      float(v["low_rank_fraction"]), v["below_median"].strip() in ("1", "true"),
                      float(v["top_fraction"]), int(float(v.get("min_peers", 3))))


def criterion_metrics(con: duckdb.DuckDBPyConnection, entity_code: str | None = None,
                      index_code: str | None = None, year: int | None = None,
                      thresholds: Thresholds | None = None) -> pd.DataFrame:
    """One row per entity, index, criterion (criterion_code None = total) and year, with
    change, rank, peer median and best, gaps and the flags declining / low_ranked / no_data.
    The figures are read from criterion_metrics_all, computed when the data was written
    (store/build.py precompute); the flags follow ``thresholds`` (any, not only the file's)."""
    t = thresholds or Thresholds.load()
    params = {"entity_code": entity_code, "index_code": index_code, "year": year,
              "decline_pct_points": t.decline_pct_points, "decline_years_running": t.decline_years_running,
              "low_rank_fraction": t.low_rank_fraction, "below_median": t.below_median, "min_peers": t.min_peers}
    # through Arrow: a third faster than .df() for a national result
    df = con.execute(sql("criterion_metrics.sql"), params).to_arrow_table().to_pandas()
    df = _names_as_read(df)
    # Sorting a national result in SQL cost half the query; one entity's rows sort in no time.
    if entity_code is not None:
        df = df.sort_values(["index_code", "year", "criterion_code"], na_position="first", kind="stable")
        df = df.reset_index(drop=True)
    return df


def _names_as_read(df: pd.DataFrame, level: str | None = None) -> pd.DataFrame:
    """``criterion_name`` as each row's entity reads it: a commune's rows say «xã» where the
    district framework says «huyện» (domain.frameworks.criterion_name_for). ``level``: the
    entity's level when the frame has no ``entity_level`` column."""
    levels = df["entity_level"] if "entity_level" in df else pd.Series(level, index=df.index)
    mine = (levels == "commune") & df.criterion_name.notna()
    if mine.any():
        names = df.loc[mine, "criterion_name"]
        df.loc[mine, "criterion_name"] = names.map({n: criterion_name_for(n, "commune") for n in names.unique()})
    return df


def peer_range(con, entity_code: str, index_code: str | None = None,
               year: int | None = None) -> tuple[int | None, int | None]:
    """The range of peer_id that holds every peer group ``entity_code`` is ranked in (in
    ``index_code`` and ``year``, each None = all): bound as constants, so DuckDB reads only
    those groups. (None, None) for an entity without scores: no peers and no rows."""
    return con.execute(sql("peer_range.sql"),
                       {"entity_code": entity_code, "index_code": index_code, "year": year}).fetchone()


def ranks(con, entity_code: str, index_code: str, follow_successors: bool = True) -> pd.DataFrame:
    """The index total of one entity over the years: year, points, rank, n_ranked, computed.

    After a reform (districts gone on 1/7/2025) the trend follows the lineage: the
    successors' rows come after the entity's own, marked ``via_successor`` and starting
    with a break, because a commune is not ranked among the same peers as a district."""
    def totals(code: str, via: bool) -> pd.DataFrame:
        df = criterion_metrics(con, code, index_code)
        df = df[df.criterion_code.isna()]
        return pd.DataFrame({"year": df.year, "entity_code": df.entity_code, "entity_name": df.entity_name,
                             "framework": df.framework, "points": df.points, "rank": df["rank"],
                             "n_ranked": df.n_ranked, "computed": df.rank_computed,
                             "change_points": df.change_points, "break_before": df.break_before,
                             "is_illustrative": df.is_illustrative, "via_successor": via})

    out = totals(entity_code, False)
    if follow_successors:
        last = out.year.max() if len(out) else -1
        successors = [r[0] for r in con.execute(
            "SELECT successor_code FROM entity_successors WHERE entity_code = ? ORDER BY successor_code",
            [entity_code]).fetchall()]
        later = [t[t.year > last] for t in (totals(c, True) for c in successors)]
        later = [t.assign(break_before=t.year == t.year.min()) for t in later if len(t)]
        out = pd.concat([out, *later], ignore_index=True) if later else out
    return out.sort_values(["year", "via_successor", "entity_name"]).reset_index(drop=True)


def points_to_climb(con, entity_code: str, year: int, index_code: str | None = None,
                    thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Per criterion: points on that criterion alone to rise one rank and to reach the top
    group, holding everyone else fixed; NaN and possible=False where the maximum forbids it."""
    t = thresholds or Thresholds.load()
    peer_from, peer_to = peer_range(con, entity_code, index_code, year)
    df = con.execute(sql("points_to_climb.sql"),
                     {"entity_code": entity_code, "year": year, "index_code": index_code,
                      "top_fraction": t.top_fraction, "peer_from": peer_from, "peer_to": peer_to}).df()
    level = con.execute(sql("catalog_entity.sql"), {"entity_code": entity_code}).fetchone()
    df = _names_as_read(df, level[2] if level else None)
    eps = 1e-9
    df["next_rank_possible"] = df.points_to_next_rank.notna() & (df.points_to_next_rank <= df.headroom + eps)
    df["top_possible"] = df.points_to_top.notna() & (df.points_to_top <= df.headroom + eps)
    df["already_first"] = df.next_total.isna() & df.total.notna()
    return df


def _reasons(r) -> list[str]:
    """Why a criterion is on the focus list, in Vietnamese (``r``: a row as itertuples gives it)."""
    out = []
    if r.decline_run >= 2:
        out.append(f"giảm {int(r.decline_run)} năm liên tiếp")
    elif r.change_points is not None and not pd.isna(r.change_points) and r.change_points < 0:
        out.append(f"giảm {vn_number(round(-r.change_pct_points, 1))} điểm phần trăm so với {int(r.prev_year)}")
    if r.low_ranked and not pd.isna(r.rank):
        out.append(f"hạng {int(r.rank)}/{int(r.n_ranked)}" + (" (tự tính)" if r.rank_computed else ""))
    if r.below_median:
        out.append(f"thấp hơn trung vị {vn_number(round(-r.gap_to_median, 2))} điểm")
    return out


def responsibility(con, plan_id: str | None = None, entity_code: str | None = None) -> pd.DataFrame:
    """Published criterion → plan criterion → units, through the crosswalk and the task map;
    with ``entity_code``, only from the plans of that assessed entity."""
    return con.execute(sql("responsibility.sql"), {"plan_id": plan_id, "entity_code": entity_code}).df()


def plans_of(con, entity_code: str) -> list[str]:
    """The plans that assign units for this entity's scores (empty: «chưa có kế hoạch giao việc»)."""
    return [p for (p,) in con.execute("SELECT plan_id FROM plans WHERE entity_code = ? ORDER BY plan_id",
                                      [entity_code]).fetchall()]


NO_PLAN = "chưa có kế hoạch giao việc"


def focus_list(con, entity_code: str, year: int, index_code: str | None = None,
               thresholds: Thresholds | None = None, plan_id: str | None = None) -> pd.DataFrame:
    """The weak criteria of an entity in a year (declining or low-ranked), most urgent first,
    with reasons in Vietnamese, points recoverable, points to climb and responsible units."""
    t = thresholds or Thresholds.load()
    m = criterion_metrics(con, entity_code, index_code, year, t)
    m = m[m.is_leaf & (m.declining | m.low_ranked) & ~m.no_data].copy()
    cols = ["index_code", "criterion_code", "criterion_name", "priority", "reasons", "points",
            "max_points", "points_recoverable", "points_to_next_rank", "next_rank_possible",
            "lead_units", "support_units", "is_illustrative", "framework"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    m["priority"] = 3 - m.declining.astype(int) - m.low_ranked.astype(int)  # 1 = both, 2 = one
    m["reasons"] = [_reasons(r) for r in m.itertuples(index=False)]
    m["points_recoverable"] = (m[["peer_best", "max_points"]].min(axis=1) - m.points).clip(lower=0)
    climb = points_to_climb(con, entity_code, year, index_code, t)[
        ["index_code", "criterion_code", "points_to_next_rank", "next_rank_possible"]]
    m = m.merge(climb, on=["index_code", "criterion_code"], how="left")
    resp = responsibility(con, plan_id, entity_code)
    units = (resp.groupby(["index_code", "framework", "criterion_code"])
             .agg(lead_units=("lead_units", "first"), support_units=("support_units", "first")).reset_index())
    m = m.merge(units, on=["index_code", "framework", "criterion_code"], how="left")
    for col in ("lead_units", "support_units"):
        m[col] = m[col].apply(lambda v: list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else [])
    m = m.sort_values(["priority", "points_recoverable", "index_code", "criterion_code"],
                      ascending=[True, False, True, True])
    return m[cols].reset_index(drop=True)


def coverage(con, index_code: str | None = None, plan_id: str | None = None) -> pd.DataFrame:
    """Published criteria of the current framework that no unit in the plan is responsible for."""
    return con.execute(sql("coverage.sql"), {"index_code": index_code, "plan_id": plan_id}).df()


def unit_duties(con, unit: str, year: int | None = None, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Every plan criterion a unit leads or supports, directly or through a group (saying
    which), with the published criterion it maps to and its flags for the home entity."""
    return con.execute(sql("unit_duties.sql"), {"unit_code": unit}).df()


def unit_status(con, unit_code: str, entity_code: str, year: int | None = None,
                thresholds: Thresholds | None = None) -> pd.DataFrame:
    """A unit's duties with the flags of the published criterion for one assessed entity, in
    ``year`` or else the latest year that entity has for each index."""
    return with_flags(con, unit_duties(con, unit_code), entity_code, year, thresholds)


def with_flags(con, duties: pd.DataFrame, entity_code: str, year: int | None = None,
               thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Duties (the columns of unit_duties.sql) with the flags of their published criterion for
    one assessed entity, in ``year`` or else the latest year that entity has for each index."""
    m = criterion_metrics(con, entity_code, None, year, thresholds)
    m = m[m.criterion_code.notna()]
    if year is None and len(m):
        m = m[m.year == m.groupby("index_code").year.transform("max")]
    flags = m[["index_code", "framework", "criterion_code", "year", "declining", "low_ranked", "no_data",
               "is_illustrative"]].rename(columns={"criterion_code": "published_code"})
    out = duties.merge(flags, on=["index_code", "framework", "published_code"], how="left")
    # through pandas' nullable boolean: a merge that found no flags leaves object columns of NaN,
    # which fillna would only downcast with a warning (and not at all in pandas 3)
    out["no_data"] = out.no_data.astype("boolean").fillna(True).astype(bool)  # no score for this entity at all
    for col in ("declining", "low_ranked"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    return out
