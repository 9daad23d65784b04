"""Each page's settings live in its URL, so a reload, a new tab or a shared link restores them.

At the start of a run, parameters the session has not seen yet (a link just opened, a reload,
a new tab) are applied to the settings, with a clear message for any value that does not
parse (lib/linking.py); at the end of the run, the page's current settings are written back.
The server keeps no per-student store: the browser's address bar is the store, so any
replica behind a load balancer can restore a session.

The same parameters, described in content/teachers.yaml, make the table of link parameters
in the teacher guide and the README (``param_docs``), and the lesson plan's configured links
(``activity_link``), so neither can name a parameter the pages do not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from lib import linking
from lib.classroom import CODE_EXAMPLE, normalize_code
from lib.learn import cell_only
from lib.linking import LinkError, Param, Reader
from lib.pipeline.views import RowSettings
from ui import state
from ui.components.copy_link import copy_link
from ui.site import ENTRY
from ui.text import message, site_content

PROMPT_CHARS = 4_000  # as many characters as a prompt is analysed with (lib.attention.extract)
WRITTEN = state.Setting("_url_written", None)  # the parameters this session last wrote
PAGE_SHOWN = state.Setting("_url_page", None)  # (url path, layers, heads) of the page shown
# Pages with settings in their URL, by the name content/teachers.yaml uses -> url path.
LINKED_PAGES = {"explore": "", "context": "context", "teamwork": "teamwork",
                "limitations": "limitations", "quiz": "quiz", "teachers": "teachers"}
TEACHER_VIEWS = ("guide", "worksheet")


def _query_parse(raw: str) -> int | str:
    """A query given as its index ('7') or as a word of the prompt ('Hilton')."""
    return int(raw) if raw.isdigit() else linking.text(max_chars=100)(raw)


_query = Reader(_query_parse, "a token's position in the prompt (0, 1, 2, ...) or a word of it")


def _class_code_parse(raw: str) -> str:
    code = normalize_code(raw)
    if code is None:
        raise LinkError(f"is not a class code (three words and two digits, like {CODE_EXAMPLE}).")
    return code


_class_code = Reader(_class_code_parse, f"a class code: three words and two digits, like "
                                        f"{CODE_EXAMPLE}")


def page_params(page: str, *, layers: int, heads: int) -> tuple[Param, ...]:
    """The parameters of one page (its url path; '' is Explore), for a model of this shape."""
    prompt = Param("prompt", "prompt", linking.text(max_chars=PROMPT_CHARS))
    layer = Param("layer", "layer", linking.whole(0, layers - 1))
    head = Param("head", "head_choice", linking.head_choice(heads))
    temperature = Param("temperature", "temperature", linking.number(0.1, 5.0, step=0.1))
    special = Param("special", "special", linking.choice("keep", "drop", "reservoir"))
    query = Param("query", "query", _query)
    if page == "":
        return (prompt, query, Param("level", "level", linking.choice("token", "word")), layer,
                head, temperature, special,
                Param("experiment", "cell_experiment", linking.choice(*cell_only.EXPERIMENTS)),
                Param("seed", "cell_seed", linking.whole(0, 10_000)),
                Param("copies", "cell_copies", linking.whole(1, cell_only.COPIES_MAX)),
                Param("penalty", "cell_penalty", linking.number(0.0, 10.0, step=0.5)))
    if page == "context":
        return (Param("a", "context_a", linking.text(max_chars=PROMPT_CHARS)),
                Param("b", "context_b", linking.text(max_chars=PROMPT_CHARS)),
                Param("word", "context_word", linking.text(max_chars=100)),
                Param("reading", "context_reading", linking.choice("row", "column")),
                layer, head, temperature, special)
    if page == "teamwork":
        return (prompt, query, layer, temperature,
                Param("heads", "team_heads", linking.whole_list(0, heads - 1, most=7),
                      linking.show_list))
    if page == "limitations":
        return (Param("prompt", "limits_prompt", linking.text(max_chars=PROMPT_CHARS)),)
    if page == "quiz":
        topics = [t.id for t in site_content().quiz.topics]
        return (Param("topics", "quiz_topics", linking.id_list(topics), linking.show_list),
                Param("topic", "quiz_topics", linking.id_list(topics), linking.show_list,
                      alias=True),
                Param("length", "quiz_length", linking.whole(1, 50)),
                Param("seed", "quiz_seed", linking.whole(0, 2**31 - 1)),
                Param("cbm", "quiz_cbm", linking.flag, linking.show_flag),
                Param("live", "quiz_live", linking.flag, linking.show_flag),
                Param("class", "class_code", _class_code))
    if page == "teachers":
        return (Param("view", "teacher_view", linking.choice(*TEACHER_VIEWS)),)
    return ()


def _get(setting: str) -> object:
    if setting == "head_choice":
        return state.head_choice()
    return st.session_state.get(setting)


def _set(setting: str, value: object) -> None:
    if setting == "head_choice":
        state.set_head_choice(value)
    elif setting == "query" and isinstance(value, str):
        state.PENDING_QUERY_WORD.set(value)  # a word: resolved once the tokens are known
    else:
        st.session_state[setting] = value
        if setting == "prompt":
            state.QUERY.reset()


def read_url(page: str, *, layers: int, heads: int) -> None:
    """Apply parameters this session has not seen yet; say which ones were refused."""
    PAGE_SHOWN.set((page, layers, heads))
    current = st.query_params.to_dict()
    if current == WRITTEN.get() or not current:
        return
    read = linking.read_link(current, page_params(page, layers=layers, heads=heads))
    for setting, value in read.values.items():
        _set(setting, value)
    for problem in read.problems:
        st.warning(problem)
    WRITTEN.set(current)


def write_url(page: str, *, layers: int, heads: int) -> None:
    """Put the page's current settings in the address bar (only when they changed)."""
    params = page_params(page, layers=layers, heads=heads)
    wanted = linking.write_link({p.setting: _get(p.setting) for p in params}, params)
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)
    WRITTEN.set(wanted)


def copy_button(*, path: str | None = None, label: str = "Copy a link to this setup",
                key: str = "copy_setup_link", sidebar: bool = True) -> None:
    """The button that copies this page's address (which holds its settings), or ``path``."""
    with st.sidebar if sidebar else st.container():
        copy_link(key=key, label=label, path=path,
                  done=message("copy_link_done") or "Copied.",
                  fallback=message("copy_link_fallback") or "Copy the link below.",
                  fallback_label=message("copy_link_field") or "Link:")


def _write_shown_page() -> None:
    shown = PAGE_SHOWN.get()
    if shown is not None:
        page, layers, heads = shown
        write_url(page, layers=layers, heads=heads)


def sync_url() -> None:
    """Write the address at the end of a fragment's own rerun, which skips the site's end of
    run (a setting changed there would otherwise be missing from a copied link). Within a
    full run the site writes it at the end anyway, so once is enough."""
    if not getattr(ENTRY, "active", False):
        _write_shown_page()


def rerun_with_settings() -> None:
    """``st.rerun()`` that keeps settings this run changed (e.g. a restored quiz's setup).

    A rerun starts from the query string as it was when ``st.rerun`` was called, so without
    writing the address first the next run would read the old one back and undo the change."""
    _write_shown_page()
    st.rerun()


def explore_link(prompt: str, *, word: str | None, settings: RowSettings) -> dict[str, str]:
    """Query parameters that open Explore exactly as a Learn figure was drawn."""
    values = {"prompt": prompt, "query": word, "level": settings.level,
              "layer": settings.layer, "head_choice": settings.head,
              "temperature": settings.temperature, "special": settings.special}
    # Writing needs no ranges (only reading checks them), so any model shape will do.
    return linking.write_link(values, page_params("", layers=1, heads=1))


# ---- configured links for the lesson plan, and the table of parameters for the docs

def _defaults(params) -> dict[str, object]:
    """Each parameter's setting at its default, as a fresh session would have it."""
    known = {setting.key: setting.default for setting in state.SHARED}
    known["head_choice"] = (state.HEAD_MODE.default if state.HEAD_MODE.default != "head"
                            else state.HEAD.default)
    return {p.setting: known.get(p.setting) for p in params}


def activity_link(page: str, given: Mapping[str, str], *, layers: int,
                  heads: int) -> tuple[str, tuple[str, ...]]:
    """A relative URL that opens ``page`` (a name of LINKED_PAGES, or "analogy") with the
    settings ``given`` (as link text, e.g. {"special": "drop"}) and every other setting at its
    default, so the page opens exactly as the activity needs whatever the session did
    before; and one sentence per setting that was refused."""
    path = LINKED_PAGES.get(page, page)
    params = page_params(path, layers=layers, heads=heads)
    query, problems = linking.complete_link(given, params, _defaults(params))
    return _address(path, query), problems


def _address(path: str, query: Mapping[str, str]) -> str:
    """A link relative to the app's own address, so it works under any base URL (commas are
    left readable: they are allowed in a query string)."""
    return f"{path or './'}{'?' + urlencode(query, safe=',') if query else ''}"


@dataclass(frozen=True)
class ParamDoc:
    page: str  # a name of LINKED_PAGES
    name: str
    meaning: str
    allowed: str
    example: str  # a link, e.g. "quiz?length=5"


def param_docs(docs: Mapping[str, Mapping[str, tuple[str, str]]], *, layers: int,
               heads: int) -> tuple[ParamDoc, ...]:
    """One row per parameter the pages read, in the pages' own order: its meaning and example
    from ``docs`` (page -> name -> (meaning, example value)), its allowed values from the
    parameter itself. A parameter missing from ``docs`` raises KeyError (a test keeps the two
    equal)."""
    rows = []
    for page, path in LINKED_PAGES.items():
        params = page_params(path, layers=layers, heads=heads)
        for param in params:
            meaning, example = docs[page][param.name]
            rows.append(ParamDoc(page, param.name, meaning, _allowed(param, params),
                                 _address(path, {param.name: example})))
    return tuple(rows)


def _allowed(param: Param, params: tuple[Param, ...]) -> str:
    if param.alias:
        canonical = next(p.name for p in params if p.setting == param.setting and not p.alias)
        return f"the same values as {canonical}"
    return param.parse.allowed


def param_table(rows: tuple[ParamDoc, ...]) -> str:
    """The rows as one Markdown table (for the guide and the README)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| page | parameter | meaning | allowed values | example |",
             "|---|---|---|---|---|"]
    lines += [f"| {row.page} | `{row.name}` | {cell(row.meaning)} | {cell(row.allowed)} | "
              f"`{row.example}` |" for row in rows]
    return "\n".join(lines)
