"""Which commune office took over the work of each former district office.

Owns ``data/registry/office_crosswalk.csv``: one row per unit a district plan could name (an
office of the former district, one of its old communes, a group, an outside body) → the unit
of a commune UBND (Nghị định 150/2025/NĐ-CP and the decrees around it) that does that work
since 1/7/2025, with the legal basis in Vietnamese, its source and a confidence. ``status``
says whether a source states the move («căn cứ») or the product proposes it («đề xuất»); an
empty ``commune_unit`` means the unit has no counterpart and nothing is proposed for it (the
``basis`` says why). metrics/proposals.py uses it to propose a commune's lead and supporting
units from its predecessor's plan.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from domain.problems import Problem, ValidationFailed
from domain.text import nfc
from domain.units import UnitRegistry

FILE = "office_crosswalk.csv"
COLUMNS = ["district_unit", "commune_unit", "status", "confidence", "basis", "source"]
SOURCED, PROPOSED = "căn cứ", "đề xuất"
STATUSES = (SOURCED, PROPOSED)
CONFIDENCES = ("cao", "trung bình", "thấp")


def load(registry_dir: Path, units: UnitRegistry) -> pd.DataFrame:
    """The crosswalk, checked against the unit registry (every problem at once, with its row
    and column): a district unit exists and is not a commune's own; a commune unit is empty or
    a unit a commune plan can name (level commune, or of every level); status, confidence,
    basis and source are filled in as the columns above say."""
    path = Path(registry_dir) / FILE
    f = str(path)
    problems: list[Problem] = []
    rows = _rows(path, problems)
    out, seen = [], set()
    for row_no, row in rows:
        r = {k: nfc(row.get(k)) for k in COLUMNS}
        old, new = r["district_unit"], r["commune_unit"]
        unit = units.find(old)
        if unit is None:
            problems.append(Problem(f, f"mã đơn vị «{old}» không có trong units.csv", row=row_no, column="district_unit"))
        elif unit.level == "commune":
            problems.append(Problem(f, f"«{old}» đã là cơ quan cấp xã: không cần đối chiếu", row=row_no,
                                    column="district_unit"))
        if old in seen:
            problems.append(Problem(f, f"«{old}» có hơn một dòng: mỗi đơn vị một dòng", row=row_no, column="district_unit"))
        seen.add(old)
        target = units.find(new) if new else None
        if new and (target is None or target.level not in ("", "commune")):
            problems.append(Problem(f, f"«{new}» không phải đơn vị cấp xã (hoặc dùng chung mọi cấp) trong units.csv",
                                    row=row_no, column="commune_unit"))
        if r["status"] not in STATUSES:
            problems.append(Problem(f, f"tình trạng «{r['status']}» không hợp lệ; dùng «{SOURCED}» (có văn bản nêu) "
                                       f"hoặc «{PROPOSED}» (đề xuất của sản phẩm)", row=row_no, column="status"))
        if r["confidence"] not in CONFIDENCES:
            problems.append(Problem(f, f"độ tin cậy «{r['confidence']}» không hợp lệ; dùng một trong: "
                                       f"{', '.join(CONFIDENCES)}", row=row_no, column="confidence"))
        for col in ("basis", "source"):
            if not r[col]:
                problems.append(Problem(f, "thiếu " + ("căn cứ, lý do" if col == "basis" else "nguồn"), row=row_no,
                                        column=col))
        out.append(r)
    if problems:
        raise ValidationFailed(problems)
    return pd.DataFrame(out, columns=COLUMNS)


def _rows(path: Path, problems: list[Problem]) -> list[tuple[int, dict]]:
    """The file's rows with their spreadsheet row numbers (header = row 1); utf-8-sig because
    a file saved again from Excel starts with a BOM."""
    if not path.exists():
        problems.append(Problem(str(path), "không tìm thấy tệp"))
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in [nfc(h) for h in reader.fieldnames or []]]
        if missing:
            problems.append(Problem(str(path), f"thiếu cột: {', '.join(missing)}", row=1))
            return []
        reader.fieldnames = [nfc(h) for h in reader.fieldnames]
        return [(reader.line_num, row) for row in reader if any(nfc(v) for v in row.values() if isinstance(v, str))]
