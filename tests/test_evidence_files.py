"""Evidence files (store/progress.keep_evidence, access/evidence.py): the content must be what the
suffix says, each upload keeps its uploader's name, a stored file is never replaced, and a file
is offered for download only from a report row the account may see."""
from __future__ import annotations

import io
import os
import zipfile

import openpyxl
import pytest

from access.evidence import downloadable, may_download
from domain.problems import ValidationFailed
from store.progress import EVIDENCE_TYPES, evidence_kind, keep_evidence

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the container of .doc and .xls
PLAN = "VL-2023-2025"


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx() -> bytes:
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    return buf.getvalue()


def xlsx() -> bytes:
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    return buf.getvalue()


def odf(mimetype: str) -> bytes:
    return zipped({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"})


ODT, ODS = odf("application/vnd.oasis.opendocument.text"), odf("application/vnd.oasis.opendocument.spreadsheet")


def stored_files(db_file) -> list[str]:
    folder = db_file.parent / "evidence"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_genuine_files_of_every_accepted_type_are_told_apart_and_kept(db_copy):
    genuine = {".pdf": PDF, ".docx": docx(), ".xlsx": xlsx(), ".odt": ODT, ".ods": ODS, ".doc": OLE2, ".xls": OLE2,
               ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
    assert set(genuine) == set(EVIDENCE_TYPES)
    assert {s: evidence_kind(d) for s, d in genuine.items()} == {
        ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".odt": "odt", ".ods": "ods", ".doc": "ole2", ".xls": "ole2",
        ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
    for suffix, data in genuine.items():
        rel, _ = keep_evidence(data, f"Minh chứng{suffix.upper()}", db_copy)
        assert (db_copy.parent / rel).read_bytes() == data


MISMATCHES = [
    ("Quyết định 12.pdf", PNG, "mang đuôi .pdf nhưng nội dung là một ảnh PNG, không phải một tệp PDF"),
    ("bao-cao.docx", xlsx(), "mang đuôi .docx nhưng nội dung là một bảng tính Excel (.xlsx), không phải một tài liệu Word"),
    ("bang.xlsx", docx(), "nội dung là một tài liệu Word (.docx), không phải một bảng tính Excel (.xlsx)"),
    ("anh.jpg", PDF, "nội dung là một tệp PDF, không phải một ảnh JPEG"),
    ("van-ban.odt", ODS, "nội dung là một bảng tính OpenDocument (.ods), không phải một văn bản OpenDocument (.odt)"),
    ("cu.doc", docx(), "mang đuôi .doc nhưng nội dung là một tài liệu Word (.docx)"),
    ("anh.png", b"MZ\x90\x00" + bytes(60), "nội dung là một chương trình chạy được (.exe, .dll), không phải một ảnh PNG"),
    ("nen.xlsx", zipped({"a.txt": b"x"}), "nội dung là một tệp nén ZIP, không phải một bảng tính Excel"),
    ("hong.docx", b"PK\x03\x04" + bytes(40), "nội dung là một tệp nén ZIP bị hỏng"),
    ("trang.pdf", b"<!DOCTYPE html><html><body>x</body></html>", "nội dung là một trang web (HTML)"),
    ("ghi-chu.pdf", "Biên bản họp ngày 12/3".encode(), "nội dung là chữ thuần"),
    ("rong.png", b"", "rỗng (0 byte)"),
    ("pdf-gia.pdf", b"%PDF", "không phải một tệp PDF"),  # «%PDF-» and a version: not four letters
]


@pytest.mark.parametrize("name, data, says", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_content_that_is_not_what_the_suffix_says_is_refused_and_nothing_stored(db_copy, name, data, says):
    with pytest.raises(ValidationFailed) as e:
        keep_evidence(data, name, db_copy)
    (p,) = e.value.problems
    assert p.file == name and f"«{name}»" in p.message and says in p.message, p.message
    assert "chưa lưu" in p.message
    assert stored_files(db_copy) == []


def test_a_pdf_renamed_to_jpg_is_told_which_suffix_it_needs(db_copy):
    with pytest.raises(ValidationFailed) as e:
        keep_evidence(PDF, "scan.jpg", db_copy)
    assert "đổi đuôi thành .pdf" in e.value.problems[0].message


def test_a_zip_is_recognised_from_its_directory_without_inflating_it(db_copy, monkeypatch):
    """An Office file is told by its directory only; an OpenDocument by a mimetype entry of a few
    bytes: an entry claiming to be larger (a zip bomb) is never opened."""
    bomb = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(30 << 20)})  # 30 MB of zeros
    fake_odt = zipped({"mimetype": bytes(20 << 20)})
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(getattr(name, "filename", name))
                        or real_open(self, name, *a, **k))
    assert evidence_kind(bomb) == "docx" and opened == []
    assert evidence_kind(fake_odt) == "odf" and opened == []
    assert evidence_kind(ODT) == "odt" and opened == ["mimetype"]
    with pytest.raises(ValidationFailed):
        keep_evidence(fake_odt, "van-ban.odt", db_copy)


def test_each_upload_keeps_its_own_name_for_the_same_content(db_copy):
    rel1, sha = keep_evidence(PDF, "Quyết định 12 của xã A.pdf", db_copy)
    rel2, sha2 = keep_evidence(PDF, "QD12-xa-B.pdf", db_copy)  # a second unit, the same document
    assert sha2 == sha and rel1 != rel2
    assert rel1 == f"evidence/{sha[:16]}/Quyết định 12 của xã A.pdf" and rel2 == f"evidence/{sha[:16]}/QD12-xa-B.pdf"
    first, second = db_copy.parent / rel1, db_copy.parent / rel2
    assert first.read_bytes() == second.read_bytes() == PDF
    assert os.path.samefile(first, second)  # one copy of the bytes: a hard link under the second name
    assert keep_evidence(PDF, "QD12-xa-B.pdf", db_copy) == (rel2, sha)  # the same name again: the same file
    assert stored_files(db_copy) == ["QD12-xa-B.pdf", "Quyết định 12 của xã A.pdf"]
    assert not [p for p in (db_copy.parent / "evidence").rglob(".*")]  # no temporary file left


def test_a_stored_file_is_never_replaced_by_other_content_under_the_same_code(db_copy):
    """Two contents whose SHA-256 share their first 16 hex digits (forged, 2^32 tries) must not
    make one unit's file serve as another's: the upload is refused, the stored file untouched."""
    import hashlib

    sha = hashlib.sha256(PDF).hexdigest()
    folder = db_copy.parent / "evidence" / sha[:16]
    folder.mkdir(parents=True)
    other = b"%PDF-1.4 mot van ban khac"
    (folder / "Biên bản.pdf").write_bytes(other)  # as if stored first, under the same 16 digits
    for name in ("Biên bản.pdf", "Tờ trình.pdf"):
        with pytest.raises(ValidationFailed) as e:
            keep_evidence(PDF, name, db_copy)
        assert "không lưu được" in e.value.problems[0].message and sha[:16] in e.value.problems[0].message
    assert (folder / "Biên bản.pdf").read_bytes() == other and stored_files(db_copy) == ["Biên bản.pdf"]


def row(unit: str, plan: str = PLAN, file: str | None = "evidence/0123456789abcdef/a.pdf") -> dict:
    return {"plan_id": plan, "unit_code": unit, "evidence_file": file}


@pytest.mark.parametrize("who, unit, sees_all, the_row, allowed", [
    ("a unit, its own row", "phong_tu_phap", False, row("phong_tu_phap"), True),
    ("a unit, another unit's row", "phong_tu_phap", False, row("phong_noi_vu"), False),
    ("a unit, its own row of another plan", "phong_tu_phap", False, row("phong_tu_phap", "KH-KHAC"), False),
    ("the coordinator, any unit's row of its plan", "phong_noi_vu", True, row("phong_tu_phap"), True),
    ("the coordinator, a row of another plan", "phong_noi_vu", True, row("phong_tu_phap", "KH-KHAC"), False),
    ("an administrator", None, True, row("bhxh_huyen"), True),
    ("an account with no unit that does not see all", None, False, row("bhxh_huyen"), False),
    ("a row with no file", "phong_tu_phap", False, row("phong_tu_phap", file=None), False),
    ("a row with an empty file name", None, True, row("phong_tu_phap", file=" "), False),
])
def test_who_may_download_an_evidence_file(who, unit, sees_all, the_row, allowed):
    assert may_download(the_row, plan_id=PLAN, unit=unit, sees_all=sees_all) is allowed, who


def test_downloadable_keeps_only_the_rows_in_the_accounts_scope():
    import pandas as pd

    rows = pd.DataFrame([row("phong_tu_phap"), row("phong_noi_vu"), row("phong_tu_phap", file=None),
                         row("phong_tu_phap", "KH-KHAC")])
    assert downloadable(rows, plan_id=PLAN, unit="phong_tu_phap", sees_all=False).index.tolist() == [0]
    assert downloadable(rows, plan_id=PLAN, unit="phong_noi_vu", sees_all=True).index.tolist() == [0, 1]
    assert downloadable(rows.drop(columns="evidence_file"), plan_id=PLAN, unit=None, sees_all=True).empty
