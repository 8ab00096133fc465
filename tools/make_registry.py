"""Write data/registry/entities*.csv from the boundary files and commune mapping.

Run once by a developer (``python tools/make_registry.py``); the CSVs it writes are the
editable source of truth afterwards. Provinces take GSO codes from data/geo (the 2024
boundary file carries them); the 2025 provinces come from the dissolved 2025 file;
Thanh Hóa's 27 district-level units use the GSO district codes (380–407), and the
communes of Vĩnh Lộc come from data/reference/vinhloc_2025_commune_mapping.csv.
"""
from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from domain.text import fold, nfc  # noqa: E402

REG = ROOT / "data" / "registry"
END_2025 = "2025-06-30"
START_2025 = "2025-07-01"

THANH_HOA_DISTRICTS = [
    ("380", "Thành phố Thanh Hóa"), ("381", "Thị xã Bỉm Sơn"), ("382", "Thành phố Sầm Sơn"),
    ("384", "Huyện Mường Lát"), ("385", "Huyện Quan Hóa"), ("386", "Huyện Bá Thước"),
    ("387", "Huyện Quan Sơn"), ("388", "Huyện Lang Chánh"), ("389", "Huyện Ngọc Lặc"),
    ("390", "Huyện Cẩm Thủy"), ("391", "Huyện Thạch Thành"), ("392", "Huyện Hà Trung"),
    ("393", "Huyện Vĩnh Lộc"), ("394", "Huyện Yên Định"), ("395", "Huyện Thọ Xuân"),
    ("396", "Huyện Thường Xuân"), ("397", "Huyện Triệu Sơn"), ("398", "Huyện Thiệu Hóa"),
    ("399", "Huyện Hoằng Hóa"), ("400", "Huyện Hậu Lộc"), ("401", "Huyện Nga Sơn"),
    ("402", "Huyện Như Xuân"), ("403", "Huyện Như Thanh"), ("404", "Huyện Nông Cống"),
    ("405", "Huyện Đông Sơn"), ("406", "Huyện Quảng Xương"), ("407", "Thị xã Nghi Sơn"),
]

# Spellings met in published files that folding alone does not reconcile.
PROVINCE_ALIASES = {
    "01": ["Ha Noi", "Hanoi", "TP Hà Nội", "Thành phố Hà Nội"],
    "06": ["Bắc Cạn", "Bac Can"],
    "46": ["Thừa Thiên Huế", "Thừa Thiên - Huế", "TT-Huế", "TT- Huế", "TT.Huế", "TT Huế",
           "Thua Thien Hue", "Thua Thien-Hue", "Huế", "Hue", "Thành phố Huế"],
    "48": ["TP Đà Nẵng", "Da Nang", "Danang"],
    "31": ["TP Hải Phòng", "Haiphong"],
    "66": ["Đắc Lắk", "Đak Lak", "Đăk Lăk", "Dak Lak", "Daklak", "Đắk Lắc"],
    "67": ["Đak Nông", "Đăk Nông", "Dak Nong", "Đắc Nông"],
    "77": ["BRVT", "Bà Rịa Vũng Tàu", "Ba Ria Vung Tau", "Ba Ria - Vung Tau", "BR-VT"],
    "79": ["TP.HCM", "TP HCM", "Tp.HCM", "HCMC", "TP.Hồ Chí Minh", "TP. Hồ Chí Minh",
           "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "Ho Chi Minh City", "Ho Chi Minh", "HCM"],
    "92": ["TP Cần Thơ", "Can Tho"],
    "38": ["Thanh Hoá", "Tỉnh Thanh Hóa"],
}
PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?|huyen|thi xa|tx\.?|xa|thi tran|phuong)\s+")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def main() -> None:
    # The CSVs are the source of truth once written: people (and the publisher loader's
    # header aliases) edit them by hand. Never overwrite them by accident.
    if (REG / "entities.csv").exists() and "--force" not in sys.argv:
        sys.exit("data already written; edit the CSVs by hand, or pass --force to overwrite them and lose those edits")
    geo = ROOT / "data" / "geo"
    old = json.loads((geo / "vn_provinces_2024.geojson").read_text(encoding="utf-8"))
    new = json.loads((geo / "vn_provinces_2025.geojson").read_text(encoding="utf-8"))
    by_p = {f["properties"]["province_code"]: f["properties"] for f in old["features"]}

    entities, aliases, successors = [], [], []

    def alias(name: str, code: str, source: str) -> None:
        aliases.append({"alias": nfc(name), "entity_code": code, "source": source})

    merged_away: dict[str, str] = {}  # old entity -> new entity
    continuing: dict[str, str] = {}  # old entity continuing after 2025 -> 2025 name
    for f in new["features"]:
        p = f["properties"]
        members = p["merged_from_codes"].split(";")
        if len(members) == 1:
            continuing["VN-" + by_p[members[0]]["gso_code"]] = p["name_vi"]
        else:
            code = "VN25-" + slug(p["name_vi"])
            entities.append({"entity_code": code, "name": p["name_vi"], "name_en": p["name_en"],
                             "level": "province", "parent_code": "", "valid_from": START_2025,
                             "valid_to": "", "note": "tỉnh mới sau sáp nhập 2025 (NQ 202/2025/QH15); mã do sản phẩm đặt"})
            for m in members:
                merged_away["VN-" + by_p[m]["gso_code"]] = code

    for pcode, p in sorted(by_p.items(), key=lambda kv: kv[1]["gso_code"]):
        code = "VN-" + p["gso_code"]
        entities.append({"entity_code": code, "name": p["name_vi"], "name_en": p["name_en"],
                         "level": "province", "parent_code": "", "valid_from": "",
                         "valid_to": END_2025 if code in merged_away else "",
                         "note": f"mã GSO {p['gso_code']}; mã PAPI {pcode}"})
        alias(p["name_en"], code, "papi_provinces.csv")
        alias(p["name_odm"], code, "geo name_odm")
        if code in continuing and fold(continuing[code]) != fold(p["name_vi"]):
            alias(continuing[code], code, "tên từ 01/7/2025")
        for a in PROVINCE_ALIASES.get(p["gso_code"], []):
            alias(a, code, "cách viết trong tệp công bố")
        if code in merged_away:
            successors.append({"entity_code": code, "successor_code": merged_away[code],
                               "effective": START_2025, "note": "sáp nhập tỉnh 2025"})

    entities.append({"entity_code": "VN-HATAY", "name": "Hà Tây", "name_en": "Ha Tay",
                     "level": "province", "parent_code": "", "valid_from": "",
                     "valid_to": "2008-07-31", "note": "hợp nhất vào Hà Nội từ 01/8/2008"})
    alias("Ha Tay", "VN-HATAY", "pci_subindices_2005_2016_long.csv")
    successors.append({"entity_code": "VN-HATAY", "successor_code": "VN-01",
                       "effective": "2008-08-01", "note": "NQ 15/2008/QH12"})

    for gso, name in THANH_HOA_DISTRICTS:
        code = f"VN-38-{gso}"
        entities.append({"entity_code": code, "name": name, "name_en": "", "level": "district",
                         "parent_code": "VN-38", "valid_from": "", "valid_to": END_2025,
                         "note": f"mã GSO huyện {gso}; cấp huyện chấm dứt từ 01/7/2025"})
        bare = re.sub(r"^(Huyện|Thị xã|Thành phố) ", "", name)
        short = {"Thành phố": "TP", "Thị xã": "TX"}
        for long_, abbr in short.items():
            if name.startswith(long_):
                alias(f"{abbr} {bare}", code, "viết tắt")
                alias(f"{abbr}. {bare}", code, "viết tắt")
        if name.startswith("Huyện"):
            alias(bare, code, "tên không kèm cấp")  # "Vĩnh Lộc" means the district

    mapping = list(csv.DictReader(open(ROOT / "data/reference/vinhloc_2025_commune_mapping.csv", encoding="utf-8")))
    new_communes: dict[str, str] = {}
    for row in mapping:
        name = nfc(row["new_commune"])
        if name not in new_communes:
            code = f"VN-38-{row['new_id_source']}"
            new_communes[name] = code
            entities.append({"entity_code": code, "name": name, "name_en": "", "level": "commune",
                             "parent_code": "VN-38", "valid_from": START_2025, "valid_to": "",
                             "note": "xã mới từ 01/7/2025 (NQ 1686/NQ-UBTVQH15); mã theo nguồn tanthuan031/vnadministrative"})
            successors.append({"entity_code": "VN-38-393", "successor_code": code,
                               "effective": START_2025, "note": "huyện Vĩnh Lộc giải thể cấp huyện"})
    for row in mapping:
        name = nfc(row["old_commune"]).replace("Thị Trấn", "Thị trấn")
        # the source's id, not a slug: "Vĩnh Hưng" and "Vĩnh Hùng" fold to the same letters
        code = f"VN-38-393-{row['old_id_source']}"
        entities.append({"entity_code": code, "name": name, "name_en": "", "level": "commune",
                         "parent_code": "VN-38-393", "valid_from": "", "valid_to": END_2025,
                         "note": "xã/thị trấn thuộc huyện Vĩnh Lộc đến 30/6/2025"})
        successors.append({"entity_code": code, "successor_code": new_communes[nfc(row["new_commune"])],
                           "effective": START_2025, "note": "sắp xếp đơn vị hành chính cấp xã 2025"})

    own = {(fold(e["name"]), e["entity_code"]) for e in entities}
    seen: set = set()
    unique = []
    for a in aliases:  # an alias that folds to the name, or repeats one, adds nothing
        key = (fold(a["alias"]), a["entity_code"])
        if key not in own and key not in seen:
            seen.add(key)
            unique.append(a)
    aliases = unique
    REG.mkdir(parents=True, exist_ok=True)
    for name, rows in [("entities.csv", entities), ("entity_aliases.csv", aliases),
                       ("entity_successors.csv", successors)]:
        with open(REG / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
