"""Aging buckets: boundaries, exact ties to the ledger, credits, disputes and deductions apart."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from analytics_helpers import AS_OF, item, ledger_totals, random_ledger

from adapters.errors import ConfigError
from contracts.io import read_frame
from jobs.analytics.aging import Buckets, DeductionRule, aging_table, classify, summarize, untied

DEFAULT = Buckets()
ItemsFile = Callable[..., Path]


def read(path: Path) -> pl.DataFrame:
    return read_frame(path, "open_items")


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-30, "current"),
        (-1, "current"),
        (0, "current"),  # due today is not past due
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_91_120"),
        (120, "days_91_120"),
        (121, "days_over_120"),
        (2000, "days_over_120"),
    ],
)
def test_bucket_boundaries(items_file: ItemsFile, days: int, bucket: str) -> None:
    frame = read(items_file([item("C1", "100.00", days=days)]))
    classified = classify(frame, AS_OF, DEFAULT)
    assert classified["days_past_due"].to_list() == [days]
    assert classified["bucket"].to_list() == [bucket]
    assert DEFAULT.bucket_of(days) == bucket
    row = aging_table(frame, AS_OF, DEFAULT).row(0, named=True)
    assert row[bucket] == Decimal("100.00")
    assert [c for c in DEFAULT.columns if row[c] != 0] == [bucket]


def test_custom_buckets_and_labels(items_file: ItemsFile) -> None:
    buckets = Buckets.parse("0, 15,45")
    assert buckets.columns == ["current", "days_1_15", "days_16_45", "days_over_45", "credits"]
    assert [buckets.label(c) for c in buckets.past_due] == ["1-15", "16-45", ">45"]
    rows = [item("C1", f"{d}.00", days=d) for d in (0, 1, 15, 16, 45, 46)]
    table = aging_table(read(items_file(rows)), AS_OF, buckets).row(0, named=True)
    assert table["current"] == Decimal(0)
    assert table["days_1_15"] == Decimal(1 + 15)
    assert table["days_16_45"] == Decimal(16 + 45)
    assert table["days_over_45"] == Decimal(46)


@pytest.mark.parametrize("text", ["30,60,90", "0,30,30", "0,60,30", "0,thirty", "", "0,-5"])
def test_bad_buckets_are_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        Buckets.parse(text)


def test_credits_apart_whatever_their_age(items_file: ItemsFile) -> None:
    rows = [
        item("C1", "1000.00", days=200),
        item("C1", "-300.00", days=200),  # an old credit memo: not in >120
        item("C1", "-50.00", days=-10, document_type="payment"),  # unapplied cash
    ]
    row = aging_table(read(items_file(rows)), AS_OF, DEFAULT).row(0, named=True)
    assert row["days_over_120"] == Decimal("1000.00")
    assert row["credits"] == Decimal("-350.00")
    assert row["current"] == Decimal(0)
    assert row["total"] == Decimal("650.00")
    assert row["overdue"] == Decimal("1000.00")
    assert row["deductions"] == Decimal(0)  # a negative payment is cash, not a deduction


def test_disputed_and_deductions_shown_apart(items_file: ItemsFile) -> None:
    rows = [
        item("C1", "1000.00", days=45, disputed="300.00"),
        item("C1", "40.00", days=45, document_type="payment"),  # SAP short-payment residual
        item("C1", "70.00", days=5, document_type="chargeback"),  # Oracle deduction
        item("C1", "25.00", days=5, reference="DED-77"),  # marked only by its reference
        item("C1", "500.00", days=-3, disputed="500.00"),  # disputed, not yet due
    ]
    frame = read(items_file(rows))
    row = aging_table(frame, AS_OF, DEFAULT).row(0, named=True)
    assert row["disputed"] == Decimal("800.00")
    assert row["deductions"] == Decimal("110.00")
    assert row["overdue"] == Decimal("1135.00")
    # overdue 1135 less 300 disputed, 40 + 70 deducted: the 25 is not (yet) a deduction
    assert row["overdue_collectible"] == Decimal("725.00")
    marked = aging_table(frame, AS_OF, DEFAULT, DeductionRule(reference=r"^DED-")).row(
        0, named=True
    )
    assert marked["deductions"] == Decimal("135.00")
    assert marked["overdue_collectible"] == Decimal("700.00")
    # of-which columns never change the partition
    assert sum(row[c] for c in DEFAULT.columns) == row["total"] == Decimal("1635.00")
    with pytest.raises(ConfigError):
        DeductionRule(reference="(")


def test_buckets_tie_to_the_ledger_exactly(items_file: ItemsFile) -> None:
    rows = random_ledger(seed=9, n=400)
    frame = read(items_file(rows))
    table = aging_table(frame, AS_OF, DEFAULT)
    assert untied(table, DEFAULT).is_empty()
    for row in table.iter_rows(named=True):  # per row, in Python Decimal
        assert sum((row[c] for c in DEFAULT.columns), Decimal(0)) == row["total"]
        assert sum((row[c] for c in DEFAULT.past_due), Decimal(0)) == row["overdue"]
        assert row["credits"] <= 0 and all(row[c] >= 0 for c in DEFAULT.columns[:-1])
    by_currency = summarize(table, DEFAULT, ["currency"])
    expected = ledger_totals(rows)
    assert dict(by_currency.select("currency", "total").iter_rows()) == expected
    for row in by_currency.iter_rows(named=True):
        assert sum((row[c] for c in DEFAULT.columns), Decimal(0)) == expected[row["currency"]]
    assert table["items"].sum() == len(rows)
    assert set(table["currency"]) == {"EUR", "USD", "JPY", "KWD"}
    assert (table["deductions"] > 0).any() and (table["disputed"] > 0).any()


def test_currencies_are_never_mixed(items_file: ItemsFile) -> None:
    rows = [
        item("C1", "100.00", days=10, currency="EUR", company="1000"),
        item("C1", "100.00", days=10, currency="USD", company="1000"),
        item("C1", "100", days=10, currency="JPY", company="1000"),
    ]
    table = aging_table(read(items_file(rows)), AS_OF, DEFAULT)
    assert table.select("company", "customer_id", "currency").rows() == [
        ("1000", "C1", "EUR"),
        ("1000", "C1", "JPY"),
        ("1000", "C1", "USD"),
    ]
    by_company = summarize(table, DEFAULT, ["company", "currency"])
    assert by_company.height == 3 and by_company["total"].to_list() == [Decimal(100)] * 3
    with pytest.raises(ValueError, match="currenc"):
        summarize(table, DEFAULT, ["company"])
