"""BAI2 (Cash Management Balance Reporting Specification, version 2) to `BankTransactions`.

Records: 01 file header, 02 group header, 03 account identifier and summary, 16 transaction
detail, 88 continuation, 49 account trailer, 98 group trailer, 99 file trailer. Each 16 record
becomes one row. Amounts are whole minor units with the decimals implied by the currency (the
03 record's, else the 02 record's, else `default_currency`): `208500` CAD is 2085.00 exactly.

Tolerated, because real files do it: several records on one physical line (a record ends at `/`
and the next one starts after blanks), 16 text that runs on to the next physical line without
an 88, and `88:` for `88,`. Control totals and record counts in 49 records that disagree with
what was read are warnings (the Goldman Sachs samples carry made-up totals); a file without its
99 trailer is cut off and rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from contracts.money import MoneyError
from jobs.bank.common import Problems, Txn, clean, known_currency, minor_amount, other_refs
from jobs.bank.refs import extract_invoice_refs, merge_refs

RECORD_CODES = ("01", "02", "03", "16", "49", "88", "98", "99")
TEXT_RECORDS = ("16", "88")
#: Standard BAI2 detail type code ranges; 890 carries no money.
CREDIT_CODES = range(100, 400)
DEBIT_CODES = range(400, 700)
NON_MONETARY = "890"
#: Detail type codes whose name in BAI2 Appendix A says the line reverses or returns an
#: earlier one (as moov-io/bai2 pkg/bai2/type_codes_data.go lists them). Credits: 252 Debit
#: Reversal, 255 Check Posted and Returned, 257 Individual ACH Return Item, 258 ACH Reversal
#: Credit, 266 Return Item, 395 Check Reversal; debits: 552 Credit Reversal, 555 Deposited Item
#: Returned, 557 Individual ACH Return Item, 558 ACH Reversal Debit, 566 Return Item, 694
#: Deposit Reversal. Any other code leaves `reversal` empty: BAI2 has no reversal flag, and a
#: bank may book a return under a generic code (moov sample1: 409 "RETURNED CHEQUE").
REVERSAL_CODES = frozenset(
    {"252", "255", "257", "258", "266", "395", "552", "555", "557", "558", "566", "694"}
)
#: Extra fields that follow each funds type: V value date+time, S three amounts, D variable.
FUNDS_EXTRA = {"": 0, "0": 0, "1": 0, "2": 0, "Z": 0, "V": 2, "S": 3}
#: Goldman Sachs style keyed 88 continuation data (`DBNM: SAMPLE INC`).
KEYED = re.compile(r"^\s*([A-Z]{4}):\s?(.*)$")

_START = re.compile(r"\s*(\d\d)([,:])")
_TEXT_END = re.compile(r"/\s+(?=(?:" + "|".join(RECORD_CODES) + r"),)")


@dataclass
class Record:
    code: str
    body: str  # fields after the code, without the record's closing '/'
    line: int
    closed: bool  # ended with '/' (text records may end at the end of the line instead)
    extra: list[str] = field(default_factory=list)  # 88 continuation bodies


def _split_records(lines: list[str], problems: Problems) -> list[Record]:
    records: list[Record] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        pos = 0
        while pos < len(line) and line[pos:].strip():
            rest = line[pos:]
            start = _START.match(rest)
            if start is None:
                if pos == 0 and records and records[-1].code in TEXT_RECORDS:
                    # 16/88 text broken onto the next physical line without an 88
                    last = records[-1]
                    tail, closed = _strip_close(line)
                    target = last.extra if last.extra else None
                    if target is not None:
                        target[-1] = f"{target[-1]} {tail}"
                    else:
                        last.body = f"{last.body} {tail}"
                    last.closed = closed
                else:
                    problems.add(number, "record code", "not a BAI2 record (no NN, code)", rest)
                break
            code = start.group(1)
            if code not in RECORD_CODES:
                problems.add(
                    number, "record code", f"unknown record type {code!r}", rest.strip()[:40]
                )
                break
            if start.group(2) == ":" and code != "88":
                problems.add(number, "record code", f"record {code} needs ',' after the code")
                break
            if code in TEXT_RECORDS:
                end = _TEXT_END.search(rest, start.end())
                chunk = rest[start.end() : end.start() + 1] if end else rest[start.end() :]
                body, closed = _strip_close(chunk)
                pos += end.end() if end else len(rest)
            else:
                slash = rest.find("/", start.end())
                if slash < 0:
                    body, closed = rest[start.end() :].rstrip(), False
                    pos = len(line)
                else:
                    body, closed = rest[start.end() : slash], True
                    pos += slash + 1
            record = Record(code, body, number, closed)
            if code == "88":
                if not records:
                    problems.add(number, "88", "continuation before any record")
                    continue
                records[-1].extra.append(body)
                records[-1].closed = closed
                continue
            records.append(record)
    return records


def _strip_close(text: str) -> tuple[str, bool]:
    stripped = text.rstrip()
    if stripped.endswith("/"):
        return stripped[:-1], True
    return stripped, False


def _date(text: str, record: Record, what: str, problems: Problems) -> date | None:
    if not re.fullmatch(r"\d{6}", text):
        problems.add(record.line, f"{record.code} {what}", "not a date (YYMMDD)", text)
        return None
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    try:
        return date(2000 + year if year < 80 else 1900 + year, month, day)
    except ValueError:
        problems.add(record.line, f"{record.code} {what}", "not a calendar date (YYMMDD)", text)
        return None


@dataclass
class _Account:
    number: str
    currency: str
    line: int
    total: Decimal = Decimal(0)  # control total in minor units, as the 49 record counts it
    records: int = 1


def _summary_fields(record: Record) -> list[str]:
    """The 03 summary fields with their 88 continuations, groups kept aligned.

    An 88 may continue a group mid-way (moov sample2: `...,190/` then `88,500000,,,`), but a
    record whose groups are complete and that ends with one stray empty field before its '/'
    (SVB: `015,35217175,,,/` then `88,040,...`) must not shift the next record's groups.
    """
    fields = record.body.split(",")[2:]
    for more in record.extra:
        if _group_end(fields) == len(fields) - 1 and not fields[-1].strip():
            fields = fields[:-1]
        fields += more.split(",")
    return fields


def _group_end(fields: list[str]) -> int:
    """Index after the last complete (type, amount, count, funds[, extras]) group."""
    i = 0
    while i + 3 < len(fields):
        funds = fields[i + 3].strip().upper()
        extra = FUNDS_EXTRA.get(funds, 0)
        if funds == "D":
            if i + 4 >= len(fields) or not fields[i + 4].strip().isdigit():
                return i
            extra = 1 + 2 * int(fields[i + 4])
        if i + 4 + extra > len(fields):
            return i
        i += 4 + extra
    return i


def _summary_total(fields: list[str]) -> Decimal:
    """Sum of the amounts in an 03 record's (type, amount, count, funds type...) groups."""
    total = Decimal(0)
    i = 0
    while i + 1 < len(fields):
        amount = fields[i + 1].strip()
        if re.fullmatch(r"[+-]?\d+", amount):
            total += int(amount)
        funds = fields[i + 3].strip().upper() if i + 3 < len(fields) else ""
        extra = FUNDS_EXTRA.get(funds, 0)
        if funds == "D" and i + 4 < len(fields) and fields[i + 4].strip().isdigit():
            extra = 1 + 2 * int(fields[i + 4])
        i += 4 + extra
    return total


def parse(path: Path, text: str, problems: Problems, *, default_currency: str = "USD") -> list[Txn]:
    """Parse BAI2 `text` (read from `path`) into rows; problems go to `problems`."""
    records = _split_records(text.splitlines(), problems)
    rows: list[Txn] = []
    file_id = path.stem
    group_currency = default_currency
    as_of: date | None = None
    account: _Account | None = None
    seen_header = seen_trailer = False
    group_open = False
    counter = 0
    for record in records:
        fields = record.body.split(",")
        for more in record.extra:
            if record.code != "16":
                fields += more.split(",")
        if record.code == "01":
            seen_header = True
            if len(fields) < 5:
                problems.add(
                    record.line, "01", "file header needs sender, receiver, date, time, id"
                )
                continue
            file_id = f"{fields[0].strip()}.{fields[4].strip()}"
            _date(fields[2].strip(), record, "creation date", problems)
        elif not seen_header:
            problems.add(record.line, record.code, "file does not start with an 01 header")
            seen_header = True
        if record.code == "02":
            group_open = True
            if len(fields) < 4:
                problems.add(
                    record.line, "02", "group header needs receiver, originator, status, date"
                )
                continue
            as_of = _date(fields[3].strip(), record, "as-of date", problems)
            currency = fields[5].strip().upper() if len(fields) > 5 else ""
            if currency and not known_currency(currency):
                problems.add(
                    record.line, "02 currency", "unknown currency code (ISO 4217)", currency
                )
            group_currency = currency or default_currency
        elif record.code == "03":
            if not group_open:
                problems.add(record.line, "03", "account record outside a group (no 02 header)")
            number = fields[0].strip()
            currency = fields[1].strip().upper() if len(fields) > 1 else ""
            if not number:
                problems.add(record.line, "03 account", "account number is empty")
            if currency and not known_currency(currency):
                problems.add(
                    record.line, "03 currency", "unknown currency code (ISO 4217)", currency
                )
            account = _Account(number or "?", currency or group_currency, record.line)
            account.records += len(record.extra)
            account.total += _summary_total(_summary_fields(record))
        elif record.code == "16":
            if account is None:
                problems.add(record.line, "16", "transaction detail outside an account (no 03)")
                continue
            account.records += 1 + len(record.extra)
            amount_field = record.body.split(",", 2)[1].strip() if "," in record.body else ""
            if re.fullmatch(r"\d+", amount_field):
                account.total += int(amount_field)
            row = _detail(record, account, as_of, file_id, counter + 1, problems)
            if row is not None:
                counter += 1
                rows.append(row)
        elif record.code == "49":
            _check_trailer(record, fields, account, problems)
            account = None
        elif record.code == "98":
            group_open = False
        elif record.code == "99":
            seen_trailer = True
    if records and not seen_trailer:
        problems.add(
            records[-1].line,
            "99",
            "the file ends without its 99 file trailer (file cut off?)",
            records[-1].code,
        )
    return rows


def _check_trailer(
    record: Record, fields: list[str], account: _Account | None, problems: Problems
) -> None:
    if account is None:
        problems.add(record.line, "49", "account trailer without an 03 account record")
        return
    account.records += 1 + len(record.extra)
    total = fields[0].strip() if fields else ""
    if not total:
        # ministryofjustice/bai2 tests/data/account_trailer_amount_blank_example.bai2
        problems.deviate(record.line, "49 account trailer without a control total: not checked")
        return
    if not re.fullmatch(r"[+-]?\d+", total):
        problems.add(record.line, "49 control total", "not a whole number", total)
        return
    if Decimal(int(total)) != account.total:
        problems.warn(
            record.line,
            f"account {account.number}: control total {total} != {account.total} "
            "(sum of the 03 and 16 amounts)",
        )
    count = fields[1].strip() if len(fields) > 1 else ""
    if count.isdigit() and int(count) != account.records:
        problems.warn(
            record.line,
            f"account {account.number}: {count} records announced, {account.records} read",
        )


def _detail(
    record: Record,
    account: _Account,
    as_of: date | None,
    file_id: str,
    index: int,
    problems: Problems,
) -> Txn | None:
    """One 16 record (with its 88 continuations) as a row."""
    parts = record.body.split(",", 3)
    if len(parts) < 3:
        problems.add(
            record.line,
            "16",
            "needs type code, amount and funds type (record cut off?)",
            record.body,
        )
        return None
    code, amount_text, funds = parts[0].strip(), parts[1].strip(), parts[2].strip().upper()
    rest = parts[3] if len(parts) > 3 else ""
    if code == NON_MONETARY:
        problems.warn(record.line, "type code 890 (non-monetary information) skipped")
        return None
    if not re.fullmatch(r"\d{3}", code):
        problems.add(record.line, "16 type code", "not a 3-digit BAI2 type code", code)
        return None
    if int(code) in CREDIT_CODES:
        direction = "credit"
    elif int(code) in DEBIT_CODES:
        direction = "debit"
    else:
        problems.add(
            record.line,
            "16 type code",
            "not a transaction code (credits 100-399, debits 400-699)",
            code,
        )
        return None
    try:
        amount = minor_amount(amount_text, account.currency)
    except MoneyError as exc:
        problems.add(record.line, "16 amount", str(exc), amount_text)
        return None
    if amount < 0:
        problems.add(record.line, "16 amount", "detail amounts are unsigned", amount_text)
        return None
    value_date: date | None = as_of if funds == "0" else None
    if funds == "D":
        head = rest.split(",", 1)
        pairs = int(head[0]) if head[0].strip().isdigit() else 0
        skip = 1 + 2 * pairs
    elif funds in FUNDS_EXTRA:
        skip = FUNDS_EXTRA[funds]
    else:
        problems.add(record.line, "16 funds type", "not a BAI2 funds type (0 1 2 S V D Z)", funds)
        return None
    pieces = rest.split(",", skip + 2) if rest else []
    extra, tail = pieces[:skip], pieces[skip:]
    if funds == "V" and extra and extra[0].strip():
        value_date = _date(extra[0].strip(), record, "value date", problems)
    bank_ref = tail[0].strip() if tail else ""
    customer_ref = tail[1].strip() if len(tail) > 1 else ""
    text = tail[2] if len(tail) > 2 else ""
    keyed: dict[str, list[str]] = {}
    loose: list[str] = [text]
    for more in record.extra:
        hit = KEYED.match(more)
        if hit:
            keyed.setdefault(hit.group(1), []).append(hit.group(2).strip())
        else:
            loose.append(more)
    if as_of is None:
        problems.add(record.line, "16", "no as-of date: the 02 group header is missing or bad")
        return None
    side = ("DB", "CR") if direction == "credit" else ("CR", "DB")
    name = _first(keyed, f"{side[0]}NM")
    payer_account = _first(keyed, f"{side[0][0]}ACT")
    # keys with a column of their own; every other key (CHKN check number, TRID, DABA, ...)
    # stays in the text as `KEY: value`, so no reference the bank sent is lost
    used = {"REMI", "EREF", "CREF", f"{side[0]}NM", f"{side[0][0]}ACT"}
    others = [
        f"{key}: {value}"
        for key, values in keyed.items()
        if key not in used
        for value in values
        if value
    ]
    remittance = clean(" ".join([*loose, *keyed.get("REMI", []), *others]))
    refs = merge_refs(
        extract_invoice_refs(" ".join(keyed.get("REMI", []))),
        extract_invoice_refs(" ".join(loose)),
    )
    bank_reference = bank_ref or customer_ref or _first(keyed, "EREF")
    customer_reference = customer_ref or _first(keyed, "CREF")
    end_to_end = _first(keyed, "EREF")
    return Txn(
        transaction_id=f"{file_id}:{index}",
        account=account.number,
        booking_date=as_of,
        value_date=value_date,
        amount=amount,
        currency=account.currency,
        direction=direction,
        reversal=True if code in REVERSAL_CODES else None,
        bank_reference=bank_reference,
        customer_reference=customer_reference,
        end_to_end_id=end_to_end,
        # an 88 CREF (or a second EREF) that lost to the 16's own reference
        other_references=other_refs(
            [("CREF", v) for v in keyed.get("CREF", [])]
            + [("EREF", v) for v in keyed.get("EREF", [])],
            bank_reference,
            customer_reference,
            end_to_end,
        ),
        payer_name=name,
        payer_account=payer_account,
        remittance_text=remittance,
        invoice_refs=refs,
    )


def _first(keyed: dict[str, list[str]], key: str) -> str | None:
    values = [v for v in keyed.get(key, []) if v]
    return values[0] if values else None
