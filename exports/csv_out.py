"""CSV for Excel users: UTF-8 with a byte-order mark, every text cell guarded against
being read as a formula."""
from __future__ import annotations

import csv
import io

from exports.task_table import TaskRow, neutralise


def to_csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def task_table_csv(rows: list[TaskRow]) -> bytes:
    return to_csv_bytes(["Chỉ số", "STT", "Lĩnh vực", "Tiêu chí", "Cơ quan chủ trì", "Cơ quan phối hợp",
                         "Thời gian thực hiện"],
                        [[r.index_code, r.code, r.area_name or "", r.name, "; ".join(r.lead_units),
                          "; ".join(r.support_units), r.timing] for r in rows])
