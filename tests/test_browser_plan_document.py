"""The draft plan as an official gets it: on «Trọng tâm năm tới» at 1366×768, untick a
criterion, choose another lead unit from the commune's offices, click «Tải dự thảo kế hoạch năm …
(Word)», and the downloaded document's section II lists exactly the ticked rows with the units
on the page (proposed from the former district's plan, or chosen)."""
from __future__ import annotations

import re
import shutil

import docx
import pytest

from domain.vocabulary import INDEX_CODES, INDEX_LABEL, INDEX_NAME
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, assert_no_error_on_screen, go, running_app, settle
from tests.test_plan_document import body_texts, parse_tasks

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
CHOSEN_LEAD = "Trung tâm Phục vụ hành chính công"  # an office of the commune (the choice list)
ROW_PX = 35  # glide-data-grid's row height in st.data_editor (the header row too)


def grid_rows(grid) -> list[dict]:
    """The editor's rows as its accessible table holds them (the rows drawn on screen)."""
    out = []
    for row in grid.locator('tbody [role="row"]').all():
        cells = {c.get_attribute("aria-colindex"): c.inner_text() for c in row.locator('[role="gridcell"]').all()}
        out.append({"chosen": cells["1"] == "true", "index": cells["2"], "code": cells["3"], "lead": cells["5"]})
    return out


def edit(pg, grid, row: int, text: str | None = None, *, col_x: float) -> None:
    """Click the cell of ``row`` at ``col_x`` (pixels from the grid's left edge); type ``text``
    into it when given (a checkbox is toggled by the click itself)."""
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + col_x, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)
    if text is not None:
        pg.keyboard.press("Enter")  # open the cell's editor, then write into it once it is there
        editor = pg.locator("textarea.gdg-input")
        editor.wait_for(timeout=10000)
        editor.fill(text)
        editor.press("Enter")
    settle(pg)


def choose(pg, grid, row: int, option: str, *, col_x: float) -> None:
    """Open the choice list of the cell of ``row`` at ``col_x`` and pick ``option``."""
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + col_x, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2)
    pg.keyboard.press("Enter")  # open the cell's editor: a searchable list
    pg.keyboard.type(option)
    pg.get_by_role("option", name=option, exact=True).first.click(timeout=10000)
    settle(pg)


def test_the_downloaded_plan_lists_the_ticked_rows_with_the_chosen_units(built_db, tmp_path_factory, tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path_factory.mktemp("plan") / "chiso.duckdb"
    shutil.copyfile(built_db, db)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pg = browser.new_page(viewport=VIEWPORT, locale="vi-VN")
        pg.goto(url)
        settle(pg)
        go(pg, "Trọng tâm năm tới")  # the home entity (xã Vĩnh Lộc) and its latest year
        assert pg.get_by_label("Đơn vị được đánh giá").first.input_value() == "Xã Vĩnh Lộc (cấp xã, từ 2025)"
        year = pg.get_by_label("Năm có kết quả mới nhất").first.input_value()
        plan_year = int(re.search(rf"xếp hạng thấp năm {year}, để đưa vào kế hoạch năm (\d{{4}})",
                                  pg.inner_text("body")).group(1))

        grid = pg.locator('[data-testid="stDataFrame"]').first
        grid.wait_for()
        before = grid_rows(grid)
        # no plan of its own: every lead is proposed from the former district's plan
        assert sum(r["chosen"] for r in before) == 10 and all(r["lead"] for r in before)
        assert CHOSEN_LEAD != before[0]["lead"]
        edit(pg, grid, 1, col_x=28)  # untick the second criterion
        # choose another lead for the first: the middle of «Cơ quan chủ trì», from the page's column widths
        choose(pg, grid, 0, CHOSEN_LEAD, col_x=56 + 84 + 52 + 240 + 90)
        rows = grid_rows(grid)
        assert not rows[1]["chosen"] and rows[0]["lead"] == CHOSEN_LEAD, rows[:2]
        ticked = [r for r in rows if r["chosen"]]
        assert f"Đã chọn {len(ticked)} tiêu chí." in pg.inner_text("body") and len(ticked) == 9

        buttons = [pg.get_by_role("button", name=n) for n in ("Tải bảng phân công nhiệm vụ (Excel)",
                                                              "Tải bảng phân công nhiệm vụ (Word)",
                                                              f"Tải dự thảo kế hoạch năm {plan_year} (Word)")]
        boxes = [b.bounding_box() for b in buttons]
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= VIEWPORT["width"] for b in boxes)
        assert len({round(b["y"]) for b in boxes}) == 1  # side by side on one row
        buttons[2].scroll_into_view_if_needed()
        pg.screenshot(path=str(ARTIFACTS / "trong-tam-du-thao-ke-hoach-1366.png"))
        with pg.expect_download(timeout=60000) as dl:  # built when clicked
            buttons[2].click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        assert_no_error_on_screen(pg)
        browser.close()

    assert path.name == f"du-thao-ke-hoach-{plan_year}-xa-vinh-loc.docx"  # Vietnamese, no diacritics
    d = docx.Document(path)
    texts = body_texts(d)
    assert texts[texts.index("KẾ HOẠCH") + 1].endswith(f"xã Vĩnh Lộc năm {plan_year}")
    assert d.tables[0].cell(1, 1).text.startswith("Vĩnh Lộc, ngày … tháng … năm ")
    tasks = parse_tasks(texts)
    code_of = {INDEX_LABEL[c]: c for c in INDEX_CODES}  # the page's «PAR INDEX»
    by_name = {INDEX_NAME[c]: c for c in INDEX_CODES}  # the plan's «1. Chỉ số cải cách hành chính (PAR INDEX)»
    got = sorted((by_name[h.split(". ", 1)[1]], t["head"].split(" ")[1], t["Cơ quan chủ trì"])
                 for h, group in tasks.items() for t in group)
    want = sorted((code_of[r["index"]], r["code"], r["lead"] or "…") for r in ticked)
    assert got == want
    assert (code_of[rows[0]["index"]], rows[0]["code"], CHOSEN_LEAD) in got
    assert (code_of[rows[1]["index"]], rows[1]["code"]) not in {g[:2] for g in got}  # the unticked one
