"""Cellular Attention: the Streamlit entrypoint (also the Community Cloud entrypoint)."""

import streamlit as st

from pages._common import keep_state

st.set_page_config(page_title="Cellular Attention", page_icon="🧬", layout="wide")
keep_state()

explore = st.Page("pages/explore.py", title="Explore", icon="🔍", default=True)
pages = {
    "Explore": [
        explore,
        st.Page("pages/context.py", title="Context", icon="🧫", url_path="context"),
        st.Page("pages/teamwork.py", title="Teamwork", icon="🤝", url_path="teamwork"),
    ],
    "Learn": [
        st.Page("pages/analogy.py", title="The analogy", icon="📖", url_path="analogy"),
        st.Page("pages/limitations.py", title="Limitations", icon="⚖️", url_path="limitations"),
    ],
    "Test yourself": [
        st.Page("pages/quiz.py", title="Quiz", icon="📝", url_path="quiz"),
    ],
}
st.navigation(pages).run()
