"""«Tiến độ» offers only the reporting periods inside a plan's term (metrics.progress.periods_in_term):
the district's 2023–2025 plan ended with the district on 30/6/2025, so 2025 has quý I, quý II and
6 tháng đầu năm, never quý III, quý IV or «Năm»; the default period is always one offered, and a
choice kept from outside the term falls back to it. After signing in, «Đăng xuất» is on every
screen of the page, also where it stops early."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access.auth import hash_password
from metrics import progress
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "tien_do.py")
DISTRICT, PLAN = "VN-38-393", "VL-2023-2025"
ALL = ["Q1", "Q2", "H1", "Q3", "Q4", "Y"]  # data/progress/periods.csv
YEAR_KEY, CODE_KEY = f"progress_period_{PLAN}_year", f"progress_period_{PLAN}_code"
COORDINATOR, IDLE, ADMIN = "Lê Nội Vụ", "Người Không Việc", "Quản trị"


@pytest.fixture(scope="module")
def district(con) -> progress.PlanContext:
    return progress.plan_context(con, PLAN)


def by_year(term: list[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for year, code in term:
        out.setdefault(year, []).append(code)
    return out


def one_year_plan(**kw) -> progress.PlanContext:
    """A commune's plan for 2026 alone (what a commune adopts after the reform)."""
    base = dict(plan_id="KH-2026", title="", issuer="", entity_code="VN-38-15349", entity_name="Xã Vĩnh Lộc",
                level="commune", year_from=2026, year_to=2026, end=date(2026, 12, 31),
                coordinator="phong_van_hoa_xa_hoi", coordinator_name="Phòng Văn hóa - Xã hội")
    return progress.PlanContext(**{**base, **kw})


# ---------------------------------------------------------------- the term


def test_the_district_plan_has_no_period_after_30_june_2025(district):
    assert district.end == date(2025, 6, 30)
    assert by_year(progress.periods_in_term(district)) == {2023: ALL, 2024: ALL, 2025: ["Q1", "Q2", "H1"]}


def test_a_one_year_plan_offers_every_period_of_its_year():
    ctx = one_year_plan()
    assert progress.periods_in_term(ctx) == [(2026, c) for c in ALL]
    assert progress.default_period(ctx, date(2026, 12, 7)) == ("Y", 2026)  # today: the annual report


def test_the_term_starts_when_the_plan_or_its_entity_does():
    # a commune formed on 1/7/2025 with a plan for 2025: nothing before it existed
    ctx = one_year_plan(year_from=2025, year_to=2025, end=date(2025, 12, 31), start=date(2025, 7, 1))
    assert progress.periods_in_term(ctx) == [(2025, "Q3"), (2025, "Q4")]
    assert progress.default_period(ctx, date(2025, 12, 7)) == ("Q3", 2025)  # «Năm 2025» is not offered
    # a plan ending mid-quarter keeps only the periods it ran to the end
    ctx = one_year_plan(year_from=2025, year_to=2025, end=date(2025, 5, 15))
    assert progress.periods_in_term(ctx) == [(2025, "Q1")]
    assert progress.default_period(ctx, date(2026, 12, 7)) == ("Q1", 2025)
    assert progress.periods_in_term(replace(ctx, end=date(2025, 3, 30))) == []  # no whole period at all


def test_the_default_period_is_always_one_offered(district):
    term = progress.periods_in_term(district)
    assert progress.default_period(district, date(2026, 12, 7)) == ("H1", 2025)
    for today in (date(2023, 1, 2), date(2024, 4, 3), date(2024, 12, 1), date(2025, 6, 30), date(2025, 9, 1)):
        code, year = progress.default_period(district, today)
        assert (year, code) in term, today
    later = one_year_plan(year_from=2027, year_to=2028, end=date(2028, 12, 31))  # not started yet: its first period
    assert progress.default_period(later, date(2026, 12, 7)) == ("Q1", 2027)


# ---------------------------------------------------------------- the page


def page(user: str, entity: str = DISTRICT, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.secrets["auth"] = {"users": {u: hash_password("mat-khau-kiem-thu") for u in (COORDINATOR, IDLE, ADMIN)},
                          "units": {COORDINATOR: f"{DISTRICT}/phong_noi_vu",
                                    IDLE: f"{DISTRICT}/grp_phong_ban_nganh"}}  # a group: no duty of its own
    at.session_state["entity"] = entity
    for k, v in state.items():
        at.session_state[k] = v
    sign_in(at, user)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def period_box(at):
    return at.selectbox(key=f"_w_progress_period_{PLAN}_p")


def test_page_2025_offers_no_period_after_the_district_ended(fresh_caches):
    at = page(COORDINATOR)
    assert at.selectbox(key=f"_w_progress_period_{PLAN}_y").options == ["2023", "2024", "2025"]
    assert at.selectbox(key=f"_w_progress_period_{PLAN}_y").value == 2025
    box = period_box(at)
    assert box.options == ["Quý I", "Quý II", "6 tháng đầu năm"]
    assert not {"Quý III", "Quý IV", "Năm"} & set(box.options)
    assert box.value == "H1"
    # the periods depend on the year: 2024 ran whole
    at.selectbox(key=f"_w_progress_period_{PLAN}_y").set_value(2024).run()
    assert not at.exception
    assert period_box(at).options == ["Quý I", "Quý II", "6 tháng đầu năm", "Quý III", "Quý IV", "Năm"]


def test_page_a_kept_choice_outside_the_term_falls_back_to_the_default(fresh_caches):
    at = page(COORDINATOR, **{YEAR_KEY: 2025, CODE_KEY: "Q4"})
    assert (at.selectbox(key=f"_w_progress_period_{PLAN}_y").value, period_box(at).value) == (2025, "H1")
    assert at.session_state[CODE_KEY] == "H1"
    at = page(COORDINATOR, **{YEAR_KEY: 2026, CODE_KEY: "Y"})  # a year the plan never had
    assert (at.selectbox(key=f"_w_progress_period_{PLAN}_y").value, period_box(at).value) == (2025, "H1")


def buttons(at) -> list[str]:
    return [b.label for b in at.button]


def test_page_an_account_whose_unit_has_no_duties_can_sign_out(fresh_caches):
    at = page(IDLE)
    assert any("không được giao nhiệm vụ nào" in i.value for i in at.info)
    assert buttons(at).count("Đăng xuất") == 1
    at.button(key="progress_sign_out").click().run()
    assert not at.exception
    assert "signed_in" not in at.session_state and {"Tài khoản (họ tên)", "Mật khẩu"} <= {t.label for t in at.text_input}


def test_page_a_signed_in_account_on_an_entity_without_a_plan_can_sign_out(fresh_caches):
    at = page(ADMIN, entity="VN-38")  # tỉnh Thanh Hóa: no plan of its own or of a predecessor
    assert any("chưa có kế hoạch giao việc nào" in i.value for i in at.info)
    assert buttons(at).count("Đăng xuất") == 1
    at.button(key="progress_sign_out").click().run()
    assert not at.exception
    assert "signed_in" not in at.session_state and "Đăng xuất" not in buttons(at)  # a visitor gets none


def test_a_report_for_a_period_outside_the_term_is_refused_and_nothing_written(db_copy):
    """The write path refuses what the page does not offer: quý III/2025 of the district's plan,
    which ended with the district on 30/6/2025 (a template or the command line could ask for it)."""
    import pandas as pd

    from domain.problems import ValidationFailed
    from store.progress import save_reports
    from tests.conftest import file_digest

    row = {"plan_id": "VL-2023-2025", "item_kind": "criterion", "index_code": "PAR", "item_code": "1.2",
           "unit_code": "phong_noi_vu", "year": 2025, "period": "Q3", "status": "in_progress",
           "done_text": "Đang làm", "evidence": "", "obstacles": ""}
    before = file_digest(db_copy)
    with pytest.raises(ValidationFailed) as exc:
        save_reports(db_copy, pd.DataFrame([row]), user="Quản trị")
    assert "kỳ Quý III/2025 nằm ngoài thời gian thực hiện kế hoạch (01/01/2023–30/06/2025)" in exc.value.report()
    assert file_digest(db_copy) == before
    save_reports(db_copy, pd.DataFrame([{**row, "period": "H1"}]), user="Quản trị")  # 6 tháng đầu năm 2025: inside
