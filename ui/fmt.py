"""Vietnamese formatting for the screen: numbers with the decimal comma, ranks, unit lists,
and text from files made inert inside markdown."""
from __future__ import annotations

import math
import re

import pandas as pd

from domain import vocabulary
from domain.text import format_number
from domain.entities import LEVEL_LABEL


INDEX_LABEL = vocabulary.INDEX_LABEL  # «PAR INDEX»: data/frameworks/indices.csv


LEVEL_VI = LEVEL_LABEL  # «cấp huyện»: Thành phố Thanh Hóa is a city at district level


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """Text from a file or a person, made inert inside Streamlit markdown: no links, images,
    emphasis, LaTeX ($) or HTML tags; it reads exactly as written."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def num(value, digits: int = 2) -> str:
    """Decimal comma, dot between thousands; a dash for missing."""
    return format_number(value, digits)


def signed(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return ("+" if value > 0 else "") + num(value, digits)


def rank_text(rank, n, computed) -> str:
    if rank is None or (isinstance(rank, float) and math.isnan(rank)) or rank is pd.NA:
        return "—"
    return f"{int(rank)}/{int(n)}" + (" (tự tính)" if computed else "")


def rank_move(change, before, now) -> str | None:
    """A rank change as st.metric's delta: «+3 hạng (từ 20 lên 17)» or «-5 hạng (từ 16 xuống 21)»;
    the sign is what is good for the unit (a smaller rank is better), so st.metric colours it
    green or red. None when there is no rank the year before in the same series."""
    if change is None or change != change or before != before or before is None:
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


def vn_table(df: pd.DataFrame, digits: dict[str, int], signed_cols: tuple = ()):
    """A Styler that shows numbers with the decimal comma while the column stays numeric,
    so sorting in st.dataframe still sorts by value."""
    def fmt(col: str):
        d = digits[col]
        return (lambda v: signed(v, d)) if col in signed_cols else (lambda v: num(v, d))
    return df.style.format({c: fmt(c) for c in digits if c in df.columns})
