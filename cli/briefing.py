"""The briefing command: python -m briefing {deck,tasks,plan,report,progress} --entity NAME --year YEAR
--out FILE. briefing/__main__.py only runs this module (python -m cli.briefing does the same).

Every export is built from metrics/ (exports/briefing.py), so it shows exactly what the
dashboard shows. Exit 2 on a name, criterion or file type that is not recognised.

``--format json``: one object on stdout at the end instead of the Vietnamese line,
``{"out": path, "kind": "deck"|"tasks"|"plan"|"report", "rows" (tasks, plan) / "slides" (deck), "bytes",
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
    s = sub.add_parser("plan", parents=[common],
                       help="dự thảo kế hoạch năm sau theo thể thức Nghị định 30/2020/NĐ-CP (.docx)")
    s.add_argument("--criteria", help='như lệnh tasks; bỏ trống = danh sách trọng tâm')
    s.add_argument("--plan-number", default="…", help="số kế hoạch ghi ở dòng «Số: …/KH-UBND» và các phụ lục")
    sub.add_parser("report", parents=[common], help="báo cáo in khổ A4 (.html)")
    s = sub.add_parser("progress", parents=[common],
                       help="mục riêng của báo cáo cải cách hành chính: tiến độ thực hiện kế hoạch trong một kỳ (.docx)")
    s.add_argument("--period", required=True, help="kỳ báo cáo: «Quý I»…«Quý IV», «6 tháng», «Năm» (hoặc Q1…Q4, H1, Y)")
    s.add_argument("--plan", help="mã kế hoạch; bỏ trống = kế hoạch của đơn vị (hoặc của đơn vị trước sắp xếp)")
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

    want = {"deck": (".pptx",), "tasks": TASK_FORMATS, "plan": (".docx",), "progress": (".docx",),
            "report": (".html", ".htm")}[args.command]
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
        codes = [c for c in (getattr(args, "criteria", None) or "").split(",") if c.strip()] or None
        if args.command in ("plan", "tasks"):  # a document to sign: never from an issuer that no longer exists
            from datetime import date

            from metrics.catalog import dissolved

            gone = dissolved(con, entity, date.today())
            if gone:
                raise InputError(f"{gone} Ghi --entity là một đơn vị kế thừa để soạn kế hoạch.")
        if args.command == "progress":
            n = _progress_section(con, entity, name, args, out)
            done(f"Đã ghi {out}: mục báo cáo tiến độ, {n} cơ quan chưa báo cáo.", not_reported=n)
        elif args.command == "plan":
            from exports.plan_document import gather_plan_document, write_plan_document

            plan = gather_plan_document(con, entity, args.year, codes, plan_number=args.plan_number)
            if not plan.rows:
                return refuse("Không có tiêu chí nào để đưa vào kế hoạch (danh sách trọng tâm trống).", as_json)
            write_plan_document(plan, out)
            done(f"Đã ghi {out}: dự thảo kế hoạch năm {plan.plan_year}, {len(plan.rows)} tiêu chí.",
                 rows=len(plan.rows))
        elif args.command == "tasks":
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


def _progress_section(con, entity: str, name: str, args, out: Path) -> int:
    """Write the report section of one period; the number of units that did not report."""
    from datetime import date

    from domain.progress import PERIOD_LABEL, parse_period
    from exports.progress_report import write_progress_section
    from metrics import progress

    period = parse_period(args.period)
    if period is None:
        raise InputError(f"Không hiểu kỳ báo cáo «{args.period}»; ghi một trong: {', '.join(PERIOD_LABEL.values())}.")
    plans = progress.plans_for(con, entity)
    plan = args.plan or progress.plan_for_year(plans, args.year)
    if plan is None or plan not in set(progress.plans_with_duties(con).plan_id):
        raise InputError(f"{name} không có kế hoạch giao việc nào" + (f" mã «{args.plan}»" if args.plan else "") + ".")
    ctx = progress.plan_context(con, plan)
    if args.year not in ctx.years:
        raise InputError(f"Năm {args.year} nằm ngoài giai đoạn {ctx.year_from}–{ctx.year_to} của kế hoạch {plan}.")
    today = date.today()
    section = progress.report_section(con, ctx, args.year, period, today)
    write_progress_section(section, out)
    return len(section.not_reported)


def _slides(path: Path) -> int:
    from pptx import Presentation

    return len(Presentation(str(path)).slides)


if __name__ == "__main__":
    run(main)
