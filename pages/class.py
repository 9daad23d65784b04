"""Class results: a teacher creates a class (its teacher key shown once) and opens it with the
key to see, per question, how often the class chose each option, and the mastery per topic.
Students send their answers from the quiz results; no one's own answers are ever shown."""

import streamlit as st

from ui import classroom, teachers
from ui.cache import current_model
from ui.site import require_entry

require_entry()

teachers.print_styles()
st.title("Class results")
guide = teachers.guide()
if guide is not None:
    st.write(guide.class_results.intro)
    st.markdown("\n".join(f"{i}. {step}"
                          for i, step in enumerate(guide.class_results.steps, start=1)))
model = current_model()
classroom.create_section(shape=None if model is None else (model.num_layers, model.num_heads))
classroom.report_section()
