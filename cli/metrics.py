"""The metrics command: python -m metrics {ranks,focus,coverage,unit} — the numbers without the UI.
metrics/__main__.py only runs this module (python -m cli.metrics does the same).

Text output is a Vietnamese table with decimal commas; ``--format json`` prints a list of
objects with the documented keys (more keys are fine). Exit 2 when a name is not recognised;
with ``--format json`` a failure prints ``{"error": "<Vietnamese message>", "exit": code}`` on
stdout, as python -m loaders and python -m briefing do (cli/common.py).
"""
from __future__ import annotations

import argparse
import math

import pandas as pd

from cli.common import Parser, fail, format_parent, json_text, parse, run, say
from domain.problems import InputError
from domain.text import format_number
from store.db import ReadOnlyDatabase
from domain import vocabulary
from domain.entities import EntityRegistry
from domain.units import UnitRegistry
from metrics import criteria

INDEX_CODES = list(vocabulary.INDEX_CODES)  # data/frameworks/indices.csv
KEYS = {
    "ranks": ["year", "points", "rank", "n_ranked", "computed", "entity_name", "via_successor", "is_illustrative"],
    "focus": ["index_code", "criterion_code", "criterion_name", "priority", "reasons", "points_recoverable",
              "points_to_next_rank", "lead_units", "support_units", "is_illustrative"],
    "coverage": ["index_code", "criterion_code", "criterion_name"],
    "unit": ["index_code", "plan_code", "criterion_name", "role", "via_group", "published_code", "year",
             "declining", "low_ranked", "no_data", "is_illustrative"],
}
HEADERS = {"year": "Năm", "points": "Điểm", "rank": "Hạng", "n_ranked": "Số đơn vị", "computed": "Hạng tự tính",
           "entity_name": "Đơn vị", "via_successor": "Đơn vị kế thừa", "is_illustrative": "Minh họa",
           "index_code": "Chỉ số", "criterion_code": "Mã", "criterion_name": "Tiêu chí", "priority": "Ưu tiên",
           "reasons": "Lý do", "points_recoverable": "Điểm có thể lấy lại", "points_to_next_rank": "Điểm để lên 1 hạng",
           "lead_units": "Chủ trì", "support_units": "Phối hợp", "plan_code": "Mã KH", "role": "Vai trò",
           "via_group": "Qua nhóm", "published_code": "Mã công bố", "declining": "Đang giảm",
           "low_ranked": "Hạng thấp", "no_data": "Không có số liệu"}
ROLE = {"lead": "chủ trì", "support": "phối hợp"}


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA or v is None:
        return None
    if hasattr(v, "item"):
        return _plain(v.item())
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "tolist"):
        return [_plain(x) for x in v.tolist()]
    return v


def _text(v) -> str:
    v = _plain(v)
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, float):
        return format_number(v)
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    return str(v)


def emit(df: pd.DataFrame, keys: list[str], fmt: str) -> None:
    records = [{k: _plain(r.get(k)) for k in keys} for r in df.to_dict("records")]
    if fmt == "json":
        say(json_text(records, indent=1))
        return
    if not records:
        say("(không có dòng nào)")
        return
    table = [[HEADERS.get(k, k) for k in keys]] + [[_text(r[k]) for k in keys] for r in records]
    widths = [min(48, max(len(row[i]) for row in table)) for i in range(len(keys))]
    for row in table:
        say("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())  # long text is never cut


def resolve_entity(con, name: str) -> str:
    reg = EntityRegistry.from_db(con)
    code = reg.resolve(name)
    if code is None:
        raise InputError(reg.explain_failure(name))
    return code


def main(argv: list[str] | None = None) -> int:
    p = Parser(prog="python -m metrics", description="Xem số liệu chỉ số không cần giao diện.")
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False, parents=[format_parent()])
    common.add_argument("--db")
    s = sub.add_parser("ranks", parents=[common], help="điểm và hạng của một đơn vị qua các năm")
    s.add_argument("--entity", required=True)
    s.add_argument("--index", required=True, choices=INDEX_CODES)
    s = sub.add_parser("focus", parents=[common], help="tiêu chí cần tập trung năm tới")
    s.add_argument("--entity", required=True)
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--index", choices=INDEX_CODES)
    s = sub.add_parser("coverage", parents=[common], help="tiêu chí công bố chưa có đơn vị phụ trách")
    s.add_argument("--index", choices=INDEX_CODES)
    s = sub.add_parser("unit", parents=[common], help="việc một cơ quan chủ trì, phối hợp")
    s.add_argument("name")
    s.add_argument("--year", type=int)
    s.add_argument("--entity", default="Huyện Vĩnh Lộc", help="đơn vị được đánh giá để lấy cờ (mặc định: Huyện Vĩnh Lộc)")
    args = parse(p, argv)

    db = ReadOnlyDatabase(args.db)
    try:
        con = db.cursor()
        if args.command == "ranks":
            emit(criteria.ranks(con, resolve_entity(con, args.entity), args.index), KEYS["ranks"], args.format)
        elif args.command == "focus":
            emit(criteria.focus_list(con, resolve_entity(con, args.entity), args.year, args.index),
                 KEYS["focus"], args.format)
        elif args.command == "coverage":
            emit(criteria.coverage(con, args.index), KEYS["coverage"], args.format)
        elif args.command == "unit":
            entity = resolve_entity(con, args.entity)
            # the units of the entity's level: «Văn phòng HĐND và UBND» is the district's office
            # for a district and the commune's for a commune
            units = UnitRegistry.from_db(con, level=EntityRegistry.from_db(con).level(entity))
            code = units.lookup(args.name)
            if code is None:
                raise InputError(f"không nhận ra cơ quan «{args.name}»; xem data/registry/units.csv và unit_aliases.csv")
            df = criteria.unit_status(con, code, entity, args.year)
            df["role"] = df.role.map(ROLE)
            emit(df, KEYS["unit"], args.format)
    except Exception as exc:  # noqa: BLE001 - a Vietnamese line, not a traceback
        return fail(exc, args.format == "json")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    run(main)
