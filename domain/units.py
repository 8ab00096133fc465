"""The responsible-unit registry: who the plan's unit names refer to.

Owns ``data/registry/units.csv`` (one canonical name per unit), ``unit_aliases.csv`` (every
spelling met in the plan) and ``unit_members.csv`` (which units a group name stands for), and
the reading of a plan cell such as "Văn phòng HĐND và UBND, các phòng, ban, ngành; UBND cấp
xã; các đơn vị liên quan." into unit codes.

Every unit has a level (``level`` column of units.csv): ``district`` for the offices of a
district and the groups only a district plan names, ``commune`` for the offices of a commune
UBND (since 1/7/2025), empty for units usable at every level («Các đơn vị liên quan», «Thôn,
tổ dân phố», «Sở Nội vụ»). A plan is read against the registry of its entity's level
(``for_level``): the same spelling «Văn phòng HĐND và UBND» names the district office in a
district plan and the commune office in a commune plan, so a spelling must be unique per
level, not overall. In the registry of all levels such a shared spelling is ambiguous and is
reported, never guessed; in the registry of one level, a name that belongs to a unit of
another level only is reported as such (``CellResolution.elsewhere``).

Commas occur inside names ("Các phòng, ban, ngành", "Trung tâm VH,TT,TT và DL"), so a cell is
never split on commas. It is cut into word and punctuation tokens and scanned left to right,
taking at each position the longest known alias that ends at a separator. Tokens are compared
by their ``fold()`` key, so case, diacritics and the spacing around dashes and commas do not
matter; when two units fold to the same key (Xã Vĩnh Hưng / Xã Vĩnh Hùng) the spelling with
diacritics decides. Text that matches nothing is reported, never guessed.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from domain.entities import LEVEL_LABEL
from domain.problems import Problem, ValidationFailed
from domain.text import fold, nfc

KINDS = ("department", "commune", "group", "external", "government")
# The levels of assessed entities (domain/entities.py); a unit with no level serves every level.
LEVELS = ("province", "district", "commune")
UNITS_FILE = "units.csv"
ALIASES_FILE = "unit_aliases.csv"
MEMBERS_FILE = "unit_members.csv"

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# A word, a line break (docx cells keep one unit per paragraph), or one punctuation mark.
_TOKEN = re.compile(r"\w+|\n|[^\w\s]")
# Tokens that separate names; an alias must be followed by one of these (or by the end).
_SEPARATORS = {",", ";", ".", "\n"}
# Where a fragment that matches no alias ends (a full stop may belong to an abbreviation,
# "P. Nội vụ", so it does not end a fragment; "(" starts a remark).
_FRAGMENT_END = {",", ";", "\n", "("}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    note: str = ""
    level: str = ""  # '' = usable in the plans of every level


@dataclass
class CellResolution:
    """What a cell of unit names resolved to.

    ``unit_codes``: recognised units in order of first mention; ``unresolved``: text that
    matched no alias, as written; ``remarks``: parenthetical notes that are not unit names;
    ``candidates``: for an unresolved fragment that folds to several units, their codes;
    ``elsewhere``: for an unresolved fragment that names a unit of another level only (a
    district office in a commune plan), that unit's codes (``UnitRegistry.find`` tells them).
    """

    unit_codes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    candidates: dict[str, list[str]] = field(default_factory=dict)
    elsewhere: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    key: str  # fold() of the token
    exact: str  # lower-case NFC: keeps the diacritics that fold() removes


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        key = "\n" if tok == "\n" else fold(tok)
        if key == "":  # a lone combining mark or similar: nothing to compare
            continue
        out.append(_Token(tok, m.start(), m.end(), key, tok.lower()))
    return out


def cell_text(text: object) -> str:
    """NFC text with spaces collapsed inside each line; line breaks kept as separators."""
    if nfc(text) == "":  # None, NaN, blank
        return ""
    lines = (nfc(line) for line in str(text).splitlines())
    return "\n".join(line for line in lines if line)


class UnitRegistry:
    """Units, their spellings and group memberships; see the module docstring."""

    def __init__(
        self,
        units: list[Unit],
        aliases: list[tuple[str, str]] = (),
        members: list[tuple[str, str]] = (),
        level: str | None = None,
        everywhere: "UnitRegistry | None" = None,
    ):
        """``level``: the level this registry serves (None: every unit of every level);
        ``everywhere``: the registry of all levels it was cut from (to tell a name of another
        level from an unknown name)."""
        self.level = level
        self._everywhere = everywhere
        self._units: dict[str, Unit] = {u.code: u for u in units}
        self._aliases = list(aliases)
        self._member_pairs = list(members)
        self._members: dict[str, list[str]] = {}
        self._groups_of: dict[str, list[str]] = {}
        for group, member in members:
            if member not in self._members.setdefault(group, []):
                self._members[group].append(member)
                self._groups_of.setdefault(member, []).append(group)
        # first folded token -> {folded key tuple: {exact key tuple: [codes]}}; more than one
        # code for one exact spelling only in the registry of all levels (see the docstring)
        self._index: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], list[str]]]] = {}
        self._longest = 0
        # A unit's own name is always one of its aliases.
        for name, code in [(u.name, u.code) for u in units] + list(aliases):
            toks = _tokens(cell_text(name))
            if not toks:
                continue
            key = tuple(t.key for t in toks)
            exact = tuple(t.exact for t in toks)
            codes = self._index.setdefault(key[0], {}).setdefault(key, {}).setdefault(exact, [])
            if code not in codes:
                codes.append(code)
            self._longest = max(self._longest, len(key))

    def for_level(self, level: str | None) -> "UnitRegistry":
        """The registry a plan of an entity of ``level`` is read against: the units of that
        level and those of no level, their aliases and the memberships among them. None:
        this registry as it is."""
        if level is None:
            return self
        everywhere = self._everywhere or self
        keep = {u.code for u in everywhere.units() if u.level in ("", level)}
        return UnitRegistry([u for u in everywhere.units() if u.code in keep],
                            [(a, c) for a, c in everywhere._aliases if c in keep],
                            [(g, m) for g, m in everywhere._member_pairs if g in keep and m in keep],
                            level=level, everywhere=everywhere)

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def from_db(cls, con, level: str | None = None) -> "UnitRegistry":
        """The registry as stored in a built database; with ``level``, that level's (for_level)."""
        columns = [d[0] for d in con.execute("SELECT * FROM units LIMIT 0").description]
        level_sql = "COALESCE(level, '')" if "level" in columns else "''"  # a database built before levels
        units = [Unit(c, n, k, note or "", lv) for c, n, k, note, lv in
                 con.execute(f"SELECT unit_code, name, kind, note, {level_sql} FROM units").fetchall()]
        aliases = [tuple(r) for r in con.execute("SELECT alias, unit_code FROM unit_aliases").fetchall()]
        members = [tuple(r) for r in con.execute("SELECT group_code, member_code FROM unit_group_members").fetchall()]
        return cls(units, aliases, members).for_level(level)

    @classmethod
    def load(cls, registry_dir: Path, level: str | None = None) -> "UnitRegistry":
        """Read the three registry files; raise ValidationFailed listing every problem.
        ``level``: the registry of that level only (for_level); None: every unit."""
        registry_dir = Path(registry_dir)
        problems: list[Problem] = []
        unit_rows = _read_csv(registry_dir / UNITS_FILE, ["unit_code", "name", "kind"], problems)
        alias_rows = _read_csv(registry_dir / ALIASES_FILE, ["alias", "unit_code"], problems)
        member_rows = _read_csv(registry_dir / MEMBERS_FILE, ["group_code", "member_code"], problems)

        units: list[Unit] = []
        seen: set[str] = set()
        f = str(registry_dir / UNITS_FILE)
        for row_no, row in unit_rows:
            code, name, kind, unit_level = (nfc(row.get(k)) for k in ("unit_code", "name", "kind", "level"))
            if not _CODE.match(code):
                problems.append(Problem(f, f"mã đơn vị «{code}» phải gồm chữ thường không dấu, số và dấu gạch dưới",
                                        row=row_no, column="unit_code"))
            elif code in seen:
                problems.append(Problem(f, f"mã đơn vị «{code}» bị trùng", row=row_no, column="unit_code"))
            if not name:
                problems.append(Problem(f, "thiếu tên đơn vị", row=row_no, column="name"))
            if kind not in KINDS:
                problems.append(Problem(f, f"loại đơn vị «{kind}» không hợp lệ; dùng một trong: {', '.join(KINDS)}",
                                        row=row_no, column="kind"))
            if unit_level not in ("",) + LEVELS:
                problems.append(Problem(f, f"cấp «{unit_level}» không hợp lệ; dùng một trong: {', '.join(LEVELS)} "
                                           "hoặc để trống nếu đơn vị dùng được ở mọi cấp", row=row_no, column="level"))
            seen.add(code)
            units.append(Unit(code, name, kind, nfc(row.get("note")), unit_level))
        kinds = {u.code: u.kind for u in units}
        levels = {u.code: u.level for u in units}

        aliases: list[tuple[str, str]] = []
        f = str(registry_dir / ALIASES_FILE)
        for row_no, row in alias_rows:
            alias, code = nfc(row.get("alias")), nfc(row.get("unit_code"))
            if not alias:
                problems.append(Problem(f, "thiếu tên gọi", row=row_no, column="alias"))
            elif code not in kinds:
                problems.append(Problem(f, f"mã đơn vị «{code}» không có trong {UNITS_FILE}", row=row_no, column="unit_code"))
            else:
                aliases.append((alias, code))

        members: list[tuple[str, str]] = []
        f = str(registry_dir / MEMBERS_FILE)
        for row_no, row in member_rows:
            group, member = nfc(row.get("group_code")), nfc(row.get("member_code"))
            if kinds.get(group) != "group":
                problems.append(Problem(f, f"«{group}» không phải là một nhóm trong {UNITS_FILE}", row=row_no, column="group_code"))
            elif member not in kinds:
                problems.append(Problem(f, f"mã đơn vị «{member}» không có trong {UNITS_FILE}", row=row_no, column="member_code"))
            elif levels[group] and levels[member] and levels[group] != levels[member]:
                problems.append(Problem(f, f"nhóm «{group}» ({LEVEL_LABEL.get(levels[group], levels[group])}) không thể gồm "
                                           f"«{member}» ({LEVEL_LABEL.get(levels[member], levels[member])})",
                                        row=row_no, column="member_code"))
            else:
                members.append((group, member))

        # One spelling (with its diacritics) must not name two units that a plan of the same
        # level can name: units of that level and units of no level.
        spellings = [(u.name, u.code) for u in units] + aliases
        reported: set[tuple] = set()
        for lvl in sorted({u.level for u in units if u.level}) or [""]:
            owner: dict[tuple[str, ...], str] = {}
            for name, code in spellings:
                if levels.get(code, "") not in ("", lvl):
                    continue
                exact = tuple(t.exact for t in _tokens(cell_text(name)))
                if exact in owner and owner[exact] != code and (exact, owner[exact], code) not in reported:
                    reported.add((exact, owner[exact], code))
                    at = f" ({LEVEL_LABEL.get(lvl, lvl)})" if lvl and not (levels[owner[exact]] == levels[code] == "") else ""
                    problems.append(Problem(str(registry_dir / ALIASES_FILE),
                                            f"tên «{name}» được gán cho cả «{owner[exact]}» và «{code}»{at}"))
                owner.setdefault(exact, code)

        if problems:
            raise ValidationFailed(problems)
        return cls(units, aliases, members).for_level(level)

    # --- look-ups ------------------------------------------------------------------------

    def codes(self) -> list[str]:
        return list(self._units)

    def units(self) -> list[Unit]:
        return list(self._units.values())

    def name(self, code: str) -> str:
        return self._units[code].name

    def kind(self, code: str) -> str:
        return self._units[code].kind

    def unit_level(self, code: str) -> str:
        """The level of a unit of this registry ('' = every level)."""
        return self._units[code].level

    def find(self, code: str) -> Unit | None:
        """A unit of this registry or, for a registry of one level, of any level."""
        if code in self._units:
            return self._units[code]
        return self._everywhere.find(code) if self._everywhere is not None else None

    def members(self, group_code: str) -> list[str]:
        """Units a group stands for; [] for an unnamed group or a unit that is not a group."""
        return list(self._members.get(group_code, []))

    def groups_of(self, unit_code: str) -> list[str]:
        """Groups that list ``unit_code`` as a member (directly)."""
        return list(self._groups_of.get(unit_code, []))

    def lookup(self, name: str) -> str | None:
        """The unit that a whole name refers to, or None if it is not exactly one known unit."""
        res = self.resolve_cell(name)
        if len(res.unit_codes) == 1 and not res.unresolved and not res.remarks:
            return res.unit_codes[0]
        return None

    # --- reading a cell ------------------------------------------------------------------

    def resolve_cell(self, text: object) -> CellResolution:
        """Unit codes named in one cell; see the module docstring. Never raises."""
        res = CellResolution()
        s = cell_text(text)
        toks = _tokens(s)
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            if tok.key in _SEPARATORS:
                i += 1
                continue
            match = self._match(toks, i)
            if match is not None:
                end, code, candidates = match
                if code is None:
                    fragment = s[tok.start:toks[end - 1].end]
                    res.unresolved.append(fragment)
                    res.candidates[fragment] = candidates
                elif code not in res.unit_codes:
                    res.unit_codes.append(code)
                i = end
                continue
            other = self._everywhere._match(toks, i) if self._everywhere is not None else None
            if other is not None:
                # A name this level does not have, but another level does: say so.
                end, code, candidates = other
                fragment = s[tok.start:toks[end - 1].end]
                res.unresolved.append(fragment)
                res.elsewhere[fragment] = [code] if code is not None else candidates
                i = end
                continue
            if tok.key == "(":
                # A parenthetical that does not belong to an alias is a remark, not a unit.
                depth, j = 0, i
                while j < n:
                    depth += {"(": 1, ")": -1}.get(toks[j].key, 0)
                    j += 1
                    if depth == 0:
                        break
                inner_end = toks[j - 1].start if toks[j - 1].key == ")" and depth == 0 else len(s)
                remark = s[tok.end:inner_end].strip()
                if remark:
                    res.remarks.append(remark)
                i = j
                continue
            # Unknown text: up to the next comma, semicolon, line break or parenthesis.
            j = i + 1
            while j < n and toks[j].key not in _FRAGMENT_END:
                j += 1
            fragment = s[tok.start:toks[j - 1].end].rstrip(" .")
            if fragment:
                res.unresolved.append(fragment)
            i = j
        return res

    def _match(self, toks: list[_Token], i: int) -> tuple[int, str | None, list[str]] | None:
        """(end, code, candidates) for the longest alias at toks[i] that ends at a boundary.

        code is None when the text folds to several units and its diacritics do not say
        which, or (in the registry of all levels) when units of different levels share the
        spelling (candidates lists them): that is reported, never guessed.
        """
        table = self._index.get(toks[i].key)
        if not table:
            return None
        for end in range(min(len(toks), i + self._longest), i, -1):
            by_exact = table.get(tuple(t.key for t in toks[i:end]))
            if by_exact is None or not _at_boundary(toks, end):
                continue
            codes = sorted({c for cs in by_exact.values() for c in cs})
            if len(codes) == 1:
                return end, codes[0], []
            spelled = by_exact.get(tuple(t.exact for t in toks[i:end]), [])
            if len(spelled) == 1:
                return end, spelled[0], []
            return end, None, sorted(spelled) or codes
        return None


def _at_boundary(toks: list[_Token], j: int) -> bool:
    # "(" counts too: "Phòng Nội vụ (tổng hợp)" names Phòng Nội vụ and adds a remark.
    return j >= len(toks) or toks[j].key in _SEPARATORS or toks[j].key == "("


def _read_csv(path: Path, required: list[str], problems: list[Problem]) -> list[tuple[int, dict]]:
    """Rows of a registry CSV with their spreadsheet row numbers (header = row 1)."""
    if not path.exists():
        problems.append(Problem(str(path), "không tìm thấy tệp"))
        return []
    # utf-8-sig: the office may re-save the file from Excel, which adds a BOM.
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [nfc(h) for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(Problem(str(path), f"thiếu cột: {', '.join(missing)}", row=1))
            return []
        reader.fieldnames = header
        rows = []
        for row in reader:  # line_num, not a count: DictReader skips blank lines
            if any(nfc(v) for k, v in row.items() if k is not None and isinstance(v, str)):
                rows.append((reader.line_num, row))
        return rows
