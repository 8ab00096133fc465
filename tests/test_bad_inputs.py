"""The corpus of bad and awkward files (tests/corpus.py) through the command line and the
Dữ liệu page: every bad file is refused with the place and the reason in Vietnamese and the
database stays byte-identical; every awkward-but-valid file is stored correctly."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from cli.data import main
from tests.conftest import db_content, file_digest, sign_in
from tests.corpus import AWKWARD, BAD

PAGE_TYPES = (".csv", ".xlsx", ".xls", ".parquet")  # what the page's uploader lets through


def test_the_corpus_is_large_enough():
    assert len(BAD) >= 30 and len(AWKWARD) >= 5
    assert len({c.name for c in BAD + AWKWARD}) == len(BAD) + len(AWKWARD)


def args(case, path, db):
    return ["import", str(path), "--db", str(db)] + (["--index", case.index] if case.index else [])


def leftovers(db):
    return sorted(p.name for p in db.parent.iterdir() if p.name.endswith((".tmp", ".wal")))


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_file_is_refused_by_the_command_line(case, db_copy, tmp_path, capsys, monkeypatch):
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    folder = tmp_path / "in"
    folder.mkdir()
    path = case.write(folder)
    before, digest = db_content(db_copy), file_digest(db_copy)
    assert main(args(case, path, db_copy)) == 2
    err = capsys.readouterr().err
    assert "Cơ sở dữ liệu không thay đổi" in err and "Traceback" not in err
    for fragment in case.expect:
        assert fragment in err, err
    assert file_digest(db_copy) == digest and db_content(db_copy) == before
    assert leftovers(db_copy) == [] and not (db_copy.parent / "snapshots").exists()
    assert main(["check", str(path)] + (["--index", case.index] if case.index else [])) == 2


def stored(db, case) -> list[tuple]:
    out = []
    with duckdb.connect(str(db), read_only=True) as c:
        for crit, year, index, _ in case.stored:
            out += c.execute("""SELECT criterion_code, year, index_code, points FROM score WHERE entity_code = 'VN-38-393'
                                AND year = ? AND index_code = ? AND criterion_code IS NOT DISTINCT FROM ? AND NOT derived""",
                             [year, index, crit]).fetchall()
    return out


@pytest.mark.parametrize("case", AWKWARD, ids=[c.name for c in AWKWARD])
def test_awkward_but_valid_file_is_stored_correctly(case, db_copy, tmp_path, capsys):
    path = case.write(tmp_path)
    assert main(args(case, path, db_copy)) == 0, capsys.readouterr().err
    assert stored(db_copy, case) == case.stored
    with duckdb.connect(str(db_copy), read_only=True) as c:
        last = c.execute("SELECT file, sha256, rows_read FROM import_log ORDER BY import_id DESC LIMIT 1").fetchone()
    assert last[0] == case.name and last[2] == len(case.stored)


def test_text_that_looks_like_a_formula_is_stored_as_text(db_copy, tmp_path):
    case = next(c for c in AWKWARD if c.name == "formula_like_source.csv")
    assert main(args(case, case.write(tmp_path), db_copy)) == 0
    with duckdb.connect(str(db_copy), read_only=True) as c:
        note = c.execute("""SELECT source_note FROM score WHERE entity_code = 'VN-38-393' AND year = 2024
                            AND index_code = 'PAR' AND criterion_code = '2.1'""").fetchone()[0]
    assert note == '=HYPERLINK("http://x")'  # stored as written; exports neutralise it (tests/test_task_table.py)


# ---------------------------------------------------------------- the same files through the page

def shown(markdown: str) -> str:
    """Markdown source as a reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def problem_lines(at) -> str:
    """The page's problem table, each row written out like the command line writes it: a short list
    is a plain table (ui/account.problems_table, columns Tệp, Trang tính, Dòng, Cột, Lỗi), a long one
    a dataframe."""
    tables = [d.value for d in at.dataframe if {"column", "message"} <= set(d.value.columns)]
    tables += [t.value.reset_index() for t in at.table if {"Cột", "Lỗi"} <= set(t.value.columns)]
    table = tables[0].astype(str).replace({"nan": "", "None": ""})
    lines = []
    for r in table.itertuples(index=False):
        where = [f"tệp {r[0]}"] + [f"trang tính «{r[1]}»"] * bool(r[1]) + [f"dòng {r[2]}"] * (r[2] != "") \
            + [f"cột «{r[3]}»"] * bool(r[3])
        lines.append(", ".join(where) + ": " + str(r[4]))
    return "\n".join(lines)


@pytest.fixture()
def signed_in_page(data_page):
    at = data_page
    sign_in(at, "Người kiểm thử")
    at.run()
    assert not at.exception
    return at


def upload(at, name: str, data: bytes, index: str | None = None):
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    at.selectbox[0].set_value(index)
    at.button[0].click()  # the form's «Kiểm tra và nạp»
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.slow  # ~6 s: the whole corpus through the page; the command-line cases above stay in `make test-fast`
def test_bad_files_are_refused_by_the_page(signed_in_page, db_copy, tmp_path, monkeypatch):
    at = signed_in_page
    before, digest = db_content(db_copy), file_digest(db_copy)
    cases = [c for c in BAD if c.name.endswith(PAGE_TYPES)]
    assert len(cases) >= 30
    for case in cases:
        with monkeypatch.context() as m:
            for k, v in case.env.items():
                m.setenv(k, v)
            upload(at, case.name, case.make(tmp_path), case.index)
        errors = [shown(e.value) for e in at.error]
        assert len(errors) == 1 and f"«{case.name}» không hợp lệ" in errors[0] and "không thay đổi" in errors[0], case.name
        table = errors[0] + "\n" + problem_lines(at)
        for fragment in case.expect:
            assert fragment in table, (case.name, fragment, table)
    assert file_digest(db_copy) == digest and db_content(db_copy) == before


@pytest.mark.slow  # ~5 s, as above
def test_awkward_files_are_accepted_by_the_page_and_logged_with_the_user(signed_in_page, db_copy, tmp_path):
    at = signed_in_page
    for case in AWKWARD:
        upload(at, case.name, case.make(tmp_path), case.index)
        assert at.success and case.name in shown(at.success[0].value), case.name
        assert stored(db_copy, case) == case.stored
    with duckdb.connect(str(db_copy), read_only=True) as c:
        log = c.execute("""SELECT user_name, file FROM import_log WHERE action = 'import' ORDER BY import_id""").fetchall()
    assert log == [("web: Người kiểm thử", c.name) for c in AWKWARD]
    log_table = next(d.value for d in at.dataframe if "user_name" in d.value.columns)
    assert isinstance(log_table, pd.DataFrame) and "web: Người kiểm thử" in set(log_table["user_name"])
