"""`otc aging --as-of` a past date: only items posted on or before it count, and the user is told.

SAP's open items at key date and Oracle's aging As Of Date select by posting (GL) date
(docs/analytics.md "As of a past date").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from analytics_helpers import item
from typer.testing import CliRunner

from contracts.io import read_frame
from jobs.analytics.aging import Buckets, aging_table, open_at
from jobs.analytics.report import AgingOptions, run_aging
from jobs.cli import app

ItemsFile = Callable[..., Path]
KEY = date(2026, 6, 30)


def dated(row: dict[str, Any], *, posted: date, document: date | None = None) -> dict[str, Any]:
    """`row` posted on `posted`, dated `document` (default the same), due 30 days later."""
    doc = document or posted
    return {
        **row,
        "posting_date": posted.isoformat(),
        "document_date": doc.isoformat(),
        "due_date": (doc + timedelta(days=30)).isoformat(),
    }


def ledger() -> list[dict[str, Any]]:
    return [
        dated(item("C1", "100.00", doc="OLD"), posted=date(2026, 4, 1)),  # 60 days past due
        dated(item("C1", "20.00", doc="ONKEY"), posted=KEY),  # posted on the key date: in
        dated(item("C1", "7.00", doc="LATE1"), posted=date(2026, 7, 1)),  # the day after: out
        dated(item("C2", "-5.00", doc="LATE2"), posted=date(2026, 9, 15)),  # a later credit: out
        # posted before the key date, dated after it: SAP and Oracle select by posting date
        dated(item("C2", "40.00", doc="FWD"), posted=date(2026, 6, 29), document=date(2026, 7, 3)),
    ]


def test_open_at_keeps_items_posted_on_or_before_the_key_date(items_file: ItemsFile) -> None:
    frame = read_frame(items_file(ledger()), "open_items")
    cut = open_at(frame, KEY)
    assert sorted(cut.items["document_id"]) == ["FWD", "OLD", "ONKEY"]
    assert (cut.left_out, cut.last_posting) == (2, date(2026, 9, 15))
    warning = cut.warning()
    assert warning is not None
    assert warning.startswith("2 items posted after 2026-06-30 (up to 2026-09-15) left out")
    assert open_at(frame, date(2026, 12, 31)).warning() is None  # nothing later: no warning
    single = open_at(frame, date(2026, 8, 1)).warning()
    assert single is not None and single.startswith("1 item posted after 2026-08-01")
    # the library function does the same: totals as of KEY hold only what was posted by then
    row = (
        aging_table(frame, KEY, Buckets()).filter(pl.col("customer_id") == "C1").row(0, named=True)
    )
    assert (row["items"], row["total"], row["days_31_60"], row["current"]) == (
        2,
        Decimal("120.00"),
        Decimal("100.00"),
        Decimal("20.00"),
    )


def test_report_counts_only_items_open_at_the_key_date(
    items_file: ItemsFile, tmp_path: Path
) -> None:
    report = run_aging(items_file(ledger()), tmp_path / "out", AgingOptions(as_of=KEY))
    assert report.left_out == 2 and len(report.warnings) == 1
    assert sorted(report.items["document_id"]) == ["FWD", "OLD", "ONKEY"]
    totals = dict(report.by_currency.select("currency", "total").iter_rows())
    assert totals == {"EUR": Decimal("160.00")}  # 100 + 20 + 40; not 7, not -5
    assert report.by_currency["credits"].to_list() == [Decimal(0)]
    page = (tmp_path / "out" / "aging.html").read_text(encoding="utf-8")
    assert "2 items of the file posted after 2026-06-30 left out" in page
    later = run_aging(
        items_file(ledger(), "all.csv"), tmp_path / "o2", AgingOptions(as_of=date(2026, 12, 31))
    )
    assert later.left_out == 0 and later.warnings == () and later.items.height == 5
    assert "left out" not in (tmp_path / "o2" / "aging.html").read_text(encoding="utf-8")


def test_cli_warns_how_many_items_it_left_out(items_file: ItemsFile, tmp_path: Path) -> None:
    path = items_file(ledger())
    args = ["aging", "--open-items", str(path), "--out", str(tmp_path / "o"), "--as-of"]
    result = CliRunner().invoke(app, [*args, "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr
    assert "2 items posted after 2026-06-30 (up to 2026-09-15) left out" in result.stderr
    assert "160.00" in result.stdout and "warning" not in result.stdout
    quiet = CliRunner().invoke(app, [*args, "2026-12-31"])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
