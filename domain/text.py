"""Text normalisation shared by every loader: Unicode NFC, diacritic folding, numbers.

Vietnamese names arrive composed and decomposed, with and without accents, with odd
spacing and trailing punctuation. Nothing is ever joined on a raw name: callers compare
``fold(name)`` keys, and store ``nfc(name)`` for display.
"""
from __future__ import annotations

import math
import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Dashes that people type between words ("Tài chính- Kế hoạch", "TT – Huế").
_DASH = re.compile(r"\s*[-\u2010-\u2015]\s*")


def nfc(text: object) -> str:
    """NFC-normalised text with collapsed white space; None and NaN become ''."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ")
    return _SPACE.sub(" ", s).strip()


def fold(text: object) -> str:
    """A comparison key: lower case, no diacritics, đ→d, one space, dashes as ' - '.

    >>> fold("Phòng Tài chính- Kế hoạch") == fold("phòng tài chính - kế hoạch")
    True
    """
    s = unicodedata.normalize("NFD", nfc(text).lower())
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "d")
    s = _DASH.sub(" - ", s)
    return _SPACE.sub(" ", s).strip()


def fold_loose(text: object) -> str:
    """``fold`` without punctuation at all: for header matching ("Un-weighted PAPI")."""
    s = re.sub(r"[^0-9a-z]+", " ", fold(text))
    return _SPACE.sub(" ", s).strip()


def slug(*parts: object) -> str:
    """A file name part in Vietnamese without diacritics: lower case, words joined by hyphens,
    nothing else (download names: «bao-cao-xa-vinh-loc-2025»).

    >>> slug("Báo cáo", "Xã Vĩnh Lộc", 2025)
    'bao-cao-xa-vinh-loc-2025'
    """
    return "-".join(w for w in fold_loose(" ".join(str(p) for p in parts if p is not None)).split() if w)


_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([ .]\d{3})+)?([.,]\d+)?$")


def parse_number(value: object) -> float | None:
    """A float from a cell: numbers as they are; text with a decimal comma or point.

    Returns None for empty cells. Raises ValueError for text that is not a number,
    for NaN and for infinity: a missing value must be empty, never a sentinel.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"không phải số: {value!r}")
    if isinstance(value, (int, float)):
        f = float(value)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise ValueError("giá trị vô hạn")
        return f
    s = nfc(value).replace(" ", "")
    if s in ("", "-", "–", "—"):
        return None
    if s.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        raise ValueError(f"không phải số hợp lệ: {s!r}")
    if "," in s and "." in s:
        # "1.234,5" (Vietnamese) or "1,234.5" (English): the last separator is decimal.
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    try:
        f = float(s)
    except ValueError:
        raise ValueError(f"không phải số: {nfc(value)!r}") from None
    if math.isinf(f) or math.isnan(f):
        raise ValueError(f"không phải số hợp lệ: {nfc(value)!r}")
    return f


SHOWN_DECIMALS = 2  # scores on screens and in documents; ranks break no tie finer than that shows


def format_number(value, digits: int = SHOWN_DECIMALS) -> str:
    """The one Vietnamese number format of screens and documents: decimal comma, dot between
    thousands (1.827,50); a dash for missing (None, NaN, pandas' NA)."""
    try:
        if value is None or value != value:
            return "—"
    except TypeError:  # pandas' NA cannot be compared
        return "—"
    return f"{value:,.{digits}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_number(value: float | int | None) -> str:
    """Compact number for messages, with the decimal comma: 1.5 -> '1,5', 80.0 -> '80'."""
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",")


# Characters that act on a terminal instead of showing (so a file name can rewrite the screen):
# C0 controls but newline and tab (escape sequences, carriage return, backspace), DEL, the C1
# controls (some terminals read U+009B as an escape), and the bidirectional marks and overrides
# that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` safe to print on a terminal: control characters removed, newlines and tabs kept.

    >>> printable("a\\x1b[31mđỏ\\rb.csv")
    'a[31mđỏb.csv'
    """
    return _UNPRINTABLE.sub("", str(text))


def escape_unprintable(text: str) -> str:
    """``text`` with the characters ``printable`` removes written as ``\\uXXXX`` instead: for
    JSON (whose own escaping already covers U+0000–U+001F), so that the value stays exact."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Leading characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula
# (OWASP "CSV injection"); tab and carriage return are on OWASP's list too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 forbids: openpyxl and python-docx refuse them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: object) -> str:
    """``text`` so that no spreadsheet reads it as a formula: a value whose first non-space
    character is =, +, -, @ (or a tab / carriage return) gets a leading single quote, the guard
    OWASP recommends; anything else is unchanged."""
    if text is None:
        return ""
    text = str(text)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def xml_safe(text: object) -> str:
    """NFC (one code point per Vietnamese letter, so search and fonts behave), without the
    control characters XML 1.0 forbids (openpyxl and python-docx refuse them)."""
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", str(text)))


def cell_text(text: object) -> str:
    """Text from data as written into a spreadsheet or Word cell: ``xml_safe``, formula-neutralised."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return neutralise(xml_safe(text))


# «năm» (five) is left out: folded it is also «năm» (year), as in «năm 2023 dẫn đầu»
_WORD_NUMBERS = {"three": 3, "five": 5, "ten": 10, "ba": 3, "muoi": 10}
_BAND = (
    (re.compile(r"\b(top|bottom)[\s-]*(\d{1,3}|three|five|ten)\b"), lambda m: (m.group(1), m.group(2))),
    (re.compile(r"\b(\d{1,3}|ba|muoi)\s+(?:\w+\s+){0,3}?(dung dau|dan dau|cao nhat)\b"),
     lambda m: ("top", m.group(1))),
    (re.compile(r"\b(\d{1,3}|ba|muoi)\s+(?:\w+\s+){0,3}?(cuoi|thap nhat)\b"), lambda m: ("bottom", m.group(1))),
)


def rank_band(text: object, n_ranked: int | None) -> tuple[int, int] | None:
    """The ranks a source's words place a unit between when it gives no rank: «one of
    bottom 3» of 63 → (61, 63), «top-10 list» → (1, 10), «nhóm 5 tỉnh dẫn đầu» → (1, 5),
    «3 tỉnh cuối bảng» of 63 → (61, 63). None when the words state no such group, when a
    bottom group has no group size, or when they say the unit is outside one («outside
    published top-30»)."""
    key = fold(text)
    if not key or re.search(r"\b(outside|ngoai)\b", key):
        return None
    for pattern, parts in _BAND:
        m = pattern.search(key)
        if not m:
            continue
        end, k = parts(m)
        k = int(k) if k.isdigit() else _WORD_NUMBERS[k]
        if k < 1 or (n_ranked and k > n_ranked):
            return None
        if end == "top":
            return (1, k)
        return (n_ranked - k + 1, n_ranked) if n_ranked and n_ranked >= k else None
    return None
