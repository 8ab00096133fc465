"""Deterministic ILLUSTRATIVE scores: Thanh Hóa's 27 district-level units 2021–2024, and the
province's commune-level units in their first year (2025).

Vĩnh Lộc's own PAR, SIPAS, PAPI and DDCI results are not public here, so the product ships
made-up figures with a realistic shape (criteria that fall, rise and tie; one missing
value), every row marked illustrative — except where the press published a district's
figure (data/reference/thanhhoa_*_published_partial.csv): there the set agrees with the
press and the row is marked published, with its source. Every other unit's score is placed
so that ordering by score gives back every published rank (``consistent_targets``), and a
unit's criteria add up exactly to its total. Regenerate with ``python -m loaders
illustrative``; the output is identical on every run.

The communes (``generate_communes``): no commune results are published yet and the
province's method for communes is not public, so every row is illustrative. PAR and SIPAS
only (DDCI assesses districts and departments), for every commune-level unit of the home
province in the first year the registry says they exist; criteria, parts and totals by the
framework's rule, and the rank of every total among all of them. The home communes
(data/home.csv) sit mid-table with a few clearly weak criteria, so that the pages have
something to act on.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd

from domain.entities import EntityRegistry
from domain.frameworks import Frameworks
from domain.vocabulary import home_entities, home_history, home_province


YEARS = [2021, 2022, 2023, 2024]
SEED = 20231101
HOME = home_history()[0]  # the former district whose results are illustrated (data/home.csv, role history)
NOTE = "SỐ LIỆU MINH HỌA, không phải số liệu công bố"
FIELDS = ["year", "index", "criterion", "entity", "points", "max_points", "rank", "n_ranked", "label",
          "illustrative", "source"]
DISTRICTS_FILE = "thanhhoa_districts_2021_2024_illustrative.csv"
COMMUNES_FILE = "thanhhoa_communes_{year}_illustrative.csv"
COMMUNE_NOTE = "SỐ LIỆU MINH HỌA cấp xã {year} — chưa có kết quả công bố; phương pháp của tỉnh chưa công khai"
COMMUNE_INDICES = ("PAR", "SIPAS")  # DDCI assesses districts and departments, not communes


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


def consistent_targets(raw: dict[str, float], published: dict[str, tuple[int, float]], n: int | None = None,
                       lo: float = 0.0, hi: float = 100.0) -> dict[str, float]:
    """Scores (2 decimals) that agree with every published rank and score.

    Published units keep their score. The others take the free rank slots in the order of
    their raw target (higher first; code breaks ties) and are clipped strictly between the
    published scores around their slot and at least 0.01 apart, so that ordering by score
    gives back every published rank and no unit ties a published one. ValueError when the
    published figures contradict each other or a run of slots has no room."""
    n = len(raw) + len(published) if n is None else n
    cent = lambda x: int(round(x * 100))  # noqa: E731 - exact arithmetic in hundredths
    taken: dict[int, int] = {}  # rank slot -> published score, in hundredths
    for code, (rank, score) in sorted(published.items(), key=lambda kv: (kv[1][0], kv[0])):
        slot = rank
        while slot in taken:  # k units tied at rank r fill r … r+k-1
            if taken[slot] != cent(score):
                raise ValueError(f"hạng {rank} công bố cho hai điểm khác nhau")
            slot += 1
        taken[slot] = cent(score)
    ordered = [taken[r] for r in sorted(taken)]
    if any(a < b for a, b in zip(ordered, ordered[1:])) or max(taken, default=0) > n:
        raise ValueError("các thứ hạng công bố mâu thuẫn với điểm công bố")
    free = [r for r in range(1, n + 1) if r not in taken]
    if len(free) != len(raw):
        raise ValueError(f"{len(raw)} đơn vị chưa có hạng nhưng có {len(free)} chỗ trống trong bảng {n} đơn vị")
    order = sorted(raw, key=lambda c: (-raw[c], c))
    out = {code: cent(score) / 100 for code, (_, score) in published.items()}
    runs: list[list[int]] = []
    for r in free:  # consecutive free slots share the published neighbours around them
        if runs and runs[-1][-1] == r - 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    unit_at = dict(zip(free, order))
    for run in runs:
        upper = min((taken[r] for r in taken if r < run[0]), default=cent(hi) + 1) - 1
        lower = max((taken[r] for r in taken if r > run[-1]), default=cent(lo) - 1) + 1
        m = len(run)
        if upper - lower + 1 < m:
            raise ValueError(f"không đủ chỗ cho {m} đơn vị giữa các hạng công bố quanh hạng {run[0]}")
        prev = None
        for i, slot in enumerate(run):
            x = min(max(cent(raw[unit_at[slot]]), lower + (m - 1 - i)), upper - i)
            x = x if prev is None else min(x, prev - 1)
            out[unit_at[slot]] = x / 100
            prev = x
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


def _pin(points: list[float], maxima: list[float], total: float, frozen: set[int] = frozenset(),
         minima: list[float] | None = None, spread: bool = False) -> list[float]:
    """Move the criteria not in ``frozen`` so that the points add up to exactly ``total``
    (2 decimals), each staying within its bounds: the whole difference on the criteria with
    most room first (a published table has one odd number, not many), or shared evenly
    (``spread``, for percentages that should all stay close)."""
    pts = [int(round(p * 100)) for p in points]
    top = [int(round(m * 100)) for m in maxima]
    bottom = [int(round(m * 100)) for m in minima] if minima else [0] * len(pts)
    diff = int(round(total * 100)) - sum(pts)
    while diff:
        room = {i: (top[i] - pts[i]) if diff > 0 else (bottom[i] - pts[i]) for i in range(len(pts)) if i not in frozen}
        room = {i: r for i, r in room.items() if r}
        if not room:
            raise ValueError(f"không thể đạt tổng {total}")
        if spread:
            share = max(1, abs(diff) // len(room)) * (1 if diff > 0 else -1)
            moves = {i: share for i in sorted(room)}
        else:
            i = max(sorted(room), key=lambda i: abs(room[i]))
            moves = {i: diff}
        for i, want in moves.items():
            move = max(want, room[i]) if diff < 0 else min(want, room[i])
            move = max(move, diff) if diff < 0 else min(move, diff)
            pts[i] += move
            diff -= move
            if not diff:
                break
    return [p / 100 for p in pts]


def _row(year: int, index: str, crit: str | None, entity: str, points: float | None, **kw) -> dict:
    """One row of an illustrative file (loaders/tidy.py format)."""
    return {"year": year, "index": index, "criterion": crit or "", "entity": entity,
            "points": "" if points is None else f"{points:.2f}", "max_points": kw.get("max_points", ""),
            "rank": kw.get("rank", ""), "n_ranked": kw.get("n_ranked", ""), "label": kw.get("label", ""),
            "illustrative": "0" if kw.get("published") else "1", "source": kw.get("source", NOTE)}


def _summed_points(rng: random.Random, maxima: list[float], total: float, fixed: dict[int, float] | None = None,
                   floors: dict[int, float] | None = None, step: float = 0.25) -> list[float]:
    """Points per criterion of an index whose total is the sum of its criteria (PAR): uneven,
    adding up to exactly ``total``. Criteria in ``fixed`` take that value, those in
    ``floors`` at least that value; the other criteria absorb the difference."""
    pts = _allocate(rng, maxima, total, step)
    for i, v in (fixed or {}).items():
        pts[i] = v
    for i, v in (floors or {}).items():
        pts[i] = max(pts[i], v)
    return _pin(pts, maxima, total, set(fixed or {}) | set(floors or {}))


def _mean_points(rng: random.Random, items: pd.DataFrame, base: float, total: float,
                 fixed: dict[str, float] | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """Percentages per item of an index whose parts are the mean of their items and whose
    total is the mean of its parts (SIPAS): items around ``base``, the parts' means, the last
    part's items moved together so that the total is exactly ``total``. Items in ``fixed``
    take that value. Returns (item -> value, part -> mean)."""
    fixed = fixed or {}
    vals = {}
    for code in items.code:
        v = round(min(99.5, base + rng.uniform(-6, 5)), 2)
        vals[code] = fixed.get(code, v)
    parts = list(dict.fromkeys(items.parent_code))
    members = {p: list(items.code[items.parent_code == p]) for p in parts}
    means = {p: round(sum(vals[c] for c in members[p]) / len(members[p]), 2) for p in parts[:-1]}
    last = members[parts[-1]]
    means[parts[-1]] = round(len(parts) * total - sum(means.values()), 2)  # so that the total is exactly the target
    pinned = _pin([vals[c] for c in last], [99.9] * len(last), means[parts[-1]] * len(last),
                  {i for i, c in enumerate(last) if c in fixed}, [40.0] * len(last), spread=True)
    vals.update(zip(last, pinned))
    return vals, means


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    """Rank of each unit by score (2 decimals), higher first; equal scores share the better
    rank (1, 2, 2, 4)."""
    cents = {c: int(round(v * 100)) for c, v in scores.items()}
    return {c: 1 + sum(1 for o in cents.values() if o > v) for c, v in cents.items()}


def generate(fw: Frameworks, reg: EntityRegistry, reference: Path, intended: dict | None = None) -> list[dict]:
    """The rows of the illustrative file; ``intended`` (if given) receives the total each
    unit was built to reach, by (year, index, entity code)."""
    rng = random.Random(SEED)
    districts = reg.entities[(reg.entities.level == "district") & (reg.entities.parent_code == "VN-38")]
    codes = list(districts.entity_code)
    name = dict(zip(districts.entity_code, districts.name))
    intended = {} if intended is None else intended
    rows: list[dict] = []

    def add(year, index, crit, code, points, **kw):
        rows.append(_row(year, index, crit, name[code], points, **kw))

    quality = {c: rng.uniform(0.0, 1.0) for c in codes}
    quality[HOME] = 0.45  # mid-table, so that both strengths and weaknesses show

    # ---- PAR: 37 criteria pinned to each unit's total; areas and total are summed in the database
    par = fw.criteria_of("PAR-TH-HUYEN-2023")
    par_crit = par[par.level == "criterion"]
    maxima = list(par_crit.max_points.astype(float))
    press_par = _press(reference, reg, "thanhhoa_par_index_published_partial.csv", "diem_dat")
    home_falls = {i for i, c in enumerate(par_crit.code) if c in {"3.4", "7.3", "5.7"}}  # Vĩnh Lộc slips on these
    for year in YEARS:
        pub = {c: r for (y, c), recs in press_par.items() if y == year for r in recs if r["diem_dat"]}
        raw = {c: 84.0 + 7.5 * quality[c] + (year - 2021) * 0.6 + rng.uniform(-1.2, 1.2) for c in codes if c not in pub}
        published = {c: (int(r["rank"]), float(r["diem_dat"])) for c, r in pub.items()}
        targets = consistent_targets(raw, published, len(codes))
        if year == YEARS[-1] and not published:
            # the demo of "points to climb": the unit just above Vĩnh Lộc is 1,75 ahead, as much
            # as criterion 7.3 can still gain and more than 3.4 can
            close = [c for c in raw if targets[HOME] < targets[c] < targets[HOME] + 1.75]
            if close:
                shift = targets[HOME] + 1.75 - min(targets[c] for c in close)
                for c in close:
                    raw[c] = targets[c] + shift
                targets = consistent_targets(raw, published, len(codes))
        slid = {i: round(maxima[i] * (0.95 - 0.12 * (year - 2021)) / 0.25) * 0.25 for i in home_falls}
        for code in codes:
            intended[(year, "PAR", code)] = targets[code]
            if code == HOME:
                pts = _summed_points(rng, maxima, targets[code], fixed=slid)
            elif year == YEARS[-1]:  # by then the slide leaves Vĩnh Lộc last on these
                pts = _summed_points(rng, maxima, targets[code], floors={i: v + 0.25 for i, v in slid.items()})
            else:
                pts = _summed_points(rng, maxima, targets[code])
            for c, p in zip(par_crit.code, pts):
                add(year, "PAR", c, code, p)
            if code in pub:
                r = pub[code]
                add(year, "PAR", None, code, float(r["diem_dat"]), rank=r["rank"], n_ranked=r["n_units_in_group"],
                    published=True, source=f"{r['decision']}; {r['source_url']}")

    # ---- SIPAS: 9 items in %, parts are the mean of their items, total the mean of parts
    sipas = fw.criteria_of("SIPAS-TH-2023")
    items = sipas[sipas.level == "criterion"]
    for year in YEARS:
        base = {c: 78 + 14 * quality[c] + (year - 2021) * 0.8 for c in codes}
        targets = consistent_targets({c: base[c] + rng.uniform(-1.5, 1.0) for c in codes}, {}, len(codes))
        for code in codes:
            intended[(year, "SIPAS", code)] = targets[code]
            falling = {"2.2": round(base[code] - 4 - 3 * (year - 2021), 2)} if code == HOME else {}  # procedures
            vals, means = _mean_points(rng, items, base[code], targets[code], falling)
            for c in items.code:
                add(year, "SIPAS", c, code, vals[c])
            for part, mean in means.items():
                add(year, "SIPAS", part, code, mean)
            add(year, "SIPAS", None, code, targets[code])

    # ---- PAPI at district level on the current national framework; sums in the database
    papi = fw.criteria_of(fw.framework_for("PAPI", 2021, "district"))
    subs = papi[papi.level == "subdimension"]
    sub_max, sub_min = list(subs.max_points.astype(float)), list(subs.min_points.astype(float))
    for year in YEARS:
        share = {c: min(0.95, max(0.2, 0.45 + 0.25 * quality[c])) for c in codes}
        targets = consistent_targets({c: sum(sub_max) * share[c] + rng.uniform(-1.5, 1.5) for c in codes}, {}, len(codes))
        for code in codes:
            intended[(year, "PAPI", code)] = targets[code]
            vals = [round(m * min(0.95, max(0.2, share[code] + rng.uniform(-0.12, 0.12))), 2) for m in sub_max]
            vals = _pin(vals, sub_max, targets[code], minima=sub_min, spread=True)
            for r, v in zip(subs.itertuples(), vals):
                missing = code == "VN-38-387" and year == 2022 and r.code == "SC73"  # the one missing value
                add(year, "PAPI", r.code, code, None if missing else v)

    # ---- DDCI: the 8 published components on 0–10; the total is stated (weights are assumed equal)
    ddci_fw = fw.framework_for("DDCI", 2023, "district")
    comps = fw.criteria_of(ddci_fw)
    # total points one component point is worth (equal weights): the components add up to the total
    per_point = float(comps.weight.iloc[0]) / 100 * fw.max_points(ddci_fw, None) / float(comps.max_points.iloc[0])
    press_ddci = _press(reference, reg, "thanhhoa_ddci_published_partial.csv", "score")
    raw = {y: {c: 55 + 30 * quality[c] + rng.uniform(-6, 6) for c in codes} for y in YEARS}
    published: dict[int, dict] = {y: {} for y in YEARS}
    for (year, code), recs in press_ddci.items():
        for r in recs:
            if r["score"]:
                published[year][code] = r
    # 2023: 6 "Tốt" (3 with published scores), 9 "Khá", 12 "Trung bình"; median 60.99
    good = [c for (y, c), recs in press_ddci.items() if y == 2023 for r in recs if r["group_label"].startswith("good")]
    others = [c for c in codes if c not in good]
    rng.shuffle(others)
    others.remove(HOME)
    others.insert(9, HOME)  # Vĩnh Lộc: rank 16, in the "Trung bình" group
    free_good = [c for c in good if c not in published[2023]]
    for i, c in enumerate(free_good):
        raw[2023][c] = 83.5 - 3.1 * i + rng.uniform(-0.8, 0.8)
    ladder = [74.2, 72.9, 70.4, 68.8, 66.1, 64.0, 62.7, 60.99, 60.2]  # ranks 7–15 (Khá), rank 14 = median
    for i, c in enumerate(others):
        raw[2023][c] = ladder[i] if i < len(ladder) else round(59.4 - 1.35 * (i - len(ladder)) + rng.uniform(-0.45, 0.45), 2)
    changes = {}
    for r in csv.DictReader(open(reference / "thanhhoa_ddci_published_partial.csv", encoding="utf-8")):
        if r["note"].startswith("score change vs 2022"):
            code = reg.resolve(r["unit_name"], 2023, level="district")
            changes[code] = float(r["note"].split(":")[1])
    totals = {}
    for year in sorted(YEARS, key=lambda y: y == 2022):  # 2022 is built from the 2023 scores
        if year == 2022:  # the press gave each unit's fall from 2022
            for code, delta in changes.items():
                raw[2022][code] = totals[2023][code] - delta
        pub = {c: (int(r["rank"]), float(r["score"])) for c, r in published[year].items()}
        totals[year] = consistent_targets({c: v for c, v in raw[year].items() if c not in pub}, pub, len(codes))
    for year in YEARS:
        order = sorted(codes, key=lambda c: -totals[year][c])
        for code in codes:
            total = totals[year][code]
            intended[(year, "DDCI", code)] = total
            vals = [round(min(10.0, max(0.5, total / 10 + rng.uniform(-1.4, 1.4))), 2) for _ in comps.itertuples()]
            vals = _pin(vals, [10.0] * len(vals), round(total / per_point, 2), minima=[0.5] * len(vals), spread=True)
            for r, v in zip(comps.itertuples(), vals):
                add(year, "DDCI", r.code, code, v)
            rank = order.index(code) + 1
            label = "Tốt" if rank <= 6 else "Khá" if rank <= 15 else "Trung bình"
            pub = published[year].get(code)
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


def commune_year(reg: EntityRegistry, province: str) -> int:
    """The first year the province's communes of the new structure exist (the registry's
    earliest valid_from among them)."""
    e = reg.entities
    starts = e[(e.level == "commune") & (e.parent_code == province) & (e.valid_from != "")].valid_from
    if starts.empty:
        raise ValueError(f"danh mục không có đơn vị cấp xã nào của {province} có ngày bắt đầu hiệu lực")
    return int(starts.min()[:4])


def generate_communes(fw: Frameworks, reg: EntityRegistry, province: str | None = None,
                      intended: dict | None = None) -> list[dict]:
    """The rows of the illustrative commune file: PAR and SIPAS of every commune-level unit
    of ``province`` (the home province) in its first year, every total ranked among them."""
    province = province or home_province()
    year = commune_year(reg, province)
    e = reg.entities
    # in force in the second half of the year (a unit dissolved on 30/6 was not assessed for it)
    units = e[(e.level == "commune") & (e.parent_code == province) & (e.valid_from != "")
              & (e.valid_from.str[:4] <= str(year)) & ((e.valid_to == "") | (e.valid_to >= f"{year}-07-01"))]
    codes = list(units.entity_code)
    name = dict(zip(units.entity_code, units.name))
    homes = [c for c in home_entities() if c in name]
    n = len(codes)
    note = COMMUNE_NOTE.format(year=year)
    intended = {} if intended is None else intended
    rng = random.Random(SEED + year)
    quality = {c: rng.uniform(0.0, 1.0) for c in codes}
    for i, c in enumerate(homes):  # mid-table, a little apart
        quality[c] = 0.42 + 0.08 * i
    rows: list[dict] = []

    def add(index, crit, code, points) -> dict:
        rows.append(_row(year, index, crit, name[code], points, source=note))
        return rows[-1]

    for index in COMMUNE_INDICES:
        framework = fw.framework_for(index, year, "commune")
        if framework is None:
            raise ValueError(f"không có bộ tiêu chí {index} cho cấp xã năm {year} (data/frameworks/frameworks.csv)")
        rule = fw.framework_row(framework).total_rule
        crit = fw.criteria_of(framework)
        leaves = crit[crit.level == "criterion"]
        totals: dict[str, float] = {}
        total_rows: dict[str, dict] = {}
        if rule == "sum":
            maxima = list(leaves.max_points.astype(float))
            top = sum(maxima)
            # a home commune is weak on three criteria worth more than the median one (but not
            # on one worth a tenth of the index): it keeps under half of their points
            median = sorted(maxima)[len(maxima) // 2]
            pool = [i for i, m in enumerate(maxima) if median < m <= top / 10]
            weak = dict(zip(homes, [sorted(rng.sample(pool, 3)) for _ in homes]))
            for code in codes:
                target = round(top * min(0.97, 0.80 + 0.12 * quality[code] + rng.uniform(-0.012, 0.012)), 2)
                fixed = {i: round(maxima[i] * rng.uniform(0.35, 0.5) / 0.25) * 0.25 for i in weak.get(code, [])}
                pts = _summed_points(rng, maxima, target, fixed=fixed)
                totals[code] = int(round(sum(p * 100 for p in pts))) / 100
                intended[(year, index, code)] = target
                for c, v in zip(leaves.code, pts):
                    add(index, c, code, v)
                total_rows[code] = add(index, None, code, totals[code])
        elif rule == "mean":
            weak_items = list(leaves.code)
            picks = dict(zip(homes, [sorted(rng.sample(weak_items, 2)) for _ in homes]))
            for code in codes:
                base = 78 + 14 * quality[code]
                target = round(base + rng.uniform(-1.5, 1.0), 2)
                fixed = {c: round(base - 10 - rng.uniform(0, 3), 2) for c in picks.get(code, [])}
                vals, means = _mean_points(rng, leaves, base, target, fixed)
                totals[code] = target
                intended[(year, index, code)] = target
                for c in leaves.code:
                    add(index, c, code, vals[c])
                for part, mean in means.items():
                    add(index, part, code, mean)
                total_rows[code] = add(index, None, code, target)
        else:
            raise ValueError(f"{framework}: chưa tạo số liệu minh họa cho quy tắc tổng «{rule}»")
        rank = _ranks(totals)
        for code, row in total_rows.items():
            row.update(rank=rank[code], n_ranked=n)
    return rows


def write(rows: list[dict], out: Path, fields: list[str] = FIELDS) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def regenerate(root: Path, duties: pd.DataFrame | None = None) -> list[Path]:
    """Write the illustrative files (districts 2021–2024, communes in their first year, and,
    given the plan's duties, progress reports on the 2023–2025 plan)."""
    fw = Frameworks.load(root / "data" / "frameworks")
    reg = EntityRegistry.load(root / "data" / "registry")
    folder = root / "data" / "illustrative"
    districts = folder / DISTRICTS_FILE
    write(generate(fw, reg, root / "data" / "reference"), districts)
    communes = folder / COMMUNES_FILE.format(year=commune_year(reg, home_province()))
    write(generate_communes(fw, reg), communes)
    if duties is None:
        return [districts, communes]
    progress = folder / PROGRESS_FILE
    write(progress_reports(duties[duties.plan_id == PROGRESS_PLAN]), progress, PROGRESS_FIELDS)
    return [districts, communes, progress]


# ---------------------------------------------------------------- progress reports (illustrative)

PROGRESS_FILE = "vinhloc_progress_2023_2025_illustrative.csv"
PROGRESS_PLAN = "VL-2023-2025"
# The periods the district's units could have reported on: the plan was issued in November 2023
# and the district ended on 30/6/2025 (its last report: 6 tháng đầu năm 2025).
PROGRESS_PERIODS = [(2023, "Y"), (2024, "Q1"), (2024, "H1"), (2024, "Q3"), (2024, "Y"), (2025, "Q1"), (2025, "H1")]
PROGRESS_FIELDS = ["plan_id", "item_kind", "index_code", "item_code", "unit_code", "year", "period", "status",
                   "done_text", "evidence", "obstacles"]
_DONE_TEXTS = ["Đã ban hành văn bản triển khai và phân công cán bộ theo dõi",
               "Đã tổ chức tuyên truyền, hướng dẫn tại trụ sở và trên trang thông tin điện tử",
               "Đã rà soát, cập nhật và công khai đầy đủ theo quy định",
               "Đã kiểm tra, đôn đốc; các nội dung đạt yêu cầu",
               "Đã thực hiện đúng kế hoạch, số liệu tổng hợp kèm báo cáo"]
_WORK_TEXTS = ["Đang triển khai theo kế hoạch", "Đang rà soát, tổng hợp số liệu", "Đã triển khai một phần, tiếp tục thực hiện"]
_OBSTACLES = ["Thiếu kinh phí thực hiện", "Chưa có hướng dẫn của cấp trên", "Thiếu cán bộ chuyên trách",
              "Hạ tầng công nghệ thông tin chưa đáp ứng"]
_MARK = "[Minh họa] "


def progress_reports(duties: pd.DataFrame, seed: int = SEED,
                     periods: list[tuple[int, str]] = PROGRESS_PERIODS) -> list[dict]:
    """ILLUSTRATIVE progress reports on the 2023–2025 plan's duties (store/sql/plan_duties.sql
    rows), so that a newcomer sees the reporting pages filled. Every text starts «[Minh họa]».
    Each duty moves from «Chưa triển khai» to «Đang thực hiện» to «Hoàn thành» at its own pace,
    one in twenty is «Không thực hiện được» with an obstacle; lead duties are reported in nearly
    every period, a quarter of support duties too; in the last of ``periods`` (for the district's
    plan 6 tháng đầu năm 2025) about one unit in four has not reported and a few report only
    part of their duties."""
    rng = random.Random(seed)
    lead = duties[(duties.role == "lead") & (duties.unit_kind != "external")]
    support = duties[(duties.role == "support") & (duties.unit_kind != "external")]
    chosen = pd.concat([lead, support.sample(frac=0.25, random_state=seed)]).sort_values(
        ["index_code", "item_kind", "item_code", "unit_code"])
    units = sorted(chosen.unit_code.unique())
    silent = set(rng.sample(units, k=len(units) // 4))            # nothing for the last period
    partial = set(rng.sample([u for u in units if u not in silent], k=max(1, len(units) // 10)))
    last = periods[-1]
    rows = []
    for d in chosen.itertuples(index=False):
        r = random.Random(f"{seed}|{d.plan_id}|{d.item_kind}|{d.index_code}|{d.item_code}|{d.unit_code}")
        starts = r.randrange(0, 2)                                  # first period with any work
        finishes = r.randrange(starts, len(periods) + 3)            # may lie beyond the plan's life
        blocked = r.random() < 0.05
        for i, (year, period) in enumerate(periods):
            if (year, period) == last and (d.unit_code in silent or (d.unit_code in partial and r.random() < 0.5)):
                continue
            if r.random() < (0.02 if d.role == "lead" else 0.3):      # a period skipped now and then
                continue
            if blocked and i >= starts:
                status, done, obstacle = "not_possible", "", _MARK + r.choice(_OBSTACLES)
            elif i < starts:
                status, done, obstacle = "not_started", "", ""
            elif i < finishes:
                status, done, obstacle = "in_progress", _MARK + r.choice(_WORK_TEXTS), \
                    (_MARK + r.choice(_OBSTACLES) if r.random() < 0.15 else "")
            else:
                status, done, obstacle = "done", _MARK + r.choice(_DONE_TEXTS), ""
            evidence = (f"{_MARK}Báo cáo số {r.randrange(10, 300)}/BC ngày {r.randrange(1, 10):02d}/"
                        f"{ {'Q1': 3, 'H1': 6, 'Q3': 9, 'Y': 12}[period]:02d}/{year}") if status in ("done", "in_progress") else ""
            rows.append({"plan_id": d.plan_id, "item_kind": d.item_kind, "index_code": d.index_code,
                         "item_code": d.item_code, "unit_code": d.unit_code, "year": year, "period": period,
                         "status": status, "done_text": done, "evidence": evidence, "obstacles": obstacle})
    return rows
