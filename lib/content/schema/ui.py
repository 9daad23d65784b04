"""Schema of content/ui.yaml: every short message a page shows (notes, hints, help, feedback),
for every page including the quiz, as named templates with checked placeholders.

``MESSAGE_SAMPLES`` is the one registry of message names. Each name comes with one sample
value per placeholder the page passes (the value's type matters: it checks the template's
format specs), so a template must use exactly those names; :class:`UiText` rejects any other
set (lib/content/templates.py), and a typo in the file is a loading problem, not a crash in
front of a student. The quiz's marking text must describe the Gardner-Medwin scheme that
lib/quiz/grading.py applies (Gardner-Medwin 2006); a test checks that the two agree.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from lib.content.schema.base import Frozen, NonEmpty
from lib.content.templates import check_template

MESSAGE_SAMPLES: dict[str, dict[str, Any]] = {
    # shared Explore glue (ui/)
    "loading_model": {"model_id": "all-MiniLM-L6-v2"},
    "running_model": {},
    "switching_model": {"model_id": "gpt2"},
    "switch_failed": {"error": "The model could not be loaded."},
    "bundled_model": {},
    "truncated_prompt": {"chars": 25_000, "tokens": 512},
    # every page: "Copy a link to this setup" (ui/components/copy_link)
    "copy_link_done": {},
    "copy_link_fallback": {},
    "copy_link_field": {},
    # Explore, Context, Teamwork
    "window_partial": {"shown": 41, "total": 120},
    "sink_note": {"share": 0.72},
    # Explore's first-visit guide (ui/guide.py)
    "guide_step_1": {},
    "guide_step_2": {},
    "guide_step_3": {},
    "guide_hide_help": {},
    "pieces_note": {"word": "neuron", "pieces": "ne + uron"},
    "numbers_source": {
        "model": "all-MiniLM-L6-v2",
        "kind": "encoder",
        "layers": 6,
        "heads": 12,
        "temperature": 1.0,
        "gap": 1.2e-16,
    },
    "no_shared_word": {},
    "context_column": {},
    "tv_help": {},
    "no_heads": {},
    "bits_help": {},
    "pattern_help": {},
    # Learn pages (ui/learn.py)
    "no_model": {},
    "figure_failed": {"what": "Input", "error": "division by zero"},
    "try_it_help": {"prompt": "Tell me about Paris"},
    "quiz_link_help": {"topic": "analogy-input"},
    "quiz_unavailable": {"topic": "analogy-input"},
    # The analogy page
    "analogy_intro": {},
    "input_share": {"layer": 2, "sink": 0.61, "top": "'Paris' 40%, 'about' 20%"},
    "decision_gap": {"gap": 1.2e-16},
    "context_distance": {"tv": 0.42},
    "teamwork_heads": {},
    "dynamics_word_missing": {"word": "Paris"},
    "dynamics_recomputed": {"tv": 0.12},
    "instructions_layers": {},
    "entropy_help": {},
    # The limitations page
    "limitations_intro": {},
    "limits_prompt_help": {"layer": 2},
    "limits_query": {"word": "enhancer", "loci": 14},
    "biology_help": {},
    "too_few_loci": {"loci": 2},
    "copies_help": {"loci": 14},
    "all_closed": {},
    "closed_every_third": {"closed": 4},
    # Explore: what only the cell can do (lib/learn/cell_only.py)
    "cell_only_intro": {},
    "cell_one_molecule": {},
    "cell_copies": {},
    "cell_pioneer": {"penalty": 3.0},
    "cell_convergence": {},
    "cell_time_detail": {},
    "seed_one_run_help": {},
    "scene_unbound_share": {"share": 0.05},
    "seed_help": {},
    "ablation_summary": {
        "sink": 3,
        "sink_share": 0.81,
        "sink_change": 0.0012,
        "most": 7,
        "most_change": 0.0345,
    },
    # The quiz page (pages/quiz.py)
    "quiz_intro": {},
    "quiz_start_hint": {},
    "quiz_length_help": {},
    "quiz_seed_help": {},
    "quiz_cbm_help": {},
    "quiz_confidence_question": {},
    "quiz_confidence_1": {},
    "quiz_confidence_2": {},
    "quiz_confidence_3": {},
    "quiz_live_help": {},
    "quiz_live_unavailable": {},
    "quiz_live_none": {},
    "quiz_live_note": {},
    "quiz_incomplete_answer": {},
    "quiz_locked_note": {},
    "quiz_results_intro": {},
    "quiz_no_mistakes": {},
    "quiz_save_help": {},
    "quiz_resume_success": {},
    "quiz_multi_hint": {},
    "quiz_progress": {"number": 1, "total": 10, "answered": 0},
    # feedback after an answer: {marks} is quiz_marks_one or quiz_marks_many filled in
    "quiz_feedback_right": {"marks": "+2 marks"},
    "quiz_feedback_wrong": {"marks": "-6 marks"},
    "quiz_marks_one": {"marks": 1},
    "quiz_marks_many": {"marks": -6},
    "quiz_belongs_with": {"expected": "a TF species"},
    # before the quiz starts: how many questions, and how many about the prompt
    "quiz_plan_live": {
        "total": 10,
        "from_bank": 7,
        "from_prompt": 3,
        "prompt": "What's the capital of France?",
        "query": "'capital'",
    },
    "quiz_plan_short": {"available": 4, "total": 4},
    # results: the score as a share of the maximum; thresholds from lib.quiz.grading
    "quiz_score_marks": {"score": 4, "max_score": 39},
    "quiz_cbm_score": {"fairly": 2 / 3, "very": 0.8, "source": "Gardner-Medwin 2006"},
    # the copy of the quiz kept in the student's browser (ui/components/browser_store)
    "quiz_store_help": {},
    "quiz_store_restored": {},
    "quiz_store_refused": {"problem": "The file is not valid JSON."},
    "quiz_store_unavailable": {},
    "quiz_store_write_failed": {},
    "quiz_store_cleared": {},
}


class UiText(Frozen):
    """The pages' short messages: ``messages`` maps each name in MESSAGE_SAMPLES to a
    template whose placeholders are exactly the names the page passes."""

    messages: dict[str, NonEmpty]

    @field_validator("messages")
    @classmethod
    def _exact_templates(cls, messages: dict[str, str]) -> dict[str, str]:
        missing = sorted(set(MESSAGE_SAMPLES) - set(messages))
        unknown = sorted(set(messages) - set(MESSAGE_SAMPLES))
        if missing or unknown:
            found = [
                f"{what} message(s) {names}"
                for what, names in (("Missing", missing), ("Unknown", unknown))
                if names
            ]
            raise ValueError(
                f"{' and '.join(found)}; the names the pages use are the keys of "
                "MESSAGE_SAMPLES in lib/content/schema/ui.py"
            )
        for name, template in messages.items():
            check_template(name, template, MESSAGE_SAMPLES[name])
        return messages

    def format(self, name: str, **values: Any) -> str:
        """The message ``name`` filled in with ``values`` (KeyError for an unknown name)."""
        return self.messages[name].format(**values)
