"""Deterministic ILLUSTRATIVE district-level scores for Thanh Hóa's 27 district-level units.

Vĩnh Lộc's own PAR, SIPAS, PAPI and DDCI results are not public here, so the product ships
made-up figures with a realistic shape (criteria that fall, rise and tie; one missing
value), every row marked illustrative — except where the press published a district's
figure (data/reference/thanhhoa_*_published_partial.csv): there the set agrees with the
press and the row is marked published, with its source. Regenerate with
``python -m loaders illustrative``; the output is identical on every run.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd

from loaders.entities import EntityRegistry
from loaders.frameworks import Frameworks
from loaders.text import nfc

YEARS = [2021, 2022, 2023, 2024]
SEED = 20231101
HOME = "VN-38-393"  # Huyện Vĩnh Lộc
NOTE = "SỐ LIỆU MINH HỌA, không phải số liệu công bố"
FIELDS = ["year", "index", "criterion", "entity", "points", "max_points", "rank", "n_ranked", "label",
          "illustrative", "source"]


def _press(reference: Path, reg: EntityRegistry, name: str, value_col: str) -> dict:
    """(year, entity_code) -> published row, for district rows of a press file."""
    out = {}
    for r in csv.DictReader(open(reference / name, encoding="utf-8")):
        if r["unit_level"] != "huyen_thi_xa_thanh_pho" or not r["assessment_year"].isdigit():
            continue
        code = reg.resolve(r["unit_name"], int(r["assessment_year"]), level="district")
        if code:
            out.setdefault((int(r["assessment_year"]), code), []).append(r)
    return out


def _allocate(rng: random.Random, maxima: list[float], target: float, step: float) -> list[float]:
    """Points per criterion (multiples of ``step``, each within its maximum) adding up to
    about ``target``: uneven, as real results are."""
    weights = [m * rng.uniform(0.55, 1.0) for m in maxima]
    lo, hi = 0.0, 10.0
    for _ in range(60):  # find the scale whose capped sum hits the target
        f = (lo + hi) / 2
        if sum(min(m, w * f) for m, w in zip(maxima, weights)) < target:
            lo = f
        else:
            hi = f
    return [round(min(m, w * lo) / step) * step for m, w in zip(maxima, weights)]


def _pin(points: list[float], maxima: list[float], total: float) -> list[float]:
    """Adjust the criterion with most headroom so that the points add up to ``total``."""
    diff = round(total - sum(points), 2)
    order = sorted(range(len(points)), key=lambda i: maxima[i] - points[i] if diff > 0 else points[i], reverse=True)
    for i in order:
        room = (maxima[i] - points[i]) if diff > 0 else -points[i]
        move = max(diff, room) if diff < 0 else min(diff, room)
        points[i] = round(points[i] + move, 2)
        diff = round(diff - move, 2)
        if abs(diff) < 0.005:
            break
    return points


def generate(fw: Frameworks, reg: EntityRegistry, reference: Path) -> list[dict]:
    rng = random.Random(SEED)
    districts = reg.entities[(reg.entities.level == "district") & (reg.entities.parent_code == "VN-38")]
    codes = list(districts.entity_code)
    name = dict(zip(districts.entity_code, districts.name))
    rows: list[dict] = []

    def add(year, index, crit, code, points, **kw):
        rows.append({"year": year, "index": index, "criterion": crit or "", "entity": name[code],
                     "points": "" if points is None else f"{points:.2f}", "max_points": kw.get("max_points", ""),
                     "rank": kw.get("rank", ""), "n_ranked": kw.get("n_ranked", ""), "label": kw.get("label", ""),
                     "illustrative": "0" if kw.get("published") else "1",
                     "source": kw.get("source", NOTE)})

    quality = {c: rng.uniform(0.0, 1.0) for c in codes}
    quality[HOME] = 0.45  # mid-table, so that both strengths and weaknesses show

    # ---- PAR: 37 criteria; areas and total are summed in the database
    par = fw.criteria_of("PAR-TH-HUYEN-2023")
    par_crit = par[par.level == "criterion"]
    maxima = list(par_crit.max_points.astype(float))
    press_par = _press(reference, reg, "thanhhoa_par_index_published_partial.csv", "diem_dat")
    home_falls = {"3.4", "7.3", "5.7"}  # Vĩnh Lộc slips on these two years running
    for year in YEARS:
        for code in codes:
            target = 84.0 + 7.5 * quality[code] + (year - 2021) * 0.6 + rng.uniform(-1.2, 1.2)
            published = press_par.get((year, code), [])
            pub = next((r for r in published if r["diem_dat"]), None)
            if year == 2023 and pub is None:
                target = min(max(target, 86.4), 91.3)  # the press fixed the top 3 and the last place
            pts = _allocate(rng, maxima, float(pub["diem_dat"]) if pub else target, 0.25)
            if code == HOME:
                for i, c in enumerate(par_crit.code):
                    if c in home_falls:
                        pts[i] = round(maxima[i] * (0.95 - 0.12 * (year - 2021)) / 0.25) * 0.25
            if pub:
                pts = _pin(pts, maxima, float(pub["diem_dat"]))
            for c, p in zip(par_crit.code, pts):
                add(year, "PAR", c, code, p)
            if pub:
                add(year, "PAR", None, code, float(pub["diem_dat"]), rank=pub["rank"], n_ranked=pub["n_units_in_group"],
                    published=True, source=f"{pub['decision']}; {pub['source_url']}")

    # ---- SIPAS: 9 items in %, parts are the mean of their items, total the mean of parts
    sipas = fw.criteria_of("SIPAS-TH-2023")
    for year in YEARS:
        for code in codes:
            base = 78 + 14 * quality[code] + (year - 2021) * 0.8
            parts = {}
            for r in sipas[sipas.level == "criterion"].itertuples():
                v = round(min(99.5, base + rng.uniform(-6, 5)), 2)
                if code == HOME and r.code == "2.2":
                    v = round(base - 4 - 3 * (year - 2021), 2)  # procedures: falling
                add(year, "SIPAS", r.code, code, v)
                parts.setdefault(r.parent_code, []).append(v)
            means = {p: round(sum(v) / len(v), 2) for p, v in parts.items()}
            for p, m in means.items():
                add(year, "SIPAS", p, code, m)
            add(year, "SIPAS", None, code, round(sum(means.values()) / len(means), 2))

    # ---- PAPI at district level on the current national framework; sums in the database
    papi = fw.criteria_of(fw.framework_for("PAPI", 2021))
    subs = papi[papi.level == "subdimension"]
    for year in YEARS:
        for code in codes:
            for r in subs.itertuples():
                share = min(0.95, max(0.2, 0.45 + 0.25 * quality[code] + rng.uniform(-0.12, 0.12)))
                value = None if (code == "VN-38-387" and year == 2022 and r.code == "SC73") else round(r.max_points * share, 2)
                add(year, "PAPI", r.code, code, value)

    # ---- DDCI: 9 components on 0–10; the total is stated (weights are assumed)
    comps = fw.criteria_of("DDCI-TH-GIADINH")
    press_ddci = _press(reference, reg, "thanhhoa_ddci_published_partial.csv", "score")
    totals = {y: {c: 55 + 30 * quality[c] + rng.uniform(-6, 6) for c in codes} for y in YEARS}
    pinned: dict[tuple, dict] = {}
    for (year, code), recs in press_ddci.items():
        for r in recs:
            if r["score"]:
                totals[year][code] = float(r["score"])
                pinned[(year, code)] = r
    # 2023: 6 "Tốt" (3 with published scores), 9 "Khá", 12 "Trung bình"; median 60.99
    good = [c for (y, c), recs in press_ddci.items() if y == 2023 for r in recs if r["group_label"].startswith("good")]
    others = [c for c in codes if c not in good]
    rng.shuffle(others)
    others.remove(HOME)
    others.insert(9, HOME)  # Vĩnh Lộc: rank 16, in the "Trung bình" group
    free_good = [c for c in good if (2023, c) not in pinned]
    for i, c in enumerate(free_good):
        totals[2023][c] = 83.5 - 3.1 * i + rng.uniform(-0.8, 0.8)
    ladder = [74.2, 72.9, 70.4, 68.8, 66.1, 64.0, 62.7, 60.99, 60.2]  # ranks 7–15 (Khá), rank 14 = median
    for i, c in enumerate(others):
        totals[2023][c] = ladder[i] if i < len(ladder) else round(59.4 - 1.35 * (i - len(ladder)) + rng.uniform(-0.45, 0.45), 2)
    changes = {}
    for r in csv.DictReader(open(reference / "thanhhoa_ddci_published_partial.csv", encoding="utf-8")):
        if r["note"].startswith("score change vs 2022"):
            code = reg.resolve(r["unit_name"], 2023, level="district")
            changes[code] = float(r["note"].split(":")[1])
    for code, delta in changes.items():
        totals[2022][code] = totals[2023][code] - delta  # the press gave the fall from 2022
    for year in YEARS:
        order = sorted(codes, key=lambda c: -totals[year][c])
        for code in codes:
            total = round(totals[year][code], 2)
            mean = total / 10
            vals = [round(min(10.0, max(0.5, mean + rng.uniform(-1.4, 1.4))), 2) for _ in comps.itertuples()]
            for r, v in zip(comps.itertuples(), vals):
                add(year, "DDCI", r.code, code, v)
            rank = order.index(code) + 1
            label = "Tốt" if rank <= 6 else "Khá" if rank <= 15 else "Trung bình"
            pub = pinned.get((year, code))
            if pub:
                add(year, "DDCI", None, code, total, rank=pub["rank"], n_ranked=pub["n_units_in_group"],
                    label="Tốt" if pub["group_label"] else "", published=True,
                    source=f"công bố DDCI {year}; {pub['source_url']}")
            elif year == 2023 and code in good:
                add(year, "DDCI", None, code, total, label="Tốt",
                    source=NOTE + "; nhóm Tốt theo công bố " + press_ddci[(2023, code)][0]["source_url"])
            else:
                add(year, "DDCI", None, code, total, label=label if year == 2023 else "", source=NOTE)
    return rows


def write(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def regenerate(root: Path) -> Path:
    fw = Frameworks.load(root / "data" / "frameworks")
    reg = EntityRegistry.load(root / "data" / "registry")
    out = root / "data" / "illustrative" / "thanhhoa_districts_2021_2024_illustrative.csv"
    write(generate(fw, reg, root / "data" / "reference"), out)
    return out
