"""Adopting a plan in the app (store/adoption.py, access/upload.receive_plan, ui/plan_adoption.py):
the draft of «Trọng tâm năm tới», or a signed file, becomes the commune's plan of record through
the write path — checked, locked, logged, undoable; re-adopting keeps the reports on unchanged
duties; a rebuild keeps the plan; a dissolved issuer and a foreign account are refused with
nothing written."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access.auth import Scope, hash_password
from domain.problems import ValidationFailed
from store import history
from store.adoption import adopt_plan, plan_id_for
from store.progress import duties, save_reports
from tests.conftest import ROOT, file_digest, sign_in

TAY_DO = "VN-38-15361"  # no plan of its own: units proposed from the former district's plan
DISTRICT = "VN-38-393"
TODAY = date(2026, 12, 7)
COORDINATOR = Scope("Lê Văn Hóa", "phong_van_hoa_xa_hoi", TAY_DO)
PLAN = plan_id_for(TAY_DO, 2027, 2027)


def draft(con, tmp_path: Path, *, lead: str | None = None, name: str = "du-thao.docx") -> Path:
    """The draft «Trọng tâm năm tới» builds for xã Tây Đô from its 2025 results (first ten
    criteria), optionally with another lead unit on the first criterion."""
    from exports.briefing import task_rows_of
    from exports.plan_document import gather_plan_document, plan_document_docx
    from metrics import criteria, proposals
    from metrics.plan_draft import draft_rows

    focus = proposals.with_units(criteria.focus_list(con, TAY_DO, 2025), proposals.proposal(con, TAY_DO)).head(10)
    split = [proposals.one_lead(a, b) for a, b in zip(focus.lead_units, focus.support_units)]
    focus["lead_units"], focus["support_units"] = [a for a, _ in split], [b for _, b in split]
    if lead:
        focus.at[focus.index[0], "lead_units"] = [lead]
    rows = task_rows_of(draft_rows(con, focus, TAY_DO))
    path = tmp_path / name
    path.write_bytes(plan_document_docx(gather_plan_document(con, TAY_DO, 2025, edited_rows=rows, today=TODAY)))
    return path


def first_criterion(con) -> tuple[str, str]:
    """(index, code) of the draft's first criterion: the one ``draft(lead=…)`` gives another lead."""
    from metrics import criteria

    first = criteria.focus_list(con, TAY_DO, 2025).iloc[0]
    return first.index_code, first.criterion_code


def adopt(path: Path, db: Path, **kw):
    args = dict(number="125/KH-UBND", signed_on=date(2026, 12, 5), signer="Nguyễn Văn An", user="web: Lê Văn Hóa",
                scope=COORDINATOR, db_file=db, today=TODAY)
    return adopt_plan(path, TAY_DO, **{**args, **kw})


def rows(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(sql, list(params)).fetchall()


def test_the_draft_becomes_the_communes_plan_through_the_write_path(con, db_copy, tmp_path):
    result = adopt(draft(con, tmp_path), db_copy)
    assert (result.plan_id, result.year_from, result.year_to, result.replaced) == (PLAN, 2027, 2027, False)
    assert rows(db_copy, "SELECT entity_code, issuer, year_from FROM plans WHERE plan_id = ?", PLAN) == \
        [(TAY_DO, "UBND xã Tây Đô", 2027)]
    assert rows(db_copy, "SELECT number, signed_on, signer, adopted_by, is_illustrative FROM plan_adoptions "
                         "WHERE plan_id = ?", PLAN) == [("125/KH-UBND", date(2026, 12, 5), "Nguyễn Văn An",
                                                         "web: Lê Văn Hóa", False)]
    assert rows(db_copy, "SELECT action, user_name, note FROM import_log ORDER BY import_id DESC LIMIT 1") == \
        [("adopt-plan", "web: Lê Văn Hóa", PLAN)]
    # the offices now owe duties under it, and the commune's own plan wins over the proposal
    with duckdb.connect(str(db_copy), read_only=True) as c:
        d = duties(c, PLAN)
        assert len(d) and {"phong_van_hoa_xa_hoi", "vp_hdnd_ubnd_xa"} <= set(d.unit_code)
        from metrics import progress

        assert PLAN in set(progress.plans_for(c, TAY_DO).plan_id)


def test_readopting_keeps_the_reports_on_unchanged_duties(con, db_copy, tmp_path):
    first = draft(con, tmp_path)
    adopt(first, db_copy)
    with duckdb.connect(str(db_copy), read_only=True) as c:
        d = duties(c, PLAN)
    leads = d[(d.role == "lead") & (d.item_kind == "criterion")].sort_values(["index_code", "item_code", "unit_code"])
    index, code = first_criterion(con)
    first = (leads.index_code == index) & (leads.item_code == code)
    moved = leads[first].iloc[0]  # the first criterion's lead: its duty moves to another office below
    kept = leads[~first].iloc[0]
    reports = [{"plan_id": PLAN, "item_kind": r.item_kind, "index_code": r.index_code, "item_code": r.item_code,
                "unit_code": r.unit_code, "year": 2027, "period": "Q1", "status": "in_progress",
                "done_text": "Đang làm", "evidence": "", "obstacles": ""} for r in (moved, kept)]
    import pandas as pd

    save_reports(db_copy, pd.DataFrame(reports), user="web: Quản trị", scope=Scope("Quản trị", None))
    other = "Trung tâm Phục vụ hành chính công" if moved.unit_code != "trung_tam_phvu_hcc_xa" else "Phòng Kinh tế"
    again = adopt(draft(con, tmp_path, lead=other, name="ban-sua.docx"), db_copy)
    assert again.replaced and (again.reports_kept, again.reports_dropped) == (1, 1)
    left = rows(db_copy, "SELECT item_code, unit_code FROM progress_reports WHERE plan_id = ?", PLAN)
    assert left == [(kept.item_code, kept.unit_code)]
    assert rows(db_copy, "SELECT rows_replaced FROM import_log ORDER BY import_id DESC LIMIT 1") == [(1,)]
    # undone by the account that adopted it: the first version and both reports are back
    history.undo(db_copy, user="web: Lê Văn Hóa", owner="web: Lê Văn Hóa", actions=("adopt-plan",))
    assert len(rows(db_copy, "SELECT * FROM progress_reports WHERE plan_id = ?", PLAN)) == 2


@pytest.mark.parametrize("kw, words", [
    (dict(number=""), "chưa ghi số kế hoạch"),
    (dict(signer=" "), "chưa ghi người ký"),
    (dict(signed_on=date(2026, 12, 9)), "ở sau hôm nay"),
    (dict(scope=Scope("Trần Kinh Tế", "phong_kinh_te_xa", TAY_DO)), "không ban hành được kế hoạch"),
    (dict(scope=Scope("Lê Văn Hóa", "phong_van_hoa_xa_hoi", "VN-38-15349")), "không ban hành được kế hoạch"),
])
def test_a_refused_adoption_writes_nothing(con, db_copy, tmp_path, kw, words):
    path = draft(con, tmp_path)
    before = file_digest(db_copy)
    with pytest.raises(ValidationFailed) as exc:
        adopt(path, db_copy, **kw)
    assert words in exc.value.report()
    assert file_digest(db_copy) == before


def test_the_former_district_cannot_adopt_a_plan_and_is_told_its_successors(con, db_copy, tmp_path):
    path = draft(con, tmp_path)
    before = file_digest(db_copy)
    with pytest.raises(ValidationFailed) as exc:
        adopt_plan(path, DISTRICT, number="1/KH-UBND", signed_on=date(2026, 12, 1), signer="A", db_file=db_copy,
                   today=TODAY)
    text = exc.value.report()
    assert "UBND huyện Vĩnh Lộc không còn từ 01/7/2025" in text
    assert all(n in text for n in ("Xã Vĩnh Lộc", "Xã Biện Thượng", "Xã Tây Đô"))
    assert file_digest(db_copy) == before


def test_a_rebuild_keeps_an_adopted_plan_and_its_reports(con, db_copy, tmp_path):
    import pandas as pd

    from store.build import build

    adopt(draft(con, tmp_path), db_copy)
    with duckdb.connect(str(db_copy), read_only=True) as c:
        d = duties(c, PLAN).iloc[0]
    save_reports(db_copy, pd.DataFrame([{"plan_id": PLAN, "item_kind": d.item_kind, "index_code": d.index_code,
                                         "item_code": d.item_code, "unit_code": d.unit_code, "year": 2027,
                                         "period": "Q1", "status": "done", "done_text": "Xong", "evidence": "",
                                         "obstacles": ""}]), user="web: Quản trị", scope=Scope("Quản trị", None))
    tables = ("plans", "plan_assignments", "plan_adoptions", "crosswalk")
    before = {t: rows(db_copy, f"SELECT * FROM {t} WHERE plan_id = ? ORDER BY ALL", PLAN) for t in tables}
    build(db_copy)
    assert {t: rows(db_copy, f"SELECT * FROM {t} WHERE plan_id = ? ORDER BY ALL", PLAN) for t in tables} == before
    assert rows(db_copy, "SELECT status FROM progress_reports WHERE plan_id = ?", PLAN) == [("done",)]


# ---------------------------------------------------------------- the page

def focus_page(entity: str, user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "trong_tam.py"), default_timeout=180)
    at.secrets["auth"] = {"users": {u: hash_password("mat-khau-kiem-thu") for u in ("Lê Văn Hóa", "Trần Kinh Tế")},
                          "units": {"Lê Văn Hóa": f"{TAY_DO}/phong_van_hoa_xa_hoi",
                                    "Trần Kinh Tế": f"{TAY_DO}/phong_kinh_te_xa"}}
    at.session_state["entity"] = entity
    if user:
        sign_in(at, user)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "success", "error", "expander")
                     for e in at.get(kind) if hasattr(e, "value"))


def test_the_coordinator_adopts_the_draft_on_the_page(db_copy, app_database):
    app_database(db_copy)
    at = focus_page(TAY_DO, "Lê Văn Hóa")
    form = {t.label: t for t in at.text_input}
    form["Số kế hoạch"].input("130/KH-UBND")
    form["Người ký (họ và tên)"].input("Nguyễn Văn An")
    next(b for b in at.button if b.label.startswith("Ban hành kế hoạch năm")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(s.value for s in at.success).replace("\\", "")  # markdown escapes of plain text
    assert "Đã ban hành Kế hoạch số 130/KH-UBND" in said and "«Tiến độ»" in said
    year = rows(db_copy, "SELECT year_from FROM plans WHERE entity_code = ?", TAY_DO)
    assert year and rows(db_copy, "SELECT number, signer FROM plan_adoptions WHERE plan_id = ?",
                         plan_id_for(TAY_DO, year[0][0], year[0][0])) == [("130/KH-UBND", "Nguyễn Văn An")]
    assert any(e.label == "Hoàn tác lần ban hành vừa rồi" for e in at.expander)


def test_an_office_that_does_not_coordinate_is_told_and_can_sign_out(fresh_caches):
    at = focus_page(TAY_DO, "Trần Kinh Tế")
    assert "Tài khoản này không ban hành được kế hoạch của UBND xã Tây Đô" in texts(at)
    assert not [b for b in at.button if b.label.startswith("Ban hành kế hoạch năm")]
    assert any(b.label == "Đăng xuất" for b in at.button)


def test_the_former_district_gets_no_document_and_is_shown_its_successors(fresh_caches):
    at = focus_page(DISTRICT)
    said = texts(at)
    assert "UBND huyện Vĩnh Lộc không còn từ 01/7/2025" in said and "Xã Tây Đô" in said
    assert not at.get("download_button")
