"""The chairman's first screen, measured in a real browser at 1366×768: on
the home commune, in December 2026, every index card — its rank and what the rank means, the
criteria furthest below the peers with their responsible unit (or that no plan names one yet),
the predecessor district's last rank — is in view without scrolling. The screenshot goes to
tests/artifacts/first-screen-1366.png for people to look at."""
from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, assert_no_error_on_screen, settle
from tests.test_browser_layout import VIEWPORT, app  # noqa: F401 - the server fixture, one per module

pytestmark = pytest.mark.browser


def above_the_fold(locator, what: str) -> None:
    locator.first.wait_for()
    box = locator.first.bounding_box()
    assert box is not None, what
    assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT["height"], f"{what} ends at {box['y'] + box['height']:.0f} px"


def test_the_commune_s_answer_is_above_the_fold(app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pg = browser.new_page(viewport=VIEWPORT, locale="vi-VN")
        pg.goto(app)
        settle(pg)
        assert_no_error_on_screen(pg)
        assert pg.get_by_label("Đơn vị được đánh giá").first.input_value() == "Xã Vĩnh Lộc (cấp xã, từ 2025)"
        assert pg.evaluate("window.scrollY") == 0
        above_the_fold(pg.get_by_text("Có SỐ LIỆU MINH HỌA trên trang này"), "the illustrative banner")
        for index in ("PAR INDEX", "SIPAS"):
            metric = pg.locator('[data-testid="stMetric"]').filter(has_text=f"{index} 2025")
            card = pg.locator('[data-testid="stColumn"]').filter(has=metric)
            assert metric.inner_text().count("Hạng") == 1 and "/166" in metric.inner_text()
            above_the_fold(card, f"the {index} card")  # everything in it, the context line last
            above_the_fold(card.get_by_text("Nửa dưới (nhóm 3/4)"), f"what {index}'s rank means")
            above_the_fold(card.get_by_text("thấp hơn trung vị"), f"{index}'s distance to the median")
            weak = card.locator('[data-testid="stCaptionContainer"]').filter(has_text="Thấp nhất so với nhóm:")
            # its own (illustrative) 2026 plan names the unit; nothing said to be missing
            assert "chủ trì: " in weak.inner_text() and "Chưa có kế hoạch giao việc" not in weak.inner_text()
            above_the_fold(weak, f"{index}'s weakest criteria with their unit")
            above_the_fold(card.get_by_text(f"Huyện Vĩnh Lộc (trước 01/7/2025): {index} 2024 hạng"),
                           f"the district's last {index} rank")
        pg.screenshot(path=str(ARTIFACTS / "first-screen-1366.png"))
        browser.close()
