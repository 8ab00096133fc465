"""Adapters for the real published data sets shipped in data/reference/.

Each turns one research-format CSV into staged rows; see data/reference/SOURCES.md for
where each file came from. They are small adapters, not a new template: offices import
through the tidy template or a publisher's workbook.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.entities import EntityRegistry
from loaders.frameworks import TOTAL, Frameworks
from loaders.problems import Problem, ValidationFailed
from loaders.staging import check_rows, drop_exact_duplicates, staged
from loaders.text import nfc


def _finish(rows: list[dict], problems: list[Problem], fw: Frameworks, name: str) -> pd.DataFrame:
    df = staged(rows)
    problems = problems + check_rows(df, fw, name)
    if problems:
        raise ValidationFailed(problems)
    return drop_exact_duplicates(df)


def _entity(reg: EntityRegistry, raw: str, year: int, name: str, row: int, col: str, problems: list) -> str | None:
    code = reg.resolve(raw, year, level="province")
    if code is None:
        problems.append(Problem(name, reg.explain_failure(raw, year, "province"), None, row, col))
    return code


def read_papi_long(path: Path, fw: Frameworks, reg: EntityRegistry) -> pd.DataFrame:
    """papi_subdimension_long_2011_2024.csv (+ papi_provinces.csv beside it for names)."""
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
                     "source_file": name, "source_row": n,
                     "source_note": "PAPI (CECODES, VFF-CRT, UNDP), bản tổng hợp hnks-gh/ml-mcdm"})
    return _finish(rows, problems, fw, name)


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


READERS = {"papi_long": read_papi_long, "pci_long": read_pci_long,
           "pci_thanhhoa": read_pci_thanhhoa, "pci_2019": read_pci_2019}
