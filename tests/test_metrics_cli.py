"""python -m metrics: the numbers without the UI, resolved through the loaders' aliases."""
import json

import pytest

from metrics import criteria
from cli.metrics import KEYS, main


def run(capsys, *args) -> list[dict]:
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def dbarg(built_db):
    return ["--db", str(built_db)]


def test_thanh_hoa_papi_ranks_are_computed_for_2011_2024(capsys, dbarg):
    items = run(capsys, "ranks", "--entity", "Thanh Hóa", "--index", "PAPI", *dbarg)
    assert [i["year"] for i in items] == list(range(2011, 2025))
    # PAPI publishes no ranks; the press printed Thanh Hóa's for 2018, 2021 and 2022 (finds_2026)
    # and for 2023 and 2024 (press_ranks_2020_2024.csv)
    assert [i["year"] for i in items if not i["computed"]] == [2018, 2021, 2022, 2023, 2024]
    assert set(KEYS["ranks"][:5]) <= set(items[0])
    assert [(i["year"], round(i["points"], 2), i["rank"], i["n_ranked"]) for i in items[-4:]] == [
        (2021, 47.10, 3, 63), (2022, 46.02, 3, 63), (2023, 44.20, 13, 63), (2024, 44.87, 13, 63)]


@pytest.mark.parametrize("name", ["Vĩnh Lộc", "Huyện Vĩnh Lộc", "huyen vinh loc"])
def test_entity_names_resolve_through_the_aliases(capsys, dbarg, name):
    items = run(capsys, "ranks", "--entity", name, "--index", "PAR", *dbarg)
    assert [i["year"] for i in items if not i["via_successor"]] == [2021, 2022, 2023, 2024]
    # after 1/7/2025 the trend follows the district's three successor communes, ranked among 166
    later = [i for i in items if i["via_successor"]]
    assert sorted(i["entity_name"] for i in later) == ["Xã Biện Thượng", "Xã Tây Đô", "Xã Vĩnh Lộc"]
    assert {(i["year"], i["n_ranked"]) for i in later} == {(2025, 166)}
    assert all(i["is_illustrative"] for i in items)


def test_focus_json_has_the_documented_keys_and_equals_the_function(capsys, dbarg, con):
    items = run(capsys, "focus", "--entity", "Vĩnh Lộc", "--year", "2024", *dbarg)
    assert items and all(set(KEYS["focus"]) <= set(i) for i in items)
    expected = criteria.focus_list(con, "VN-38-393", 2024)
    assert [(i["index_code"], i["criterion_code"]) for i in items] == list(zip(expected.index_code, expected.criterion_code))
    assert all(isinstance(i["reasons"], list) and i["reasons"] for i in items)


def test_coverage_and_unit(capsys, dbarg):
    assert run(capsys, "coverage", *dbarg) == [{"index_code": "PAPI", "criterion_code": "SC61", "criterion_name": "Y tế công lập"}]
    items = run(capsys, "unit", "phòng Tài chính- Kế hoạch", *dbarg)
    direct_leads = {(i["index_code"], i["plan_code"]) for i in items if i["role"] == "chủ trì" and i["via_group"] is None}
    assert direct_leads == {("PAR", "6.1"), ("PAR", "6.2"), ("PAR", "6.3"), ("PAR", "8.4")}
    assert any(i["via_group"] == "Các phòng, ban, ngành, đơn vị cấp huyện" for i in items)


def test_text_output_is_vietnamese_with_decimal_commas(capsys, dbarg):
    assert main(["ranks", "--entity", "Thanh Hóa", "--index", "PAPI", *dbarg]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Năm") and "47,10" in out


def test_unknown_names_exit_2(capsys, dbarg):
    assert main(["ranks", "--entity", "Tỉnh Không Có", "--index", "PAR", *dbarg]) == 2
    assert "không nhận ra" in capsys.readouterr().err
    assert main(["unit", "Phòng Không Có", *dbarg]) == 2


@pytest.mark.parametrize("argv", [["metrics", "coverage"],
                                  ["briefing", "deck", "--entity", "Vĩnh Lộc", "--year", "2024", "--out", "x.pptx"]])
def test_commands_fail_in_one_vietnamese_line_not_a_traceback(tmp_path, argv):
    import subprocess
    import sys

    from tests.conftest import ROOT

    broken = tmp_path / "hong.duckdb"
    broken.write_bytes(b"not a database")
    run = lambda db: subprocess.run([sys.executable, "-m", *argv, "--db", str(db)], cwd=tmp_path,  # noqa: E731
                                    env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    r = run(broken)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi nội bộ") and "Traceback" not in r.stderr
    r = run(tmp_path / "chua_co.duckdb")
    assert r.returncode == 2 and "Chưa có cơ sở dữ liệu" in r.stderr and "python -m loaders build" in r.stderr
