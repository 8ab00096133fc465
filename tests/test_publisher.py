"""Tests for loaders/publisher.py: real PAPI and PCI workbooks against the reference CSVs,
and synthetic decision annexes (built here with openpyxl) for the layout rules and every
kind of problem the reader must report."""
from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from domain.entities import EntityRegistry
from domain.frameworks import TOTAL, Frameworks
from domain.problems import Problem, ValidationFailed
from loaders.publisher import read_publisher_workbook

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PAPI_BOOK = DATA / "publisher" / "PAPI" / "PAPI_2011-2016.xlsx"
PCI_DIR = DATA / "publisher" / "PCI"
PCI_YEARS = range(2005, 2017)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: "Unknown extension"


@pytest.fixture(scope="module")
def fw() -> Frameworks:
    return Frameworks.load(DATA / "frameworks")


@pytest.fixture(scope="module")
def reg() -> EntityRegistry:
    return EntityRegistry.load(DATA / "registry")


@functools.lru_cache(maxsize=None)
def _read_real(path: Path, index_code: str) -> pd.DataFrame:
    # Real workbooks take seconds to read; every test reads each one once.
    return read_publisher_workbook(path, index_code, Frameworks.load(DATA / "frameworks"),
                                   EntityRegistry.load(DATA / "registry"))


def _pci_path(year: int) -> Path:
    return PCI_DIR / (f"PCI_{year}.xls" if year <= 2011 else f"PCI_{year}.xlsx")


# --------------------------------------------------------------------------- PAPI (real)

@pytest.fixture(scope="module")
def papi() -> pd.DataFrame:
    return _read_real(PAPI_BOOK, "PAPI")


@pytest.fixture(scope="module")
def papi_reference(reg) -> pd.DataFrame:
    ref = pd.read_csv(DATA / "reference" / "papi_subdimension_long_2011_2024.csv")
    names = pd.read_csv(DATA / "reference" / "papi_provinces.csv").set_index("province_code").province_vi
    ref = ref[ref.year.between(2011, 2016)].copy()
    ref["entity_code"] = [reg.resolve(names[p], int(y), "province") for y, p in zip(ref.year, ref.province_code)]
    assert ref.entity_code.notna().all()
    return ref


def test_papi_subdimensions_equal_reference(papi, papi_reference):
    got = {(r.year, r.entity_code, r.criterion_code): r.points for r in papi.itertuples()}
    for r in papi_reference.itertuples():
        key = (r.year, r.entity_code, r.subdimension_code)
        assert key in got, key
        assert math.isclose(got[key], r.score, abs_tol=1e-6), (key, got[key], r.score)
    sub = papi[papi.criterion_code.str.startswith("SC", na=False)]
    assert len(sub) == len(papi_reference)  # nothing loaded that the reference does not have


def test_papi_same_provinces_per_year(papi, papi_reference):
    sub = papi[papi.criterion_code.str.startswith("SC", na=False)]
    for year in range(2011, 2017):
        loaded = set(sub[sub.year == year].entity_code)
        expected = set(papi_reference[papi_reference.year == year].entity_code)
        assert loaded == expected, year
    # 2014: Bắc Giang and Đồng Tháp were not surveyed (blank cells, total 0): not loaded at all
    assert not ((papi.year == 2014) & papi.entity_code.isin(["VN-24", "VN-87"])).any()


def test_papi_footer_rows_are_not_provinces(papi):
    assert not papi.entity_raw.isin(["Highest", "Điểm cao nhất"]).any()
    assert papi.source_row.max() == 65  # row 66 of every sheet is the "Highest" line
    assert set(papi.source_sheet) == {f"{y}_PAPI" for y in range(2011, 2017)}
    assert sorted(papi.year.unique()) == list(range(2011, 2017))


def test_papi_dimensions_and_total(papi, fw):
    hanoi_2011 = papi[(papi.year == 2011) & (papi.entity_code == "VN-01")].set_index("criterion_code", drop=False)
    dims = {f"C0{i}" for i in range(1, 7)}
    assert dims <= set(hanoi_2011.criterion_code.dropna())
    total = hanoi_2011[hanoi_2011.criterion_code.isna()]
    assert len(total) == 1 and total.points.iloc[0] == pytest.approx(36.40502)
    assert hanoi_2011.loc["C01", "points"] == pytest.approx(5.76248)
    assert hanoi_2011.loc["C06", "points"] == pytest.approx(7.057175)
    assert hanoi_2011.loc["C01", "entity_raw"] == "Hà Nội"
    assert hanoi_2011.loc["C01", "source_row"] == 3
    # every row: 6 dimensions + 22 sub-dimensions + the total, under the year's framework
    per_row = papi.groupby(["year", "entity_code"]).size()
    assert (per_row == 29).all()
    assert set(papi[papi.year == 2016].framework) == {"PAPI-2016"}
    assert set(papi[papi.year == 2013].framework) == {"PAPI-2011"}
    assert set(papi.criterion_code.dropna()) <= set(fw.criteria_of("PAPI-2011").code)


# --------------------------------------------------------------------------- PCI (real)

@pytest.fixture(scope="module")
def pci_reference(fw, reg) -> pd.DataFrame:
    ref = pd.read_csv(DATA / "reference" / "pci_subindices_2005_2016_long.csv")

    def code(year: int, name: str) -> str | None:
        c = fw.match_header(fw.framework_for("PCI", year), name)
        assert c is not None, name
        return None if c == TOTAL else c

    ref["criterion_code"] = [code(int(y), n) for y, n in zip(ref.year, ref.subindex)]
    ref["entity_code"] = [reg.resolve(p, int(y), "province") for y, p in zip(ref.year, ref.province)]
    assert ref.entity_code.notna().all()
    assert set(ref[ref.subindex == "PCI (unweighted)"].criterion_code) == {"UNW"}
    assert set(ref[ref.subindex == "PCI (weighted)"].criterion_code) == {None}
    return ref


@pytest.mark.parametrize("year", [pytest.param(y, marks=pytest.mark.slow) if y == 2014 else y  # PCI_2014.xlsx: 4 s to read
                                  for y in PCI_YEARS])
def test_pci_workbook_equals_reference(year, pci_reference):
    df = _read_real(_pci_path(year), "PCI")
    got = {(r.entity_code, r.criterion_code): r.points for r in df[df.year == year].itertuples()}
    ref = pci_reference[pci_reference.year == year]
    want = {(e, c): s for e, c, s in zip(ref.entity_code, ref.criterion_code, ref.score)}
    assert set(got) == set(want)
    for key, score in want.items():
        # the reference is rounded to 4 decimals
        assert math.isclose(got[key], score, abs_tol=5.1e-5), (year, key, got[key], score)


def test_pci_thanh_hoa_totals():
    for year, total in ((2015, 60.74), (2016, 58.54)):
        df = _read_real(_pci_path(year), "PCI")
        th = df[(df.year == year) & (df.entity_code == "VN-38") & df.criterion_code.isna()]
        assert len(th) == 1
        assert round(th.points.iloc[0], 2) == total


def test_pci_ranks_labels_and_ha_tay():
    df = _read_real(_pci_path(2015), "PCI")
    th = df[(df.year == 2015) & (df.entity_code == "VN-38") & df.criterion_code.isna()].iloc[0]
    # the rank sits in its own column beside the total pair, the tier two columns further
    assert (th["rank"], th.n_ranked, th.label, th.source_sheet) == (10, 63, "Tốt", "Summary_VN")
    for year in (2006, 2007, 2008):
        d = _read_real(_pci_path(year), "PCI")
        assert d[(d.year == year) & (d.entity_code == "VN-HATAY")].shape[0] >= 11, year
    d = _read_real(_pci_path(2005), "PCI")
    total_2005 = d[(d.year == 2005) & (d.entity_code == "VN-38") & d.criterion_code.isna()].iloc[0]
    assert total_2005["rank"] == 35 and total_2005.n_ranked == 42  # from the ranking sheet


def test_pci_stale_english_summary_keeps_its_own_year():
    # PCI_2014…2016.xlsx carry an English "Summary" sheet that is PCI 2013 ("PCI 2013" in its
    # header): it is read as 2013, never as the workbook's year.
    df = _read_real(_pci_path(2016), "PCI")
    assert set(df[df.source_sheet == "Summary"].year) == {2013}
    assert set(df[df.source_sheet == "Summary_VN"].year) == {2016}


# --------------------------------------------------------------------------- synthetic annexes

LV1 = "1. Công tác chỉ đạo điều hành CCHC"
LV3 = "Cải cách thủ tục hành chính"
LV8 = "8. Tác động của CCHC đến người dân, tổ chức và chỉ tiêu phát triển kinh tế - xã hội của huyện"
GROUP = "Điểm đạt được theo lĩnh vực"

GOOD_ROWS = {
    2022: [(1, "Huyện Vĩnh Lộc", "8,5", "11", "24,25", "43,75", 2),
           (2, "TP Thanh Hóa", 9.0, "12,5", 25.0, 46.5, 1),
           (3, "Thị xã Bỉm Sơn", "7,25", 10.0, "22,5", "39,75", 3)],
    2023: [(1, "Huyện Vĩnh Lộc", "9,5", "12,25", "25,75", "47,5", 1),
           (2, "TP Thanh Hóa", 8.0, 11.0, "24,5", 43.5, 2),
           (3, "Thị xã Bỉm Sơn", "7,75", "10,5", 23.0, "41,25", 3)],
}


def _annex(ws, year: int | None, rows, *, title_year: bool = True, extra=None, columns=None) -> None:
    """A decision annex: a title block, a blank line, a two-row merged header, STT, data,
    an "Điểm cao nhất" line, a note and a signature block.

    ``columns`` replaces the three area headers; ``extra`` = (header, values) adds a column.
    """
    areas = columns or [LV1, LV3, LV8]
    ncol = 2 + len(areas) + 2 + (1 if extra else 0)
    last = openpyxl.utils.get_column_letter(ncol)
    ws["A1"] = "UBND TỈNH THANH HÓA"
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = (f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} CỦA CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ"
                if title_year else "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CỦA CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ")
    ws.merge_cells(f"A2:{last}2")
    ws["A3"] = ("(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/3/2024 của Chủ tịch UBND tỉnh)"
                if title_year else "(Kèm theo Quyết định của Chủ tịch UBND tỉnh)")
    ws.merge_cells(f"A3:{last}3")
    # row 4 is blank; the header takes rows 5 and 6
    ws["A5"], ws["B5"] = "STT", "Đơn vị"
    ws.merge_cells("A5:A6")
    ws.merge_cells("B5:B6")
    ws.cell(5, 3, GROUP)
    ws.merge_cells(start_row=5, start_column=3, end_row=5, end_column=2 + len(areas))
    for i, h in enumerate(areas):
        ws.cell(6, 3 + i, h)
    c_total, c_rank = 3 + len(areas), 4 + len(areas)
    ws.cell(5, c_total, "Tổng điểm")
    ws.merge_cells(start_row=5, start_column=c_total, end_row=6, end_column=c_total)
    ws.cell(5, c_rank, "Xếp hạng")
    ws.merge_cells(start_row=5, start_column=c_rank, end_row=6, end_column=c_rank)
    if extra:
        ws.cell(5, ncol, extra[0])
        ws.merge_cells(start_row=5, start_column=ncol, end_row=6, end_column=ncol)
    r = 7
    for i, row in enumerate(rows):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
        if extra:
            ws.cell(r, ncol, extra[1][i])
        r += 1
    ws.cell(r, 2, "Điểm cao nhất")
    for c in range(3, c_rank):
        ws.cell(r, c, max(_num(x[c - 1]) for x in rows))
    ws.cell(r + 1, 1, "Ghi chú: điểm tối đa của từng lĩnh vực theo Quyết định của UBND tỉnh.")
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=ncol)
    ws.cell(r + 3, c_total, "KT. CHỦ TỊCH")
    ws.cell(r + 4, c_total, "PHÓ CHỦ TỊCH")
    ws.cell(r + 7, c_total, "Nguyễn Văn A")


def _num(v) -> float:
    try:
        return float(str(v).replace(",", "."))
    except ValueError:
        return 0.0


def _book(path: Path, sheets: dict, **kw) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (year, rows) in sheets.items():
        _annex(wb.create_sheet(name), year, rows, **kw)
    guide = wb.create_sheet("Hướng dẫn")  # a sheet with no table at all
    guide["A1"] = "Bảng điểm theo Quyết định của UBND tỉnh; số liệu năm 2022 và 2023."
    guide["A3"] = "Liên hệ: Phòng Nội vụ"
    wb.save(path)
    return path


def _problems(path: Path, fw, reg, **kw) -> list[Problem]:
    with pytest.raises(ValidationFailed) as exc:
        read_publisher_workbook(path, "PAR", fw, reg, **kw)
    return exc.value.problems


def test_synthetic_annex_loads(tmp_path, fw, reg):
    path = _book(tmp_path / "cchc_huyen.xlsx", {"Năm 2022": (2022, GOOD_ROWS[2022]),
                                                "Năm 2023": (2023, GOOD_ROWS[2023])})
    df = read_publisher_workbook(path, "PAR", fw, reg, source_name="QĐ 1234 phụ lục.xlsx")
    assert len(df) == 2 * 3 * 4  # 2 sheets × 3 districts × (3 areas + total)
    assert set(df.year) == {2022, 2023}
    assert set(df.framework) == {"PAR-TH-HUYEN-2023"}
    assert set(df.criterion_code) == {"1", "3", "8", None}
    assert set(df.source_file) == {"QĐ 1234 phụ lục.xlsx"}
    assert not df.entity_raw.isin(["Điểm cao nhất"]).any()
    assert set(df.source_sheet) == {"Năm 2022", "Năm 2023"}
    assert df.is_illustrative.eq(False).all()

    def fact(year, entity, crit):
        sel = df[(df.year == year) & (df.entity_code == entity)]
        sel = sel[sel.criterion_code.isna()] if crit is None else sel[sel.criterion_code == crit]
        assert len(sel) == 1
        return sel.iloc[0]

    vl = fact(2023, "VN-38-393", "1")
    assert (vl.points, vl.entity_raw, vl.source_sheet, vl.source_row) == (9.5, "Huyện Vĩnh Lộc", "Năm 2023", 7)
    assert fact(2023, "VN-38-393", "3").points == 12.25
    assert fact(2023, "VN-38-393", "8").points == 25.75
    total = fact(2023, "VN-38-393", None)
    assert (total.points, total["rank"], total.n_ranked) == (47.5, 1, 3)
    assert fact(2023, "VN-38-393", "1")["rank"] is None  # the rank is the total's
    assert fact(2023, "VN-38-380", "8").points == 24.5  # "TP Thanh Hóa" is the city, not the province
    assert fact(2022, "VN-38-381", None).points == 39.75
    assert fact(2022, "VN-38-381", None).source_row == 9
    assert fact(2022, "VN-38-380", None)["rank"] == 1


def test_year_from_title_then_file_name(tmp_path, fw, reg):
    # no year in the sheet name: the title block's "NĂM 2023" wins over the decision's 2024
    path = _book(tmp_path / "bang.xlsx", {"Phụ lục": (2023, GOOD_ROWS[2023])})
    assert set(read_publisher_workbook(path, "PAR", fw, reg).year) == {2023}
    # nor in the title: the file name
    path = _book(tmp_path / "cchc_2022.xlsx", {"Phụ lục": (2022, GOOD_ROWS[2022])}, title_year=False)
    assert set(read_publisher_workbook(path, "PAR", fw, reg).year) == {2022}
    # the argument overrides everything
    assert set(read_publisher_workbook(path, "PAR", fw, reg, year=2024).year) == {2024}


def test_unknown_entity_is_reported_not_guessed(tmp_path, fw, reg):
    rows = [(1, "Huyện Vĩnh Lộcc", "9,5", "12,25", "25,75", "47,5", 1)] + GOOD_ROWS[2023][1:]
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, rows)})
    [p] = _problems(path, fw, reg)
    assert (p.file, p.sheet, p.row, p.column) == ("bad.xlsx", "Năm 2023", 7, "Đơn vị")
    assert "không nhận ra đơn vị được đánh giá «Huyện Vĩnh Lộcc»" in p.message


def test_text_in_score_cell(tmp_path, fw, reg):
    rows = list(GOOD_ROWS[2023])
    rows[1] = (2, "TP Thanh Hóa", 8.0, "không chấm", "24,5", 43.5, 2)
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, rows)})
    [p] = _problems(path, fw, reg)
    assert (p.sheet, p.row, p.column) == ("Năm 2023", 8, f"{GROUP} / {LV3}")
    assert "«không chấm»" in p.message and "không phải là số" in p.message


def test_unmatched_numeric_column(tmp_path, fw, reg):
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])},
                 extra=("Điểm thưởng", [1, 0.5, 0]))
    [p] = _problems(path, fw, reg)
    assert (p.sheet, p.row, p.column) == ("Năm 2023", 6, "Điểm thưởng")
    assert p.message.startswith("không nhận ra cột «Điểm thưởng»")


def test_duplicate_criterion_column(tmp_path, fw, reg):
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])},
                 columns=[LV1, LV3, "3. Cải cách thủ tục hành chính"])
    [p] = _problems(path, fw, reg)
    assert (p.sheet, p.row, p.column) == ("Năm 2023", 6, f"{GROUP} / 3. Cải cách thủ tục hành chính")
    assert "hai cột cùng là tiêu chí «3»" in p.message


def test_no_year_anywhere(tmp_path, fw, reg):
    path = _book(tmp_path / "bang.xlsx", {"Phụ lục": (None, GOOD_ROWS[2023])}, title_year=False)
    [p] = _problems(path, fw, reg)
    assert (p.sheet, p.row, p.column) == ("Phụ lục", 5, None)
    assert "không xác định được năm đánh giá" in p.message


def test_not_a_spreadsheet(tmp_path, fw, reg):
    path = tmp_path / "ket_qua_2023.xlsx"
    path.write_text("STT;Đơn vị;Tổng điểm\n1;Huyện Vĩnh Lộc;85,3\n", encoding="utf-8")
    [p] = _problems(path, fw, reg)
    assert (p.file, p.sheet, p.row, p.column) == ("ket_qua_2023.xlsx", None, None, None)
    assert "không phải bảng tính" in p.message


def test_points_above_maximum(tmp_path, fw, reg):
    rows = list(GOOD_ROWS[2023])
    rows[2] = (3, "Thị xã Bỉm Sơn", "11,5", "10,5", 23.0, "45", 3)  # area 1 is worth at most 11
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, rows)})
    [p] = _problems(path, fw, reg)
    assert (p.sheet, p.row, p.column) == ("Năm 2023", 9, f"{GROUP} / {LV1}")
    assert re.fullmatch(r"điểm 11[,.]5 vượt điểm tối đa 11", p.message)


def test_every_problem_is_reported_at_once(tmp_path, fw, reg):
    rows = [(1, "Huyện Vĩnh Lộcc", "9,5", "12,25", "25,75", "47,5", 1),
            (2, "TP Thanh Hóa", 8.0, "x", "24,5", 43.5, 2),
            (3, "Thị xã Bỉm Sơn", "11,5", "10,5", 23.0, "45", 3)]
    path = _book(tmp_path / "bad.xlsx", {"Năm 2022": (2022, GOOD_ROWS[2022]), "Năm 2023": (2023, rows)})
    problems = _problems(path, fw, reg)
    assert sorted((p.sheet, p.row) for p in problems) == [("Năm 2023", 7), ("Năm 2023", 8), ("Năm 2023", 9)]


def test_legacy_xls_is_read(fw, reg):
    df = _read_real(_pci_path(2009), "PCI")
    row = df[(df.year == 2009) & (df.entity_code == "VN-01") & df.criterion_code.isna()].iloc[0]
    assert (row.source_file, row.source_sheet, row.source_row) == ("PCI_2009.xls", "Tong Hop", 4)
    assert row.points == pytest.approx(58.177, abs=5e-4) and row["rank"] == 33


def test_problem_messages_are_vietnamese(tmp_path, fw, reg):
    path = _book(tmp_path / "bad.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])}, extra=("Bonus", [1, 2, 3]))
    [p] = _problems(path, fw, reg)
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵêềếệểễôốồộổỗơớờợởỡưứừựửữđ]", p.message)
    assert "trang tính «Năm 2023», dòng 6, cột «Bonus»" in str(p)


def test_percentage_and_unit_maximum_columns(tmp_path, fw, reg):
    # "Chỉ số CCHC (%)" restates the total: not a second total, not an unknown column
    path = _book(tmp_path / "pct.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])},
                 extra=("Chỉ số CCHC (%)", ["47,5", 43.5, "41,25"]))
    df = read_publisher_workbook(path, "PAR", fw, reg)
    assert len(df) == 12
    path = _book(tmp_path / "bare.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])}, extra=("%", [47.5, 43.5, 41.25]))
    assert len(read_publisher_workbook(path, "PAR", fw, reg)) == 12
    # a unit's own maximum (criteria that do not apply to it) goes with its total
    path = _book(tmp_path / "max.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])},
                 extra=("Điểm tối đa", [100, "97,5", 100]))
    df = read_publisher_workbook(path, "PAR", fw, reg)
    tp = df[(df.entity_code == "VN-38-380")].set_index("criterion_code", drop=False)
    assert tp[tp.criterion_code.isna()].max_points.iloc[0] == 97.5
    assert tp.loc["1", "max_points"] is None


def test_wrong_index_finds_no_table(tmp_path, fw, reg):
    path = _book(tmp_path / "cchc_2023.xlsx", {"Năm 2023": (2023, GOOD_ROWS[2023])})
    with pytest.raises(ValidationFailed) as exc:
        read_publisher_workbook(path, "PCI", fw, reg)
    [p] = exc.value.problems
    assert (p.sheet, p.row) == (None, None) and "không tìm thấy bảng điểm PCI" in p.message


def test_damaged_workbook(tmp_path, fw, reg):
    import zipfile

    path = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(path, "w") as z:  # a zip, but not a workbook
        z.writestr("word/document.xml", "<w:document/>")
    [p] = _problems(path, fw, reg)
    assert p.file == "hong.xlsx" and "bị hỏng" in p.message
