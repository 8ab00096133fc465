"""The commune's year as shipped: the ILLUSTRATIVE 2026 plan of xã Vĩnh Lộc, drafted and adopted
by the product's own path (tools/illustrative_year.py), and its offices' reports for quý I,
6 tháng and quý III of 2026 — so that on 7/12/2026 the annual period (due 20/12) shows who has
not reported yet."""
from __future__ import annotations

import re
import shutil
from datetime import date

import docx
import pandas as pd
import pytest

from metrics import progress
from tests.conftest import ROOT

VINH_LOC = "VN-38-15349"
PLAN = "KH-2026-VN-38-15349"
ILLUSTRATIVE = ROOT / "data" / "illustrative"
TODAY = date(2026, 12, 7)


def test_the_plan_is_the_communes_adopted_illustrative_plan_for_2026(con):
    plan = con.execute("SELECT entity_code, issuer, year_from, year_to, title FROM plans WHERE plan_id = ?",
                       [PLAN]).fetchone()
    assert plan[:4] == (VINH_LOC, "UBND xã Vĩnh Lộc", 2026, 2026) and plan[4].startswith("[Minh họa]")
    adopted = con.execute("SELECT number, signed_on, is_illustrative FROM plan_adoptions WHERE plan_id = ?",
                          [PLAN]).fetchone()
    assert adopted == ("01/KH-UBND", date(2025, 12, 26), True)  # signed in the year before the plan's
    assert PLAN in set(progress.plans_for(con, VINH_LOC).plan_id)


def test_every_text_of_the_shipped_plan_and_reports_says_it_is_illustrative():
    document = docx.Document(str(ILLUSTRATIVE / "ke-hoach-xa-vinh-loc-2026-minh-hoa.docx"))
    tasks = [p.text for p in document.paragraphs if re.match(r"^(\[Minh họa\] )?\(\d+\) ", p.text)]
    assert len(tasks) == 10 and all(t.startswith("[Minh họa] (") for t in tasks)
    assert all("SỐ LIỆU MINH HỌA" in " ".join(p.text for p in s.header.paragraphs) for s in document.sections)
    reports = pd.read_csv(ILLUSTRATIVE / "xa_vinh_loc_progress_2026_illustrative.csv", dtype=str, keep_default_na=False)
    for col in ("done_text", "evidence", "obstacles"):
        filled = reports[col][reports[col] != ""]
        assert filled.str.startswith("[Minh họa]").all(), col


def test_most_offices_reported_each_quarter_and_nobody_the_year_yet(con):
    ctx = progress.plan_context(con, PLAN)
    assert progress.default_period(ctx, TODAY) == ("Y", 2026)
    for period in ("Q1", "H1", "Q3"):
        who = progress.who_reported(con, ctx, 2026, period, TODAY)
        assert (who.n_reported > 0).sum() >= len(who) * 3 / 4 and len(who) >= 4, period
    year = progress.who_reported(con, ctx, 2026, "Y", TODAY)
    assert len(year) >= 4 and (year.n_reported == 0).all() and not year.late.any()  # due 20/12: not late yet
    q3 = progress.who_reported(con, ctx, 2026, "Q3", TODAY)
    assert q3.late.any()  # someone did not report quý III in time


@pytest.mark.slow
def test_the_shipped_files_are_what_the_generator_writes(built_db, tmp_path):
    """Regenerated on the built database, the reports are the same bytes and the plan assigns
    the same units to the same criteria (a .docx carries its own creation time)."""
    from loaders.plan import load_plan
    from tools.illustrative_year import PLAN_FILE, REPORTS_FILE, generate

    root = tmp_path / "root"
    shutil.copytree(ROOT / "data", root / "data")
    generate(built_db, root)
    fresh = root / "data" / "illustrative"
    assert (fresh / REPORTS_FILE).read_bytes() == (ILLUSTRATIVE / REPORTS_FILE).read_bytes()

    def task_map(path):
        doc = load_plan(path)
        return [(c.index_code, c.code, c.name, c.lead_text, c.support_text) for c in doc.criteria]

    assert task_map(fresh / PLAN_FILE) == task_map(ILLUSTRATIVE / PLAN_FILE)
