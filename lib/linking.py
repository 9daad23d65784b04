"""Settings as a link's query parameters: read with clear refusals, written back exactly.

A page's settings live in its URL (``?prompt=...&layer=3&head=5``), so a reload, a new tab
or a link a teacher shares opens the same setup. Each :class:`Param` names one parameter,
the setting it fills, how to read it and how to write it. Reading never raises: a value that
does not parse is reported as a sentence the page can show, and the setting keeps its value.
Writing gives every setting, defaults included, so a link sets the whole page exactly even in
a session whose settings differ; only a setting with no value (None) is left out.

Each reader also says in words which values it takes (``Reader.allowed``), so the list of
parameters a teacher reads (the guide's table, the README's) is derived from the very
parameters the app parses and cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


class LinkError(ValueError):
    """A parameter's value cannot be used; the message says what it should be."""


@dataclass(frozen=True)
class Reader:
    """Parses one parameter's text (raising LinkError) and says which values it takes."""

    parse: Callable[[str], object]
    allowed: str  # in words, for the docs: "a whole number from 0 to 5"

    def __call__(self, raw: str) -> object:
        return self.parse(raw)


@dataclass(frozen=True)
class Param:
    name: str  # in the query string
    setting: str  # the setting it fills (a ui.state key, or "head_choice")
    parse: Reader  # raises LinkError
    show: Callable[[object], str] = str
    alias: bool = False  # an older name, still read but never written


@dataclass(frozen=True)
class LinkRead:
    values: Mapping[str, object]  # setting -> value, for the parameters that parsed
    problems: tuple[str, ...]  # one sentence per refused parameter


def read_link(query: Mapping[str, str], params: Sequence[Param]) -> LinkRead:
    """The settings a link's ``query`` gives (unknown parameters are ignored)."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for param in params:
        raw = query.get(param.name)
        if raw is None:
            continue
        try:
            values[param.setting] = param.parse(raw)
        except LinkError as error:
            problems.append(f"The link's {param.name} '{_short(raw)}' {error} "
                            "The page uses its usual setting instead.")
    return LinkRead(values, tuple(problems))


def write_link(settings: Mapping[str, object], params: Sequence[Param]) -> dict[str, str]:
    """Query parameters for ``settings`` (setting -> value); settings that are None or
    missing, and aliases, are left out."""
    return {param.name: param.show(settings[param.setting]) for param in params
            if not param.alias and settings.get(param.setting) is not None}


def complete_link(given: Mapping[str, str], params: Sequence[Param],
                  defaults: Mapping[str, object]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Query parameters that set every setting of ``params``: those ``given`` (as a link would
    give them), the rest from ``defaults``. Also returns one sentence per parameter that was
    refused or that the page does not have, so an author can fix a stored link."""
    read = read_link(given, params)
    known = {param.name for param in params}
    unknown = tuple(f"The link's {name} is not a setting of this page; it was left out."
                    for name in sorted(set(given) - known))
    return write_link({**defaults, **read.values}, params), read.problems + unknown


def _short(raw: str, limit: int = 40) -> str:
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


# ---- readers: each returns a parser that raises LinkError with what the value should be

def text(*, max_chars: int) -> Reader:
    def parse(raw: str) -> str:
        if not raw.strip():
            raise LinkError("is empty.")
        return raw[:max_chars]

    return Reader(parse, f"any text (the first {max_chars:,} characters are used)")


def whole(low: int, high: int) -> Reader:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise LinkError(f"is not a whole number from {low} to {high}.") from None
        if not low <= value <= high:
            raise LinkError(f"is outside {low} to {high}.")
        return value

    return Reader(parse, f"a whole number from {low:,} to {high:,}")


def number(low: float, high: float, *, step: float) -> Reader:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise LinkError(f"is not a number from {low:g} to {high:g}.") from None
        if not low <= value <= high:
            raise LinkError(f"is outside {low:g} to {high:g}.")
        return round(round(value / step) * step, 10)  # a value the slider can show

    return Reader(parse, f"a number from {low:g} to {high:g}, in steps of {step:g}")


def choice(*options: str) -> Reader:
    def parse(raw: str) -> str:
        if raw not in options:
            raise LinkError(f"is not one of {', '.join(options)}.")
        return raw

    return Reader(parse, f"one of {', '.join(options)}")


def _flag(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise LinkError("is not 1 (on) or 0 (off).")


flag = Reader(_flag, "1 (on) or 0 (off)")


def show_flag(value: object) -> str:
    return "1" if value else "0"


def head_choice(heads: int) -> Reader:
    """'mean', 'rollout' or a head number."""
    one = whole(0, heads - 1)

    def parse(raw: str) -> int | str:
        if raw in ("mean", "rollout"):
            return raw
        try:
            return one(raw)
        except LinkError:
            raise LinkError(f"is not mean, rollout or a head from 0 to {heads - 1}.") from None

    return Reader(parse, f"mean, rollout, or one head from 0 to {heads - 1}")


def whole_list(low: int, high: int, *, most: int) -> Reader:
    """Comma-separated whole numbers, e.g. '0,3,7'."""
    one = whole(low, high)

    def parse(raw: str) -> list[int]:
        items = [item for item in raw.split(",") if item.strip()]
        if not items:
            return []  # none chosen: the page's own default
        if len(items) > most:
            raise LinkError(f"should list 1 to {most} numbers from {low} to {high}.")
        try:
            return sorted({one(item.strip()) for item in items})
        except LinkError:
            raise LinkError(f"should list numbers from {low} to {high}, like 0,3,7.") from None

    return Reader(parse, f"1 to {most} numbers from {low} to {high}, separated by commas")


def id_list(allowed: Sequence[str]) -> Reader:
    """Comma-separated ids, each one of ``allowed`` (e.g. quiz topics)."""
    def parse(raw: str) -> list[str]:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        unknown = [item for item in items if item not in allowed]
        if unknown:
            raise LinkError(f"names no known topic ({', '.join(unknown)}).")
        return items  # none: every topic

    return Reader(parse, f"topic ids separated by commas, from: {', '.join(allowed)}")


def show_list(values: object) -> str:
    return ",".join(str(v) for v in values)
