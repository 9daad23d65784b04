"""bench/report.py: a rerun of one suite keeps the other suites' rows of the last run."""

from __future__ import annotations

from bench.report import earlier_rows, markdown_table, write


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
