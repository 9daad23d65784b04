"""A little page-wide CSS, fixed text with no user input in it.

Streamlit's default top padding pushes a laptop's first screen down by about 100 px; on
Explore that is the difference between the attention and the cell side starting above the
fold at 1280 x 720 or below it. Charts that are wider than a narrow screen scroll sideways
inside their own box instead of shrinking to a sliver. Captions and formulas are adjusted to
pass an axe-core audit (WCAG 2.1 AA; tests/test_browser_accessibility.py).
"""

from __future__ import annotations

import streamlit as st

PAGE_CSS = """
<style>
  /* A marker the browser tests wait for: st.html draws this sheet a moment after the run. */
  :root { --ca-page-style: applied; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.4rem; }
  [data-testid="stVegaLiteChart"] { overflow-x: auto; }
  h1 { font-size: 2.1rem !important; padding-top: 0.2rem !important; }
  /* Captions in the theme's own text colour, a little lighter: 4.5:1 in light and dark. */
  [data-testid="stCaptionContainer"] { color: inherit !important; opacity: 0.82; }
  /* A formula is read, not scrolled: a scroll box nobody can focus fails keyboard users. */
  .katex-display { overflow: visible !important; }
  /* A chosen option's chip is filled with the theme's blue; white text on the dark theme's
     light blue is 2.2:1, so there the text is near-black (8:1). light-dark() follows the
     colour scheme Streamlit sets on the app; a browser without it keeps white. */
  [data-testid="stMultiSelectTagsContainer"] [data-tag],
  [data-testid="stMultiSelectTagsContainer"] [data-tag] * {
    color: light-dark(#ffffff, #0e1117) !important;
  }
</style>
"""


def page_style() -> None:
    st.html(PAGE_CSS)
