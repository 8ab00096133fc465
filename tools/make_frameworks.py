"""Write data/frameworks/{indices,frameworks,criteria}.csv.

Run once by a developer; afterwards the CSVs are the editable source of truth.
- PAPI: one framework version per run of years whose sub-dimension list and labels are
  identical (data/reference/papi_subdimension_labels_by_year.csv), so a code that changed
  meaning (SC21 = poverty lists in 2012, access to information from 2018) is a different
  criterion. A sub-dimension's maximum is 10 / (sub-dimensions in its dimension).
- PCI: versions by the sub-indices VCCI published (2005; 2006–08; 2009–12; 2013 on);
  weights are published for 2013 on only.
- PAR (district, Thanh Hóa) and SIPAS: the criteria of Phụ lục 1 and 2 of the plan.
  District PAR maximum points are NOT public here: the values below are assumed.
- DDCI (district, Thanh Hóa): the 8 components published in 2022
  (data/reference/finds_2026/ddci_thanhhoa_published_framework.csv); weights are not
  published and assumed equal.
Later additions made by hand in the CSVs (the province PAR INDEX and SIPAS frameworks,
header aliases) are not reproduced by this script.
"""
from __future__ import annotations

import csv
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from domain.text import fold_loose  # noqa: E402

OUT = ROOT / "data" / "frameworks"

PAR_AREAS = [
    ("1", "Công tác chỉ đạo điều hành CCHC", [
        ("1.1", "Thực hiện Kế hoạch CCHC", 2), ("1.2", "Thực hiện chế độ báo cáo CCHC định kỳ", 1),
        ("1.3", "Công tác Kiểm tra CCHC", 2), ("1.4", "Công tác tuyên truyền CCHC", 1),
        ("1.5", "Sáng kiến hoặc giải pháp mới trong CCHC", 2),
        ("1.6", "Đối thoại của huyện với người dân, doanh nghiệp", 1),
        ("1.7", "Thực hiện các nhiệm vụ được UBND tỉnh, Chủ tịch UBND tỉnh giao", 2)]),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật tại tỉnh", [
        ("2.1", "Theo dõi thi hành pháp luật", 1.5), ("2.2", "Rà soát VBQPPL", 1.5),
        ("2.3", "Xử lý văn bản trái pháp luật do cơ quan có thẩm quyền kiểm tra kiến nghị", 1.5),
        ("2.4", "Tác động của cải cách đến chất lượng VBQPPL do Tỉnh ban hành", 1.5)]),
    ("3", "Cải cách thủ tục hành chính", [
        ("3.1", "Kiểm soát quy định TTHC", 3),
        ("3.2", "Công bố, công khai TTHC và kết quả giải quyết hồ sơ", 3),
        ("3.3", "Thực hiện cơ chế một cửa, cơ chế một cửa liên thông", 3),
        ("3.4", "Kết quả giải quyết hồ sơ TTHC", 3),
        ("3.5", "Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức đối với TTHC thuộc thẩm quyền giải quyết của huyện", 2)]),
    ("4", "Cải cách tổ chức bộ máy hành chính", [
        ("4.1", "Sắp xếp, kiện toàn tổ chức bộ máy của các cơ quan, đơn vị", 2),
        ("4.2", "Thực hiện quy định về quản lý biên chế", 2), ("4.3", "Thực hiện phân cấp quản lý", 2)]),
    ("5", "Cải cách chế độ công vụ", [
        ("5.1", "Thực hiện cơ cấu công chức, viên chức theo vị trí việc làm", 2),
        ("5.2", "Tuyển dụng công chức, viên chức", 2), ("5.3", "Bổ nhiệm các chức danh lãnh đạo, quản lý", 2),
        ("5.4", "Chấp hành kỷ luật, kỷ cương hành chính của cán bộ, công chức, viên chức", 2),
        ("5.5", "Công tác đào tạo, bồi dưỡng công chức, viên chức", 2),
        ("5.6", "Tỷ lệ đạt chuẩn của cán bộ, công chức cấp xã", 2),
        ("5.7", "Chất lượng đội ngũ công chức, viên chức", 2)]),
    ("6", "Cải cách tài chính công", [
        ("6.1", "Tổ chức thực hiện công tác tài chính - ngân sách", 3),
        ("6.2", "Công tác quản lý, sử dụng tài sản công", 2),
        ("6.3", "Thực hiện cơ chế tự chủ tại các đơn vị sự nghiệp công lập", 2)]),
    ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", [
        ("7.1", "Phát triển các nền tảng, cơ sở dữ liệu", 4),
        ("7.2", "Phát triển các ứng dụng, dịch vụ trong nội bộ cơ quan nhà nước", 4),
        ("7.3", "Phát triển ứng dụng, dịch vụ phục vụ người dân, tổ chức", 4)]),
    ("8", "Tác động của CCHC đến người dân, tổ chức và chỉ tiêu phát triển kinh tế - xã hội của huyện", [
        ("8.1", "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước trên địa bàn huyện", 20),
        ("8.2", "Mức độ thu hút đầu tư của huyện", 2.5), ("8.3", "Mức độ phát triển doanh nghiệp của huyện", 2.5),
        ("8.4", "Thực hiện thu ngân sách hàng năm của huyện theo Kế hoạch được Chính phủ giao", 2.5),
        ("8.5", "Mức độ thực hiện chỉ tiêu phát triển kinh tế - xã hội do HĐND huyện giao", 2.5)]),
]

SIPAS_PARTS = [
    ("1", "Mức độ hài lòng của người dân đối với việc xây dựng, tổ chức thực hiện chính sách của cơ quan nhà nước", [
        ("1.1", "Trách nhiệm giải trình của cơ quan nhà nước"),
        ("1.2", "Cơ hội của người dân tham gia ý kiến đối với chính sách"),
        ("1.3", "Chất lượng chính sách"), ("1.4", "Kết quả, tác động của chính sách")]),
    ("2", "Mức độ hài lòng của người dân đối với việc cung ứng dịch vụ hành chính công", [
        ("2.1", "Tiếp cận dịch vụ"), ("2.2", "Thủ tục hành chính"),
        ("2.3", "Công chức trực tiếp giải quyết TTHC"), ("2.4", "Kết quả dịch vụ"),
        ("2.5", "Tiếp nhận phản ánh kiến nghị")]),
]

DDCI_COMPONENTS = [  # the published order; departments are assessed on 1–7 only
    ("1", "Tính minh bạch và tiếp cận thông tin", "Transparency and accessibility of information"),
    ("2", "Tính năng động và vai trò người đứng đầu", "Dynamism and role of the leader"),
    ("3", "Chi phí thời gian", "Time cost"), ("4", "Chi phí không chính thức", "Unofficial (informal) expenses"),
    ("5", "Cạnh tranh bình đẳng", "Fair competition"), ("6", "Hỗ trợ doanh nghiệp", "Business support"),
    ("7", "Thiết chế pháp lý", "Legal institutions"), ("8", "Tiếp cận đất đai", "Land access"),
]

# code, English name (VCCI workbooks), Vietnamese name, weight from 2013, other headers
PCI_SUBINDICES = [
    ("EC", "Entry Costs", "Chi phí gia nhập thị trường", 5, ""),
    ("LA", "Land Access and Security of Tenure", "Tiếp cận đất đai", 5, "Access to land|Land Access"),
    ("TR", "Transparency and Access to Information", "Tính minh bạch", 20, "Transparency"),
    ("TC", "Time Costs and Regulatory Compliance", "Chi phí thời gian", 5, "Time Costs"),
    ("IC", "Informal Charges", "Chi phí không chính thức", 10, ""),
    ("ICP", "Implementation and Consistency of Policies", "Tính nhất quán trong thực thi chính sách", None, ""),
    ("PB", "Policy Bias", "Cạnh tranh bình đẳng", 5, "Equal competition"),
    ("PRO", "Proactivity of Provincial Leadership", "Tính năng động của chính quyền tỉnh", 5, "Proactivity"),
    ("BSS", "Business Support Services", "Dịch vụ hỗ trợ doanh nghiệp", 20, "Business Support Policy|Business Support"),
    ("LT", "Labor and Training", "Đào tạo lao động", 20, "Labor Policy|Labor Training|Labour and Training"),
    ("LI", "Legal Institutions", "Thiết chế pháp lý và an ninh trật tự", 5, "Law & Order|Law and Order|Thiết chế pháp lý & An ninh trật tự"),
]
PCI_VERSIONS = [  # framework, first year, last year, sub-index codes
    ("PCI-2005", 2005, 2005, ["EC", "LA", "TR", "TC", "IC", "ICP", "PB", "PRO", "BSS"]),
    ("PCI-2006", 2006, 2008, ["EC", "LA", "TR", "TC", "IC", "PB", "PRO", "BSS", "LT", "LI"]),
    ("PCI-2009", 2009, 2012, ["EC", "LA", "TR", "TC", "IC", "PRO", "BSS", "LT", "LI"]),
    ("PCI-2013", 2013, 2030, ["EC", "LA", "TR", "TC", "IC", "PB", "PRO", "BSS", "LT", "LI"]),
]

CRIT_FIELDS = ["index_code", "framework", "code", "parent_code", "level", "name_vi", "name_en",
               "min_points", "max_points", "weight", "series", "header_aliases", "assumed"]


def crit(**kw) -> dict:
    row = {k: "" for k in CRIT_FIELDS}
    row.update({k: ("" if v is None else v) for k, v in kw.items()})
    return row


def papi(criteria: list, frameworks: list) -> None:
    labels = list(csv.DictReader(open(ROOT / "data/reference/papi_subdimension_labels_by_year.csv", encoding="utf-8")))
    by_year: "OrderedDict[int, list]" = OrderedDict()
    for r in sorted(labels, key=lambda r: (int(r["year"]), r["subdimension_code"])):
        by_year.setdefault(int(r["year"]), []).append(r)
    runs: list[tuple[int, int, list]] = []
    for year, rows in by_year.items():
        sig = [(r["subdimension_code"], r["subdimension_en"]) for r in rows]
        if runs and [(r["subdimension_code"], r["subdimension_en"]) for r in runs[-1][2]] == sig and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year, runs[-1][2])
        else:
            runs.append((year, year, rows))
    for first, last, rows in runs:
        fw = f"PAPI-{first}"
        dims: "OrderedDict[str, list]" = OrderedDict()
        for r in rows:
            dims.setdefault(r["dimension_code"], []).append(r)
        frameworks.append({"index_code": "PAPI", "framework": fw, "year_from": first,
                           "year_to": last if last < 2024 else 2030,
                           # communes (from 7/2025) use the current versions until their own method is public
                           "entity_level": "province|district|commune" if last >= 2024 else "province|district",
                           "status": "published", "total_min": len(dims), "total_max": 10 * len(dims),
                           "total_aliases": "Un-weighted PAPI|Unweighted PAPI|PAPI|Chỉ số PAPI|Chỉ số PAPI (không có trọng số)|Tổng điểm PAPI",
                           "source": "papi.org.vn qua papi_subdimension_labels_by_year.csv"})
        for dcode, subs in dims.items():
            d0 = subs[0]
            dim_aliases = []
            if first < 2018:  # the 2011–2016 workbook headers
                dim_aliases = {"C01": ["Participation at Local Levels"], "C02": ["Transparency", "Công khai, minh bạch"],
                               "C04": ["Control of Corruption"]}.get(dcode, [])
            criteria.append(crit(index_code="PAPI", framework=fw, code=dcode, level="dimension",
                                 name_vi=d0["dimension_vi"], name_en=d0["dimension_en"], min_points=1,
                                 max_points=10, series=f"PAPI:{dcode}:{fold_loose(d0['dimension_en'])}",
                                 header_aliases="|".join(dim_aliases), assumed="false"))
            n = len(subs)
            for s in subs:
                mx = round(10 / n, 4)
                criteria.append(crit(index_code="PAPI", framework=fw, code=s["subdimension_code"], parent_code=dcode,
                                     level="subdimension", name_vi=s["subdimension_vi"], name_en=s["subdimension_en"],
                                     min_points=round(1 / n, 4), max_points=mx,
                                     series=f"PAPI:{s['subdimension_code']}:{fold_loose(s['subdimension_en'])}:{mx}",
                                     assumed="false"))


def main() -> None:
    # The CSVs are the source of truth once written: people (and the publisher loader's
    # header aliases) edit them by hand. Never overwrite them by accident.
    if (OUT / "criteria.csv").exists() and "--force" not in sys.argv:
        sys.exit("data already written; edit the CSVs by hand, or pass --force to overwrite them and lose those edits")
    criteria: list[dict] = []
    frameworks: list[dict] = []
    papi(criteria, frameworks)

    for fw, first, last, codes in PCI_VERSIONS:
        frameworks.append({"index_code": "PCI", "framework": fw, "year_from": first, "year_to": last,
                           "entity_level": "province", "status": "published", "total_min": 0, "total_max": 100,
                           "total_aliases": "PCI (weighted)|Weighted PCI|PCI Scores|PCI|Chỉ số PCI|PCI (tổng điểm)",
                           "source": "VCCI, pcivietnam.vn"})
        for code, en, vi, w, al in PCI_SUBINDICES:
            if code in codes:
                criteria.append(crit(index_code="PCI", framework=fw, code=code, level="subindex", name_vi=vi,
                                     name_en=en, min_points=0, max_points=10, weight=w if fw == "PCI-2013" else None,
                                     series=f"PCI:{code}", header_aliases=al, assumed="false"))
        criteria.append(crit(index_code="PCI", framework=fw, code="UNW", level="alternate_total",
                             name_vi="PCI không trọng số", name_en="PCI (unweighted)", min_points=0,
                             max_points=100, series="PCI:UNW", header_aliases="Unweighted PCI|PCI unweighted",
                             assumed="false"))

    frameworks.append({"index_code": "PAR", "framework": "PAR-TH-HUYEN-2023", "year_from": 2021, "year_to": 2025,
                       "entity_level": "district|commune", "status": "assumed", "total_min": 0, "total_max": 100,
                       "total_aliases": "Tổng điểm|Điểm đạt|Chỉ số CCHC|PAR INDEX|Tổng",
                       "source": "Phụ lục 1, Kế hoạch UBND huyện Vĩnh Lộc 11/2023; điểm tối đa GIẢ ĐỊNH"})
    for acode, aname, items in PAR_AREAS:
        criteria.append(crit(index_code="PAR", framework="PAR-TH-HUYEN-2023", code=acode, level="area",
                             name_vi=aname, min_points=0, max_points=sum(m for _, _, m in items),
                             series=f"PAR:{acode}", assumed="true"))
        for code, name, mx in items:
            criteria.append(crit(index_code="PAR", framework="PAR-TH-HUYEN-2023", code=code, parent_code=acode,
                                 level="criterion", name_vi=name, min_points=0, max_points=mx,
                                 series=f"PAR:{code}", assumed="true"))

    frameworks.append({"index_code": "SIPAS", "framework": "SIPAS-TH-2023", "year_from": 2021, "year_to": 2025,
                       "entity_level": "province|district|commune", "status": "published", "total_min": 0, "total_max": 100,
                       "total_aliases": "Chỉ số hài lòng|SIPAS|Tổng|Tỷ lệ hài lòng",
                       "source": "Phụ lục 2, Kế hoạch UBND huyện Vĩnh Lộc 11/2023 (tỷ lệ % hài lòng)"})
    for pcode, pname, items in SIPAS_PARTS:
        criteria.append(crit(index_code="SIPAS", framework="SIPAS-TH-2023", code=pcode, level="part",
                             name_vi=pname, min_points=0, max_points=100, series=f"SIPAS:{pcode}", assumed="false"))
        for code, name in items:
            criteria.append(crit(index_code="SIPAS", framework="SIPAS-TH-2023", code=code, parent_code=pcode,
                                 level="criterion", name_vi=name, min_points=0, max_points=100,
                                 series=f"SIPAS:{code}", assumed="false"))

    frameworks.append({"index_code": "DDCI", "framework": "DDCI-TH-2022", "year_from": 2021, "year_to": 2025,
                       "entity_level": "district|commune", "status": "published", "total_min": 0, "total_max": 100,
                       "total_aliases": "DDCI|Chỉ số DDCI|Điểm DDCI|Tổng điểm",
                       "source": "cấu trúc DDCI Thanh Hóa công bố năm 2022; trọng số GIẢ ĐỊNH bằng nhau"})
    for code, vi, en in DDCI_COMPONENTS:  # assumed = true: the weight is the assumed part
        criteria.append(crit(index_code="DDCI", framework="DDCI-TH-2022", code=code, level="component",
                             name_vi=vi, name_en=en, min_points=0, max_points=10, weight=100 / len(DDCI_COMPONENTS),
                             series=f"DDCI:{code}", assumed="true"))

    indices = [
        {"index_code": "PAR", "name_vi": "Chỉ số cải cách hành chính (PAR INDEX)", "name_en": "Public Administration Reform Index", "publisher": "Bộ Nội vụ; UBND tỉnh", "order": 1, "rank_decimals": 2, "short_label": "PAR INDEX", "plan_appendix": "1"},
        {"index_code": "SIPAS", "name_vi": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)", "name_en": "Satisfaction Index of Public Administrative Services", "publisher": "Bộ Nội vụ; UBND tỉnh", "order": 2, "rank_decimals": 2, "short_label": "SIPAS", "plan_appendix": "2"},
        {"index_code": "PAPI", "name_vi": "Chỉ số Hiệu quả Quản trị và Hành chính công (PAPI)", "name_en": "Provincial Governance and Public Administration Performance Index", "publisher": "CECODES, VFF-CRT, UNDP", "order": 3, "rank_decimals": 4, "short_label": "PAPI", "plan_appendix": "3"},
        {"index_code": "DDCI", "name_vi": "Chỉ số năng lực cạnh tranh cấp sở, ban, ngành và địa phương (DDCI)", "name_en": "Department and District Competitiveness Index", "publisher": "UBND tỉnh Thanh Hóa, VCCI", "order": 4, "rank_decimals": 2, "short_label": "DDCI", "plan_appendix": ""},
        {"index_code": "PCI", "name_vi": "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", "name_en": "Provincial Competitiveness Index", "publisher": "VCCI", "order": 5, "rank_decimals": 2, "short_label": "PCI", "plan_appendix": ""},
    ]
    # How a total relates to its parts: PAPI and PAR add up, PCI and DDCI weigh, SIPAS averages.
    rules = {"PAPI": "sum", "PAR": "sum", "SIPAS": "mean", "DDCI": "weighted", "PCI": "weighted"}
    for f in frameworks:
        f["total_rule"] = rules[f["index_code"]]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in [("indices.csv", indices), ("frameworks.csv", frameworks), ("criteria.csv", criteria)]:
        with open(OUT / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
