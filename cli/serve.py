"""Start the dashboard: ``python -m cli.serve [streamlit options]`` = ``streamlit run app.py``,
except that a link to a page opens the app even when it is the server's first request.

app.py lays out the navigation itself (st.navigation over pages/). Streamlit 1.67 also
knows an older convention in which a folder named ``pages`` beside the main script is the
navigation; until some session has run app.py, it follows that one, so a shared link such
as ``/so_sanh?entity=…`` sent to a freshly started server would open the bare page, without
app.py's Vietnamese menu, wide layout or database pin. The flag below is the one st.navigation
itself clears on its first call (streamlit/commands/navigation.py); setting it before the
server starts makes the first request behave like every later one."""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
