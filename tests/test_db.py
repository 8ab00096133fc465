"""The one door to the database: atomic swaps, and readers that follow them."""
import duckdb
import pytest

from store import db
from store.importing import import_file
from tests.conftest import file_digest


def test_reader_sees_the_swapped_file(db_copy, tmp_path):
    reader = db.ReadOnlyDatabase(db_copy)
    q = "SELECT count(*) FROM score WHERE entity_code = 'VN-38-393' AND year = 2024 AND index_code = 'PAR'"
    before = reader.cursor().execute(q).fetchone()[0]
    f = tmp_path / "x.csv"
    f.write_text("year,index,criterion,entity,points\n2024,PAR,,Huyện Vĩnh Lộc,88\n", encoding="utf-8")
    version = reader.version
    import_file(f, db_copy)
    assert reader.version != version
    assert reader.cursor().execute(q).fetchone()[0] == 1 != before
    reader.close()


def test_a_failed_write_leaves_the_live_file_untouched(db_copy):
    digest = file_digest(db_copy)
    with pytest.raises(RuntimeError):
        with db.writable_copy(db_copy) as con:
            con.execute("DELETE FROM score")
            raise RuntimeError("boom")
    assert file_digest(db_copy) == digest
    assert not list(db_copy.parent.glob(".*.tmp"))


def test_readers_and_a_writer_at_once(db_copy, tmp_path):
    # a read-only connection stays open while an import swaps the file underneath it
    held = duckdb.connect(str(db_copy), read_only=True)
    f = tmp_path / "x.csv"
    f.write_text("year,index,criterion,entity,points\n2024,DDCI,,Huyện Vĩnh Lộc,70\n", encoding="utf-8")
    assert import_file(f, db_copy).status == "loaded"
    assert held.execute("SELECT count(*) FROM score").fetchone()[0] > 0  # the old snapshot still answers
    held.close()
