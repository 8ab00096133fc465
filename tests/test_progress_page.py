"""The «Tiến độ» page (AppTest): who sees what after signing in, the plan a commune finds (its
former district's, as history), and how the entry table turns edits into report rows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access.auth import hash_password
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "tien_do.py")
DISTRICT = "VN-38-393"
UNIT_USER, COORDINATOR, ADMIN = "Trần Tư Pháp", "Lê Nội Vụ", "Quản trị"


@pytest.fixture(autouse=True)
def _every_test_has_fresh_caches(fresh_caches):
    yield


def page(entity: str | None = DISTRICT, user: str | None = None, view: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["auth"] = {"users": {u: hash_password("mat-khau-kiem-thu") for u in (UNIT_USER, COORDINATOR, ADMIN)},
                          "units": {UNIT_USER: "phong_tu_phap", COORDINATOR: "phong_noi_vu"}}
    if entity:
        at.session_state["entity"] = entity
    if user:
        sign_in(at, user)
        if view:
            at.session_state[f"progress_view_{user}"] = view
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error", "subheader")
             for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_nothing_is_shown_before_signing_in():
    at = page()
    assert "chỉ xem được sau khi đăng nhập" in texts(at)
    assert {"Tài khoản (họ tên)", "Mật khẩu"} <= {t.label for t in at.text_input}
    assert not at.get("metric") and not at.dataframe


def test_phong_noi_vu_sees_every_unit_and_the_overview():
    at = page(user=COORDINATOR)
    assert at.get("button_group")[0].options == ["Tổng hợp", "Nhập báo cáo", "Văn bản"]
    # the plan ended with the district on 30/6/2025: its last tracked period opens
    assert (at.selectbox(key="_w_progress_period_VL-2023-2025_y").value,
            at.selectbox(key="_w_progress_period_VL-2023-2025_p").value) == (2025, "H1")
    metrics = {m.label: m.value for m in at.get("metric")}
    assert metrics["Cơ quan đã báo cáo đủ"].endswith("/27") and int(metrics["Cơ quan chưa báo cáo"]) > 0
    body = texts(at)
    assert "Chưa báo cáo (" in body and "Có BÁO CÁO TIẾN ĐỘ MINH HỌA" in body
    assert "trùng hợp về thời gian, không chứng minh" in body  # effort against outcome: coincidence, not cause
    sources = [c.value for c in at.caption if c.value.startswith("Nguồn: ")]
    assert len(sources) == 2 and all("báo cáo tiến độ của các cơ quan" in c and "MINH HỌA" in c for c in sources)


def test_the_report_section_is_a_download_for_phong_noi_vu():
    at = page(user=COORDINATOR, view="documents")
    assert [b.label for b in at.get("download_button")] == ["Tải mục báo cáo (Word)"]


def test_a_unit_account_sees_only_its_own_duties():
    at = page(user=UNIT_USER)
    assert not at.get("button_group")  # one view only: no switch
    assert "**Phòng Tư pháp** — 53 tiêu chí, nhiệm vụ được giao" in texts(at)
    assert "Cơ quan báo cáo" not in [s.label for s in at.selectbox]  # it cannot pick another unit
    assert not at.get("metric")


def test_the_coordinator_enters_for_any_unit_starting_with_its_own():
    at = page(user=COORDINATOR, view="entry")
    assert at.selectbox(key="progress_unit_VL-2023-2025").value == "phong_noi_vu"
    assert "**Phòng Nội vụ** —" in texts(at)


def test_a_commune_opens_on_its_own_plan_and_keeps_the_former_districts_as_history():
    at = page(entity="VN-38-15349", user=ADMIN)  # xã Vĩnh Lộc, the home commune, with its (illustrative) 2026 plan
    box = at.selectbox(key="progress_plan")
    assert box.value == "KH-2026-VN-38-15349"
    assert "trước 01/7/2025" in box.format_func("VL-2023-2025") and "trước" not in box.format_func(box.value)


def test_a_commune_without_a_plan_of_its_own_finds_its_former_districts_plan_as_history():
    at = page(entity="VN-38-15361", user=ADMIN)  # xã Tây Đô: no plan of its own
    assert at.selectbox(key="progress_plan").value == "VL-2023-2025"
    assert "trước 01/7/2025" in at.selectbox(key="progress_plan").format_func("VL-2023-2025")


def test_an_entity_without_any_plan_says_so():
    at = page(entity="VN-38", user=ADMIN)  # tỉnh Thanh Hóa: no plan of its own or of a predecessor
    assert "chưa có kế hoạch giao việc nào" in texts(at)


def test_edits_become_report_rows_only_where_something_changed():
    from ui.progress import changed_reports, entry_frame

    base = {"plan_id": "P", "item_kind": "criterion", "index_code": "PAR", "unit_code": "u", "unit_name": "U",
            "item_name": "Tên", "role": "lead", "via_group_name": None, "evidence_file": None, "evidence_sha256": None}
    rows = pd.DataFrame([
        {**base, "item_code": "1.1", "status": None, "done_text": None, "evidence": None, "obstacles": None},
        {**base, "item_code": "1.2", "status": "in_progress", "done_text": "Đang làm", "evidence": None, "obstacles": None},
        {**base, "item_code": "1.3", "status": "done", "done_text": "Xong", "evidence": "BC 1", "obstacles": None},
    ])
    shown = entry_frame(rows)
    assert shown.status.tolist() == ["— chưa báo cáo —", "Đang thực hiện", "Hoàn thành"]
    assert shown.evidence.tolist() == ["", "", "BC 1"]  # empty cells are empty, never «None»
    edited = shown.copy()
    edited.loc[0, ["status", "done_text"]] = ["Hoàn thành", "  Đã ban hành văn bản  "]
    edited.loc[1, "obstacles"] = "Thiếu kinh phí"
    out = changed_reports(rows, edited, 2026, "Y")
    assert out[["item_code", "status", "done_text", "obstacles", "year", "period", "source_row"]].values.tolist() == [
        ["1.1", "done", "Đã ban hành văn bản", None, 2026, "Y", 1],
        ["1.2", "in_progress", "Đang làm", "Thiếu kinh phí", 2026, "Y", 2]]
    assert changed_reports(rows, shown, 2026, "Y").empty  # nothing edited: nothing to save
