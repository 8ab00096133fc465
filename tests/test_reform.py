"""The 2025 reform in the core: lineage, breaks in trends, the home setting, next year's
plan, the pre-filled templates and 2025 peer groups of 34 provinces."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from domain import vocabulary
from domain.entities import styled_name
from domain.vocabulary import next_plan_year
from metrics import lineage
from metrics.criteria import criterion_metrics

DISTRICT, VINH_LOC, TAY_DO, BIEN_THUONG = "VN-38-393", "VN-38-15349", "VN-38-15361", "VN-38-15382"


def test_home_is_the_successor_communes_and_the_province_with_the_district_as_history():
    assert vocabulary.home_entities() == [VINH_LOC, TAY_DO, BIEN_THUONG, "VN-38"]
    assert vocabulary.home_history() == [DISTRICT]
    assert vocabulary.home_entity() == VINH_LOC and vocabulary.home_province() == "VN-38"


def test_the_home_setting_is_data(tmp_path):
    (tmp_path / "home.csv").write_text("role,entity_code,note\nhome,VN-01-00004,\nhistory,VN-01-001,\n", encoding="utf-8")
    home = vocabulary.home.__wrapped__(tmp_path)  # an office pointing the product at a ward of Hà Nội
    assert home == {"home": ["VN-01-00004"], "history": ["VN-01-001"]}
    (tmp_path / "home.csv").write_text("role,entity_code,note\nhistory,VN-01-001,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="role=home"):
        vocabulary.home.__wrapped__(tmp_path)


@pytest.mark.parametrize("today, results, expected", [
    (date(2026, 12, 1), 2025, 2027),   # December: the coming year's plan is being drafted
    (date(2026, 3, 15), 2025, 2026),   # spring: the current year's plan
    (date(2026, 3, 15), 2024, 2026),   # older results never plan for a year already past
    (date(2024, 11, 20), 2023, 2025),
])
def test_next_plan_year_comes_from_the_data_and_the_date(today, results, expected):
    assert next_plan_year(results, today) == expected


def test_styled_names():
    assert styled_name("Huyện Vĩnh Lộc", "district") == "huyện Vĩnh Lộc"
    assert styled_name("Xã Tây Đô", "commune") == "xã Tây Đô"
    assert styled_name("Thanh Hóa", "province") == "tỉnh Thanh Hóa"
    assert styled_name("Hà Nội", "province") == "thành phố Hà Nội"


def test_a_successor_commune_names_its_lineage(con):
    lin = lineage.lineage(con, TAY_DO)
    assert [link.code for link in lin.predecessors][0] == DISTRICT  # the district first, then the old communes
    text = lineage.origin_text(lin)
    assert text.startswith("Kế thừa một phần huyện Vĩnh Lộc; hợp nhất ")
    assert "xã Vĩnh Quang" in text and text.endswith("từ 01/7/2025")
    assert not lin.ended and lineage.end_text(lin) == ""


def test_the_district_ended_and_says_where_its_area_went(con):
    lin = lineage.lineage(con, DISTRICT)
    assert lin.ended and {link.code for link in lin.successors} == {VINH_LOC, TAY_DO, BIEN_THUONG}
    assert lineage.end_text(lin).startswith(
        "Huyện Vĩnh Lộc không còn là đơn vị hành chính từ 01/7/2025: địa bàn nay thuộc xã Biện Thượng, xã Tây Đô và xã Vĩnh Lộc.")


def test_merged_provinces(con):
    lin = lineage.lineage(con, "VN25-tuyen-quang")
    assert lineage.origin_text(lin) == "Hợp nhất tỉnh Hà Giang và tỉnh Tuyên Quang từ 01/7/2025"
    assert lineage.end_text(lineage.lineage(con, "VN-02")).startswith(
        "Tỉnh Hà Giang không còn là đơn vị hành chính từ 01/7/2025: sáp nhập vào tỉnh Tuyên Quang.")
    # Hà Nội existed before it took Hà Tây in
    assert lineage.origin_text(lineage.lineage(con, "VN-01")) == "Sáp nhập thêm tỉnh Hà Tây từ 01/8/2008"


def test_trends_break_at_the_reform_of_their_level_and_at_their_own_changes(con):
    assert [y for y, _ in lineage.lineage(con, "VN-38").breaks()] == [2025]  # 63 provinces, then 34
    assert [y for y, _ in lineage.lineage(con, "VN-01").breaks()] == [2009, 2025]
    assert [y for y, _ in lineage.lineage(con, TAY_DO).breaks()] == [2025]
    assert lineage.first_year_after(date(2025, 7, 1)) == 2025 and lineage.first_year_after(date(2008, 8, 1)) == 2009


def test_a_successor_trend_carries_the_district_as_history(con):
    trend = lineage.history_trend(con, TAY_DO, criterion_metrics(con, TAY_DO))
    own, history = trend[~trend.history], trend[trend.history]
    assert set(own.year) == {2025} and set(history.year) == {2021, 2022, 2023, 2024}
    assert set(history.series) == {"Huyện Vĩnh Lộc (trước 01/7/2025)"}
    # old communes without scores add no line
    assert set(trend.series) == {"Xã Tây Đô", "Huyện Vĩnh Lộc (trước 01/7/2025)"}


def test_merged_province_trend_shows_both_predecessors(con):
    trend = lineage.history_trend(con, "VN25-tuyen-quang", criterion_metrics(con, "VN25-tuyen-quang"))
    assert set(trend[trend.history].series) == {"Tỉnh Hà Giang (trước 01/7/2025)", "Tỉnh Tuyên Quang (trước 01/7/2025)"}
    assert trend[trend.history].year.max() == 2024


def test_prefilled_templates_list_the_2025_units():
    from loaders.tidy import template_frame

    communes = template_frame("communes", today=date(2026, 12, 1))
    provinces = template_frame("provinces", today=date(2026, 12, 1))
    assert len(communes) == 166 and len(provinces) == 34
    assert {"Xã Tây Đô", "Xã Biện Thượng", "Xã Vĩnh Lộc", "Phường Hạc Thành"} <= set(communes.entity)
    assert "Huyện Vĩnh Lộc" not in set(communes.entity) and "Hà Giang" not in set(provinces.entity)
    assert set(communes.year) == {2025} and set(communes.n_ranked) == {166}
    # a year before the reform lists the 63 provinces of that time
    assert len(template_frame("provinces", today=date(2025, 3, 1))) == 63


def test_a_filled_province_template_makes_one_peer_group_of_34(db_copy, tmp_path):
    from loaders.tidy import template_frame
    from metrics.compare import compare
    from store.importing import import_file

    frame = template_frame("provinces", today=date(2026, 12, 1))
    frame["points"] = [round(70 - 0.5 * i, 2) for i in range(len(frame))]
    frame["illustrative"] = 1
    path = tmp_path / "pci_2025.csv"
    frame.to_csv(path, index=False)
    assert import_file(path, db_copy, index_code="PCI").status == "loaded"
    with duckdb.connect(str(db_copy), read_only=True) as con:
        cmp = compare(con, "VN-38", "PCI", 2025, None)
        assert cmp.n_scored == 34 and set(cmp.peers.entity_code) >= {"VN25-tuyen-quang", "VN-38", "VN-01"}
        assert not {"VN-02", "VN-08"} & set(cmp.peers.entity_code)  # merged away: history, not peers


def test_a_blank_index_in_a_prefilled_template_takes_the_import_choice(db_copy, tmp_path):
    from loaders.tidy import template_frame
    from store.importing import import_file

    frame = template_frame("communes", today=date(2026, 12, 1)).head(3).assign(points=[90.5, 80.25, 70.0])
    path = tmp_path / "par_2025.csv"
    frame.to_csv(path, index=False)
    assert frame["index"].eq("").all()
    assert import_file(path, db_copy, index_code="PAR").status == "loaded"
    with duckdb.connect(str(db_copy), read_only=True) as con:
        got = con.execute("""SELECT count(*) FROM score WHERE index_code = 'PAR' AND year = 2025
                             AND criterion_code IS NULL AND NOT is_illustrative""").fetchone()[0]
    assert got == 3


def test_reforms_are_data():
    r = vocabulary.reforms()
    assert list(r.columns[:3]) == ["effective", "levels", "name"]
    assert isinstance(r.effective.iloc[0], date) and "province" in r.levels.iloc[0]
    assert isinstance(r, pd.DataFrame)


# Where a year written in the code is a fact of a fixed file, not «now»: the readers of
# historical files, the lower bound of a plausible year, the shape of the illustrative
# district series 2021–2024.
YEARS_ALLOWED = {"loaders/reference.py", "loaders/tidy.py:FIRST_YEAR", "domain/illustrative.py"}


def test_no_year_is_hard_coded_where_time_moves_on():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = []
    for top in ("app.py", "pages", "ui", "metrics", "exports", "store", "loaders", "domain", "access", "cli", "briefing"):
        path = root / top
        for f in [path] if path.is_file() else sorted(path.rglob("*.py")):
            rel = f.relative_to(root).as_posix()
            tree = ast.parse(f.read_text(encoding="utf-8"))
            allowed = {n.value.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign)
                       and any(isinstance(t, ast.Name) and f"{rel}:{t.id}" in YEARS_ALLOWED for t in n.targets)}
            for n in ast.walk(tree):
                if (isinstance(n, ast.Constant) and type(n.value) is int and 1990 <= n.value <= 2100
                        and rel not in YEARS_ALLOWED and n.lineno not in allowed):
                    found.append(f"{rel}:{n.lineno}: {n.value}")
    assert not found, found
