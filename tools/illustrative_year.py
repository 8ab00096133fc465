"""The commune's year, ILLUSTRATIVE: the 2026 plan of xã Vĩnh Lộc and its offices' reports.

So that a newcomer on 7/12/2026 finds the loop running — a plan of the commune's own, its
offices' reports for quý I, 6 tháng and quý III of 2026, and the annual period (due 20/12)
with everyone still to report — this writes, from the built database:

- ``data/illustrative/ke-hoach-xa-vinh-loc-2026-minh-hoa.docx``: the plan drafted by the
  product's own path, as «Trọng tâm năm tới» drafts it on 15/12/2025 from the 2025 results
  (the focus list's first ten criteria, one lead unit each, proposed from the former district's
  plan through data/registry/office_crosswalk.csv), every task's text marked «[Minh họa]» and
  the red notice on every page; then adopted through store.adoption.adopt_plan (the checks,
  the number, the date and the signer the app asks for) on a scratch copy of the database;
- ``data/illustrative/xa_vinh_loc_progress_2026_illustrative.csv``: reports on that plan's
  duties (domain.illustrative.progress_reports: every text «[Minh họa]», about one office in
  four silent in quý III).

The build loads both (data/manifest.csv) and gives the plan its adoption row from
data/plans.csv (``store.build.shipped_adoption``). Run by ``python -m loaders illustrative``;
tests/test_commune_year.py checks that the shipped files are what this writes today.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from domain.illustrative import PROGRESS_FIELDS, progress_reports, write

ENTITY = "VN-38-15349"                 # Xã Vĩnh Lộc
RESULTS_YEAR = 2025
DRAFTED_ON = date(2025, 12, 15)        # «Trọng tâm năm tới» drafts the 2026 plan from the 2025 results
CHOSEN = 10                            # the page's default: the first ten criteria of the focus list
PLAN_FILE = "ke-hoach-xa-vinh-loc-2026-minh-hoa.docx"
REPORTS_FILE = "xa_vinh_loc_progress_2026_illustrative.csv"
PERIODS = [(2026, "Q1"), (2026, "H1"), (2026, "Q3")]  # the annual report (due 20/12) not yet in
MARK = "[Minh họa] "


def adoption(data_dir: Path) -> dict:
    """Number, date and signer of the shipped plan: its row of data/plans.csv."""
    from domain.vocabulary import plan_row
    from store.adoption import plan_id_for

    row = plan_row(plan_id_for(ENTITY, RESULTS_YEAR + 1, RESULTS_YEAR + 1), data_dir)
    if row is None:
        raise KeyError(f"data/plans.csv không có dòng {plan_id_for(ENTITY, RESULTS_YEAR + 1, RESULTS_YEAR + 1)}")
    return row


def draft_docx(con, signed: dict) -> bytes:
    """The plan as «Trọng tâm năm tới» would give it on DRAFTED_ON, with the adoption's fields."""
    from exports.briefing import task_rows_of
    from exports.plan_document import gather_plan_document, plan_document_docx
    from metrics import criteria, proposals
    from metrics.plan_draft import draft_rows

    focus = proposals.with_units(criteria.focus_list(con, ENTITY, RESULTS_YEAR), proposals.proposal(con, ENTITY))
    split = [proposals.one_lead(lead, support) for lead, support in zip(focus.lead_units, focus.support_units)]
    focus["lead_units"] = [lead for lead, _ in split]
    focus["support_units"] = [support for _, support in split]
    rows = task_rows_of(draft_rows(con, focus.head(CHOSEN), ENTITY))
    plan = gather_plan_document(con, ENTITY, RESULTS_YEAR, edited_rows=rows, today=DRAFTED_ON,
                                plan_number=signed["number"], signed_on=date.fromisoformat(signed["signed_on"]),
                                signer_name=signed["signer"], mark=MARK)
    return plan_document_docx(plan)


def generate(db_file: Path, root: Path) -> list[Path]:
    """Write the plan and the reports (see the module docstring) from the database ``db_file``."""
    from store import db
    from store.adoption import adopt_plan
    from store.progress import duties

    data_dir = root / "data"
    signed = adoption(data_dir)
    out = data_dir / "illustrative"
    with tempfile.TemporaryDirectory(prefix="chiso-illustrative-") as tmp:
        scratch = Path(tmp) / "chiso.duckdb"
        shutil.copyfile(db_file, scratch)
        rw = duckdb.connect(str(scratch))
        try:  # drafted as if the plan were not there yet: the shipped one is what this makes
            db.run_script(rw, "delete_plan.sql", {"plan_id": signed["plan_id"]})
            rw.execute("DELETE FROM progress_reports WHERE plan_id = ?", [signed["plan_id"]])
            data = draft_docx(rw, signed)
        finally:
            rw.close()
        plan = out / PLAN_FILE
        plan.write_bytes(data)
        adopted = adopt_plan(plan, ENTITY, number=signed["number"], signed_on=date.fromisoformat(signed["signed_on"]),
                             signer=signed["signer"], user="minh họa", db_file=scratch, data_dir=data_dir,
                             today=date.fromisoformat(signed["signed_on"]), illustrative=True)
        if adopted.plan_id != signed["plan_id"]:
            raise ValueError(f"kế hoạch minh họa thành «{adopted.plan_id}», data/plans.csv ghi «{signed['plan_id']}»")
        con = db.open_read_only(scratch)
        try:
            # in a fixed order: the reports are drawn at random from the duties, with a fixed seed
            plan_duties = duties(con, adopted.plan_id).sort_values(PROGRESS_FIELDS[:5]).reset_index(drop=True)
        finally:
            con.close()
    reports = out / REPORTS_FILE
    write(progress_reports(plan_duties, periods=PERIODS), reports, PROGRESS_FIELDS)
    return [plan, reports]
