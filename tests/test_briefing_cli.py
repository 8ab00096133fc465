"""python -m briefing tasks: the task table for the chosen criteria, in three formats."""
import csv
import io

import docx
import openpyxl
import pytest

from domain.vocabulary import next_plan_year

from cli.briefing import main
from metrics import criteria


@pytest.fixture()
def dbarg(built_db):
    return ["--db", str(built_db)]


TAY_DO = "VN-38-15361"  # xã Tây Đô: no plan of its own, units proposed from the former district's plan


def test_tasks_default_to_the_focus_list(tmp_path, dbarg, con, capsys):
    out = tmp_path / "phan_cong.xlsx"
    assert main(["tasks", "--entity", "Xã Tây Đô", "--year", "2025", "--out", str(out), *dbarg]) == 0
    focus = criteria.focus_list(con, TAY_DO, 2025)
    assert f"{len(focus)} tiêu chí" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CÁC CHỈ SỐ NĂM {next_plan_year(2025)}"
    assert "của UBND xã Tây Đô" in ws["A2"].value
    names = {ws.cell(row=r, column=2).value for r in range(6, ws.max_row + 1)}
    assert set(focus.criterion_name.str.replace("huyện", "xã")) <= names


def test_tasks_for_chosen_criteria_carry_the_proposed_units(tmp_path, dbarg):
    out = tmp_path / "phan_cong.docx"
    assert main(["tasks", "--entity", "Xã Tây Đô", "--year", "2025", "--criteria", "PAR:3.4,SIPAS:2.3", "--out",
                 str(out), "--plan-number", "125", *dbarg]) == 0
    d = docx.Document(out)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Kèm theo Kế hoạch số 125/KH-UBND" in text
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    # a unit name with a comma inside stays one unit
    assert ["3.4", "Kết quả giải quyết hồ sơ TTHC", "Các phòng chuyên môn, đơn vị thuộc UBND xã",
            "UBND xã; Các đơn vị liên quan", "Thường xuyên"] in rows
    assert ["2.3", "Công chức trực tiếp giải quyết TTHC", "Văn phòng HĐND và UBND xã",
            "UBND xã; Các đơn vị liên quan", "Thường xuyên"] in rows
    assert any(r[:2] == ["3", "Cải cách thủ tục hành chính"] for r in rows)  # the area row


def test_tasks_csv_is_utf8_with_bom(tmp_path, dbarg):
    out = tmp_path / "phan_cong.csv"
    assert main(["tasks", "--entity", "Xã Tây Đô", "--year", "2025", "--criteria", "PAR:7.3", "--out", str(out),
                 *dbarg]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:4] == ["PAR", "7.3", "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
                           "Phát triển ứng dụng, dịch vụ phục vụ người dân, tổ chức"]
    assert rows[1][4] == "Phòng Văn hóa - Xã hội"


def test_the_former_district_gets_no_task_table_and_is_shown_its_successors(tmp_path, dbarg, capsys):
    out = tmp_path / "phan_cong.xlsx"
    assert main(["tasks", "--entity", "Huyện Vĩnh Lộc", "--year", "2024", "--out", str(out), *dbarg]) == 2
    err = capsys.readouterr().err
    assert "UBND huyện Vĩnh Lộc không còn từ 01/7/2025" in err and "Xã Tây Đô" in err and "Xã Biện Thượng" in err
    assert not out.exists()


@pytest.mark.parametrize("args,message", [
    (["--criteria", "9.9"], "không có tiêu chí này"),
    (["--entity", "Không Có"], "không nhận ra"),
    (["--out", "x.pdf"], "xuất được .xlsx, .docx, .csv"),
])
def test_tasks_refuses_what_it_cannot_do(tmp_path, dbarg, capsys, args, message):
    base = {"--entity": "Xã Tây Đô", "--out": str(tmp_path / "x.xlsx")}
    extra = dict(zip(args[::2], args[1::2]))
    argv = ["tasks", "--year", "2025", *dbarg]
    for k, v in {**base, **extra}.items():
        argv += [k, v]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_csv_neutralises_formulas():
    from exports.csv_out import to_csv_bytes

    data = to_csv_bytes(["a"], [["=HYPERLINK(\"http://x\")"], ["+1"], ["@SUM(A1)"], ["ok"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "ok"]


@pytest.mark.parametrize("ext", [".xlsx", ".docx"])
def test_tasks_carry_the_illustrative_notice_only_on_illustrative_choices(tmp_path, dbarg, con, ext):
    from exports.briefing import ILLUSTRATIVE_MARK, gather

    # xã Tây Đô's focus list rests on illustrative data; Thanh Hóa's is all published
    assert criteria.focus_list(con, TAY_DO, 2025).is_illustrative.all()
    assert not gather(con, "VN-38", 2024).is_illustrative
    for entity, year, illustrative in (("Xã Tây Đô", "2025", True), ("Thanh Hóa", "2024", False)):
        out = tmp_path / f"{entity}{ext}"
        assert main(["tasks", "--entity", entity, "--year", year, "--out", str(out), *dbarg]) == 0
        if ext == ".xlsx":
            ws = openpyxl.load_workbook(out).active
            header, line = ws.oddHeader.center.text, ws["A3"].value
        else:
            d = docx.Document(out)
            header = "\n".join(p.text for p in d.sections[0].header.paragraphs) or None
            line = next((p.text for p in d.paragraphs if p.text == ILLUSTRATIVE_MARK), None)
        assert (header, line) == ((ILLUSTRATIVE_MARK, ILLUSTRATIVE_MARK) if illustrative else (None, None)), entity
