"""Write data/registry/entities*.csv from the boundary files and commune lists.

Run once by a developer (``python tools/make_registry.py``); the CSVs it writes are the
editable source of truth afterwards. Provinces take GSO codes from data/geo (the 2024
boundary file carries them); the 2025 provinces come from the dissolved 2025 file;
Thanh Hóa's 27 district-level units use the GSO district codes (380–407); the 13 former
communes of Vĩnh Lộc come from data/reference/vinhloc_2025_commune_mapping.csv; Thanh
Hóa's 166 commune-level units from 1/7/2025 come from
data/reference/reform_2025/thanhhoa_communes_2025.csv (official 5-digit codes of the
Cục Thống kê, CV 1027/CTK-CSCL), and the mapping says which of them took over Vĩnh Lộc.

``--communes-2025`` rewrites only those 2025 commune rows (entities, the aliases this tool
makes for them, and the successor rows pointing to them) in the existing CSVs, in place,
keeping every other row as it was edited by hand; running it twice changes nothing.
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
REFORM_2025 = ROOT / "data" / "reference" / "reform_2025" / "thanhhoa_communes_2025.csv"
REFORM_2025_PROVINCE = "VN-38"  # the province whose commune-level units that file lists
VINH_LOC_MAPPING = ROOT / "data" / "reference" / "vinhloc_2025_commune_mapping.csv"
# the source column of the aliases this tool makes for the 2025 communes (what --communes-2025 rewrites)
ALIAS_SOURCES_2025 = {
    "fold": ("tên không kèm cấp của đơn vị cấp xã từ 01/7/2025; phân biệt với đơn vị cùng cách viết "
             "không dấu bằng dấu (data/reference/reform_2025/thanhhoa_communes_2025.csv)"),
    "prefix": ("tên không kèm cấp của đơn vị cấp xã từ 01/7/2025; tên mở đầu bằng chữ trùng tên cấp hành chính "
               "(«Tĩnh Gia» đọc như «tỉnh Gia») (data/reference/reform_2025/thanhhoa_communes_2025.csv)"),
}

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


def read_mapping() -> list[dict]:
    return list(csv.DictReader(open(VINH_LOC_MAPPING, encoding="utf-8")))


def communes_2025() -> tuple[list[dict], list[dict], list[dict]]:
    """The 2025 commune-level units of the reform file: their entity rows (file order, the
    official list's), aliases for bare names that fold alike («Phường Đông Tiến» / «Xã Đồng
    Tiến»: written without «xã»/«phường», only the diacritics tell them apart), and the
    successor rows of the dissolved district of Vĩnh Lộc and of its 13 former communes, each
    matched to its new commune by the new commune's name."""
    rows = list(csv.DictReader(open(REFORM_2025, encoding="utf-8")))
    entities, aliases, successors = [], [], []
    by_name: dict[str, str] = {}
    for r in rows:
        code = f"{REFORM_2025_PROVINCE}-{r['code'].strip()}"
        name, kind = nfc(r["name"]).strip(), nfc(r["kind"]).strip()
        if not re.fullmatch(r"\d{5}", r["code"].strip()) or name in by_name or code in by_name.values():
            raise SystemExit(f"{REFORM_2025.name}: mã hoặc tên lặp/sai ở dòng {r['code']},{r['name']}")
        by_name[name] = code
        entities.append({"entity_code": code, "name": name, "name_en": "", "level": "commune",
                         "parent_code": REFORM_2025_PROVINCE, "valid_from": START_2025, "valid_to": "",
                         "note": f"{kind} từ 01/7/2025 (NQ 1686/NQ-UBTVQH15); mã Cục Thống kê (CV 1027/CTK-CSCL)"})
    bare: dict[str, list[tuple[str, str]]] = {}
    for name, code in by_name.items():
        short = PREFIX.sub("", fold(name))
        bare.setdefault(short, []).append((re.sub(r"^(Xã|Phường|Đặc khu) ", "", name), code))
    for short, group in bare.items():
        # without «xã»/«phường» the name alone must still find the unit: add it as an alias
        # where two units fold alike, or where the name itself starts like a prefix word
        why = "fold" if len(group) > 1 else "prefix" if PREFIX.match(short) else None
        for short_name, code in group if why else []:
            aliases.append({"alias": short_name, "entity_code": code, "source": ALIAS_SOURCES_2025[why]})

    mapping = read_mapping()
    districts = {nfc(n): f"VN-38-{g}" for g, n in THANH_HOA_DISTRICTS}

    def new_code(name: str) -> str:
        if nfc(name) not in by_name:
            raise SystemExit(f"{VINH_LOC_MAPPING.name}: «{name}» không có trong {REFORM_2025.name}")
        return by_name[nfc(name)]

    for district in dict.fromkeys(nfc(r["old_district"]) for r in mapping):
        for name in dict.fromkeys(nfc(r["new_commune"]) for r in mapping if nfc(r["old_district"]) == district):
            successors.append({"entity_code": districts[district], "successor_code": new_code(name),
                               "effective": START_2025, "note": f"{district[0].lower()}{district[1:]} giải thể cấp huyện"})
    for row in mapping:
        successors.append({"entity_code": f"VN-38-393-{row['old_id_source']}",
                           "successor_code": new_code(row["new_commune"]),
                           "effective": START_2025, "note": "sắp xếp đơn vị hành chính cấp xã 2025"})
    return entities, aliases, successors


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _splice(rows: list[dict], drop, new: list[dict], after=None) -> list[dict]:
    """``rows`` without those ``drop`` selects, ``new`` in the place of the first dropped row
    (else after the last row ``after`` selects, else at the end)."""
    at = next((i for i, r in enumerate(rows) if drop(r)), None)
    if at is None:
        hits = [i for i, r in enumerate(rows) if after and after(r)]
        at = hits[-1] + 1 if hits else len(rows)
    kept_before = [r for r in rows[:at] if not drop(r)]
    kept_after = [r for r in rows[at:] if not drop(r)]
    return kept_before + new + kept_after


def update_communes_2025() -> None:
    """Rewrite only the 2025 commune rows of the reform province in the existing CSVs."""
    entities, aliases, successors = communes_2025()
    e_fields, e_rows = _read_csv(REG / "entities.csv")
    a_fields, a_rows = _read_csv(REG / "entity_aliases.csv")
    s_fields, s_rows = _read_csv(REG / "entity_successors.csv")

    def is_2025_commune(r: dict) -> bool:
        return (r["level"] == "commune" and r["parent_code"] == REFORM_2025_PROVINCE
                and r["valid_from"] == START_2025)

    codes = {r["entity_code"] for r in e_rows if is_2025_commune(r)} | {r["entity_code"] for r in entities}
    e_rows = _splice(e_rows, is_2025_commune, entities,
                     after=lambda r: r["parent_code"] == REFORM_2025_PROVINCE)
    a_rows = _splice(a_rows, lambda r: r["entity_code"] in codes and r["source"] in ALIAS_SOURCES_2025.values(),
                     aliases)
    s_rows = _splice(s_rows, lambda r: r["successor_code"] in codes, successors)
    gone = codes - {r["entity_code"] for r in entities}
    dangling = [r for r in a_rows if r["entity_code"] in gone]
    if dangling:
        sys.exit(f"entity_aliases.csv còn trỏ tới mã đã bỏ: {dangling}")
    for name, fields, rows in [("entities.csv", e_fields, e_rows), ("entity_aliases.csv", a_fields, a_rows),
                               ("entity_successors.csv", s_fields, s_rows)]:
        _write_csv(REG / name, fields, rows)
        print(f"{name}: {len(rows)} rows")


def main() -> None:
    if "--communes-2025" in sys.argv:
        update_communes_2025()
        return
    # The CSVs are the source of truth once written: people (and the publisher loader's
    # header aliases) edit them by hand. Never overwrite them by accident.
    if (REG / "entities.csv").exists() and "--force" not in sys.argv:
        sys.exit("data already written; edit the CSVs by hand, pass --communes-2025 to rewrite only the 2025 "
                 "communes, or --force to overwrite everything and lose those edits")
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

    new_entities, new_aliases, new_successors = communes_2025()
    entities += new_entities
    aliases += new_aliases
    successors += [r for r in new_successors if not r["entity_code"].startswith("VN-38-393-")]
    for row in read_mapping():
        name = nfc(row["old_commune"]).replace("Thị Trấn", "Thị trấn")
        # the source's id, not a slug: "Vĩnh Hưng" and "Vĩnh Hùng" fold to the same letters
        code = f"VN-38-393-{row['old_id_source']}"
        entities.append({"entity_code": code, "name": name, "name_en": "", "level": "commune",
                         "parent_code": "VN-38-393", "valid_from": "", "valid_to": END_2025,
                         "note": "xã/thị trấn thuộc huyện Vĩnh Lộc đến 30/6/2025"})
    successors += [r for r in new_successors if r["entity_code"].startswith("VN-38-393-")]

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
        _write_csv(REG / name, list(rows[0]), rows)
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
