"""Synthetic files written from known payments read back exactly, in every format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.io import read_frame, write_frame
from jobs.bank import detect_format, generate, parse
from jobs.bank.generate import Payment

PAYMENTS = generate.random_payments(seed=9, count=60)
#: Amounts at the edge: the smallest unit of each currency, and big ones.
EDGES = [
    Payment(
        Decimal("0.01"),
        "EUR",
        "credit",
        date(2024, 2, 29),
        "ACME GMBH",
        None,
        "Rechnung 4711",
        ("4711",),
        "R1",
    ),
    Payment(Decimal("1"), "JPY", "debit", date(2024, 12, 31), None, None, None, (), "R2"),
    Payment(
        Decimal("0.001"),
        "KWD",
        "credit",
        date(2024, 1, 1),
        "Globex Corp",
        "NL91ABNA0417164300",
        "INV-000123 and INV-000124",
        ("INV-000123", "INV-000124"),
        "R3",
    ),
    Payment(
        Decimal("99999999999.99"),
        "USD",
        "credit",
        date(2024, 6, 1),
        "Initech BV",
        None,
        "Invoice no. 0042",
        ("0042",),
        "R4",
    ),
]
Writer = Callable[[Sequence[Payment]], str]
FORMATS: list[tuple[str, str, Writer]] = [
    ("bai2", "gen.bai2", generate.bai2),
    ("camt", "gen.xml", generate.camt053),
    ("mt940", "gen.sta", generate.mt940),
    ("mt940", "gen-nl.sta", lambda p: generate.mt940(p, dialect="dutch")),
    ("csv", "gen.csv", generate.remittance_csv),
]


def key(p: Payment) -> tuple[object, ...]:
    return (p.amount, p.currency, p.direction, p.booking_date)


@pytest.mark.parametrize(("fmt", "name", "write"), FORMATS, ids=[f[1] for f in FORMATS])
def test_round_trip_amounts_exact(tmp_path: Path, fmt: str, name: str, write: Writer) -> None:
    payments = PAYMENTS + EDGES
    if fmt == "csv":
        payments = [p for p in payments if p.direction == "credit"]  # advices are payments in
    path = tmp_path / name
    path.write_text(write(payments), encoding="utf-8")
    assert detect_format(path, path.read_bytes()[:4096]) == fmt
    frame = parse(path).frame
    assert frame.height == len(payments)
    got = sorted(
        (Decimal(r["amount"]), r["currency"], r["direction"], r["booking_date"])
        for r in frame.to_dicts()
    )
    assert got == sorted(key(p) for p in payments)  # Decimal equality: exact, no float anywhere
    by_amount = {(Decimal(r["amount"]), r["currency"]): r for r in frame.to_dicts()}
    for p in [e for e in EDGES if e in payments]:
        row = by_amount[(p.amount, p.currency)]
        assert row["payer_name"] == p.payer_name, (fmt, p)
        assert (row["invoice_refs"] or []) == list(p.refs), (fmt, p)
    # and through a canonical file and back: still the same Decimals
    out = write_frame(frame, tmp_path / "out.parquet", "bank_transactions")
    assert read_frame(out, "bank_transactions")["amount"].to_list() == frame["amount"].to_list()


def test_camt_and_mt940_payer_accounts(tmp_path: Path) -> None:
    for name, text in (("a.xml", generate.camt053(EDGES)), ("a.sta", generate.mt940(EDGES))):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        rows = {r["bank_reference"] or r["amount"]: r for r in parse(path).frame.to_dicts()}
        kwd = next(r for r in rows.values() if r["currency"] == "KWD")
        assert kwd["payer_account"] == "NL91ABNA0417164300", name
        assert kwd["remittance_text"] == "INV-000123 and INV-000124", name


def test_dutch_keyed_86(tmp_path: Path) -> None:
    path = tmp_path / "ing.sta"
    path.write_text(
        ":20:X1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240101EUR0,\n"
        ":61:2401020102C150,25NTRFNONREF//ABC123\n"
        ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/JANSEN B\n"
        "V/REMI/Factuur 2024-0017 en 2024-0018/EREF/NOTPROVIDED\n"
        ":61:2401020102C10,NTRFNONREF\n"
        ":86:/EREF/E2E-1//CNTP/NL66INGB0000123456/INGBNL2A/PIETERS/AMSTERDAM///REMI/USTD//INV 991/\n"
        ":62F:C240102EUR160,25\n-\n",
        encoding="utf-8",
    )
    first, second = parse(path).frame.to_dicts()
    assert (first["payer_name"], first["payer_account"]) == ("JANSEN BV", "NL20INGB0001234567")
    assert first["amount"] == Decimal("150.25") and first["bank_reference"] == "ABC123"
    assert first["invoice_refs"] == ["2024-0017", "2024-0018"]
    assert (second["payer_name"], second["payer_account"]) == ("PIETERS", "NL66INGB0000123456")
    assert second["invoice_refs"] == ["991"]


def test_generated_mt940_reconciles_and_keeps_references(tmp_path: Path) -> None:
    payments = generate.random_payments(seed=17, count=200)
    for dialect in ("zka", "dutch"):
        path = tmp_path / f"{dialect}.sta"
        path.write_text(generate.mt940(payments, dialect=dialect), encoding="utf-8")
        parsed = parse(path)
        assert parsed.warnings == [], dialect  # every statement: opening + lines = closing
        assert sorted(parsed.frame["bank_reference"].to_list()) == sorted(
            str(p.reference) for p in payments
        )
        assert parsed.frame["customer_reference"].null_count() == parsed.frame.height  # NONREF
