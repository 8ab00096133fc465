"""Vietnamese formatting for the screen: numbers with the decimal comma, ranks, unit lists,
and text from files made inert inside markdown."""
from __future__ import annotations

import html
import re

import pandas as pd

from domain import vocabulary
from domain.text import format_number
from domain.entities import LEVEL_LABEL


INDEX_LABEL = vocabulary.INDEX_LABEL  # «PAR INDEX»: data/frameworks/indices.csv
RANK_NOTES = vocabulary.RANK_NOTES  # why a scored unit has no rank (score_rank.rank_note)


LEVEL_VI = LEVEL_LABEL  # «cấp huyện»: Thành phố Thanh Hóa is a city at district level


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Streamlit's markdown turns bare web and e-mail addresses into links (GFM «autolink literals»),
# and it does so on the text after escapes are read, so a backslash does not stop it. A word
# joiner (U+2060, invisible, zero width) between «http»/«www» and what follows, and before
# «@», breaks the patterns it looks for: the address reads as written and is not a link.
_AUTOLINK = re.compile(r"(?i)(https?|ftps?|mailto|xmpp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """Text from a file or a person, made inert inside Streamlit markdown: no links (bare
    addresses included), images, emphasis, LaTeX ($) or HTML tags; it reads exactly as written."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(lambda m: (m[1] or "") + WORD_JOINER, str(text)))


def plot_text(text: object) -> str:
    """Text from a file or a person, made inert inside a plotly figure: titles, tick labels,
    legend names, hover text, annotations and customdata shown through a hovertemplate all read
    <b>, <i>, <br>, <a href=…> and HTML entities as markup. Escaped, it reads exactly as
    written (plotly turns &lt; &gt; &amp; back into the characters)."""
    return html.escape(str(text), quote=False)


def num(value, digits: int = 2) -> str:
    """Decimal comma, dot between thousands; a dash for missing."""
    return format_number(value, digits)


def missing(value) -> bool:
    """None, NaN, pandas' NA or NaT: a value a file left out (no comparison raises)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


def flag(value) -> bool:
    """A yes/no column as a bool: missing (None, NaN, pandas' NA) is no."""
    return False if missing(value) else bool(value)


def signed(value, digits: int = 2) -> str:
    if missing(value):
        return "—"
    return ("+" if value > 0 else "") + num(value, digits)


def rank_text(rank, n, computed, note=None) -> str:
    """«12/27», «12/27 (tự tính)»; «12» when the group size is not known; without a rank, why
    (``note``, score_rank.rank_note: «chưa đủ đơn vị để xếp hạng»), else «—»."""
    if missing(rank):
        return RANK_NOTES.get(note, "—") if isinstance(note, str) else "—"
    return (f"{int(rank)}" + ("" if missing(n) else f"/{int(n)}")
            + (" (tự tính)" if flag(computed) else ""))


def rank_move(change, before, now) -> str | None:
    """A rank change as st.metric's delta: «+3 hạng (từ 20 lên 17)» or «-5 hạng (từ 16 xuống 21)»;
    the sign is what is good for the unit (a smaller rank is better), so st.metric colours it
    green or red. None when there is no rank the year before in the same series."""
    if missing(change) or missing(before) or missing(now):
        return None
    change, before, now = int(change), int(before), int(now)
    if change == 0:
        return f"giữ hạng {now}"
    return f"{change:+d} hạng (từ {before} {'lên' if change > 0 else 'xuống'} {now})"


def units_text(value, empty: str = "—") -> str:
    """A list of unit names as one line (for tables; wrap in ``plain`` for markdown); an
    empty or missing list as ``empty``."""
    if isinstance(value, str):
        return value or empty
    try:
        items = [str(v) for v in value]
    except TypeError:
        return empty
    return "; ".join(items) if items else empty


def unit_list(value) -> list[str]:
    """An edited unit cell as a list of names: a chosen name, the names of a multi-choice cell,
    or typed text with names separated by «;» (commas occur inside names); blanks dropped."""
    if value is None or isinstance(value, float):  # an emptied choice: None, or NaN through Arrow
        return []
    if isinstance(value, str):
        return [u.strip() for u in value.split(";") if u.strip()]
    return [str(u).strip() for u in value if str(u).strip()]


def vn_table(df: pd.DataFrame, digits: dict[str, int], signed_cols: tuple = ()):
    """A Styler that shows numbers with the decimal comma while the column stays numeric,
    so sorting in st.dataframe still sorts by value."""
    def fmt(col: str):
        d = digits[col]
        return (lambda v: signed(v, d)) if col in signed_cols else (lambda v: num(v, d))
    return df.style.format({c: fmt(c) for c in digits if c in df.columns})
