"""A simple remittance-advice CSV: what a payer says it paid, one payment per line.

Columns (header required, names case-insensitive, order free, comma or semicolon separated):

| column            | required | meaning                                                        |
| ----------------- | -------- | -------------------------------------------------------------- |
| `date`            | yes      | payment date, `YYYY-MM-DD` (becomes booking_date)               |
| `currency`        | yes      | ISO 4217 code                                                   |
| `amount`          | yes      | plain decimal, `.` as decimal point, no grouping, unsigned      |
| `payer`           | no       | payer name                                                      |
| `payer_account`   | no       | payer IBAN or account number                                    |
| `invoice_refs`    | no       | invoice references separated by `;` or `|`                      |
| `text`            | no       | free remittance text (invoice numbers in it are found too)     |
| `account`         | no       | our receiving account (default `remittance-advice`)            |
| `value_date`      | no       | `YYYY-MM-DD`                                                     |
| `direction`       | no       | `credit` (default) or `debit`                                   |
| `reference`       | no       | the payer's payment reference (becomes bank_reference)         |
| `end_to_end_id`   | no       | the payer's end-to-end id (SEPA EndToEndId)                    |
| `customer_reference` | no    | our own reference for the payment                              |

`payer_name` and `remittance_text` are accepted for `payer` and `text`. Rows are numbered as in
the file (the header is line 1); `transaction_id` is `<file stem>:<line>`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from contracts.money import MoneyError
from jobs.bank.common import Problems, Txn, clean, exact_amount, known_currency
from jobs.bank.refs import extract_invoice_refs, merge_refs

REQUIRED = ("date", "currency", "amount")
OPTIONAL = (
    "payer",
    "payer_account",
    "invoice_refs",
    "text",
    "account",
    "value_date",
    "direction",
    "reference",
    "end_to_end_id",
    "customer_reference",
)
ALIASES = {"payer_name": "payer", "remittance_text": "text", "bank_reference": "reference"}
DEFAULT_ACCOUNT = "remittance-advice"


def looks_like(text: str) -> bool:
    """A header line naming at least the required columns."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].lower()
    names = {ALIASES.get(n.strip(), n.strip()) for n in re.split(r"[,;]", first)}
    return set(REQUIRED) <= names


def _day(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse(path: Path, text: str, problems: Problems) -> list[Txn]:
    body = text.lstrip("\ufeff")
    header = body.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    try:
        names = [ALIASES.get(n.strip().lower(), n.strip().lower()) for n in next(reader)]
    except StopIteration:
        problems.add(1, "header", "the file is empty")
        return []
    for missing in [c for c in REQUIRED if c not in names]:
        problems.add(1, missing, "required column is missing")
    for unknown in [n for n in names if n not in REQUIRED + OPTIONAL]:
        problems.add(1, unknown, f"unknown column; known: {', '.join(REQUIRED + OPTIONAL)}")
    if problems.violations:
        return []
    rows: list[Txn] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            problems.add(line, None, f"{len(cells)} cells, the header has {len(names)}")
            continue
        row = dict(zip(names, (c.strip() for c in cells), strict=True))
        txn = _row(path, line, row, problems)
        if txn is not None:
            rows.append(txn)
    return rows


def _row(path: Path, line: int, row: dict[str, str], problems: Problems) -> Txn | None:
    ok = True
    booking = _day(row["date"])
    if booking is None:
        problems.add(line, "date", "not a date (YYYY-MM-DD)", row["date"])
        ok = False
    value_day = None
    if row.get("value_date"):
        value_day = _day(row["value_date"])
        if value_day is None:
            problems.add(line, "value_date", "not a date (YYYY-MM-DD)", row["value_date"])
            ok = False
    currency = row["currency"].upper()
    if not currency:
        problems.add(line, "currency", "missing currency")
        return None
    if not known_currency(currency):
        problems.add(line, "currency", "unknown currency code (ISO 4217)", currency)
        return None
    try:
        amount = exact_amount(row["amount"], currency)
    except MoneyError as exc:
        problems.add(line, "amount", str(exc), row["amount"])
        return None
    if amount < 0:
        problems.add(
            line, "amount", "amounts are unsigned; use the direction column", row["amount"]
        )
        ok = False
    direction = (row.get("direction") or "credit").lower()
    if direction not in {"credit", "debit"}:
        problems.add(line, "direction", "must be credit or debit", direction)
        ok = False
    if not ok or booking is None:
        return None
    listed = [r.strip() for r in re.split(r"[;|]", row.get("invoice_refs", "")) if r.strip()]
    text = clean(row.get("text"))
    return Txn(
        transaction_id=f"{path.stem}:{line}",
        account=row.get("account") or DEFAULT_ACCOUNT,
        booking_date=booking,
        value_date=value_day,
        amount=amount,
        currency=currency,
        direction=direction,
        bank_reference=row.get("reference") or None,
        customer_reference=row.get("customer_reference") or None,
        end_to_end_id=row.get("end_to_end_id") or None,
        payer_name=clean(row.get("payer")),
        payer_account=clean(row.get("payer_account")),
        remittance_text=text,
        invoice_refs=merge_refs(listed, extract_invoice_refs(text)),
    )
