"""An imported row replaces only the fact it states (year, index, criterion, entity): the
breakdown a file does not state is kept, a rank-only row adds a rank to the held score, an
illustrative breakdown gives way to a real figure, ``replace_breakdown`` keeps the old rule
(everything held for the unit and year replaced), and a real figure that differs from one
held from another source is written and recorded in source_conflicts (issue 25, points 4-5)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from cli.data import main
from store.importing import import_file, import_summary
from tests.conftest import file_digest, sign_in

HEADER = "year,index,criterion,entity,points,max_points,rank,n_ranked,illustrative,source\n"
PRESS = "reference/finds_2026/press_par_sipas_pci_papi_values.csv"
THANH_HOA, HOA_BINH, VINH_LOC = "VN-38", "VN-17", "VN-38-393"


def tidy(tmp_path: Path, name: str, *rows: str) -> Path:
    p = tmp_path / name
    p.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def query(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute(sql, list(params)).fetchall()


def breakdown(db: Path, year: int, index_code: str, entity: str):
    """Every row from a file below the total of one unit, as stored (provenance included)."""
    return query(db, """SELECT * FROM score WHERE year = ? AND index_code = ? AND entity_code = ?
                        AND criterion_code IS NOT NULL AND NOT derived ORDER BY criterion_code""", year, index_code, entity)


def total(db: Path, year: int, index_code: str, entity: str):
    return query(db, """SELECT points, rank, n_ranked, is_illustrative, derived FROM score WHERE year = ?
                        AND index_code = ? AND entity_code = ? AND criterion_code IS NULL""", year, index_code, entity)


def test_the_issue_example_is_already_held_so_nothing_is_deleted(db_copy, tmp_path):
    """PAPI 2023 Thanh Hóa rank 13 of 63: the build holds that rank beside the score and the
    breakdown; before the change the import deleted the breakdown."""
    before, digest = breakdown(db_copy, 2023, "PAPI", THANH_HOA), file_digest(db_copy)
    assert len(before) > 30  # the 8 dimensions and their sub-dimensions
    r = import_file(tidy(tmp_path, "papi_hang.csv", "2023,PAPI,,Thanh Hóa,,,13,63,,báo chí"), db_copy)
    assert r.status == "unchanged"
    assert file_digest(db_copy) == digest and breakdown(db_copy, 2023, "PAPI", THANH_HOA) == before


def test_a_rank_only_row_adds_the_rank_and_keeps_the_breakdown(db_copy, tmp_path):
    before = breakdown(db_copy, 2020, "PAPI", THANH_HOA)
    (points, rank, *_), = total(db_copy, 2020, "PAPI", THANH_HOA)
    assert len(before) == 37 and points is not None and rank is None  # 2020: no published rank held
    f = tidy(tmp_path, "papi_hang.csv", "2020,PAPI,,Thanh Hóa,,,13,63,,báo chí")
    r = import_file(f, db_copy)
    assert (r.status, r.rows, r.added, r.replaced, r.kept, r.removed, r.conflicts) == ("loaded", 1, 0, 1, 37, 0, 0)
    assert import_summary(r) == ("Đã nạp 1 dòng (PAPI; năm 2020): thay 1 dòng, giữ nguyên 37 dòng chi tiết mà "
                                 "tệp không nêu.")
    # the breakdown is exactly as it was (provenance and the write that brought it included)
    assert breakdown(db_copy, 2020, "PAPI", THANH_HOA) == before
    assert total(db_copy, 2020, "PAPI", THANH_HOA) == [(points, 13, 63, False, False)]
    shown = query(db_copy, """SELECT points, rank, rank_published, source FROM scores WHERE year = 2020
                              AND index_code = 'PAPI' AND entity_code = ? AND criterion_code IS NULL""", THANH_HOA)
    assert shown[0][:3] == (points, 13, True)
    # the row is the file's; the score it kept says where it came from
    assert shown[0][3].startswith("papi_hang.csv › dòng 2 › báo chí; điểm lấy từ reference/")
    log = query(db_copy, "SELECT rows_loaded, rows_replaced, note FROM import_log ORDER BY import_id DESC LIMIT 1")
    assert log == [(1, 1, "giữ nguyên 37 dòng tệp không nêu")]
    digest = file_digest(db_copy)
    again = import_file(f, db_copy)
    assert (again.status, again.replaced) == ("unchanged", 0) and file_digest(db_copy) == digest


def test_replace_breakdown_keeps_the_old_rule(db_copy, tmp_path, capsys):
    n = len(breakdown(db_copy, 2020, "PAPI", THANH_HOA))
    f = tidy(tmp_path, "papi_hang.csv", "2020,PAPI,,Thanh Hóa,,,13,63,,")
    assert main(["import", str(f), "--db", str(db_copy), "--replace-breakdown"]) == 0
    out = capsys.readouterr().out
    assert f"thay 1 dòng, bỏ {n} dòng cũ mà tệp không nêu (đã chọn thay toàn bộ số liệu chi tiết)" in out
    assert breakdown(db_copy, 2020, "PAPI", THANH_HOA) == []
    assert total(db_copy, 2020, "PAPI", THANH_HOA) == [(None, 13, 63, False, False)]  # the file's row, as it is
    # other years of the unit are not the file's: untouched
    assert len(breakdown(db_copy, 2021, "PAPI", THANH_HOA)) > 30


def test_a_differing_figure_from_another_source_is_written_and_recorded(db_copy, tmp_path, capsys):
    held = query(db_copy, """SELECT points, source_file, source_row FROM score WHERE year = 2023 AND index_code = 'PAR'
                             AND entity_code = ? AND criterion_code IS NULL""", HOA_BINH)
    assert held == [(86.76, PRESS, 30)]
    n_conflicts = query(db_copy, "SELECT count(*) FROM source_conflicts")[0][0]
    f = tidy(tmp_path, "par_hoa_binh.csv", '2023,PAR,,Hòa Bình,"86,89",,,,,')
    assert main(["import", str(f), "--db", str(db_copy), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    message = (f"số liệu khác với {PRESS} dòng 30: 86,89 so với 86,76 (Hòa Bình, 2023, tiêu chí tổng); "
               "đã thay bằng số liệu của tệp này")
    assert (out["replaced"], out["conflicts"], out["conflict_messages"]) == (1, 1, [message])
    # the import is the user's act: its figure stands, without the rank that belonged to the old one
    assert total(db_copy, 2023, "PAR", HOA_BINH) == [(86.89, None, None, False, False)]
    assert query(db_copy, "SELECT count(*) FROM source_conflicts")[0][0] == n_conflicts + 1
    assert query(db_copy, "SELECT * FROM source_conflicts WHERE file = 'par_hoa_binh.csv'") == [
        ("par_hoa_binh.csv", None, 2, message)]
    # the same figure again: nothing to write, nothing recorded twice
    assert main(["import", str(f), "--db", str(db_copy)]) == 0
    assert "Không có gì thay đổi" in capsys.readouterr().out
    assert query(db_copy, "SELECT count(*) FROM source_conflicts")[0][0] == n_conflicts + 1


def test_the_same_figure_rounded_by_another_source_is_no_conflict(db_copy, tmp_path):
    n_conflicts = query(db_copy, "SELECT count(*) FROM source_conflicts")[0][0]
    (_, rank, n_ranked, *_), = total(db_copy, 2023, "PAR", HOA_BINH)
    r = import_file(tidy(tmp_path, "par.csv", "2023,PAR,,Hòa Bình,86.764,,,,,"), db_copy)
    assert (r.status, r.conflicts, r.conflict_messages) == ("loaded", 0, [])
    assert query(db_copy, "SELECT count(*) FROM source_conflicts")[0][0] == n_conflicts
    # the same score: the rank held beside it still belongs to it
    assert total(db_copy, 2023, "PAR", HOA_BINH) == [(86.764, rank, n_ranked, False, False)]


def test_a_different_published_rank_is_recorded(db_copy, tmp_path):
    (points, rank, n_ranked, *_), = total(db_copy, 2023, "PAPI", THANH_HOA)
    assert (rank, n_ranked) == (13, 63)
    r = import_file(tidy(tmp_path, "hang.csv", "2023,PAPI,,Thanh Hóa,,,12,63,,"), db_copy)
    assert r.conflicts == 1 and "hạng 12 so với hạng 13 (Thanh Hóa, 2023, tiêu chí tổng)" in r.conflict_messages[0]
    assert "1 số liệu khác với nguồn đã có, ghi vào «Nguồn số liệu mâu thuẫn»" in import_summary(r)
    assert total(db_copy, 2023, "PAPI", THANH_HOA)[0][:3] == (points, 12, 63)  # the score kept, the new rank


def test_a_real_total_removes_the_illustrative_breakdown(db_copy, tmp_path):
    shown = breakdown(db_copy, 2023, "PAPI", VINH_LOC)
    assert len(shown) == 28 and all(row[12] for row in shown)  # is_illustrative: the generated sub-dimensions
    assert total(db_copy, 2023, "PAPI", VINH_LOC)[0][3:] == (True, True)  # their illustrative sum
    r = import_file(tidy(tmp_path, "papi_vinh_loc.csv", "2023,PAPI,,Huyện Vĩnh Lộc,\"42,5\",,,,,"), db_copy)
    assert (r.added, r.replaced, r.kept, r.removed) == (1, 0, 0, 28)
    assert "bỏ 28 dòng minh họa mà tệp không nêu" in import_summary(r)
    assert breakdown(db_copy, 2023, "PAPI", VINH_LOC) == []
    assert query(db_copy, """SELECT criterion_code, points, is_illustrative, derived FROM score WHERE year = 2023
                             AND index_code = 'PAPI' AND entity_code = ?""", VINH_LOC) == [(None, 42.5, False, False)]
    # another district keeps its illustrative figures
    assert len(breakdown(db_copy, 2023, "PAPI", "VN-38-394")) == 28


def test_an_illustrative_row_keeps_the_illustrative_breakdown(db_copy, tmp_path):
    before = breakdown(db_copy, 2023, "PAPI", VINH_LOC)
    r = import_file(tidy(tmp_path, "minh_hoa.csv", "2023,PAPI,SC11,Huyện Vĩnh Lộc,\"1,5\",,,,x,"), db_copy)
    assert (r.replaced, r.kept, r.removed) == (1, 27, 0)
    after = breakdown(db_copy, 2023, "PAPI", VINH_LOC)
    assert [row for row in after if row[3] != "SC11"] == [row for row in before if row[3] != "SC11"]


@pytest.mark.parametrize("replace", [False, True])
def test_the_page_offers_the_option_and_says_what_was_kept(data_page, db_copy, tmp_path, replace):
    at = data_page
    sign_in(at, "Người kiểm thử")
    at.run()
    box = next(c for c in at.checkbox if c.label.startswith("Thay toàn bộ số liệu chi tiết"))
    assert box.value is False and box.help
    if replace:
        box.check()
    data = (HEADER + "2020,PAPI,,Thanh Hóa,,,13,63,,\n").encode("utf-8")
    at.file_uploader[0].set_value(("papi_hang.csv", data, "text/csv"))
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = re.sub(r"\\(.)", r"\1", " ".join(s.value for s in at.success))  # shown as plain text: markdown escaped
    assert "Đã nạp 1 dòng từ «papi_hang.csv» (PAPI; năm 2020): thay 1 dòng" in said, said
    assert ("bỏ 37 dòng cũ" if replace else "giữ nguyên 37 dòng chi tiết mà tệp không nêu") in said
    assert len(breakdown(db_copy, 2020, "PAPI", THANH_HOA)) == (0 if replace else 37)
