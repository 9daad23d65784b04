"""Cellular Attention: the Streamlit entrypoint (also the Community Cloud entrypoint)."""

from lib.models.memory import return_large_blocks_promptly
from ui.site import run_site

return_large_blocks_promptly()  # before the model loads: see lib/models/memory.py
run_site()
