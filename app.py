"""Cellular Attention: the Streamlit entrypoint (also the Community Cloud entrypoint)."""

from pages._site import run_site

run_site()
