"""Adopting a plan: the commune's plan of record for a year, made in the app.

The coordinating unit (Phòng Văn hóa - Xã hội of a commune, data/progress/coordinators.csv)
or an administrator turns the draft of «Trọng tâm năm tới» — or the signed .docx/.xlsx the
commune issued — into the entity's plan: its number, the date it was signed and its signer
are kept with it (table ``plan_adoptions``), and its duties become what the offices report on.

It is a write like every import (store/db.writable_copy: checked before anything is
written, under the write lock, into a copy swapped in whole, logged as «adopt-plan»,
undoable). The plan's year comes from the document's title («… năm 2027»), and the plan's
code from the entity and that year (``plan_id_for``), so that adopting a corrected version
replaces the plan of that year: the reports on duties the new version still has are kept,
those on duties it dropped are removed and counted. A dissolved entity (the former district)
cannot adopt a plan: the refusal names its successors.

``store.build.record_adoption`` writes the adoption row; the build calls it too, for a plan
shipped with its adoption (data/plans.csv columns number, signed_on, signer: the illustrative
plan of xã Vĩnh Lộc).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.entities import EntityRegistry, authority, ended_text
from domain.problems import Problem, ValidationFailed
from domain.text import nfc
from domain.vocabulary import DATA_DIR
from loaders import guard
from loaders.plan import plan_period, plan_title
from loaders.read import Context
from store import db
from store.audit import log_write, sha256
from store.build import load_plan_into, record_adoption

ACTION = "adopt-plan"
REPORT_KEY = ["plan_id", "item_kind", "index_code", "item_code", "unit_code"]


@dataclass(frozen=True)
class Adoption:
    plan_id: str
    entity_code: str
    year_from: int
    year_to: int
    title: str
    number: str
    signed_on: date
    signer: str
    duties: int           # assignments read from the document (criterion or task × unit)
    replaced: bool        # a plan of the same year was there and is replaced
    reports_kept: int     # reports on duties the new version still has
    reports_dropped: int  # reports on duties it no longer has


def plan_id_for(entity_code: str, year_from: int, year_to: int) -> str:
    """The code of an entity's adopted plan for a year (or a period): «KH-2027-VN-38-15349»,
    «KH-2026-2030-VN-38-15349». One plan of record per entity and period."""
    years = f"{year_from}" if year_from == year_to else f"{year_from}-{year_to}"
    return f"KH-{years}-{entity_code}"


def dissolved_text(reg: EntityRegistry, entity_code: str, today: date) -> str | None:
    """Why ``entity_code`` cannot issue a document today (domain.entities.ended_text); None
    when it still exists."""
    row = reg.row(entity_code)
    after = [reg.name(c) for c in reg.successors_of(entity_code) if c in reg.codes()]
    return ended_text(row["name"], row["level"], row.get("valid_to", ""), after, today)


def _period_of(path: Path, name: str) -> tuple[str, int, int]:
    title = plan_title(path)
    period = plan_period(title) if title else None
    if period is None:
        said = f"tiêu đề «{title}» không ghi năm" if title else "không tìm thấy tiêu đề (dòng bắt đầu bằng «Kế hoạch»)"
        raise ValidationFailed([Problem(name, f"không biết kế hoạch cho năm nào: {said}; tiêu đề cần ghi rõ «năm 2027» "
                                              "hay «giai đoạn 2026 - 2030»")])
    return title, period[0], period[1]


def _check_meta(name: str, number: str, signed_on: date | None, signer: str, year_from: int,
                today: date) -> list[Problem]:
    problems = []
    if not number:
        problems.append(Problem(name, "chưa ghi số kế hoạch (ví dụ «125/KH-UBND»)", column="Số kế hoạch"))
    if not signer:
        problems.append(Problem(name, "chưa ghi người ký (họ và tên)", column="Người ký"))
    if signed_on is None:
        problems.append(Problem(name, "chưa ghi ngày ký", column="Ngày ký"))
    elif signed_on > today:
        problems.append(Problem(name, f"ngày ký {signed_on:%d/%m/%Y} ở sau hôm nay", column="Ngày ký"))
    elif signed_on.year < year_from - 1:
        problems.append(Problem(name, f"ngày ký {signed_on:%d/%m/%Y} sớm hơn năm trước năm của kế hoạch ({year_from})",
                                column="Ngày ký"))
    return problems


def _report_keys(con, plan_id: str) -> set[tuple]:
    return set(con.execute(f"SELECT {', '.join(REPORT_KEY)} FROM progress_reports WHERE plan_id = ?",
                           [plan_id]).fetchall())


def _duty_keys(con, plan_id: str) -> set[tuple]:
    duties = con.execute(db.sql("plan_duties.sql"), {"plan_id": plan_id}).df()
    return set(map(tuple, duties[REPORT_KEY].itertuples(index=False, name=None))) if len(duties) else set()


def adopt_plan(path: Path, entity_code: str, *, number: str, signed_on: date | None, signer: str,
               user: str | None = None, scope=None, source_name: str | None = None, db_file: Path | None = None,
               data_dir: Path = DATA_DIR, today: date | None = None, illustrative: bool = False) -> Adoption:
    """Make the plan in ``path`` (.docx, .xlsx or .md, in the layout of the draft) the plan of
    record of ``entity_code`` for the year its title states. ``scope`` (access.auth.Scope, the
    web page's account): refused unless it coordinates the entity's plans or administers;
    None: the command line. Nothing is written when anything is refused (ValidationFailed)."""

    today = today or date.today()
    target = db.db_path(db_file)
    name = nfc(source_name or path.name)
    ctx = Context(data_dir)
    reg = ctx.reg
    if entity_code not in reg.codes():
        raise ValidationFailed([Problem(name, "đơn vị ban hành kế hoạch: " + reg.explain_failure(entity_code))])
    gone = dissolved_text(reg, entity_code, today)
    if gone:
        raise ValidationFailed([Problem(name, gone)])
    if scope is not None:
        from domain.progress import coordinator_for

        if not scope.sees_all(entity_code, coordinator_for(reg.level(entity_code))):
            raise ValidationFailed([Problem(name, "tài khoản này không ban hành được kế hoạch của "
                                                  f"{authority(reg.name(entity_code), reg.level(entity_code))}: chỉ cơ "
                                                  "quan đầu mối về cải cách hành chính của đơn vị (hoặc quản trị viên)")])
    guard.check_file(path, name, ctx.limits)
    title, year_from, year_to = _period_of(path, name)
    number, signer = nfc(number or "").strip(), nfc(signer or "").strip()
    problems = _check_meta(name, number, signed_on, signer, year_from, today)
    if problems:
        raise ValidationFailed(problems)
    plan_id = plan_id_for(entity_code, year_from, year_to)
    from domain.units import UnitRegistry

    units = UnitRegistry.load(data_dir / "registry")
    digest = sha256(path)
    with db.writable_copy(target, action=ACTION, limits=ctx.limits) as con:
        replaced = con.execute("SELECT count(*) FROM plans WHERE plan_id = ?", [plan_id]).fetchone()[0] > 0
        before = _report_keys(con, plan_id)
        n = load_plan_into(con, path, plan_id, ctx, units, name, entity_code)
        stale = before - _duty_keys(con, plan_id)
        for key in stale:
            con.execute(f"DELETE FROM progress_reports WHERE {' AND '.join(f'{c} = ?' for c in REPORT_KEY)}", list(key))
        record_adoption(con, plan_id, number=number, signed_on=signed_on, signer=signer, adopted_by=user or "",
                        document=name, illustrative=illustrative)
        log_write(con, ACTION, name, digest, None, n, n, len(stale), plan_id, user)
    return Adoption(plan_id, entity_code, year_from, year_to, title, number, signed_on, signer, n, replaced,
                    len(before) - len(stale), len(stale))
