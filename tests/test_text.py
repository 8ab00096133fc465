import math

import pytest

from domain.text import fold, fold_loose, format_number, nfc, parse_number


@pytest.mark.parametrize("a,b", [
    ("Phòng Tài chính- Kế hoạch", "phòng tài chính - kế hoạch"),
    ("Thanh Hóa", "Thanh Hoa"),
    ("Thanh Ho\u0301a", "Thanh Hóa"),            # decomposed accent (NFD)
    ("Đắk Lắk", "dak lak"),
    ("  UBND   các xã,\u00a0thị trấn ", "ubnd cac xa, thi tran"),
])
def test_fold_equates_spellings(a, b):
    assert fold(a) == fold(b)


def test_fold_keeps_different_names_apart():
    assert fold("Phòng Nội vụ") != fold("Sở Nội vụ")


def test_nfc_composes_and_trims():
    assert nfc("Thanh Ho\u0301a ") == "Thanh Hóa"
    assert nfc(None) == "" and nfc(float("nan")) == ""


def test_fold_loose_drops_punctuation():
    assert fold_loose("Un-weighted PAPI") == "un weighted papi"


@pytest.mark.parametrize("cell,expected", [
    ("85,32", 85.32), ("85.32", 85.32), (" 7,5 ", 7.5), (12, 12.0), (3.25, 3.25),
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("", None), (None, None), ("-", None),
    (float("nan"), None),
])
def test_parse_number(cell, expected):
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "12a", "inf", "NaN", float("inf"), True, "1,2,3"])
def test_parse_number_rejects(cell):
    with pytest.raises(ValueError):
        parse_number(cell)


def test_format_number_uses_decimal_comma():
    assert format_number(85.324) == "85,32"
    assert format_number(None) == "—"
    assert format_number(math.nan) == "—"
    assert format_number(1827) == "1.827,00" and format_number(1827, 0) == "1.827"
    import pandas as pd
    assert format_number(pd.NA) == "—"
