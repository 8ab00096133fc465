"""A national-scale SYNTHETIC dataset for benchmarks: python -m bench.national --out DIR.

Every province (63 until 2024, 34 in 2025), about 700 districts (2016–2024) and 3,321
communes (2025), all five indices on full criteria trees, ten years. The numbers and the
district and commune names are made up (named "… (mô phỏng)"): this data only measures
how the product's cost grows, it is never shown as real. Writes DIR/data/ — a complete data
directory for `python -m loaders build --data DIR/data` — plus the same scores as a large
tidy CSV, as Parquet, and a publisher-layout workbook of district PAR, for import timings.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from domain.vocabulary import DATA_DIR
from domain.frameworks import Frameworks
from domain.vocabulary import INDEX_CODES

DISTRICTS = 700
COMMUNES = 3321
SEED = 2025
LEAVES = ("criterion", "subdimension", "component", "subindex")
COPY = ["frameworks", "registry", "plan", "plans.csv", "crosswalk", "thresholds.csv", "geo"]


def _registry(data: Path, scale: float) -> pd.DataFrame:
    """Adds synthetic districts and communes to the copied registry; returns all entities."""
    reg = data / "registry"
    ent = pd.read_csv(reg / "entities.csv", dtype=str, keep_default_na=False)
    provinces = ent[(ent.level == "province") & (ent.valid_to == "") | (ent.level == "province") & (ent.valid_to == "2025-06-30")]
    old = provinces[provinces.valid_from == ""]
    new = provinces[(provinces.valid_to == "") | (provinces.valid_from != "")]
    new = new[new.entity_code != "VN-HATAY"]
    rows = []
    per_province = max(1, round(DISTRICTS * scale / len(old)))
    for p in old.itertuples():
        if p.entity_code == "VN-38":
            continue  # Thanh Hóa keeps its 27 real district-level units
        for k in range(1, per_province + 1):
            rows.append({"entity_code": f"{p.entity_code}-D{k:03d}", "name": f"Huyện {p.name} {k:02d} (mô phỏng)",
                         "name_en": "", "level": "district", "parent_code": p.entity_code, "valid_from": "",
                         "valid_to": "2025-06-30", "note": "mô phỏng cho đo hiệu năng"})
    per_new = max(1, round(COMMUNES * scale / len(new)))
    for p in new.itertuples():
        for k in range(1, per_new + 1):
            rows.append({"entity_code": f"{p.entity_code}-C{k:04d}", "name": f"Xã {p.name} {k:03d} (mô phỏng)",
                         "name_en": "", "level": "commune", "parent_code": p.entity_code, "valid_from": "2025-07-01",
                         "valid_to": "", "note": "mô phỏng cho đo hiệu năng"})
    ent = pd.concat([ent, pd.DataFrame(rows)], ignore_index=True)
    ent.to_csv(reg / "entities.csv", index=False)
    return ent


def _widen_frameworks(data: Path) -> Frameworks:
    """District PAR, SIPAS and DDCI frameworks cover 2016 on, so ten years load."""
    f = pd.read_csv(data / "frameworks" / "frameworks.csv", dtype=str, keep_default_na=False)
    # synthetic district and commune results from 2016 on: the district frameworks stretch back,
    # every framework a district uses serves communes too; provinces keep their own frameworks
    local = f.entity_level.str.contains("district")
    f.loc[local & f.index_code.isin(["PAR", "DDCI"]), "year_from"] = "2016"
    f.loc[local, "entity_level"] = f.loc[local, "entity_level"].map(
        lambda v: v if "commune" in v.split("|") else v + "|commune")
    f.to_csv(data / "frameworks" / "frameworks.csv", index=False)
    return Frameworks.load(data / "frameworks")


def _scores(fw: Frameworks, entities: pd.DataFrame, years: list[int], rng: np.random.Generator) -> pd.DataFrame:
    frames = []
    quality = pd.Series(rng.uniform(0, 1, len(entities)), index=entities.entity_code)
    for year in years:
        start = entities.valid_from.replace("", "0000").str[:4].astype(int)
        end = entities.valid_to.replace("", "9999-12-31")
        end_year = end.str[:4].astype(int) - (end.str[5:] < "07-01").astype(int)
        alive = entities[(start <= year) & (end_year >= year) & (entities.entity_code != "VN-HATAY")]
        for level in ("province", "district", "commune"):
            # the indices a level has a framework for that year (PCI: provinces; DDCI: districts, communes)
            indices = [c for c in INDEX_CODES if fw.framework_for(c, year, level)]
            ents = alive[alive.level == level]
            if ents.empty:
                continue
            q = quality.loc[ents.entity_code].to_numpy()
            for index in indices:
                framework = fw.framework_for(index, year, level)
                crit = fw.criteria_of(framework)
                leaves = crit[crit.level.isin(LEAVES)]
                share = np.clip(0.45 + 0.35 * q[:, None] + rng.normal(0, 0.1, (len(ents), len(leaves))), 0.05, 1.0)
                pts = np.round(share * leaves.max_points.to_numpy()[None, :], 2)
                block = pd.DataFrame({
                    "year": year, "index": index,
                    "criterion": np.tile(leaves.code.to_numpy(), len(ents)),
                    "entity": np.repeat(ents.name.to_numpy(), len(leaves)),
                    "points": pts.ravel()})
                frames.append(block)
                totals = None
                if index in ("PCI", "DDCI"):  # weighted totals are stated, not summed
                    w = leaves.weight.fillna(100 / len(leaves)).to_numpy() / 100 * 10
                    totals = np.round(pts @ w, 2)
                elif index == "SIPAS":  # parts are means of items, the total the mean of parts
                    parts = {}
                    for parent, grp in leaves.groupby("parent_code", sort=False):
                        idx = [leaves.index.get_loc(i) for i in grp.index]
                        parts[parent] = pts[:, idx].mean(axis=1).round(2)
                        frames.append(pd.DataFrame({"year": year, "index": index, "criterion": parent,
                                                    "entity": ents.name.to_numpy(), "points": parts[parent]}))
                    totals = np.round(np.mean(list(parts.values()), axis=0), 2)
                if totals is not None:
                    frames.append(pd.DataFrame({"year": year, "index": index, "criterion": "",
                                                "entity": ents.name.to_numpy(), "points": totals}))
    df = pd.concat(frames, ignore_index=True)
    df["max_points"] = ""
    df["rank"] = ""
    return df[["year", "index", "criterion", "entity", "points", "max_points", "rank"]]


def _publisher_workbook(fw: Frameworks, scores: pd.DataFrame, entities: pd.DataFrame, path: Path,
                        years: list[int]) -> None:
    """District PAR in a publisher's layout: a title, one sheet per year, a column per criterion."""
    import openpyxl

    crit = fw.criteria_of("PAR-TH-HUYEN-2023")
    leaves = crit[crit.level == "criterion"]
    names = set(entities[entities.level == "district"].name)
    wb = openpyxl.Workbook(write_only=True)
    for year in years:
        ws = wb.create_sheet(f"PAR {year}")
        ws.append([f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP HUYỆN NĂM {year} (MÔ PHỎNG)"])
        ws.append([])
        ws.append(["STT", "Đơn vị", *leaves.name_vi, "Tổng điểm"])
        part = scores[(scores.year == year) & (scores["index"] == "PAR") & scores.entity.isin(names)]
        wide = part.pivot_table(index="entity", columns="criterion", values="points", aggfunc="first")
        wide = wide.reindex(columns=list(leaves.code))
        for i, (entity, row) in enumerate(wide.iterrows(), 1):
            vals = [None if pd.isna(v) else float(v) for v in row]
            ws.append([i, entity, *vals, round(sum(v for v in vals if v is not None), 2)])
        ws.append(["", "Ghi chú: số liệu mô phỏng để đo hiệu năng."])
    wb.save(path)


def generate(out_dir: Path, scale: float = 1.0, years: list[int] | None = None) -> dict:
    years = years or list(range(2016, 2026))
    out_dir = Path(out_dir)
    data = out_dir / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    for name in COPY:
        src = DATA_DIR / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, data / name)
    fw = _widen_frameworks(data)
    entities = _registry(data, scale)
    scores = _scores(fw, entities, years, np.random.default_rng(SEED))
    (data / "national").mkdir()
    scores.to_csv(data / "national" / "scores_national.csv", index=False)
    pd.DataFrame({"path": ["plan/ke-hoach-chi-so-vinh-loc-2023-2025.md", "national/scores_national.csv"],
                  "reader": ["plan", "tidy"], "index_code": ["", ""], "plan_id": ["VL-2023-2025", ""],
                  "note": ["Kế hoạch (thực)", "điểm MÔ PHỎNG toàn quốc để đo hiệu năng"]}).to_csv(data / "manifest.csv", index=False)
    csv_path, parquet_path, xlsx_path = (out_dir / "scores_national.csv", out_dir / "scores_national.parquet",
                                         out_dir / "publisher_national.xlsx")
    shutil.copyfile(data / "national" / "scores_national.csv", csv_path)
    scores.astype({"criterion": str, "max_points": str, "rank": str}).to_parquet(parquet_path, index=False)
    _publisher_workbook(fw, scores, entities, xlsx_path, [y for y in years if 2022 <= y <= 2024])
    return {"data": data, "csv": csv_path, "parquet": parquet_path, "xlsx": xlsx_path, "rows": len(scores),
            "entities": int((entities.level != "province").sum())}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.national")
    p.add_argument("--out", required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--years", default="2016-2025")
    args = p.parse_args(argv)
    a, b = (int(x) for x in args.years.split("-"))
    info = generate(Path(args.out), args.scale, list(range(a, b + 1)))
    print(f"Đã tạo bộ dữ liệu mô phỏng: {info['rows']} dòng điểm, {info['entities']} huyện/xã; {info['data']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
