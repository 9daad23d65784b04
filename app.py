"""Cellular Attention: the Streamlit entrypoint (also the Community Cloud entrypoint)."""

import streamlit as st

from pages._common import keep_state
from pages._site import ENTRY, site_pages

st.set_page_config(page_title="Cellular Attention", page_icon="🧬", layout="wide")
keep_state()
ENTRY.active = True
try:
    st.navigation(site_pages()).run()
finally:
    ENTRY.active = False
