"""For teachers: learning objectives per page, a 50-minute lesson plan whose links open each
page set up for its activity, and a printable worksheet (``?view=worksheet``)."""

import streamlit as st

from ui import teachers
from ui.cache import current_model
from ui.site import require_entry

require_entry()

teachers.print_styles()
guide = teachers.guide()
if guide is None:
    st.error("The teacher guide could not be loaded; see the message above.")
    st.stop()
view = teachers.view_picker(guide)
model = current_model()
if view == "worksheet":
    teachers.show_worksheet(guide)
else:
    teachers.show_guide(guide, shape=None if model is None else (model.num_layers,
                                                                 model.num_heads))
