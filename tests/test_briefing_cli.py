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


def test_tasks_default_to_the_focus_list(tmp_path, dbarg, con, capsys):
    out = tmp_path / "phan_cong.xlsx"
    assert main(["tasks", "--entity", "Vĩnh Lộc", "--year", "2024", "--out", str(out), *dbarg]) == 0
    focus = criteria.focus_list(con, "VN-38-393", 2024)
    assert f"{len(focus)} tiêu chí" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO CÁC CHỈ SỐ NĂM {next_plan_year(2024)}"
    assert "của UBND huyện Vĩnh Lộc" in ws["A2"].value
    names = {ws.cell(row=r, column=2).value for r in range(6, ws.max_row + 1)}
    assert set(focus.criterion_name) <= names  # DDCI has no plan table: its rows have no units


def test_tasks_for_chosen_criteria_carry_the_right_units(tmp_path, dbarg):
    out = tmp_path / "phan_cong.docx"
    assert main(["tasks", "--entity", "Vĩnh Lộc", "--year", "2024", "--criteria", "PAR:3.4,SC62", "--out", str(out),
                 "--plan-number", "125", *dbarg]) == 0
    d = docx.Document(out)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Kèm theo Kế hoạch số 125/KH-UBND" in text
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert ["3.4", "Kết quả giải quyết hồ sơ TTHC", "Các phòng, ban, ngành, đơn vị cấp huyện; UBND cấp xã",
            "Các đơn vị liên quan", "Thường xuyên"] in rows
    assert ["6.1", "Giáo dục tiểu học công lập", "Phòng Giáo dục và Đào tạo",
            "Các cơ sở giáo dục công lập; Các đơn vị liên quan", "Thường xuyên"] in rows
    assert any(r[:2] == ["3", "Cải cách thủ tục hành chính"] for r in rows)  # the area row


def test_tasks_csv_is_utf8_with_bom(tmp_path, dbarg):
    out = tmp_path / "phan_cong.csv"
    assert main(["tasks", "--entity", "Vĩnh Lộc", "--year", "2024", "--criteria", "PAR:7.3", "--out", str(out), *dbarg]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:4] == ["PAR", "7.3", "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
                           "Phát triển ứng dụng, dịch vụ phục vụ người dân, tổ chức"]
    assert rows[1][4] == "Phòng Văn hóa và Thông tin"


@pytest.mark.parametrize("args,message", [
    (["--criteria", "9.9"], "không có tiêu chí này"),
    (["--entity", "Không Có"], "không nhận ra"),
    (["--out", "x.pdf"], "xuất được .xlsx, .docx, .csv"),
])
def test_tasks_refuses_what_it_cannot_do(tmp_path, dbarg, capsys, args, message):
    base = {"--entity": "Vĩnh Lộc", "--out": str(tmp_path / "x.xlsx")}
    extra = dict(zip(args[::2], args[1::2]))
    argv = ["tasks", "--year", "2024", *dbarg]
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

    # Vĩnh Lộc's focus list rests on illustrative data; Thanh Hóa's is all published
    assert criteria.focus_list(con, "VN-38-393", 2024).is_illustrative.all()
    assert not gather(con, "VN-38", 2024).is_illustrative
    for entity, illustrative in (("Vĩnh Lộc", True), ("Thanh Hóa", False)):
        out = tmp_path / f"{entity}{ext}"
        assert main(["tasks", "--entity", entity, "--year", "2024", "--out", str(out), *dbarg]) == 0
        if ext == ".xlsx":
            ws = openpyxl.load_workbook(out).active
            header, line = ws.oddHeader.center.text, ws["A3"].value
        else:
            d = docx.Document(out)
            header = "\n".join(p.text for p in d.sections[0].header.paragraphs) or None
            line = next((p.text for p in d.paragraphs if p.text == ILLUSTRATIVE_MARK), None)
        assert (header, line) == ((ILLUSTRATIVE_MARK, ILLUSTRATIVE_MARK) if illustrative else (None, None)), entity
