"""The registry of assessed entities (provinces, districts, communes) and name resolution.

Owns: reading data/registry/entities.csv, entity_aliases.csv and entity_successors.csv,
and turning any spelling of a name into a stable entity code. Names are compared only as
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


@dataclass
class EntityRegistry:
    entities: pd.DataFrame
    aliases: pd.DataFrame
    successors: pd.DataFrame
    _exact: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _alias: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _bare: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _info: dict[str, tuple[str, int, int]] = field(default_factory=dict, repr=False)
    _spelled: dict[str, set[str]] = field(default_factory=dict, repr=False)  # exact spelling -> codes
    _memo: dict[tuple, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, registry_dir: Path) -> "EntityRegistry":
        read = lambda name: pd.read_csv(registry_dir / name, dtype=str, keep_default_na=False)  # noqa: E731
        reg = cls(read("entities.csv"), read("entity_aliases.csv"), read("entity_successors.csv"))
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
                  q("SELECT entity_code, successor_code FROM entity_successors"))
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

        for code, name in [*zip(self.entities.entity_code, self.entities.name),
                           *zip(self.aliases.entity_code, self.aliases.alias)]:
            self._spelled.setdefault(nfc(name).lower(), set()).add(code)
        for code, name in zip(self.entities.entity_code, self.entities.name):
            add(self._exact, fold(name), code)
            add(self._bare, strip_admin_prefix(fold(name)), code)
        for a, code in zip(self.aliases.alias, self.aliases.entity_code):
            add(self._alias, fold(a), code)
            add(self._bare, strip_admin_prefix(fold(a)), code)
        # the English names ("Hanoi") are aliases too
        for code, name in zip(self.entities.entity_code, self.entities.get("name_en", [])):
            add(self._alias, fold(name), code)

    def codes(self) -> set[str]:
        return set(self.entities.entity_code)

    def row(self, code: str) -> pd.Series:
        return self.entities.loc[self.entities.entity_code == code].iloc[0]

    def name(self, code: str) -> str:
        return self.row(code)["name"]

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
