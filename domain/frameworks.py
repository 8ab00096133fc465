"""Index frameworks: which criteria an index has in a given year, and header matching.

Owns data/frameworks/{indices,frameworks,criteria}.csv. A criterion is identified by
(index_code, framework, code) — never by code alone, because PAPI's codes changed
meaning between framework versions. ``TOTAL`` is the pseudo-code a header matcher returns
for the column of the index total (stored with a NULL criterion code).

A commune reads a criterion of the district framework (which it uses until the province
publishes one for communes) with «xã» for «huyện»: ``criterion_name_for``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from domain.text import fold_loose, nfc


TOTAL = "TOTAL"
_DISTRICT_WORD = re.compile(r"\bhuyện\b", re.IGNORECASE)


def criterion_name_for(name: object, level: str | None) -> object:
    """A criterion's name as an entity of ``level`` reads it. Communes (from 1/7/2025) use the
    district framework, whose names speak of the district: for a commune every «huyện» reads
    «xã» — «Mức độ thu hút đầu tư của huyện» → «… của xã», «do HĐND huyện giao» → «do HĐND xã
    giao», «cấp huyện» → «cấp xã», «Huyện» → «Xã» — except in a proper name («huyện Vĩnh Lộc»:
    the next word starts with a capital). Other levels, and what is not text, as given."""
    if level != "commune" or not isinstance(name, str):
        return name
    text = nfc(name)

    def swap(m: re.Match) -> str:
        if text[m.end():].lstrip()[:1].isupper() and not m.group().isupper():
            return m.group()  # «huyện Vĩnh Lộc» names a place; «HUYỆN» in capitals is a word
        word = m.group()
        return "XÃ" if word.isupper() else "Xã" if word[0].isupper() else "xã"

    return _DISTRICT_WORD.sub(swap, text)


@dataclass
class Frameworks:
    indices: pd.DataFrame
    frameworks: pd.DataFrame
    criteria: pd.DataFrame
    _headers: dict = field(default_factory=dict, repr=False)
    _max: dict = field(default_factory=dict, repr=False)
    _spans: list = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, framework_dir: Path) -> "Frameworks":
        read = lambda n: pd.read_csv(framework_dir / n, dtype=str, keep_default_na=False)  # noqa: E731
        fw = cls(read("indices.csv"), read("frameworks.csv"), read("criteria.csv"))
        for col in ("year_from", "year_to"):
            fw.frameworks[col] = fw.frameworks[col].astype(int)
        for col in ("min_points", "max_points", "weight"):
            fw.criteria[col] = pd.to_numeric(fw.criteria[col].replace("", None), errors="coerce")
        for col in ("total_min", "total_max"):
            fw.frameworks[col] = pd.to_numeric(fw.frameworks[col])
        fw._max = {(r.framework, r.code): (None if pd.isna(r.max_points) else float(r.max_points))
                   for r in fw.criteria.itertuples()}
        fw._max.update({(r.framework, None): float(r.total_max) for r in fw.frameworks.itertuples()})
        fw._spans = [(r.index_code, r.framework, r.year_from, r.year_to, frozenset(r.entity_level.split("|")))
                     for r in fw.frameworks.itertuples(index=False)]
        return fw

    def framework_for(self, index_code: str, year: int, level: str | None = None) -> str | None:
        """The framework an index used in a year; with ``level``, the one for that level of
        unit (a province's PAR INDEX is not a district's). None when there is none."""
        for f in self._spans:
            if f[0] == index_code and f[2] <= year <= f[3] and (level is None or level in f[4]):
                return f[1]
        return None

    def levels_for(self, index_code: str, year: int) -> set[str]:
        """The levels of unit some framework of the index covers in a year (for messages)."""
        return {lvl for f in self._spans if f[0] == index_code and f[2] <= year <= f[3] for lvl in f[4]}

    def framework_row(self, framework: str) -> pd.Series:
        return self.frameworks.loc[self.frameworks.framework == framework].iloc[0]

    def criteria_of(self, framework: str) -> pd.DataFrame:
        return self.criteria[self.criteria.framework == framework]

    def has_criterion(self, framework: str, code: str) -> bool:
        return (framework, code) in self._max

    def max_points(self, framework: str, code: str | None) -> float | None:
        return self._max.get((framework, code))

    def header_keys(self, framework: str) -> dict[str, str]:
        """fold_loose(header text) -> criterion code (or TOTAL) for one framework."""
        if framework not in self._headers:
            keys: dict[str, str] = {}
            for r in self.criteria_of(framework).itertuples():
                for text in [r.code, r.name_vi, r.name_en, *r.header_aliases.split("|")]:
                    if text:
                        keys.setdefault(fold_loose(text), r.code)
            for text in self.framework_row(framework).total_aliases.split("|"):
                if text:
                    keys.setdefault(fold_loose(text), TOTAL)
            self._headers[framework] = keys
        return self._headers[framework]

    def match_header(self, framework: str, *texts: object) -> str | None:
        """The criterion code that any of the header texts names, insensitive to case,
        diacritics, punctuation and spacing; None when nothing matches."""
        keys = self.header_keys(framework)
        for t in texts:
            k = fold_loose(t)
            if k and k in keys:
                return keys[k]
        return None
