"""Text from files stays text in the browser: Streamlit's markdown links bare web and e-mail
addresses by itself (after reading escapes, so backslashes do not stop it). ui.fmt.plain must
stop it; the AppTest in test_hostile_data.py checks that every file text on every page goes
through plain(), this test checks in Chromium that plain() really leaves no link."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Xem http://vidu.vn/a, https://x.vn, www.vidu.gov.vn hoặc hoi.dap@vidu.vn"
SCRIPT = f'''
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from ui.fmt import plain
text = plain({TEXT!r})
st.markdown("markdown: " + text)
st.caption("caption: " + text)
st.metric("metric: " + text, "1")
st.info("info: " + text)
with st.expander("expander: " + text):
    st.write("")
st.button("button: " + text)
st.markdown("control: " + {TEXT!r})
'''


@contextlib.contextmanager
def tiny_app(tmp_path: Path):
    script = tmp_path / "markup_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    port = free_port()
    with serving([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                  "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                 port, cwd=tmp_path, env=os.environ.copy()) as url:
        yield url


def test_plain_text_has_no_link_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    with tiny_app(tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        page.get_by_text("control:").wait_for(timeout=60_000)
        links = page.eval_on_selector_all("[data-testid=stMain] a", "els => els.map(e => [e.innerText, e.href])")
        shown = page.inner_text("[data-testid=stMain]").replace("\u2060", "")
        browser.close()
    # the control line, rendered without plain(), is linked: the renderer does autolink
    assert sorted(href for _, href in links) == ["http://vidu.vn/a", "http://www.vidu.gov.vn/", "https://x.vn/",
                                                 "mailto:hoi.dap@vidu.vn"], links
    for kind in ("markdown", "caption", "metric", "info", "expander", "button"):
        assert f"{kind}: {TEXT}" in shown, (kind, shown)  # every character as written, and no link
