"""Every file the web pages hand out is named in Vietnamese without diacritics (domain.text.slug):
«du-thao-ke-hoach-2027-xa-bien-thuong.docx», «trinh-chieu-xa-vinh-loc-2025.pptx», never
«deck-…» or «report-…»."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from domain.text import slug
from domain.vocabulary import next_plan_year
from tests.conftest import ROOT

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.(xlsx|docx|pptx|html|csv)$")


def test_slug_is_vietnamese_without_diacritics():
    assert slug("Dự thảo kế hoạch", 2027, "Xã Biện Thượng") == "du-thao-ke-hoach-2027-xa-bien-thuong"
    assert slug("Mẫu báo cáo", "Văn phòng HĐND và UBND xã", "Quý III/2026") == \
        "mau-bao-cao-van-phong-hdnd-va-ubnd-xa-quy-iii-2026"


def test_the_focus_page_names_its_downloads_in_vietnamese(fresh_caches, download_names):
    at = AppTest.from_file(str(ROOT / "pages" / "trong_tam.py"), default_timeout=120)
    at.session_state["entity"] = "VN-38-15382"  # xã Biện Thượng
    at.run()
    assert not at.exception
    year = next_plan_year(2025)
    assert download_names == [f"phan-cong-nhiem-vu-{year}-xa-bien-thuong.xlsx", f"phan-cong-nhiem-vu-{year}-xa-bien-thuong.docx",
                     f"du-thao-ke-hoach-{year}-xa-bien-thuong.docx"]


def test_the_briefing_files_are_named_in_vietnamese(fresh_caches, download_names):
    at = AppTest.from_file(str(ROOT / "pages" / "tong_quan.py"), default_timeout=180)
    at.session_state["entity"] = "VN-38-15349"  # xã Vĩnh Lộc
    at.run()
    for label in ("Chuẩn bị bản trình chiếu (PowerPoint)", "Chuẩn bị báo cáo in khổ A4 (HTML)"):
        next(b for b in at.button if b.label == label).click().run()
        assert not at.exception
    year = at.session_state["year"] if "year" in at.session_state else None
    made = [n for n in download_names if n.startswith(("trinh-chieu-", "bao-cao-"))]
    assert {n.split("-xa-")[0] for n in made} == {"trinh-chieu", "bao-cao"}
    assert all(NAME.match(n) and "xa-vinh-loc" in n for n in made), made
    assert year is None or all(str(year) in n for n in made)
