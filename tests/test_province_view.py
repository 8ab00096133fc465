"""The province's own view («Toàn tỉnh», Sở Nội vụ): every commune of Thanh Hóa in one table
(metrics/province.py, one query per table), who may see it (access.auth.Scope.sees_province), the
page (AppTest, signed in), and the one-page summary (exports/province_summary.py) rendered with
LibreOffice.

Shipped data, 07/12/2026 (the annual report of 2026 is being collected, due 20/12): xã Vĩnh Lộc
has an adopted illustrative 2026 plan (01/KH-UBND of 26/12/2025) whose four lead units reported
for quý I, 6 tháng and quý III but not yet for the year; the other 165 communes have no plan;
commune scores exist for 2025 only (illustrative), so no rank can have fallen yet."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from access.auth import Scope, hash_password, scope_of
from metrics import criteria, progress, province
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "toan_tinh.py")
TODAY = date(2026, 12, 7)
PROVINCE, VINH_LOC, TAY_DO = "VN-38", "VN-38-15349", "VN-38-15361"
PLAN = "KH-2026-VN-38-15349"
SO_NOI_VU, ADMIN, COMMUNE = "Lê Sở Nội Vụ", "Quản trị", "Lê Văn Hóa"
UNITS = {SO_NOI_VU: "VN-38/so_noi_vu", COMMUNE: "VN-38-15349/phong_van_hoa_xa_hoi"}
# deadlines set on the shipped plan's «Thời gian thực hiện» (all «Thường xuyên» as shipped): PAR by
# 31/3/2026, SIPAS at the end of each of quý I–III (10/3, 10/6, 10/9) and on 20/12
TIMED = """UPDATE plan_criteria SET timing = CASE
           WHEN index_code = 'PAR' THEN 'Quý I năm 2026'
           WHEN index_code = 'SIPAS' THEN 'Báo cáo quý 1, 2, 3: trước ngày 10 của tháng cuối quý; Báo cáo năm: trước ngày 20/12 hàng năm'
           ELSE timing END
           WHERE plan_id = 'KH-2026-VN-38-15349'"""


def squeeze(text: str) -> str:
    """Text without any white space: pdftotext splits justified words («h ạn»)."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def timed_db(built_db, tmp_path_factory):
    """The shipped database with deadlines in xã Vĩnh Lộc's plan, so that duties fall overdue."""
    path = tmp_path_factory.mktemp("province") / "chiso.duckdb"
    shutil.copyfile(built_db, path)
    with duckdb.connect(str(path)) as c:
        c.execute(TIMED)
    return path


# ---------------------------------------------------------------- the figures, on the shipped data


def test_every_commune_of_the_province_is_one_row(con):
    rows = province.commune_status(con, PROVINCE, 2026, "Y", TODAY)
    communes = con.execute("SELECT entity_code FROM entities WHERE level = 'commune' AND parent_code = 'VN-38'").df()
    assert len(rows) == 166 and rows.entity_code.is_unique
    assert set(rows.entity_code) == set(communes.entity_code)  # the 13 communes of the former district are not there


def test_vinh_loc_has_the_one_adopted_plan_and_has_not_sent_its_annual_report_yet(con):
    rows = province.commune_status(con, PROVINCE, 2026, "Y", TODAY)
    vl = rows.set_index("entity_code").loc[VINH_LOC]
    assert (vl.plan_id, vl.plan_number, pd.Timestamp(vl.plan_signed_on).date()) == (PLAN, "01/KH-UBND", date(2025, 12, 26))
    assert vl.adopted and vl.plan_illustrative and vl.reports_illustrative
    assert (vl.units_expected, vl.units_full, vl.units_partial, vl.units_none, vl.units_late) == (4, 0, 0, 4, 0)
    assert (vl.overdue, vl.state) == (0, province.NONE)  # every duty is «Thường xuyên»: no deadline
    others = rows[rows.entity_code != VINH_LOC]
    assert (others.state == province.NO_PLAN).all() and others.plan_id.isna().all() and (others.overdue == 0).all()


@pytest.mark.parametrize("period, expected", [
    # (units expected, in full, in part, none, late), written out from the shipped reports
    ("Q1", (4, 4, 0, 0, 0)),
    ("H1", (4, 3, 1, 0, 1)),
    ("Q3", (4, 1, 2, 1, 3)),
    ("Y", (4, 0, 0, 4, 0)),    # not due until 20/12: nobody is late yet
])
def test_who_reported_is_counted_as_the_commune_s_own_progress_page_counts_it(con, period, expected):
    row = province.commune_status(con, PROVINCE, 2026, period, TODAY).set_index("entity_code").loc[VINH_LOC]
    got = (row.units_expected, row.units_full, row.units_partial, row.units_none, row.units_late)
    assert got == expected
    who = progress.who_reported(con, progress.plan_context(con, PLAN), 2026, period, TODAY)
    assert got == (len(who), (who.state == "full").sum(), (who.state == "partial").sum(), (who.state == "none").sum(),
                   who.late.sum())


def test_the_province_counts(con):
    view = province.province_view(con, PROVINCE, 2026, "Y", TODAY)
    assert view.counts == province.Counts(communes=166, with_plan=1, adopted=1, full=0, partial=0, none=1, overdue=0,
                                          communes_overdue=0, rank_fell=0, plans_illustrative=1)
    assert (view.due, view.province_name) == (date(2026, 12, 20), "Thanh Hóa")
    assert view.not_reported() == ["Xã Vĩnh Lộc"] and view.partly_reported() == []
    assert len(view.without_plan()) == 165 and view.illustrative


def test_overdue_duties_are_those_the_commune_s_progress_page_finds(timed_db):
    with duckdb.connect(str(timed_db), read_only=True) as c:
        row = province.commune_status(c, PROVINCE, 2026, "Y", TODAY).set_index("entity_code").loc[VINH_LOC]
        late = progress.overdue(c, progress.plan_context(c, PLAN), TODAY, 2026)
        before = province.commune_status(c, PROVINCE, 2026, "Y", date(2026, 3, 10)).set_index("entity_code")
    # 12 SIPAS duties missed 10/3 (no «Hoàn thành» in quý I), one more missed only 10/9, and PAR 8.2's
    # lead missed 31/3; the others were reported «Hoàn thành» in a period holding their deadline
    assert row.overdue == 14 == len(late)
    assert before.loc[VINH_LOC, "overdue"] == 0  # a duty is late the day after its deadline, not on it


def test_ranks_of_the_latest_year_agree_with_the_criterion_metrics(con):
    ranks = province.rank_changes(con, PROVINCE, 2026, TODAY)
    assert len(ranks) == 2 * 166 and set(ranks.index_code) == {"PAR", "SIPAS"} and set(ranks.year) == {2025}
    assert ranks.rank_change.isna().all() and ranks.is_illustrative.all()  # 2025: the communes' first year
    mine = ranks[ranks.entity_code == VINH_LOC].set_index("index_code")
    m = criteria.criterion_metrics(con, VINH_LOC, year=2025)
    m = m[m.criterion_code.isna()].set_index("index_code")
    for code in ("PAR", "SIPAS"):
        assert (mine.loc[code, "rank"], mine.loc[code, "n_ranked"], bool(mine.loc[code, "is_illustrative"])) == \
               (m.loc[code, "rank"], m.loc[code, "n_ranked"], bool(m.loc[code, "is_illustrative"]))
    view = province.province_view(con, PROVINCE, 2026, "Y", TODAY)
    assert not view.compared() and view.fallen().empty
    assert view.rank_note().startswith("Năm 2025 (kết quả minh họa) là năm đầu tiên các xã, phường được đánh giá "
                                       "PAR INDEX, SIPAS")


def test_a_commune_whose_rank_fell_is_named(tmp_path):
    from tests.small_db import make_db

    # PAPI for four communes in 2025 and 2026 (illustrative in 2026): Vĩnh Lộc falls from 1st to 3rd
    before = {VINH_LOC: 60.0, TAY_DO: 50.0, "VN-38-15382": 40.0, "VN-38-14812": 30.0}
    after = {VINH_LOC: 35.0, TAY_DO: 55.0, "VN-38-15382": 45.0, "VN-38-14812": 30.0}
    rows = [(y, "PAPI", None, e, p, None, None, None, y == 2026) for y, pts in ((2025, before), (2026, after))
            for e, p in pts.items()]
    con = make_db(tmp_path / "ranks.duckdb", rows)
    view = province.province_view(con, PROVINCE, 2026, "Y", TODAY)
    fell = view.fallen()
    assert fell[["entity_code", "index_code", "year", "prev_rank", "rank", "rank_change"]].values.tolist() == \
           [[VINH_LOC, "PAPI", 2026, 1, 3, -2]]
    m = criteria.criterion_metrics(con, VINH_LOC)
    assert m[m.criterion_code.isna() & (m.year == 2026)].rank_change.tolist() == [-2]
    assert view.compared() and view.rank_note() == "" and view.counts.rank_fell == 1 and view.ranks_illustrative


def test_the_filter_and_the_orders():
    rows = pd.DataFrame({
        "entity_name": ["Xã Đông Tiến", "Xã An Nông", "Phường Bỉm Sơn", "Xã Yên Định"],
        "state": [province.NONE, province.PARTIAL, province.NO_PLAN, province.NONE],
        "overdue": [2, 5, 0, 2], "units_none": [4, 1, 0, 2], "units_partial": [0, 2, 0, 0]})
    names = lambda df: df.entity_name.tolist()  # noqa: E731
    assert names(province.shown(rows, province.SHOW_NOT_REPORTED)) == ["Xã Đông Tiến", "Xã Yên Định"]
    assert names(province.shown(rows, province.SHOW_NOT_FULL)) == ["Xã Đông Tiến", "Xã An Nông", "Xã Yên Định"]
    assert names(province.shown(rows, province.SHOW_NO_PLAN)) == ["Phường Bỉm Sơn"]
    assert len(province.shown(rows, province.SHOW_ALL)) == 4
    # most overdue first; equal: more units not reported first; then the name
    assert names(province.sort(rows, province.BY_OVERDUE)) == ["Xã An Nông", "Xã Đông Tiến", "Xã Yên Định",
                                                               "Phường Bỉm Sơn"]
    assert names(province.sort(rows, province.BY_NAME)) == ["Phường Bỉm Sơn", "Xã An Nông", "Xã Đông Tiến",
                                                            "Xã Yên Định"]  # «Đ» read as «D»


# ---------------------------------------------------------------- who may see it


def test_the_province_s_so_noi_vu_and_administrators_see_every_commune():
    auth = {"units": UNITS}
    assert scope_of(SO_NOI_VU, auth).sees_province(PROVINCE)
    assert scope_of(ADMIN, auth).sees_province(PROVINCE)  # no unit: an administrator
    assert not scope_of(SO_NOI_VU, auth).sees_province("VN-01")  # another province's view: no


@pytest.mark.parametrize("binding", [
    "VN-38-15349/phong_van_hoa_xa_hoi",   # a commune's coordinating office
    "VN-38-15361/vp_hdnd_ubnd_xa",        # another commune's office
    "VN-38-393/phong_noi_vu",             # the former district's Phòng Nội vụ
    "VN-38/phong_van_hoa_xa_hoi",         # a commune office's code tied to the province
    "VN-38-15349/so_noi_vu",              # Sở Nội vụ's code tied to a commune
    "so_noi_vu",                          # an old line naming only the unit: tied to no entity
])
def test_no_other_account_sees_the_communes_of_the_province(binding):
    assert not scope_of("Ai đó", {"units": {"Ai đó": binding}}).sees_province(PROVINCE)


def test_the_province_account_stays_out_of_a_commune_s_own_reports():
    scope = Scope("x", "so_noi_vu", PROVINCE)
    assert scope.progress_views(VINH_LOC, "phong_van_hoa_xa_hoi") == ()  # read-only overview, no entry
    assert scope.report_units(VINH_LOC, "phong_van_hoa_xa_hoi") == set()


# ---------------------------------------------------------------- the page


@pytest.fixture()
def page(fresh_caches):
    from streamlit.testing.v1 import AppTest

    def run(user: str | None = None, **state) -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=120)
        at.secrets["auth"] = {"users": {u: hash_password("mat-khau-kiem-thu", iterations=1000)
                                        for u in (SO_NOI_VU, ADMIN, COMMUNE)}, "units": UNITS}
        if user:
            sign_in(at, user)
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "success", "warning", "error", "subheader")
                     for e in at.get(kind))


def test_nothing_is_shown_before_signing_in(page):
    at = page()
    assert "chỉ mở sau khi đăng nhập bằng tài khoản của Sở Nội vụ" in texts(at)
    assert not at.dataframe and not at.get("metric") and not at.get("download_button")


def test_so_noi_vu_sees_every_commune_and_downloads_the_summary(page, download_names):
    at = page(SO_NOI_VU)
    year = date.today().year
    metrics = {m.label: m.value for m in at.get("metric")}
    assert metrics[f"Có kế hoạch năm {year}"].endswith("/166")
    table = at.dataframe[0].value
    assert len(table) == 166 and list(table.columns[:3]) == ["name", "plan", "state"]
    assert any("SỐ LIỆU MINH HỌA" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["Tải bản tổng hợp toàn tỉnh (Word)"]
    code, y = province.current_period(date.today())
    from exports.province_summary import download_name

    assert download_names == [download_name(code, y)]


def test_the_table_shows_vinh_loc_s_plan_and_its_units_on_the_shipped_annual_period(page):
    at = page(SO_NOI_VU, province_period="Y")
    table = at.dataframe[0].value.set_index("name")
    if date.today().year != 2026:
        pytest.skip("the shipped plan is for 2026")
    vl = table.loc["Xã Vĩnh Lộc"]
    assert (vl.plan, vl.state, vl.none, vl.partial, vl.full) == ("01/KH-UBND, 26/12/2025 (minh họa)", "Chưa báo cáo",
                                                                 4, 0, 0)
    assert table.loc["Xã Tây Đô", "plan"] == "chưa có" and pd.isna(table.loc["Xã Tây Đô", "none"])
    assert "chưa có thứ hạng năm trước để so sánh" in texts(at)


def test_only_the_communes_not_reported(page):
    at = page(SO_NOI_VU, province_period="Y", province_show=province.SHOW_NOT_REPORTED,
              province_sort=province.BY_OVERDUE)
    if date.today().year != 2026:
        pytest.skip("the shipped plan is for 2026")
    assert at.dataframe[0].value.name.tolist() == ["Xã Vĩnh Lộc"]
    assert "1/166 xã, phường." in texts(at)


def test_an_administrator_sees_it_too(page):
    at = page(ADMIN)
    assert len(at.dataframe[0].value) == 166


def test_a_commune_account_is_refused_and_sees_no_other_commune(page):
    at = page(COMMUNE)
    shown = texts(at)
    assert "chỉ dành cho tài khoản của Sở Nội vụ và tài khoản quản trị" in shown
    assert not at.dataframe and not at.get("metric") and not at.get("download_button")
    assert "Tây Đô" not in shown and "Biện Thượng" not in shown
    assert [b.label for b in at.button] == ["Đăng xuất"]


# ---------------------------------------------------------------- the one-page summary


def test_the_summary_is_one_page_with_the_counts_and_the_names(timed_db, tmp_path):
    from exports.province_summary import download_name, summary_docx
    from tests import pdf

    with duckdb.connect(str(timed_db), read_only=True) as c:
        view = province.province_view(c, PROVINCE, 2026, "Y", TODAY)
    assert download_name(view.period, view.year) == "tong-hop-toan-tinh-nam-2026.docx"
    assert download_name("Q3", 2026) == "tong-hop-toan-tinh-quy-iii-2026.docx"
    out = pdf.render(summary_docx(view), out_dir=tmp_path)
    assert pdf.pages(out) == 1
    text = squeeze(pdf.page_texts(out)[0])
    for expected in ("UBND TỈNH THANH HÓA", "SỞ NỘI VỤ", "Thanh Hóa, ngày 07 tháng 12 năm 2026", "Số: …/BC-SNV",
                     "SỐ LIỆU MINH HỌA",
                     "Có 1/166 xã, phường có kế hoạch năm 2026 trong hệ thống (đã ban hành 1, kế hoạch minh họa 1); "
                     "165 xã, phường chưa có kế hoạch.",
                     "đã báo cáo đủ 0, báo cáo một phần 0, chưa có cơ quan nào báo cáo 1.",
                     "- Chưa báo cáo (1): Xã Vĩnh Lộc.",
                     "có 14 nhiệm vụ, tiêu chí chủ trì đã quá hạn mà chưa báo cáo «Hoàn thành», ở 1 xã, phường:",
                     "1XãVĩnhLộc14",       # the overdue table: STT, commune, count
                     "Năm 2025 (kết quả minh họa) là năm đầu tiên", "GIÁM ĐỐC", "Nơi nhận:"):
        assert squeeze(expected) in text, expected
    picture = pdf.picture(out, 1, tmp_path / "tong-hop-toan-tinh.png")
    assert picture.stat().st_size > 0


@pytest.mark.slow
def test_the_summary_stays_on_one_page_for_166_communes_in_any_state(con, tmp_path):
    """The worst case: every commune has a plan, half not reported, half in part, all overdue, and
    every one fell in four indices: each list is cut («và N xã, phường khác»), the page holds."""
    from exports.province_summary import summary_docx
    from tests import pdf

    view = province.province_view(con, PROVINCE, 2026, "Y", TODAY)
    n = len(view.communes)
    communes = view.communes.assign(
        entity_name=[("Phường Minh Khai Đông " if i % 2 else "Xã Thiệu Hoằng Hóa ") + str(i) for i in range(n)],
        plan_id=[f"KH-{i}" for i in range(n)], adopted=True, units_expected=4, units_none=[4 if i % 2 else 1 for i in range(n)],
        units_partial=[0 if i % 2 else 2 for i in range(n)], units_full=[0 if i % 2 else 1 for i in range(n)],
        state=[province.NONE if i % 2 else province.PARTIAL for i in range(n)], overdue=[100 + i for i in range(n)])
    ranks = pd.DataFrame([dict(entity_code=r.entity_code, entity_name=r.entity_name, index_code=code, year=2026, rank=150,
                               n_ranked=166, prev_rank=10 + i % 100, rank_change=-(140 - i % 100), is_illustrative=True)
                          for code in ("PAR", "SIPAS", "PAPI", "DDCI") for i, r in enumerate(communes.itertuples())])
    worst = replace(view, communes=communes, ranks=ranks)
    out = pdf.render(summary_docx(worst), out_dir=tmp_path)
    assert pdf.pages(out) == 1
    text = squeeze(pdf.page_texts(out)[0])
    assert squeeze("Chưa báo cáo (83): Phường Minh Khai Đông 1,") in text and squeeze("xã, phường khác") in text
    assert squeeze("1 Phường Minh Khai Đông 165 265") in text  # the most overdue first
    assert squeeze("DDCI năm 2026: 166 xã, phường") in text and "(Họvàtên)" in text


def test_set_password_says_what_a_province_account_opens(tmp_path, monkeypatch, capsys):
    import io
    import sys

    from access.auth import read_auth
    from cli.data import main

    secrets = tmp_path / ".streamlit" / "secrets.toml"
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-123\n"))
    assert main(["set-password", "--secrets", str(secrets), "--user", "Lê Văn D", "--unit", "so_noi_vu",
                 "--entity", "VN-38"]) == 0
    out = capsys.readouterr().out
    assert "mở trang «Toàn tỉnh»" in out and "chỉ báo cáo tiến độ" not in out
    assert read_auth(secrets)["units"] == {"Lê Văn D": "VN-38/so_noi_vu"}
