"""Quiz: one question at a time, locked answers with explained feedback, results, save and
resume. The quiz itself is the pure state machine in ``lib.quiz``; ui/quiz.py wires it."""

import streamlit as st

from ui import quiz as q
from ui import state
from ui.site import require_entry
from ui.text import message, site_content

require_entry()

bank = q.bank()

bar = st.sidebar
bar.header("Quiz setup")
titles = {t.id: t.title for t in bank.topics}
state.QUIZ_TOPICS.set([t for t in state.QUIZ_TOPICS.get() if t in titles])
bar.multiselect("Topics", list(titles), format_func=titles.get, placeholder="All topics",
                **state.bind(state.QUIZ_TOPICS))
bar.number_input("Questions", 1, q.MAX_LENGTH, step=1, help=message("quiz_length_help"),
                 **state.bind(state.QUIZ_LENGTH))
bar.toggle("Certainty-based marking", help=message("quiz_cbm_help"),
           **state.bind(state.QUIZ_CBM))
bar.toggle("Include questions about my prompt", help=message("quiz_live_help"),
           **state.bind(state.QUIZ_LIVE))
bar.number_input("Seed", 0, q.MAX_SEED, step=1, help=message("quiz_seed_help"),
                 **state.bind(state.QUIZ_SEED))
with bar:
    q.plan_note()
start = bar.button("Start a new quiz")  # secondary: white on the dark theme's blue is 2.3:1

st.title("Quiz: test yourself")
for problem in site_content().problems_in("quiz/", "ui.yaml"):
    st.warning(f"Part of the quiz content is broken and was skipped. {problem}")
if not bank.questions:
    st.error("No quiz questions could be loaded; see the problems above.")
    st.stop()
q.show_notices()
q.say("quiz_intro", st.markdown)
if start:
    q.start_quiz()
if state.QUIZ_LIVE_NOTE.get():
    q.say(state.QUIZ_LIVE_NOTE.get(), st.info)

q.quiz_body()
