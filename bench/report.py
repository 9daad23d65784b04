"""Print benchmark rows as a table, and write them as CSV and Markdown."""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = ("benchmark", "size", "median", "unit", "target", "ok")
SAVED = ("suite", *COLUMNS)  # results.csv also names the suite, so one suite can be rerun


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "NO"
    return str(value)


def markdown_table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def print_table(rows: list[dict]) -> None:
    cells = [[_fmt(r.get(c)) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=False)))
    print("  ".join("-" * w for w in widths))
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=False)))


def _parsed(row: dict) -> dict:
    """A results.csv row with its number and verdict typed again."""
    ok = {"True": True, "False": False}.get(row.get("ok", ""))
    try:
        median = float(row["median"])
    except (KeyError, ValueError):
        median = row.get("median")
    return {**row, "median": median, "ok": ok}


def earlier_rows(folder: Path, *, except_suites: set[str]) -> list[dict]:
    """The rows of the last full run for every suite not being rerun now, in their order."""
    path = folder / "results.csv"
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [_parsed(r) for r in csv.DictReader(handle)
                if r.get("suite") and r["suite"] not in except_suites]


def write(rows: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "results.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SAVED)
        writer.writeheader()
        writer.writerows({c: r.get(c) for c in SAVED} for r in rows)
    (folder / "results.md").write_text(markdown_table(rows) + "\n")


README_MARKS = ("<!-- bench-table: start -->", "<!-- bench-table: end -->")


def update_readme(rows: list[dict], readme: Path) -> None:
    """Put the table between the README's bench-table marks, so it shows the last run."""
    text = readme.read_text(encoding="utf-8")
    start, end = README_MARKS
    if start not in text or end not in text:
        return
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(f"{before}{start}\n{markdown_table(rows)}\n{end}{after}", encoding="utf-8")
