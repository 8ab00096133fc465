"""Who may see and undo what in the reporting loop:

- a unit undoes only its own write, checked under the write lock, also when another unit saves
  at the same moment (a race of many rounds finds no cross-undo);
- the write log shows progress-report activity only to those who may see those reports, and
  no account names to an anonymous visitor;
- an account is tied to (entity, unit): one commune's office never reads or writes another
  commune's reports, although every commune's office has the same unit code."""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access.auth import Scope, hash_password
from domain.problems import ValidationFailed
from metrics.inventory import import_log
from store import history
from store.progress import save_reports
from tests.conftest import file_digest, sign_in

ROOT = Path(__file__).resolve().parents[1]
PLAN = "VL-2023-2025"  # the district's plan, shipped
DISTRICT, VINH_LOC, TAY_DO = "VN-38-393", "VN-38-15349", "VN-38-15361"
TU_PHAP, TAI_CHINH = "phong_tu_phap", "phong_tai_chinh_ke_hoach"


def row(unit: str, index: str, code: str, text: str, period: str = "Q1") -> pd.DataFrame:
    return pd.DataFrame([{"plan_id": PLAN, "item_kind": "criterion", "index_code": index, "item_code": code,
                          "unit_code": unit, "year": 2024, "period": period, "status": "done", "done_text": text}])


def duty_of(con, unit: str) -> tuple[str, str]:
    index, code = con.execute("SELECT index_code, item_code FROM (" + _duties_sql() + ") WHERE unit_code = ? "
                              "AND item_kind = 'criterion' ORDER BY index_code, item_code LIMIT 1", [unit]).fetchone()
    return index, code


def _duties_sql() -> str:
    from store.db import sql

    return sql("plan_duties.sql").replace("$plan_id", f"'{PLAN}'")


@pytest.fixture()
def duties(db_copy):
    with duckdb.connect(str(db_copy), read_only=True) as c:
        return {u: duty_of(c, u) for u in (TU_PHAP, TAI_CHINH)}


def reports(path: Path, unit: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as c:
        return c.execute("SELECT item_code, period, done_text FROM progress_reports WHERE unit_code = ? "
                         "AND NOT is_illustrative ORDER BY ALL", [unit]).fetchall()


# ---------------------------------------------------------------- 1. undo only one's own write


def test_a_unit_cannot_undo_a_write_made_after_its_own(db_copy, duties):
    save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "Tư pháp xong"), user="web: TP")
    save_reports(db_copy, row(TAI_CHINH, *duties[TAI_CHINH], "Tài chính xong"), user="web: TC")
    before = file_digest(db_copy)
    with pytest.raises(history.NotYours) as e:
        history.undo(db_copy, user="web: TP", owner="web: TP", actions=("report", "import-report"))
    assert "không phải lần lưu của tài khoản này" in e.value.report() and "Cơ sở dữ liệu không thay đổi" in e.value.report()
    assert file_digest(db_copy) == before  # nothing written, not even a log row
    # its own write, once it is the last, is undone
    history.undo(db_copy, user="web: TC", owner="web: TC", actions=("report", "import-report"))
    assert reports(db_copy, TAI_CHINH) == [] and len(reports(db_copy, TU_PHAP)) == 1


def test_racing_saves_and_undos_never_undo_another_units_write(db_copy, duties):
    """Tư pháp saves, then undoes while Tài chính saves at the same moment, round after round.
    Whichever gets the lock first, Tài chính's report is never removed by Tư pháp's undo."""
    rounds = 12
    refused = 0
    for i in range(rounds):
        save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], f"Tư pháp lần {i}"), user="web: TP")
        start = threading.Barrier(2)
        outcome = {}

        def undo_tp():
            start.wait()
            try:
                history.undo(db_copy, user="web: TP", owner="web: TP", actions=("report", "import-report"))
                outcome["undo"] = "done"
            except history.NotYours:
                outcome["undo"] = "refused"

        def save_tc():
            start.wait()
            save_reports(db_copy, row(TAI_CHINH, *duties[TAI_CHINH], f"Tài chính lần {i}"), user="web: TC")

        threads = [threading.Thread(target=undo_tp), threading.Thread(target=save_tc)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        refused += outcome["undo"] == "refused"
        assert reports(db_copy, TAI_CHINH) == [(duties[TAI_CHINH][1], "Q1", f"Tài chính lần {i}")], i
    with duckdb.connect(str(db_copy), read_only=True) as c:
        undone = c.execute("SELECT user_name, note FROM import_log WHERE action = 'undo'").fetchall()
    assert undone and all("(web: TP," in note for who, note in undone if who == "web: TP")  # only its own
    assert refused + len(undone) == rounds


# ---------------------------------------------------------------- 3. the log shows report activity to its readers


def test_the_write_log_hides_report_activity_and_names_from_anonymous_visitors(db_copy, duties):
    save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "Tư pháp xong"), user="web: TP")
    save_reports(db_copy, row(TAI_CHINH, *duties[TAI_CHINH], "Tài chính xong"), user="web: TC")
    history.undo(db_copy, user="web: TC", owner="web: TC")
    with duckdb.connect(str(db_copy), read_only=True) as c:
        everything = import_log(c, everything=True, names=True)
        anonymous = import_log(c)
        tu_phap = import_log(c, user="web: TP", names=True)
        district = import_log(c, user="web: NV", entity=DISTRICT, names=True)  # its coordinating unit
        commune = import_log(c, user="web: VP", entity=TAY_DO, names=True)  # another entity's coordinator
    assert list(everything.action[:3]) == ["undo", "report", "build"]  # the undone write left the log with its state
    assert set(anonymous.action) == {"build"} and anonymous.user_name.isna().all()
    assert not anonymous.note.str.contains("web:").any()
    assert list(tu_phap.action[:1]) == ["report"] and set(tu_phap[tu_phap.action != "build"].user_name) == {"web: TP"}
    assert list(district.action[:3]) == ["undo", "report", "build"]  # the undo names the plan it touched
    assert set(commune.action) == {"build"}


def test_the_data_page_log_as_an_anonymous_visitor_and_as_an_administrator(db_copy, duties, app_database):
    save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "Tư pháp xong"), user="web: Trần Tư Pháp")
    app_database(db_copy)

    def log_table(user: str | None):
        at = AppTest.from_file(str(ROOT / "pages" / "du_lieu.py"), default_timeout=120)
        at.secrets["auth"] = {"users": {"Quản trị": hash_password("x" * 8), "Trần Tư Pháp": hash_password("x" * 8)},
                              "units": {"Trần Tư Pháp": "phong_tu_phap"}}
        if user:
            sign_in(at, user)
        at.run()
        assert not at.exception
        return at.dataframe[-1].value

    anonymous = log_table(None)
    assert "báo cáo tiến độ" not in set(anonymous.action) and anonymous.user_name.isna().all()
    assert "báo cáo tiến độ" in set(log_table("Quản trị").action)
    assert "báo cáo tiến độ" in set(log_table("Trần Tư Pháp").action)  # its own save


# ---------------------------------------------------------------- 5. accounts tied to (entity, unit)


def test_the_write_path_refuses_another_entitys_plan(db_copy, duties):
    """Phòng Văn hóa - Xã hội of xã Vĩnh Lộc coordinates xã Vĩnh Lộc; the former district's plan is not its own."""
    before = file_digest(db_copy)
    commune_office = Scope("VH-XH Vĩnh Lộc", "phong_van_hoa_xa_hoi", VINH_LOC)
    with pytest.raises(ValidationFailed) as e:
        save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "x"), user="web: VH-XH Vĩnh Lộc", scope=commune_office)
    assert "không báo cáo được cho kế hoạch của đơn vị khác" in e.value.problems[0].message
    # the same unit code tied to the district is the district's own coordinator... of a commune level: not
    # the district's coordinator either
    with pytest.raises(ValidationFailed):
        save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "x"), user="web: VH-XH",
                     scope=Scope("VH-XH", "phong_van_hoa_xa_hoi", DISTRICT))
    assert file_digest(db_copy) == before
    # the district's own coordinator may enter a report for another unit of its plan
    assert save_reports(db_copy, row(TU_PHAP, *duties[TU_PHAP], "x"), user="web: NV",
                        scope=Scope("NV", "phong_noi_vu", DISTRICT)).status == "saved"


def _progress_page(units: dict[str, str], user: str, entity: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "tien_do.py"), default_timeout=120)
    at.secrets["auth"] = {"users": {u: hash_password("x" * 8) for u in units}, "units": units}
    at.session_state["entity"] = entity
    sign_in(at, user)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_commune_office_sees_nothing_of_another_entitys_plan(fresh_caches):
    at = _progress_page({"VP Tây Đô": f"{TAY_DO}/vp_hdnd_ubnd_xa"}, "VP Tây Đô", DISTRICT)
    said = " ".join(i.value for i in at.info)
    assert "thuộc xã Tây Đô" in said and "chỉ các cơ quan của huyện Vĩnh Lộc" in said
    assert not at.get("metric") and not at.dataframe and not at.get("arrow_data_frame")
    assert "Đăng xuất" in [b.label for b in at.button]


def test_an_old_account_line_shared_by_communes_is_not_guessed(fresh_caches):
    at = _progress_page({"VP cũ": "vp_hdnd_ubnd_xa"}, "VP cũ", DISTRICT)
    said = " ".join(i.value for i in at.info)
    assert "chưa gắn với xã, phường nào" in said and "--entity" in said
    assert not at.get("metric") and not at.dataframe


def test_an_old_district_account_line_keeps_working(fresh_caches):
    """«Trần Tư Pháp = phong_tu_phap», written before accounts named their entity: the district's."""
    at = _progress_page({"Trần Tư Pháp": "phong_tu_phap"}, "Trần Tư Pháp", DISTRICT)
    assert any("**Phòng Tư pháp** — 53 tiêu chí" in m.value for m in at.markdown)
