"""`otc disputes list`: deductions and disputed items per customer, with age and reason."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from contracts.io import read_frame, write_frame
from jobs.cli import app
from jobs.disputes import build
from jobs.matching import match
from tests.matching.conftest import bank, customers, items

AS_OF = date(2026, 12, 1)
LEDGER = items(
    {"document_id": "1800000781", "reference": "RE-2026-10781", "amount": D("1200.00")},
    {"document_id": "1800000782", "reference": "RE-2026-10782", "amount": D("830.40"),
     "disputed_amount": D("80.40"), "document_date": date(2026, 9, 1)},
    {"document_id": "1400000001", "reference": "Fehlmenge RE-2026-10700", "amount": D("64.00"),
     "document_type": "payment", "document_date": date(2026, 10, 20)},  # an SAP residual
    {"document_id": "CB-77", "reference": "chargeback: freight", "amount": D("5000"),
     "document_type": "chargeback", "currency": "JPY", "customer_id": "200",
     "company": "2000"},
    {"document_id": "1800000790", "reference": "RE-2026-10790", "amount": D("99.00")},
)  # fmt: skip
PEOPLE = customers(
    {"customer_id": "100", "name": "Brandt Maschinenbau GmbH"},
    {"customer_id": "200", "name": "Sato Trading KK", "currency": "JPY"},
)


def test_build_lists_every_kind_with_age_and_reason() -> None:
    line = bank({"amount": D("1080.00"), "remittance_text": "RE-2026-10781 beschädigte Ware"})
    applied = match(line, LEDGER, PEOPLE).applications
    found = build(LEDGER, AS_OF, applied, PEOPLE)
    rows = {
        r["document_id"]: (r["kind"], r["reason"], r["open_amount"], r["age_days"])
        for r in found.items.iter_rows(named=True)
    }
    assert rows == {
        "1800000781": ("deduction", "DAMAGED", D("120.00"), 61),
        "1800000782": ("disputed", "DISPUTED", D("80.40"), 91),
        "1400000001": ("deduction", "SHORTAGE", D("64.00"), 42),
        "CB-77": ("deduction", "FREIGHT", D("5000"), 61),
    }
    eur = found.by_customer.filter(pl.col("currency") == "EUR").row(0, named=True)
    assert (eur["items"], eur["deductions"], eur["disputed"], eur["total"]) == (
        3,
        D("184.00"),
        D("80.40"),
        D("264.40"),
    )
    assert eur["reasons"] == "DAMAGED, DISPUTED, SHORTAGE" and eur["oldest_days"] == 91
    assert eur["name"] == "Brandt Maschinenbau GmbH"
    assert build(LEDGER, AS_OF).items.height == 3  # without the payments: the ledger's own


def test_cli_writes_csv_parquet_and_html(tmp_path: Path) -> None:
    line = bank({"amount": D("1080.00"), "remittance_text": "RE-2026-10781 écart de prix"})
    write_frame(LEDGER, tmp_path / "items.csv", "open_items")
    write_frame(PEOPLE, tmp_path / "customers.csv", "customers")
    write_frame(match(line, LEDGER, PEOPLE).applications, tmp_path / "cash.csv")
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"disputes{suffix}"
        args = ["disputes", "list", "--open-items", str(tmp_path / "items.csv"), "--as-of",
                "2026-12-01", "--out", str(out), "--applications", str(tmp_path / "cash.csv"),
                "--customers", str(tmp_path / "customers.csv")]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        frame = pl.read_csv(out) if suffix == ".csv" else pl.read_parquet(out)
        assert sorted(frame["reason"]) == ["DISPUTED", "FREIGHT", "PRICING", "SHORTAGE"]
        assert (tmp_path / f"disputes.customers{suffix}").is_file()
    page = (tmp_path / "disputes.html").read_text(encoding="utf-8")
    assert page.count("<table") == 4 and "Deductions and disputes" in page
    cells = re.findall(r'<tr data-currency="JPY"><td[^>]*>JPY</td>.*?</tr>', page)
    assert cells and ">5000<" in cells[0]  # JPY without decimals
    assert 'data-col="reason">PRICING<' in page and "Brandt Maschinenbau GmbH" in page
    assert 'data-col="age_days">Age (days)</th>' in page and "_days days" not in page
    assert "kind days" not in page and "reason days" not in page
    bad = CliRunner().invoke(app, ["disputes", "list", "--open-items", str(tmp_path / "items.csv"),
                                   "--out", str(tmp_path / "x.json")])  # fmt: skip
    assert bad.exit_code != 0
    broken = tmp_path / "broken.csv"
    broken.write_text("company\n1000\n", encoding="utf-8")
    missing = CliRunner().invoke(app, ["disputes", "list", "--open-items", str(broken),
                                       "--out", str(tmp_path / "y.csv")])  # fmt: skip
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert read_frame(tmp_path / "items.csv", "open_items").height == LEDGER.height


KEY = date(2026, 10, 15)
BY_KEY = items(
    {"document_id": "1800000700", "amount": D("500.00"), "disputed_amount": D("50.00"),
     "document_date": date(2026, 9, 1), "posting_date": date(2026, 9, 1)},
    {"document_id": "1400000010", "reference": "Skonto", "amount": D("12.00"),
     "document_type": "payment", "document_date": KEY, "posting_date": KEY},  # on the key date
    {"document_id": "1400000011", "reference": "Fracht", "amount": D("30.00"),
     "document_type": "payment", "document_date": date(2026, 10, 20),
     "posting_date": date(2026, 10, 10)},  # posted before the key date, dated after it
    {"document_id": "1800000800", "amount": D("900.00"), "disputed_amount": D("900.00"),
     "document_date": date(2026, 11, 20), "posting_date": date(2026, 11, 20)},  # later: out
    {"document_id": "CB-90", "reference": "chargeback: pricing", "amount": D("7000"),
     "document_type": "chargeback", "currency": "JPY", "customer_id": "200", "company": "2000",
     "document_date": date(2026, 10, 16), "posting_date": date(2026, 10, 16)},  # a day late: out
)  # fmt: skip


def test_as_of_a_past_date_leaves_out_items_posted_later() -> None:
    found = build(BY_KEY, KEY)
    ages = dict(found.items.select("document_id", "age_days").iter_rows())
    assert ages == {"1800000700": 44, "1400000010": 0, "1400000011": 0}  # never negative
    assert found.left_out == 2
    assert found.warnings == (
        "2 items posted after 2026-10-15 (up to 2026-11-20) left out: not yet on the ledger "
        "at that date (open items at a key date are those posted on or before it, as in SAP "
        "and Oracle's aging)",
    )
    assert found.by_customer["currency"].to_list() == ["EUR"]  # the JPY chargeback came later
    assert found.by_customer["total"].to_list() == [D("92.00")]  # 50 + 12 + 30, not the 900
    later = build(BY_KEY, date(2026, 12, 1))
    assert later.left_out == 0 and later.warnings == () and later.items.height == 5
    assert later.items["age_days"].min() == 11


def test_as_of_a_past_date_leaves_out_deductions_matched_on_later_items() -> None:
    ledger = items(
        {"document_id": "1800000781", "reference": "RE-2026-10781", "amount": D("1200.00"),
         "document_date": date(2026, 11, 1), "posting_date": date(2026, 11, 1)},
    )  # fmt: skip
    line = bank({"amount": D("1080.00"), "remittance_text": "RE-2026-10781 beschädigte Ware"})
    applied = match(line, ledger, PEOPLE).applications
    assert build(ledger, date(2026, 11, 5), applied).items.height == 1  # the check can fail
    before = build(ledger, date(2026, 10, 31), applied)
    assert before.items.is_empty() and before.left_out == 1


def test_cli_as_of_warns_and_the_page_says_so(tmp_path: Path) -> None:
    write_frame(BY_KEY, tmp_path / "items.csv", "open_items")
    out = tmp_path / "disputes.csv"
    args = ["disputes", "list", "--open-items", str(tmp_path / "items.csv"), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--as-of", "2026-10-15"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "2 items posted after 2026-10-15" in result.stderr
    assert "3 items in dispute" in result.stdout
    assert (pl.read_csv(out)["age_days"] >= 0).all()
    page = (tmp_path / "disputes.html").read_text(encoding="utf-8")
    assert "2 items of the file posted after 2026-10-15 left out" in page
    quiet = CliRunner().invoke(app, [*args, "--as-of", "2026-12-01"])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    assert "left out" not in (tmp_path / "disputes.html").read_text(encoding="utf-8")
