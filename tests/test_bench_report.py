"""bench/report.py: a rerun of one suite keeps the other suites' rows of the last run."""

from __future__ import annotations

from bench.report import README_MARKS, earlier_rows, markdown_table, update_readme, write


def test_rows_of_suites_not_rerun_come_back_typed(tmp_path):
    rows = [
        {"suite": "pages", "benchmark": "rerun", "size": "12 tokens", "median": 31.5,
         "unit": "ms", "target": "<= 50 ms", "ok": True},
        {"suite": "load", "benchmark": "p95", "size": "30 sessions", "median": 1800.0,
         "unit": "ms", "target": "<= 1500 ms", "ok": False},
    ]
    write(rows, tmp_path)
    kept = earlier_rows(tmp_path, except_suites={"load"})
    assert kept == [rows[0]]
    assert "| rerun | 12 tokens | 31.5 | ms | <= 50 ms | yes |" in markdown_table(kept)
    assert earlier_rows(tmp_path / "missing", except_suites=set()) == []


def test_the_readme_table_is_replaced_between_its_marks(tmp_path):
    readme = tmp_path / "README.md"
    start, end = README_MARKS
    readme.write_text(f"# Title\n{start}\nold table\n{end}\nAfter.\n")
    rows = [{"suite": "pages", "benchmark": "rerun", "size": "12 tokens", "median": 31.5,
             "unit": "ms", "target": "<= 50 ms", "ok": True}]
    update_readme(rows, readme)
    text = readme.read_text()
    assert "old table" not in text and markdown_table(rows) in text
    assert text.startswith("# Title\n") and text.endswith(f"{end}\nAfter.\n")
