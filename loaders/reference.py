"""Adapters for the real published data sets shipped in data/reference/.

Each turns one research-format CSV into staged rows; see data/reference/SOURCES.md for
where each file came from. They are small adapters, not a new template: offices import
through the tidy template or a publisher's workbook.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from domain.entities import EntityRegistry
from domain.frameworks import TOTAL, Frameworks
from domain.problems import Problem, ValidationFailed
from loaders.cells import csv_problem
from loaders.staging import check_rows, finish, staged
from domain.text import fold, nfc, parse_number, rank_band


def _finish(rows: list[dict], problems: list[Problem], fw: Frameworks, name: str) -> pd.DataFrame:
    return finish(staged(rows), fw, name, problems)


def _entity(reg: EntityRegistry, raw: str, year: int, name: str, row: int, col: str, problems: list) -> str | None:
    code = reg.resolve(raw, year, level="province")
    if code is None:
        problems.append(Problem(name, reg.explain_failure(raw, year, "province"), None, row, col))
    return code


PAPI_NOTE = "PAPI (CECODES, VFF-CRT, UNDP), bản tổng hợp hnks-gh/ml-mcdm"


def read_papi_long(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """papi_subdimension_long_2011_2024.csv (+ papi_provinces.csv beside it for names).

    The dimension and total rows are stated here as the sums of the sub-dimensions (which
    is how PAPI computes them; SOURCES.md checks them against published values), so that a
    later source that prints the same total (a press figure, a rank) merges into this one
    and disagreements become source conflicts, instead of the press row standing in for
    the total and the sum never being made."""
    name = path.name
    provinces = pd.read_csv(path.with_name("papi_provinces.csv"), dtype=str).set_index("province_code")
    df = pd.read_csv(path, dtype={"province_code": str, "subdimension_code": str})
    rows, problems = [], []
    for n, r in enumerate(df.itertuples(index=False), 2):
        year = int(r.year)
        raw = provinces.loc[r.province_code, "province_vi"]
        code = _entity(reg, raw, year, name, n, "province_code", problems)
        rows.append({"year": year, "index_code": "PAPI", "framework": fw.framework_for("PAPI", year),
                     "criterion_code": r.subdimension_code, "entity_code": code, "entity_raw": raw,
                     "points": None if pd.isna(r.score) else float(r.score), "is_illustrative": False,
                     "source_file": name, "source_row": n, "source_note": PAPI_NOTE})
    if not problems:
        rows += _sums(rows, fw)
    return _finish(rows, problems, fw, name)


def _sums(rows: list[dict], fw: Frameworks) -> list[dict]:
    """Parent rows (dimension, then total) summed from complete sets of children; a parent
    with a missing child stays missing, as in store/sql/derive_aggregates.sql."""
    crit = fw.criteria[fw.criteria.level != "alternate_total"]
    parent_of = {(r.framework, r.code): r.parent_code or None for r in crit.itertuples()}
    n_children = crit.groupby(["framework", "parent_code"]).size().to_dict()
    out: list[dict] = []
    level = rows
    for _ in range(2):  # sub-dimension -> dimension -> total
        groups: dict[tuple, list[dict]] = {}
        for r in level:
            key = (r["framework"], r["criterion_code"])
            if key in parent_of:
                groups.setdefault((r["year"], r["framework"], r["entity_code"], parent_of[key]), []).append(r)
        level = []
        for (year, framework, entity, parent), kids in groups.items():
            complete = (len(kids) == n_children.get((framework, parent or ""), -1)
                        and all(k["points"] is not None for k in kids))
            row = {**kids[0], "criterion_code": parent, "source_row": None,
                   "points": math.fsum(k["points"] for k in kids) if complete else None,
                   "source_note": PAPI_NOTE + "; tổng các chỉ số thành phần, cộng khi nạp"}
            out.append(row)
            if parent is not None:
                level.append(row)
    return out


def read_pci_long(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """pci_subindices_2005_2016_long.csv: VCCI's sub-indices, 183 spellings of provinces."""
    name = path.name
    df = pd.read_csv(path, dtype=str)
    rows, problems = [], []
    for n, r in enumerate(df.itertuples(index=False), 2):
        year = int(r.year)
        framework = fw.framework_for("PCI", year)
        crit = fw.match_header(framework, r.subindex)
        if crit is None:
            problems.append(Problem(name, f"không nhận ra chỉ số thành phần «{r.subindex}»", None, n, "subindex"))
            continue
        code = _entity(reg, nfc(r.province), year, name, n, "province", problems)
        rows.append({"year": year, "index_code": "PCI", "framework": framework,
                     "criterion_code": None if crit == TOTAL else crit, "entity_code": code,
                     "entity_raw": nfc(r.province), "points": float(r.score), "is_illustrative": False,
                     "source_file": name, "source_row": n, "source_note": "VCCI PCI, tệp dữ liệu 2005–2016"})
    return _finish(rows, problems, fw, name)


def read_pci_thanhhoa(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """pci_thanhhoa_2006_2024.csv: Thanh Hóa's sub-indices, score and published rank."""
    name = path.name
    df = pd.read_csv(path, dtype=str)
    rows, problems = [], []
    ranks = {int(r.year): int(float(r.value)) for r in df.itertuples() if r.indicator_en == "Ranking" and r.value}
    for n, r in enumerate(df.itertuples(index=False), 2):
        if r.indicator_en == "Ranking" or not isinstance(r.value, str):
            continue
        year = int(r.year)
        framework = fw.framework_for("PCI", year)
        crit = fw.match_header(framework, r.indicator_en, r.indicator_vi)
        if crit is None:
            problems.append(Problem(name, f"không nhận ra chỉ số thành phần «{r.indicator_en}»", None, n, "indicator_en"))
            continue
        code = _entity(reg, r.province, year, name, n, "province", problems)
        total = crit == TOTAL
        rows.append({"year": year, "index_code": "PCI", "framework": framework,
                     "criterion_code": None if total else crit, "entity_code": code, "entity_raw": r.province,
                     "points": float(r.value), "rank": ranks.get(year) if total else None,
                     "n_ranked": (63 if year >= 2009 else None) if total and ranks.get(year) else None,
                     "is_illustrative": False, "source_file": name, "source_row": n, "source_note": r.source_url})
    return _finish(rows, problems, fw, name)


PCI_2019_COLUMNS = {"entry_costs": "EC", "access_to_land": "LA", "transparency": "TR", "time_costs": "TC",
                    "informal_charges": "IC", "policy_bias": "PB", "proactivity": "PRO",
                    "business_support": "BSS", "labor_policy": "LT", "law_and_order": "LI", "pci_score": None}


def read_pci_2019(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """pci_2019_subindices_partial_pcivietnam.csv: PCI 2019, the top 23 provinces only."""
    name = path.name
    df = pd.read_csv(path, dtype=str)
    rows, problems = [], []
    for n, r in enumerate(df.to_dict("records"), 2):
        year = int(r["year"])
        code = _entity(reg, r["province"], year, name, n, "province", problems)
        for col, crit in PCI_2019_COLUMNS.items():
            if not isinstance(r[col], str):
                continue
            total = crit is None
            rows.append({"year": year, "index_code": "PCI", "framework": fw.framework_for("PCI", year),
                         "criterion_code": crit, "entity_code": code, "entity_raw": r["province"],
                         "points": float(r[col]), "rank": int(r["pci_rank"]) if total else None,
                         "n_ranked": 63 if total else None, "label": r["pci_tier"] if total else None,
                         "is_illustrative": False, "source_file": name, "source_row": n,
                         "source_note": r["source_url"]})
    return _finish(rows, problems, fw, name)


# ---------------------------------------------------------------- finds_2026/ (one layout)

FINDS_COLUMNS = ["index", "year", "entity", "level", "criterion", "points", "max_points", "rank", "n_ranked",
                 "label", "source_url"]
FINDS_INDEX = {"PAR_INDEX": "PAR", "PAR": "PAR", "SIPAS": "SIPAS", "PAPI": "PAPI", "DDCI": "DDCI", "PCI": "PCI"}
ASSESSED_LEVELS = {"province", "district", "commune"}
# A name that counts units ("63 provinces (mean)", "(median of 27 districts)", "Thanh Hóa
# (27 UBND cấp huyện)") or names a statistic describes a group, not one assessed unit.
_GROUP = re.compile(r"\b\d+ (provinces|districts|tinh|huyen|ubnd)\b|\b(mean|median|average|trung binh|trung vi)\b")
SKIP_GROUP = "số liệu chung của một nhóm đơn vị (trung bình, trung vị, cả tỉnh), không phải một đơn vị được đánh giá"
SKIP_DEPARTMENT = "đơn vị cấp sở, ban, ngành: danh mục đơn vị được đánh giá chưa có cấp này"
SKIP_NO_FACT = "không có điểm cũng không có thứ hạng"


def read_finds(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """The finds_2026/ files: index,year,entity,level,criterion,points,max_points,rank,
    n_ranked,label,source_url, one fact per row, each with its own source.

    Rows that are not about one assessed unit are skipped by a named rule and counted in
    ``df.attrs["skipped"]`` (rule -> rows). The same fact stated twice is kept once: the
    first row that gives points stands, later rows fill its rank and group size. A later
    row that disagrees with it (points or rank) is returned too, after every kept row, so
    that the build's merge (loaders/read.py merge_staged) keeps the first and records the
    disagreement in source_conflicts; this reader is only used through data/manifest.csv,
    never by an import (which would store both rows)."""
    name = path.name
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationFailed([csv_problem(name, str(exc))]) from None
    missing = [c for c in FINDS_COLUMNS if c not in df.columns]
    if missing:
        raise ValidationFailed([Problem(name, "thiếu cột: " + ", ".join(missing), None, 1)])
    rows, problems, skipped = [], [], Counter()
    for n, r in enumerate(df.to_dict("records"), 2):
        raw, level = nfc(r["entity"]), nfc(r["level"]).lower()
        if _GROUP.search(fold(raw)):
            skipped[SKIP_GROUP] += 1
            continue
        if level == "department":
            skipped[SKIP_DEPARTMENT] += 1
            continue
        if level not in ASSESSED_LEVELS:
            problems.append(Problem(name, f"cấp đơn vị «{r['level']}» không hợp lệ (cần province, district, commune "
                                          "hoặc department)", None, n, "level"))
            continue
        nums = {}
        for col in ("year", "points", "max_points", "rank", "n_ranked"):
            try:
                nums[col] = parse_number(r[col] if r[col].strip() else None)
            except ValueError:
                problems.append(Problem(name, f"cần một số, gặp «{r[col]}»", None, n, col))
                nums[col] = None
        if nums["points"] is None and nums["rank"] is None:
            skipped[SKIP_NO_FACT] += 1
            continue
        index_code = FINDS_INDEX.get(nfc(r["index"]).upper())
        if index_code is None:
            problems.append(Problem(name, f"chỉ số «{r['index']}» không hợp lệ (cần một trong: "
                                          + ", ".join(FINDS_INDEX) + ")", None, n, "index"))
            continue
        if nums["year"] is None:
            problems.append(Problem(name, "thiếu năm đánh giá", None, n, "year"))
            continue
        year = int(nums["year"])
        code = reg.resolve(raw, year, level=level)
        if code is None:
            problems.append(Problem(name, reg.explain_failure(raw, year, level), None, n, "entity"))
            continue
        framework = fw.framework_for(index_code, year, level)
        crit = None
        if framework is not None and nfc(r["criterion"]):
            crit = fw.match_header(framework, r["criterion"])
            if crit is None:
                problems.append(Problem(name, f"không nhận ra tiêu chí «{nfc(r['criterion'])}» trong bộ {framework}; "
                                              "thêm cách viết này vào header_aliases của data/frameworks/criteria.csv",
                                        None, n, "criterion"))
                continue
        criterion = None if crit in (None, TOTAL) else crit
        given_max = nums["max_points"]
        # the framework's maximum stated again is not a unit-specific maximum
        if framework is not None and given_max is not None and given_max == fw.max_points(framework, criterion):
            given_max = None
        if index_code == "PCI" and year < 2009:
            # pcivietnam.vn prints every rank "of 63", but until 2008 PCI ranked 64 provinces
            # (with Hà Tây), as read_pci_thanhhoa also assumes: the group size is left unstated
            nums["n_ranked"] = None
        note = "; ".join(x for x in (nfc(r["source_url"]), nfc(r["label"])) if x)
        # «one of bottom 3», «top-10 list»: without a rank, the group the source places it in
        band = rank_band(r["label"], nums["n_ranked"]) if nums["rank"] is None else None
        rows.append({"year": year, "index_code": index_code, "framework": framework, "criterion_code": criterion,
                     "entity_code": code, "entity_raw": raw, "points": nums["points"], "max_points": given_max,
                     "rank": None if nums["rank"] is None else int(nums["rank"]),
                     "n_ranked": None if nums["n_ranked"] is None else int(nums["n_ranked"]),
                     "rank_min": band and band[0], "rank_max": band and band[1],
                     "is_illustrative": False, "source_file": name, "source_row": n, "source_note": note or None})
    kept, disagreeing = _same_fact_once(rows)
    out = staged(kept)
    problems += check_rows(out, fw, name)
    for r in disagreeing:  # each checked on its own: it restates a fact kept above
        problems += check_rows(staged([r]), fw, name)
    if problems:
        raise ValidationFailed(problems)
    if disagreeing:
        out = pd.concat([out, staged(disagreeing)], ignore_index=True)
    out.attrs["skipped"] = dict(skipped)
    return out


def _same_fact_once(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(one row per fact, later rows that disagree with it). The first row with points
    stands; ranks and group sizes missing there come from the later rows."""
    facts: dict[tuple, list[dict]] = {}
    for r in rows:
        facts.setdefault((r["year"], r["index_code"], r["criterion_code"], r["entity_code"]), []).append(r)
    kept, disagreeing = [], []
    for grp in facts.values():
        first = next((r for r in grp if r["points"] is not None), grp[0])
        row = dict(first)
        for col in ("rank", "n_ranked", "max_points", "rank_min", "rank_max"):
            if row[col] is None:
                row[col] = next((r[col] for r in grp if r[col] is not None), None)
        kept.append(row)
        disagreeing += [r for r in grp if r is not first and (
            (r["points"] is not None and r["points"] != row["points"])
            or (r["rank"] is not None and r["rank"] != row["rank"]))]
    return kept, disagreeing


READERS = {"papi_long": read_papi_long, "pci_long": read_pci_long,
           "pci_thanhhoa": read_pci_thanhhoa, "pci_2019": read_pci_2019, "finds": read_finds}
