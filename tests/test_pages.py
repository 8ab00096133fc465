"""Every page runs (AppTest, generated from the page files), and the main widgets show what
metrics/ computes."""
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access.auth import hash_password
from metrics import criteria, overview
from domain.vocabulary import INDEX_LABEL, home_entity, next_plan_year

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
TIMEOUT = 90


@pytest.fixture(autouse=True)
def _every_test_has_fresh_caches(fresh_caches):
    yield


DISTRICT = "VN-38-393"  # Huyện Vĩnh Lộc, kept as history (data/home.csv): the longest series and the real plan


def run(page: str, entity: str | None = DISTRICT) -> AppTest:
    """The page on ``entity`` (None: on the home entity the app opens on)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    if entity:
        at.session_state["entity"] = entity
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.warning]
    parts += [e.value for e in at.info] + [e.value for e in at.error] + [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_runs_without_exception(page):
    from ui.notices import PAGE_FAILED

    at = AppTest.from_file(str(page), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any(PAGE_FAILED in e.value for e in at.error)  # app.py's guard turned a failure into a message


@pytest.mark.parametrize("page", PAGES[1:], ids=[p.name for p in PAGES[1:]])
def test_no_english_or_raw_values_in_the_text_of_a_page(page):
    """Words an official reads: no table names, no Python None/nan/True/False leaking through."""
    at = AppTest.from_file(str(page), default_timeout=TIMEOUT).run()
    shown = texts(at) + "\n".join(str(s.value) for s in at.subheader)
    assert not re.findall(r"\b(scores?|None|nan|NaN|True|False|null)\b", shown), shown


def test_overview_cards_equal_the_metrics(con):
    at = run("pages/tong_quan.py")
    cards = overview.index_cards(con, "VN-38-393")
    assert [m.label for m in at.metric] == [f"{INDEX_LABEL[c]} {y}" for c, y in zip(cards.index_code, cards.year)]
    # the rank is the card's value, its change the delta (positive = better for the unit)
    assert [m.value for m in at.metric] == [f"Hạng {int(r)}/{int(n)}" for r, n in zip(cards["rank"], cards.n_ranked)]
    ddci = next(m for m in at.metric if m.label.startswith("DDCI"))
    row = cards[cards.index_code == "DDCI"].iloc[0]
    assert row.change_points > 0 and row.rank_change < 0  # points rose, rank fell: the card says the fall
    assert ddci.delta == f"{int(row.rank_change)} hạng (từ {int(row.prev_rank)} xuống {int(row['rank'])})"
    assert f"Điểm {row.points:.2f}".replace(".", ",") + " (+" in texts(at)
    assert any("SỐ LIỆU MINH HỌA" in w.value for w in at.warning)
    urgent = at.dataframe[0].value
    assert list(urgent["criterion_code"]) == list(criteria.focus_list(con, "VN-38-393", 2024).criterion_code[:5])


def test_overview_for_thanh_hoa_shows_real_papi_and_pci_without_the_notice(con):
    at = run("pages/tong_quan.py")
    at.selectbox(key="_w_entity").set_value("VN-38").run()
    assert not at.exception
    # PAR INDEX and SIPAS 2024: ranks the press printed without a score (press_ranks_2020_2024.csv),
    # and each still makes a card; PAPI 2024 rank 13 is published there too
    assert [m.label for m in at.metric] == ["PAR INDEX 2024", "SIPAS 2024", "PAPI 2024", "PCI 2024"]
    assert not at.warning  # nothing illustrative on screen
    assert [m.value for m in at.metric] == ["Hạng 24/63", "Hạng 22/63", "Hạng 13/63", "Hạng 21/63"]
    assert "hạng tự tính" not in texts(at)  # every rank on the cards is the publisher's


def test_criteria_page_follows_index_and_year(con):
    at = run("pages/chi_so_thanh_phan.py")
    at.selectbox(key="_w_index").set_value("SIPAS").run()
    at.selectbox(key="_w_year").set_value(2022).run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = criteria.criterion_metrics(con, "VN-38-393", "SIPAS", 2022)
    expected = expected[expected.level == "criterion"]
    assert list(table["criterion_code"]) == list(expected.criterion_code)
    assert list(table["points"].round(2)) == list(expected.points.round(2))
    assert "năm 2022" in texts(at)


def test_selection_carries_across_pages():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert at.session_state["entity"] == home_entity()  # data/home.csv: the first successor commune
    at.selectbox(key="_w_entity").set_value("VN-38-399").run()  # Huyện Hoằng Hóa
    at.switch_page("pages/so_sanh.py").run()
    assert not at.exception
    assert at.selectbox(key="_w_entity").value == "VN-38-399"
    assert at.session_state["entity"] == "VN-38-399"


def test_focus_page_preselects_the_most_urgent_and_offers_the_draft(con):
    at = run("pages/trong_tam.py", "VN-38-15382")  # xã Biện Thượng, 2025 results
    focus = criteria.focus_list(con, "VN-38-15382", 2025)
    assert "Đã chọn **10** tiêu chí." in texts(at)
    editor = at.dataframe[0].value  # AppTest shows st.data_editor as a dataframe
    assert list(editor["code"]) == list(focus.criterion_code)
    assert int(editor["chosen"].sum()) == 10 and editor["chosen"].iloc[:10].all()
    assert [b.label for b in at.get("download_button")] == ["Tải bảng phân công nhiệm vụ (Excel)",
                                                            "Tải bảng phân công nhiệm vụ (Word)",
                                                            f"Tải dự thảo kế hoạch năm {next_plan_year(2025)} (Word)"]


def test_focus_page_of_the_former_district_chooses_but_issues_nothing():
    # 2021: every weak criterion of Vĩnh Lộc is only falling or only low, none both; the district is
    # gone since 01/7/2025, so the page names its successors instead of offering a document
    at = AppTest.from_file(str(ROOT / "pages/trong_tam.py"), default_timeout=TIMEOUT)
    at.session_state["entity"] = DISTRICT
    at.session_state["year"] = 2021
    at.run()
    assert not at.exception
    assert "Đã chọn **10** tiêu chí." in texts(at) and not at.get("download_button")
    assert "đơn vị kế thừa" in texts(at)


def test_unit_page_counts_what_the_unit_owes(con):
    at = run("pages/don_vi.py")
    at.selectbox[0].set_value("phong_tai_chinh_ke_hoach").run()
    assert not at.exception
    from metrics import units_view

    sections = units_view.duty_sections(units_view.unit_status(con, "phong_tai_chinh_ke_hoach", "VN-38-393"))
    counts = sections.section.value_counts()  # each criterion once, in its strongest section
    expected = [str(counts.get(k, 0)) for k in (units_view.LEAD, units_view.SUPPORT, units_view.GROUP)]
    assert [m.value for m in at.metric][:3] == expected


def test_compare_page_draws_a_map_only_for_provinces():
    at = run("pages/so_sanh.py")
    assert len(at.get("plotly_chart")) == 2 and "chỉ cấp tỉnh có bản đồ" in texts(at)
    at.selectbox(key="_w_entity").set_value("VN-38").run()
    at.selectbox(key="_w_index").set_value("PAPI").run()  # PAR INDEX 2021 has 3 scored provinces: no charts
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3
    assert "CC BY-SA 4.0" in texts(at)


def test_data_page_without_a_password_accepts_nothing():
    at = run("pages/du_lieu.py")
    assert "Chưa đặt mật khẩu" in texts(at)
    assert not at.text_input  # no sign-in form, no uploader


def test_data_page_sign_in():
    at = AppTest.from_file(str(ROOT / "pages/du_lieu.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = {"password_hash": hash_password("dung-mat-khau")}
    at.run()
    at.text_input[0].input("Nguyễn Văn A")
    at.text_input[1].input("sai-mat-khau")
    at.button[0].click().run()
    assert "Sai mật khẩu" in texts(at)
    assert "signed_in" not in at.session_state and len(at.text_input) == 2  # still the sign-in form
    at.text_input[1].input("dung-mat-khau")
    at.button[0].click().run()
    assert not at.exception
    assert "Đã đăng nhập: Nguyễn Văn A" in texts(at)


def test_briefing_files_are_prepared_on_request_and_downloadable():
    at = run("pages/tong_quan.py")
    assert [b.label for b in at.button if b.label.startswith("Chuẩn bị")] == [
        "Chuẩn bị bản trình chiếu (PowerPoint)", "Chuẩn bị báo cáo in khổ A4 (HTML)"]
    at.button(key="prepare_deck").click().run()
    assert not at.exception
    assert "Tải bản trình chiếu (PowerPoint)" in [b.label for b in at.get("download_button")]


def test_a_national_registry_picks_the_province_first(monkeypatch):
    import ui.selection

    monkeypatch.setattr(ui.selection, "MAX_ENTITY_OPTIONS", 50)  # the shipped registry has 130 entities
    at = run("pages/tong_quan.py")
    assert [s.label for s in at.selectbox][:2] == ["Tỉnh, thành phố", "Đơn vị được đánh giá"]
    assert at.selectbox(key="_w_province").value == "VN-38"  # the home entity's province
    options = at.selectbox(key="_w_entity").options
    assert "Huyện Vĩnh Lộc (cấp huyện, đến 2025)" in options and "Xã Tây Đô (cấp xã, từ 2025)" in options
    assert "Hà Nội (cấp tỉnh)" not in options
    at.selectbox(key="_w_province").set_value("VN-01").run()
    assert not at.exception and at.session_state["entity"] == "VN-01"


def test_pages_follow_a_file_replaced_outside_the_app(db_copy, monkeypatch, tmp_path):
    """`python -m loaders import` (or a rebuild) while the server runs: no cached query may
    keep serving the old file."""
    from store.importing import import_file

    import base64
    import json

    import numpy as np

    def bar_values(at) -> list[float]:
        """x values of the ranking bars (plotly 6 ships numbers as base64 typed arrays)."""
        out = []
        for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]:
            x = trace["x"]
            out += (np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).tolist()
                    if isinstance(x, dict) else list(x))
        return out

    monkeypatch.setenv("CHISO_DB", str(db_copy))
    at = run("pages/so_sanh.py")
    assert 88.88 not in bar_values(at)
    f = tmp_path / "par.csv"
    f.write_text("year,index,criterion,entity,points\n2024,PAR,,Huyện Vĩnh Lộc,88.88\n", encoding="utf-8")
    assert import_file(f, db_copy).status == "loaded"
    at.run()
    assert not at.exception
    assert 88.88 in bar_values(at)  # the ranking comes from the database, not a cache of it


def test_a_shared_link_opens_the_same_selection():
    at = AppTest.from_file(str(ROOT / "pages/chi_so_thanh_phan.py"), default_timeout=TIMEOUT)
    at.query_params["entity"] = "VN-38-399"  # Huyện Hoằng Hóa, as a colleague's link would carry it
    at.query_params["index"] = "SIPAS"
    at.query_params["year"] = "2022"
    at.run()
    assert not at.exception
    assert (at.session_state["entity"], at.session_state["index"], at.session_state["year"]) == ("VN-38-399", "SIPAS", 2022)
    at.selectbox(key="_w_year").set_value(2023).run()  # a new choice goes back into the address bar
    assert at.query_params["year"] == ["2023"] or at.query_params["year"] == "2023"


def test_the_home_commune_shows_its_lineage_and_the_district_its_end():
    at = run("pages/tong_quan.py", entity=None)
    assert at.session_state["entity"] == home_entity()
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert sidebar.startswith("Kế thừa một phần huyện Vĩnh Lộc")
    assert not any("không còn là đơn vị hành chính" in w.value for w in at.warning)
    at = run("pages/tong_quan.py")  # the district
    notice = [w.value for w in at.warning if "không còn là đơn vị hành chính" in w.value]
    assert notice and "xã Tây Đô" in notice[0]
    go = [b for b in at.button if b.label.startswith("Xem xã")]
    assert sorted(b.label for b in go) == ["Xem xã Biện Thượng →", "Xem xã Tây Đô →", "Xem xã Vĩnh Lộc →"]
    next(b for b in go if "Tây Đô" in b.label).click().run()
    assert not at.exception and at.session_state["entity"] == "VN-38-15361"
