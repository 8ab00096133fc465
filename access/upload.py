"""A file received through the web page: checked against the upload limit, written to a
private temporary folder under a safe name, then imported exactly as the command line
would import it (same validation, same lock, same log). No Streamlit here, so the page
stays thin and this is tested directly."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from loaders import guard
from store.importing import ImportResult, import_file, import_summary, shown_conflicts  # noqa: F401 - the page's summary


def safe_name(name: str) -> str:
    """A file name for the temporary copy: no folders, no control characters, the suffix kept
    (the reader goes by it). The original name is still what the log and messages show."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w.\- ]+", "_", stem).strip(" ._") or "tep"
    return stem[:100] + re.sub(r"[^\w.]", "", suffix)[:10]


def receive(name: str, data: bytes, db_file: Path, *, user: str, index_code: str | None = None,
            replace_breakdown: bool = False) -> ImportResult:
    """Import an uploaded file; ValidationFailed (database untouched) if it is refused.
    ``replace_breakdown``: every figure held for a (year, index, entity) of the file is replaced,
    not only those its rows state (store.importing.import_file)."""
    limits = guard.load_limits()  # once: the upload size here, then the whole import
    guard.check_upload(name, len(data), limits)
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        return import_file(path, db_file, index_code=index_code, source_name=name, user=user, limits=limits,
                           replace_breakdown=replace_breakdown)


def receive_report(name: str, data: bytes, db_file: Path, *, user: str, scope):
    """Save a unit's filled progress template (.xlsx or .csv) through the reporting write path:
    read and checked (loaders.progress.read_progress, every problem with its sheet, row and
    column), then saved for what ``scope`` may report (store.progress.save_reports). Returns the
    SaveResult; ValidationFailed, and nothing written, if the file or any row is refused."""
    from domain.problems import Problem, ValidationFailed
    from loaders.progress import read_progress
    from store.audit import sha256
    from store.progress import save_reports

    guard.check_upload(name, len(data))
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        rows = read_progress(path, name)
        if rows.empty:
            raise ValidationFailed([Problem(name, "không có dòng nào ghi «Tình trạng»")])
        return save_reports(db_file, rows, user=user, scope=scope, file=name, digest=sha256(path),
                            action="import-report", sheet=rows.sheet.iloc[0])


PLAN_SUFFIXES = (".docx", ".xlsx")


def receive_plan(name: str, data: bytes, db_file: Path, *, entity_code: str, number: str, signed_on,
                 signer: str, user: str, scope):
    """Make a plan document (the draft built on «Trọng tâm năm tới», or the signed .docx/.xlsx
    the commune uploads) the entity's plan of record through store.adoption.adopt_plan: same
    checks, lock, log and undo as every write. Returns the Adoption; ValidationFailed, and
    nothing written, if it is refused."""
    from domain.problems import Problem, ValidationFailed
    from store.adoption import adopt_plan

    if Path(name).suffix.lower() not in PLAN_SUFFIXES:
        raise ValidationFailed([Problem(name, "kế hoạch nạp lên phải là tệp Word (.docx) hoặc Excel (.xlsx), "
                                              "có các phụ lục phân công như bản dự thảo")])
    guard.check_upload(name, len(data))
    with tempfile.TemporaryDirectory(prefix="chiso-upload-") as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        return adopt_plan(path, entity_code, number=number, signed_on=signed_on, signer=signer, user=user,
                          scope=scope, source_name=name, db_file=db_file)
