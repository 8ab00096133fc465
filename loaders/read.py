"""Reading one score file into staged rows: admit it, decode it, interpret it, check it.

Every import (command line, web page, rebuild) passes here, in one direction, each stage
entered once: ``guard.admit`` (the one admission: a readable file, not empty, no web page
in disguise, within the limits the ``Context`` carries, before any parser) → ``cells`` (an
.xlsx loaded once: its first rows tell what it is, then its sheets of cells, handed to the
interpreter) → an interpreter (``tidy``, ``publisher``, ``reference``) →
``staging.finish`` (validation against the frameworks) → staged rows for ``store`` to
write. ``merge_staged`` joins the sources of a rebuild in priority order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from domain.entities import EntityRegistry
from domain.frameworks import Frameworks
from domain.problems import Problem, ValidationFailed
from domain.text import fold, fold_loose, vn_number
from loaders import guard
from loaders.cells import Workbook
from loaders.reference import READERS
from loaders.staging import STAGED_COLUMNS

SCORE_KEY = ["year", "index_code", "criterion_code", "entity_code"]


@dataclass
class Context:
    """What every file of an import or a rebuild is read against: the frameworks and the
    registry of ``data_dir``, and the limits in force (config/limits.toml and CHISO_*),
    loaded once here unless given."""
    data_dir: Path
    limits: guard.Limits | None = None
    fw: Frameworks = field(init=False)
    reg: EntityRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.fw = Frameworks.load(self.data_dir / "frameworks")
        self.reg = EntityRegistry.load(self.data_dir / "registry")
        if self.limits is None:
            self.limits = guard.load_limits()


# ---------------------------------------------------------------- reading score files

def detect_kind(path: Path, book: Workbook | None = None) -> str:
    """Which reader a file needs, by its suffix and, for an .xlsx (``book``: loaded already,
    else loaded here), by the first rows of its sheets."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".txt", ".docx"):
        return "plan"
    if suffix == ".xls":
        return "publisher"
    if suffix in (".csv", ".parquet"):
        return "tidy"
    if suffix == ".xlsx":
        from loaders.tidy import HEADER_FIELDS, TELLING_FIELDS

        own = book is None
        book = book or Workbook(path, path.name, guard.load_limits())
        try:
            heads = book.head_rows()  # header rows only: the reader reads the rest
        finally:
            if own:
                book.close()
        for vals in heads:
            if TELLING_FIELDS <= {HEADER_FIELDS.get(fold_loose(v)) for v in vals if v}:
                return "tidy"
            if any("co quan chu tri" in fold(v) for v in vals if v):
                return "plan"
        return "publisher"
    return "unknown"


def read_scores(path: Path, ctx: Context, *, reader: str = "auto", index_code: str | None = None,
                source_name: str | None = None) -> pd.DataFrame:
    """Staged score rows from one file, or ValidationFailed listing every problem. The file is
    admitted once, with ``ctx.limits``; an .xlsx is loaded once and handed to its reader."""
    name = source_name or path.name
    guard.admit(path, name, ctx.limits)  # before any parser sees the content
    book = Workbook(path, name, ctx.limits) if path.suffix.lower() == ".xlsx" else None  # loaded on first use
    try:
        return _interpret(path, name, ctx, book, reader, index_code)
    finally:
        if book is not None:
            book.close()


def _interpret(path: Path, name: str, ctx: Context, book: Workbook | None, reader: str,
               index_code: str | None) -> pd.DataFrame:
    kind = detect_kind(path, book) if reader == "auto" else reader
    if kind == "tidy":
        from loaders.tidy import read_tidy
        return read_tidy(path, ctx.fw, ctx.reg, index_code=index_code, source_name=name, limits=ctx.limits,
                         book=book)
    if kind == "publisher":
        if index_code is None:
            raise ValidationFailed([Problem(name, "tệp theo mẫu của cơ quan công bố: cần chỉ rõ chỉ số bằng --index (PAR, SIPAS, PAPI, DDCI hoặc PCI)")])
        from loaders.publisher import read_publisher_workbook
        return read_publisher_workbook(path, index_code, ctx.fw, ctx.reg, source_name=name, limits=ctx.limits,
                                       book=book)
    if kind in READERS:
        return READERS[kind](path, ctx.fw, ctx.reg)
    if kind == "plan":
        raise ValidationFailed([Problem(name, "đây là văn bản kế hoạch, không phải bảng điểm; dùng lệnh «import-plan»")])
    raise ValidationFailed([Problem(name, f"không hỗ trợ loại tệp «{path.suffix}» (cần .csv, .xlsx, .xls hoặc .parquet)")])


def merge_staged(frames: list[pd.DataFrame], tolerance: float = 0.0051) -> tuple[pd.DataFrame, list[Problem]]:
    """Concatenate sources in priority order. The same fact from two sources must agree
    (within rounding); the first source's values stand, and ranks, group sizes and labels
    missing there are taken from the later ones."""
    df = pd.concat([f for f in frames if not f.empty], ignore_index=True) if frames else pd.DataFrame(columns=STAGED_COLUMNS)
    problems: list[Problem] = []
    if df.empty:
        return df, problems
    keep = ~df.duplicated(SCORE_KEY, keep="first")
    dup = df[df.duplicated(SCORE_KEY, keep=False)]
    for _, grp in dup.groupby(SCORE_KEY, dropna=False, sort=False):
        first = grp.index[0]
        pts = grp.points.dropna()
        a = grp.iloc[0]
        # two sources may differ by their rounding; one file stating two values is a conflict
        clash = [b for _, same in grp.groupby("source_file", sort=False) if same.points.dropna().nunique() > 1
                 for b in [same[same.points.notna()].iloc[-1]]]
        if not clash and len(pts) and (pts.max() - pts.min()) > tolerance:
            clash = [grp.iloc[-1]]
        for b in clash:
            base = grp[(grp.source_file == b.source_file) & grp.points.notna()].iloc[0] if any(
                (grp.source_file == b.source_file) & grp.points.notna() & (grp.index != b.name)) else a
            where = f" dòng {base.source_row}" if base.source_row is not None and base.source_row == base.source_row else ""
            problems.append(Problem(b.source_file, f"số liệu khác với {base.source_file}{where}: "
                                    f"{vn_number(b.points)} so với {vn_number(base.points)} ({a.entity_raw}, {a.year}, tiêu chí {a.criterion_code or 'tổng'})",
                                    b.source_sheet, b.source_row, "points"))
        for col in ("rank", "n_ranked", "label", "max_points", "rank_min", "rank_max"):
            if df.at[first, col] is None:
                later = grp[col].dropna()
                if len(later):
                    df.at[first, col] = later.iloc[0]
    return df[keep].reset_index(drop=True), problems


# ---------------------------------------------------------------- writing
