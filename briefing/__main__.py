"""python -m briefing {deck,tasks,report} --entity NAME --year YEAR --out FILE.

Every export is built from metrics/ (exports/briefing.py), so it shows exactly what the
dashboard shows. Exit 2 on a name, criterion or file type that is not recognised.

``--format json``: one object on stdout at the end instead of the Vietnamese line,
``{"out": path, "kind": "deck"|"tasks"|"report", "rows" (tasks) / "slides" (deck), "bytes",
"seconds"}``; a failure prints ``{"error": "<Vietnamese message>", "exit": code}``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from exports.briefing import gather, task_layout, task_rows
from cli.common import Clock, Parser, emit_json, fail, format_parent, parse, progress as _progress, refuse, run, say
from domain.problems import InputError
from store.db import ReadOnlyDatabase
from domain.entities import EntityRegistry, authority

TASK_FORMATS = (".xlsx", ".docx", ".csv")


def main(argv: list[str] | None = None) -> int:
    p = Parser(prog="python -m briefing", description="Xuất bản trình chiếu, bảng phân công, báo cáo in.")
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False, parents=[format_parent()])
    common.add_argument("--entity", required=True, help='đơn vị được đánh giá, ví dụ "Vĩnh Lộc"')
    common.add_argument("--year", type=int, required=True, help="năm đánh giá")
    common.add_argument("--out", required=True)
    common.add_argument("--db")
    sub.add_parser("deck", parents=[common], help="bản trình chiếu PowerPoint (.pptx), biểu đồ gốc sửa được")
    s = sub.add_parser("tasks", parents=[common], help="bảng phân công nhiệm vụ năm sau (.xlsx, .docx, .csv)")
    s.add_argument("--criteria", help='mã tiêu chí cách nhau bằng dấu phẩy, ví dụ "3.4,SC62" hoặc "PAR:2"; '
                                      "bỏ trống = danh sách trọng tâm")
    s.add_argument("--plan-number", default="…", help="số kế hoạch ghi ở dòng «Kèm theo Kế hoạch số …»")
    sub.add_parser("report", parents=[common], help="báo cáo in khổ A4 (.html)")
    args = parse(p, argv)
    as_json = args.format == "json"
    clock = Clock()
    out = Path(args.out)

    def done(text: str, **fields) -> None:
        if as_json:
            emit_json({"out": str(out), "kind": args.command, **fields, "bytes": out.stat().st_size,
                       "seconds": clock.seconds()})
        else:
            say(text)

    want = {"deck": (".pptx",), "tasks": TASK_FORMATS, "report": (".html", ".htm")}[args.command]
    if out.suffix.lower() not in want:
        return refuse(f"Tệp «{out.name}»: lệnh {args.command} xuất được {', '.join(want)}.", as_json)
    db = ReadOnlyDatabase(args.db)
    try:
        con = db.cursor()
        reg = EntityRegistry.from_db(con)
        entity = reg.resolve(args.entity)
        if entity is None:
            raise InputError(reg.explain_failure(args.entity))
        name = reg.name(entity)
        level = reg.row(entity).level
        if args.command == "tasks":
            codes = [c for c in (args.criteria or "").split(",") if c.strip()] or None
            rows = task_rows(con, entity, args.year, codes)
            if not rows:
                return refuse("Không có tiêu chí nào để đưa vào bảng (danh sách trọng tâm trống).", as_json)
            from exports.csv_out import task_table_csv
            from exports.task_table import write_task_table

            if out.suffix.lower() == ".csv":
                out.write_bytes(task_table_csv(rows))
            else:
                write_task_table(rows, out, **task_layout(authority(name, level), args.year, args.plan_number,
                                                          illustrative=any(r.is_illustrative for r in rows)))
            done(f"Đã ghi {out}: {len(rows)} tiêu chí.", rows=len(rows))
        else:
            _progress(f"Đang tổng hợp số liệu của {name}, năm {args.year}…")
            b = gather(con, entity, args.year)
            if args.command == "deck":
                from exports.deck import write_deck

                write_deck(b, out)
                fields = {"slides": _slides(out)} if as_json else {}
            else:
                from exports.report import write_report

                write_report(b, out)
                fields = {}
            done(f"Đã ghi {out}.", **fields)
    except Exception as exc:  # noqa: BLE001 - a Vietnamese line, not a traceback
        return fail(exc, as_json)
    finally:
        db.close()
    return 0


def _slides(path: Path) -> int:
    from pptx import Presentation

    return len(Presentation(str(path)).slides)


if __name__ == "__main__":
    run(main)
