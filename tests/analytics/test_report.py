"""`otc aging` files: the numbers in Parquet, CSV and the HTML (parsed) tie to the ledger."""

from __future__ import annotations

import base64
import csv
import struct
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from analytics_helpers import AS_OF, item, ledger_totals, random_ledger
from lxml import html as lxml_html

from contracts.money import MINOR_UNITS
from jobs.analytics.aging import Buckets
from jobs.analytics.report import FILES, AgingOptions, run_aging
from jobs.demo import sample_path

DEFAULT = Buckets()
PARTITION = DEFAULT.columns  # current, the past-due buckets, credits
ItemsFile = Callable[..., Path]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def html_table(page: lxml_html.HtmlElement, table_id: str) -> list[dict[str, str]]:
    """The rows of a table as shown: column name (data-col) -> cell text."""
    (table,) = page.xpath(f'//table[@id="{table_id}"]')
    heads = [th.get("data-col") for th in table.xpath("./thead/tr/th")]
    rows = []
    for tr in table.xpath("./tbody/tr"):
        cells = tr.xpath("./td")
        assert len(cells) == len(heads)
        assert [td.get("data-col") for td in cells] == heads
        rows.append({h: td.text_content().strip() for h, td in zip(heads, cells, strict=True)})
    return rows


def decimals_shown(text: str) -> int:
    return len(text.partition(".")[2])


@pytest.fixture
def ledger(items_file: ItemsFile, tmp_path: Path) -> tuple[list[dict[str, str]], Path]:
    rows = random_ledger(seed=23, n=300)
    report = run_aging(items_file(rows), tmp_path / "out", AgingOptions(as_of=AS_OF))
    assert sorted(report.files) == sorted(FILES)
    return rows, tmp_path / "out"


def test_parquet_and_csv_tie_to_the_ledger(ledger: tuple[list[dict[str, str]], Path]) -> None:
    rows, out = ledger
    expected = ledger_totals(rows)
    table = pl.read_parquet(out / "aging.parquet")
    assert isinstance(table.schema["total"], pl.Decimal)  # exact, never float
    assert all(isinstance(table.schema[c], pl.Decimal) for c in PARTITION)
    per_currency: dict[str, Decimal] = {}
    for row in table.iter_rows(named=True):
        assert sum((row[c] for c in PARTITION), Decimal(0)) == row["total"]
        per_currency[row["currency"]] = per_currency.get(row["currency"], Decimal(0)) + row["total"]
    assert per_currency == expected

    for name in ("aging.csv", "aging_summary.csv"):
        with (out / name).open(encoding="utf-8", newline="") as handle:
            shown = list(csv.DictReader(handle))
        sums: dict[str, Decimal] = {}
        for row in shown:
            digits = MINOR_UNITS[row["currency"]]
            for column in ("total", *PARTITION, "disputed", "deductions"):
                assert decimals_shown(row[column]) == digits, (name, column, row[column])
            parts = sum((Decimal(row[c]) for c in PARTITION), Decimal(0))
            assert parts == Decimal(row["total"]), (name, row)
            sums[row["currency"]] = sums.get(row["currency"], Decimal(0)) + Decimal(row["total"])
        assert sums == expected, name
    summary = pl.read_csv(out / "aging_summary.csv", infer_schema=False)
    assert summary.select("company", "currency").is_unique().all()


def test_html_numbers_tie_to_the_ledger(ledger: tuple[list[dict[str, str]], Path]) -> None:
    rows, out = ledger
    expected = ledger_totals(rows)
    page = lxml_html.fromstring((out / "aging.html").read_bytes())
    for table_id in ("summary-currency", "summary-company", "aging-customers"):
        sums: dict[str, Decimal] = {}
        shown = html_table(page, table_id)
        assert shown, table_id
        for row in shown:
            parts = sum((Decimal(row[c]) for c in PARTITION), Decimal(0))
            assert parts == Decimal(row["total"]), (table_id, row)
            overdue = sum((Decimal(row[c]) for c in DEFAULT.past_due), Decimal(0))
            assert overdue == Decimal(row["overdue"]), (table_id, row)
            sums[row["currency"]] = sums.get(row["currency"], Decimal(0)) + Decimal(row["total"])
        assert sums == expected, table_id
    # the top list ranks by overdue within each currency
    top = html_table(page, "top-overdue")
    for currency in expected:
        overdue = [Decimal(r["overdue"]) for r in top if r["currency"] == currency]
        assert overdue == sorted(overdue, reverse=True) and 0 < len(overdue) <= 10


def test_html_is_self_contained_with_the_chart(ledger: tuple[list[dict[str, str]], Path]) -> None:
    _, out = ledger
    page = lxml_html.fromstring((out / "aging.html").read_bytes())
    assert not page.xpath("//script | //link | //iframe")
    (img,) = page.xpath("//img")
    src = img.get("src")
    assert src.startswith("data:image/png;base64,")
    embedded = base64.b64decode(src.partition(",")[2])
    assert embedded == (out / "aging.png").read_bytes()
    width, height = png_size(embedded)
    assert 800 <= width <= 2000 and 250 <= height <= 1200, (width, height)
    assert len(embedded) > 10_000  # bars and text, not an empty canvas


def test_html_shows_each_currency_with_its_decimals(items_file: ItemsFile, tmp_path: Path) -> None:
    rows = [
        item("300001", "1250000", days=40, currency="JPY", disputed="250000"),
        item("400001", "1875.250", days=130, currency="KWD"),
        item("400001", "-500.125", days=150, currency="KWD", document_type="payment"),
        item(
            "100001", "2380.50", days=0, currency="EUR", reference="<INV & co>", disputed="100.00"
        ),
        item("100001", "19.99", days=95, currency="EUR", document_type="chargeback"),
    ]
    run_aging(items_file(rows), tmp_path / "out", AgingOptions(as_of=AS_OF))
    page = lxml_html.fromstring((tmp_path / "out" / "aging.html").read_bytes())
    summary = {r["currency"]: r for r in html_table(page, "summary-currency")}
    assert summary["JPY"]["total"] == "1250000" and summary["JPY"]["days_31_60"] == "1250000"
    assert (
        summary["JPY"]["disputed"] == "250000"
        and summary["JPY"]["overdue_collectible"] == "1000000"
    )
    assert summary["KWD"]["days_over_120"] == "1875.250"
    assert summary["KWD"]["credits"] == "-500.125" and summary["KWD"]["total"] == "1375.125"
    assert summary["EUR"]["current"] == "2380.50" and summary["EUR"]["deductions"] == "19.99"
    assert summary["EUR"]["days_91_120"] == "19.99" and summary["EUR"]["total"] == "2400.49"
    assert summary["EUR"]["disputed"] == "100.00" and summary["KWD"]["disputed"] == "0.000"
    disputed = html_table(page, "disputed-items")
    assert [(r["currency"], r["amount"], r["disputed_amount"]) for r in disputed] == [
        ("EUR", "2380.50", "100.00"),
        ("JPY", "1250000", "250000"),
    ]
    assert disputed[0]["reference"] == "<INV & co>"  # shown as text, escaped in the source
    deductions = html_table(page, "deduction-items")
    assert [(r["customer_id"], r["document_type"], r["amount"]) for r in deductions] == [
        ("100001", "chargeback", "19.99")
    ]
    assert "<INV & co>" not in (tmp_path / "out" / "aging.html").read_text(encoding="utf-8")


def test_sample_file_end_to_end(tmp_path: Path) -> None:
    report = run_aging(sample_path("open_items.csv"), tmp_path, AgingOptions(as_of=AS_OF))
    totals = dict(report.by_currency.select("currency", "total").iter_rows())
    assert totals == {
        "EUR": Decimal("19754.50"),
        "JPY": Decimal("1283000"),
        "KWD": Decimal("1375.125"),
        "USD": Decimal("49410.75"),
    }
    assert report.by_currency.filter(pl.col("currency") == "EUR")["disputed"].item() == Decimal(
        "380.50"
    )


def test_empty_ledger_still_writes_every_file(items_file: ItemsFile, tmp_path: Path) -> None:
    report = run_aging(items_file([]), tmp_path / "out", AgingOptions(as_of=AS_OF))
    assert report.by_customer.is_empty()
    width, height = png_size((tmp_path / "out" / "aging.png").read_bytes())
    assert width > 500 and height > 150
    page = lxml_html.fromstring((tmp_path / "out" / "aging.html").read_bytes())
    assert html_table(page, "summary-currency") == []
    assert "No customer has anything overdue" in page.text_content()
