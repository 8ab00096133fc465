"""The registry of assessed entities (provinces, districts, communes) and name resolution.

Owns: reading data/registry/entities.csv, entity_aliases.csv, entity_successors.csv and
entity_names.csv (the names an entity had, with their dates: Thừa Thiên-Huế until 2024, Huế
from 2025, one code), the name an entity bore in a given year, and turning any spelling of a
name, a former one included, into a stable entity code. Names are compared only as
``fold()`` keys. A name that is valid for several entities (the old and the 2025 "Tuyên
Quang", the district and the commune "Vĩnh Lộc") is settled by the assessment year, then
by an explicit alias; what stays ambiguous is reported, never guessed.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from domain.problems import Problem, ValidationFailed
from domain.text import fold, nfc

_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?|huyen|thi xa|tx\.?|xa|thi tran|phuong)\s+")
_LEVEL_VI = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
LEVEL_LABEL = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
# Centrally-run cities are "thành phố", not "tỉnh", in an authority's name (UBND thành phố Hà Nội)
_MUNICIPALITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ", "Huế"}
_NAME_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Quận ", "Phường ", "Xã ", "Tỉnh ")


def authority(name: str, level: str) -> str:
    """The people's committee of an assessed entity, as documents name it: «UBND tỉnh Thanh
    Hóa», «UBND huyện Vĩnh Lộc», «UBND thành phố Thanh Hóa» (a district-level city), «UBND xã
    Tây Đô»."""
    name = nfc(name).strip()
    if name.startswith("TP. "):
        return "UBND thành phố " + name[4:]
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix):
            return "UBND " + prefix.lower() + name[len(prefix):]
    if level == "province":
        return ("UBND thành phố " if name in _MUNICIPALITIES else "UBND tỉnh ") + name
    return f"UBND {_LEVEL_VI.get(level, '')} {name}".replace("  ", " ")


def ended_text(name: str, level: str, valid_to, successors: list[str], today) -> str | None:
    """Why an entity cannot issue a document on ``today`` (``valid_to``, a date or ISO text, is
    before it), naming the units that took over; None while it exists."""
    ended = valid_to if isinstance(valid_to, date) else (date.fromisoformat(str(valid_to)[:10])
                                                       if str(valid_to or "").strip() not in ("", "NaT", "None") else None)
    if ended is None or ended >= today:
        return None
    gone = ended + timedelta(days=1)
    return (f"{authority(name, level)} không còn từ {gone.day:02d}/{gone.month}/{gone.year} (sắp xếp đơn vị hành chính), "
            "nên không ban hành văn bản mới được" + (f"; đơn vị kế thừa: {', '.join(successors)}" if successors else "")
            + ".")


def former_names_text(former: list[tuple[str, int]]) -> str:
    """The names an entity bore before its current one, for recognising it in a picker or a
    header: [("Thừa Thiên-Huế", 2024)] -> «đến 2024: Thừa Thiên-Huế»; '' without any."""
    return "; ".join(f"đến {int(until)}: {name}" for name, until in former)


def styled_name(name: str, level: str) -> str:
    """An entity's name as running text writes it: «huyện Vĩnh Lộc», «xã Tây Đô», «tỉnh Hà
    Giang», «thành phố Hà Nội» (the administrative word in lower case, the name kept)."""
    return authority(name, level).removeprefix("UBND ")


_PREFIX_LEVELS = {"tinh": {"province"}, "thanh pho": {"province", "district"}, "tp": {"province", "district"},
                  "tp.": {"province", "district"}, "huyen": {"district"}, "thi xa": {"district"},
                  "tx": {"district"}, "tx.": {"district"}, "xa": {"commune"}, "thi tran": {"commune"},
                  "phuong": {"commune"}}


def prefix_levels(key: str) -> set[str] | None:
    """The levels a written prefix allows: 'huyen vinh loc' can only be a district."""
    m = _PREFIX.match(key)
    return _PREFIX_LEVELS.get(m.group(1)) if m else None


def strip_admin_prefix(key: str) -> str:
    """'huyen vinh loc' -> 'vinh loc' (works on folded keys)."""
    return _PREFIX.sub("", key).strip()


NAMES_FILE = "entity_names.csv"
NAME_COLUMNS = ["entity_code", "name", "valid_from", "valid_to", "source"]


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def check_names(names: pd.DataFrame, entities: pd.DataFrame, file: str = f"registry/{NAMES_FILE}") -> list[Problem]:
    """Every problem of entity_names.csv at once: an unknown code, a date that is not YYYY-MM-DD,
    a period that ends before it begins or overlaps another of the same entity (a year would
    have two names), and a latest name that is not the one entities.csv gives as current."""
    problems: list[Problem] = []
    current = dict(zip(entities.entity_code, entities.name))
    periods: dict[str, list[tuple[str, str, str, int]]] = {}
    for row, r in enumerate(names.itertuples(index=False), 2):
        if r.entity_code not in current:
            problems.append(Problem(file, f"mã «{r.entity_code}» không có trong entities.csv", None, row, "entity_code"))
        if not nfc(r.name):
            problems.append(Problem(file, "thiếu tên", None, row, "name"))
        bad = [col for col in ("valid_from", "valid_to") if getattr(r, col) and not _iso_date(getattr(r, col))]
        for col in bad:
            problems.append(Problem(file, f"ngày «{getattr(r, col)}» không đúng dạng NNNN-TT-NN (ví dụ 2025-01-01)",
                                    None, row, col))
        if bad:
            continue
        if r.valid_from and r.valid_to and r.valid_from > r.valid_to:
            problems.append(Problem(file, f"ngày bắt đầu {r.valid_from} sau ngày kết thúc {r.valid_to}", None, row, "valid_to"))
        periods.setdefault(r.entity_code, []).append((r.valid_from, r.valid_to, nfc(r.name), row))
    for code, rows in periods.items():
        rows.sort(key=lambda p: p[0])  # '' (since always) first
        for (_, end, _, _), (start, _, name, row) in zip(rows, rows[1:]):
            if not end or not start or start <= end:
                problems.append(Problem(file, f"thời gian của tên «{name}» trùng với tên trước đó của {code}",
                                        None, row, "valid_from"))
        last = rows[-1]
        if code in current and last[2] != nfc(current[code]):
            problems.append(Problem(file, f"tên mới nhất của {code} là «{last[2]}» nhưng entities.csv ghi "
                                          f"«{current[code]}»: cột name của entities.csv là tên hiện nay", None, last[3], "name"))
    return problems


def _has_table(con, table: str) -> bool:
    """Whether the connected database has ``table`` (one built before it was added has not)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND table_name = ?", [table]).fetchone()[0])


@dataclass
class EntityRegistry:
    entities: pd.DataFrame
    aliases: pd.DataFrame
    successors: pd.DataFrame
    # the names an entity had, with dates (entity_names.csv); none: entities.name in every year
    names: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NAME_COLUMNS))
    _exact: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _alias: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _bare: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _info: dict[str, tuple[str, int, int]] = field(default_factory=dict, repr=False)
    _spelled: dict[str, set[str]] = field(default_factory=dict, repr=False)  # exact spelling -> codes
    _memo: dict[tuple, list[str]] = field(default_factory=dict, repr=False)
    _current: dict[str, str] = field(default_factory=dict, repr=False)
    _dated: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict, repr=False)  # code -> (from, to, name)

    @classmethod
    def load(cls, registry_dir: Path) -> "EntityRegistry":
        """The registry of ``registry_dir``; ValidationFailed listing every problem of
        entity_names.csv (a registry without that file: every entity kept one name)."""
        read = lambda name: pd.read_csv(registry_dir / name, dtype=str, keep_default_na=False)  # noqa: E731
        names, file = pd.DataFrame(columns=NAME_COLUMNS), f"{registry_dir.name}/{NAMES_FILE}"
        if (registry_dir / NAMES_FILE).exists():
            names = read(NAMES_FILE)
            missing = [c for c in NAME_COLUMNS if c not in names.columns]
            if missing:
                raise ValidationFailed([Problem(file, f"thiếu cột {c}", None, 1, c) for c in missing])
            names = names[NAME_COLUMNS]
        reg = cls(read("entities.csv"), read("entity_aliases.csv"), read("entity_successors.csv"), names)
        problems = check_names(reg.names, reg.entities, file)
        if problems:
            raise ValidationFailed(problems)
        reg._index()
        return reg

    @classmethod
    def from_db(cls, con) -> "EntityRegistry":
        """The registry as stored in a built database (the same aliases the loaders used)."""
        q = lambda sql: con.execute(sql).df().fillna("").astype(str)  # noqa: E731
        reg = cls(q("""SELECT entity_code, name, COALESCE(name_en, '') AS name_en, level,
                              COALESCE(parent_code, '') AS parent_code,
                              COALESCE(CAST(valid_from AS VARCHAR), '') AS valid_from,
                              COALESCE(CAST(valid_to AS VARCHAR), '') AS valid_to FROM entities"""),
                  q("SELECT alias, entity_code FROM entity_aliases"),
                  q("SELECT entity_code, successor_code FROM entity_successors"),
                  q("""SELECT entity_code, name, COALESCE(CAST(valid_from AS VARCHAR), '') AS valid_from,
                              COALESCE(CAST(valid_to AS VARCHAR), '') AS valid_to, COALESCE(source, '') AS source
                       FROM entity_names""") if _has_table(con, "entity_names") else pd.DataFrame(columns=NAME_COLUMNS))
        reg._index()
        return reg

    def _index(self) -> None:
        for r in self.entities.itertuples(index=False):
            start = int(r.valid_from[:4]) if r.valid_from else -1
            # A unit dissolved in the first half of a year (districts on 30/6/2025) was last
            # assessed for the year before; one that ended later (Hà Tây, 31/7/2008) still was.
            end = int(r.valid_to[:4]) - (1 if r.valid_to[5:] < "07-01" else 0) if r.valid_to else 9999
            self._info[r.entity_code] = (r.level, start, end)

        def add(d: dict, key: str, code: str) -> None:
            if key and code not in d.setdefault(key, []):
                d[key].append(code)

        self._current = dict(zip(self.entities.entity_code, self.entities.name))
        for r in self.names.itertuples(index=False):
            self._dated.setdefault(r.entity_code, []).append((r.valid_from, r.valid_to, nfc(r.name)))
        for code, name in [*zip(self.entities.entity_code, self.entities.name),
                           *zip(self.aliases.entity_code, self.aliases.alias),
                           *zip(self.names.entity_code, self.names.name)]:
            self._spelled.setdefault(nfc(name).lower(), set()).add(code)
        for code, name in zip(self.entities.entity_code, self.entities.name):
            add(self._exact, fold(name), code)
            add(self._bare, strip_admin_prefix(fold(name)), code)
        # a former name («Thừa Thiên-Huế») still means its entity, in any year, like an alias
        for a, code in [*zip(self.aliases.alias, self.aliases.entity_code), *zip(self.names.name, self.names.entity_code)]:
            add(self._alias, fold(a), code)
            add(self._bare, strip_admin_prefix(fold(a)), code)
        # the English names ("Hanoi") are aliases too
        for code, name in zip(self.entities.entity_code, self.entities.get("name_en", [])):
            add(self._alias, fold(name), code)

    def codes(self) -> set[str]:
        return set(self.entities.entity_code)

    def row(self, code: str) -> pd.Series:
        return self.entities.loc[self.entities.entity_code == code].iloc[0]

    def name(self, code: str, year: int | None = None) -> str:
        """The entity's name on 31 December of ``year`` (data/registry/entity_names.csv: a
        score of 2024 reads «Thừa Thiên-Huế», one of 2025 «Huế»); without a year, or for a
        year no dated name covers, the current name (entities.csv)."""
        if year is not None:
            on = f"{int(year):04d}-12-31"
            for start, end, name in self._dated.get(code, ()):
                if (not start or start <= on) and (not end or on <= end):
                    return name
        return self._current[code] if code in self._current else self.row(code)["name"]

    def former_names(self, code: str) -> list[tuple[str, int]]:
        """(name, last year it was borne) of each earlier name, oldest first: [("Thừa Thiên-Huế", 2024)]."""
        current = self.name(code)
        return [(name, int(end[:4])) for _, end, name in sorted(self._dated.get(code, ()), key=lambda p: p[1] or "9")
                if end and name != current]

    def valid_in(self, code: str, year: int | None) -> bool:
        """Whether the entity can carry an assessment for ``year``."""
        _, start, end = self._info[code]
        return year is None or start <= year <= end

    def level(self, code: str) -> str:
        return self._info[code][0]

    def candidates(self, name: object, year: int | None = None, level: str | None = None) -> list[str]:
        """Every entity the name may mean, best evidence first, filtered by year and level."""
        memo_key = (nfc(name), year, level)
        if memo_key not in self._memo:
            found = self._candidates(fold(name), year, level)
            if len(found) > 1:
                # "Vĩnh Hùng" and "Vĩnh Hưng" fold alike: a name spelled exactly decides
                exact = [c for c in found if c in self._spelled.get(nfc(name).lower(), set())]
                found = exact if len(exact) == 1 else found
            self._memo[memo_key] = found
        return list(self._memo[memo_key])

    def _candidates(self, key: str, year: int | None, level: str | None) -> list[str]:
        if not key:
            return []
        allowed = prefix_levels(key)
        for table, k in ((self._exact, key), (self._alias, key), (self._bare, strip_admin_prefix(key))):
            found = [c for c in table.get(k, []) if self.valid_in(c, year)
                     and (level is None or self.level(c) == level)
                     and (table is not self._bare or allowed is None or self.level(c) in allowed)]
            if found:
                return found
        return []

    def resolve(self, name: object, year: int | None = None, level: str | None = None) -> str | None:
        """The one entity code the name stands for, or None when unknown or ambiguous."""
        found = self.candidates(name, year, level)
        return found[0] if len(found) == 1 else None

    def explain_failure(self, name: object, year: int | None = None, level: str | None = None) -> str:
        found = self.candidates(name, year, level)
        if len(found) > 1:
            names = "; ".join(f"{self.name(c)} ({_LEVEL_VI.get(self.row(c).level, '')})" for c in found)
            return f"tên «{nfc(name)}» có thể chỉ nhiều đơn vị: {names}"
        return (f"không nhận ra đơn vị được đánh giá «{nfc(name)}»"
                + (f" (năm {year})" if year else "")
                + "; thêm cách viết này vào data/registry/entity_aliases.csv")

    def successors_of(self, code: str) -> list[str]:
        return list(self.successors.loc[self.successors.entity_code == code, "successor_code"])
