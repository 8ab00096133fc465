"""The responsible-unit registry: who the plan's unit names refer to.

Owns ``data/registry/units.csv`` (one canonical name per unit), ``unit_aliases.csv`` (every
spelling met in the plan) and ``unit_members.csv`` (which units a group name stands for), and
the reading of a plan cell such as "Văn phòng HĐND và UBND, các phòng, ban, ngành; UBND cấp
xã; các đơn vị liên quan." into unit codes.

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

from domain.problems import Problem, ValidationFailed
from domain.text import fold, nfc

KINDS = ("department", "commune", "group", "external", "government")
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


@dataclass
class CellResolution:
    """What a cell of unit names resolved to.

    ``unit_codes``: recognised units in order of first mention; ``unresolved``: text that
    matched no alias, as written; ``remarks``: parenthetical notes that are not unit names;
    ``candidates``: for an unresolved fragment that folds to several units, their codes.
    """

    unit_codes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    candidates: dict[str, list[str]] = field(default_factory=dict)


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
    ):
        self._units: dict[str, Unit] = {u.code: u for u in units}
        self._members: dict[str, list[str]] = {}
        self._groups_of: dict[str, list[str]] = {}
        for group, member in members:
            if member not in self._members.setdefault(group, []):
                self._members[group].append(member)
                self._groups_of.setdefault(member, []).append(group)
        # first folded token -> {folded key tuple: {exact key tuple: code}}
        self._index: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], str]]] = {}
        self._longest = 0
        # A unit's own name is always one of its aliases.
        for name, code in [(u.name, u.code) for u in units] + list(aliases):
            toks = _tokens(cell_text(name))
            if not toks:
                continue
            key = tuple(t.key for t in toks)
            exact = tuple(t.exact for t in toks)
            self._index.setdefault(key[0], {}).setdefault(key, {}).setdefault(exact, code)
            self._longest = max(self._longest, len(key))

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def from_db(cls, con) -> "UnitRegistry":
        """The registry as stored in a built database."""
        units = [Unit(c, n, k, note or "") for c, n, k, note in
                 con.execute("SELECT unit_code, name, kind, note FROM units").fetchall()]
        aliases = [tuple(r) for r in con.execute("SELECT alias, unit_code FROM unit_aliases").fetchall()]
        members = [tuple(r) for r in con.execute("SELECT group_code, member_code FROM unit_group_members").fetchall()]
        return cls(units, aliases, members)

    @classmethod
    def load(cls, registry_dir: Path) -> "UnitRegistry":
        """Read the three registry files; raise ValidationFailed listing every problem."""
        registry_dir = Path(registry_dir)
        problems: list[Problem] = []
        unit_rows = _read_csv(registry_dir / UNITS_FILE, ["unit_code", "name", "kind"], problems)
        alias_rows = _read_csv(registry_dir / ALIASES_FILE, ["alias", "unit_code"], problems)
        member_rows = _read_csv(registry_dir / MEMBERS_FILE, ["group_code", "member_code"], problems)

        units: list[Unit] = []
        seen: set[str] = set()
        f = str(registry_dir / UNITS_FILE)
        for row_no, row in unit_rows:
            code, name, kind = (nfc(row.get(k)) for k in ("unit_code", "name", "kind"))
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
            seen.add(code)
            units.append(Unit(code, name, kind, nfc(row.get("note"))))
        kinds = {u.code: u.kind for u in units}

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
            else:
                members.append((group, member))

        # One spelling (with its diacritics) must not name two units.
        owner: dict[tuple[str, ...], str] = {}
        for name, code in [(u.name, u.code) for u in units] + aliases:
            exact = tuple(t.exact for t in _tokens(cell_text(name)))
            if exact in owner and owner[exact] != code:
                problems.append(Problem(str(registry_dir / ALIASES_FILE), f"tên «{name}» được gán cho cả «{owner[exact]}» và «{code}»"))
            owner.setdefault(exact, code)

        if problems:
            raise ValidationFailed(problems)
        return cls(units, aliases, members)

    # --- look-ups ------------------------------------------------------------------------

    def codes(self) -> list[str]:
        return list(self._units)

    def units(self) -> list[Unit]:
        return list(self._units.values())

    def name(self, code: str) -> str:
        return self._units[code].name

    def kind(self, code: str) -> str:
        return self._units[code].kind

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
        which (candidates lists them): that is reported, never guessed.
        """
        table = self._index.get(toks[i].key)
        if not table:
            return None
        for end in range(min(len(toks), i + self._longest), i, -1):
            by_exact = table.get(tuple(t.key for t in toks[i:end]))
            if by_exact is None or not _at_boundary(toks, end):
                continue
            codes = sorted(set(by_exact.values()))
            if len(codes) == 1:
                return end, codes[0], []
            exact = tuple(t.exact for t in toks[i:end])
            if exact in by_exact:
                return end, by_exact[exact], []
            return end, None, codes
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
