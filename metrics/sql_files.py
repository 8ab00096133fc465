"""The SQL of the metrics layer: one file per result in metrics/sql/, read once per process."""
from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql(name: str) -> str:
    """The text of metrics/sql/<name>. Its parameters are named (``$entity_code``): pass them
    as a dict, every one of them, and nothing else."""
    return (SQL_DIR / name).read_text(encoding="utf-8")
