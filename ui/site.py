"""The site map, and a guard that sends every run through app.py.

Why the guard: Streamlit still treats a folder named ``pages/`` beside the entrypoint as
an old-style multipage app until ``st.navigation`` has been called once in the process.
So the first request after a server starts, if it is a deep link such as
``/quiz?topic=mech-masks``, would run ``pages/quiz.py`` on its own, without app.py's page
config, defaults and navigation. ``require_entry`` notices that, registers the real site
map (which switches the old mode off) and runs the site in the same run, so the URL gets
exactly what app.py would give it. (AppTest starts every run in the old mode, so this path
is exercised by every page test.) Every page script calls ``require_entry()`` first.
"""

from __future__ import annotations

import threading

import streamlit as st

ENTRY = threading.local()  # per script thread: is app.py running this page?


def site_pages() -> dict[str, list]:
    return {
        "Explore": [
            st.Page("pages/explore.py", title="Explore", icon=":material/search:", default=True),
            st.Page("pages/context.py", title="Context", icon=":material/compare_arrows:",
                    url_path="context"),
            st.Page("pages/teamwork.py", title="Teamwork", icon=":material/groups:",
                    url_path="teamwork"),
        ],
        "Learn": [
            st.Page("pages/analogy.py", title="The analogy", icon=":material/menu_book:",
                    url_path="analogy"),
            st.Page("pages/limitations.py", title="Limitations", icon=":material/balance:",
                    url_path="limitations"),
        ],
        "Test yourself": [
            st.Page("pages/quiz.py", title="Quiz", icon=":material/quiz:", url_path="quiz"),
        ],
        "For teachers": [
            st.Page("pages/teachers.py", title="Teacher guide", icon=":material/school:",
                    url_path="teachers"),
            st.Page("pages/class.py", title="Class results",
                    icon=":material/leaderboard:", url_path="class"),
        ],
    }


def run_site() -> None:
    """What app.py does: page config, session defaults, navigation, then the chosen page with
    its settings read from the URL first and written back to it after."""
    from ui.classroom import pending_notice
    from ui.links import copy_button, read_url, write_url
    from ui.state import start_run
    from ui.style import page_style

    st.set_page_config(page_title="Cellular Attention", page_icon=":material/genetics:",
                       layout="wide")
    page_style()
    start_run()
    pages = site_pages()
    page = st.navigation(pages, position="hidden")
    site_menu(pages)
    shape = _model_shape()
    ENTRY.active = True
    try:
        if shape is not None:
            read_url(page.url_path, layers=shape[0], heads=shape[1])
        copy_button()
        pending_notice()
        page.run()
    finally:
        ENTRY.active = False
        if shape is not None:
            write_url(page.url_path, layers=shape[0], heads=shape[1])


def site_menu(pages: dict[str, list]) -> None:
    """The sidebar menu, drawn with page links: Streamlit's own menu nests <div>s in a <ul>,
    which screen readers cannot read as a list (an axe-core "serious" finding)."""
    for section, entries in pages.items():
        st.sidebar.caption(section)
        for entry in entries:
            st.sidebar.page_link(entry)
    st.sidebar.divider()


def _model_shape() -> tuple[int, int] | None:
    """(layers, heads) of the active model, which bound the layer and head in a link."""
    from ui.cache import current_model

    model = current_model()
    return None if model is None else (model.num_layers, model.num_heads)


def require_entry() -> None:
    """Call first in every page: a run that did not come through app.py runs the site now."""
    if not getattr(ENTRY, "active", False):
        run_site()
        st.stop()
