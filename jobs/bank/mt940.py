"""SWIFT MT940 (customer statement) and MT942 (interim report) to `BankTransactions`.

Hand-written rather than the `mt-940` package: on these files that library read a statement
line with the amount `6X5,00` as 6.00 without a word, needs per-bank processors to read the
ASN file at all, and names no line in its errors. Here every tag is read with its line
number; a bad tag stops nothing else, and every problem is listed.

Tags: :20: :21: :25: :28: :28C: :60F:/:60M: :61: :86: :62F:/:62M: :64: :65: :34F: :13: :13D:
:90C:/:90D: and the non-standard :NS:. SWIFT envelopes (`{1:...}{2:...}{4:` ... `-}`), bank
header lines before :20: and the SOH/ETX bytes some banks wrap files in are skipped.

`:86:` dialects read into payer name, payer account and remittance text:
- German ZKA/DATEV (`166?00GUTSCHRIFT?20...`, also with `>` as in Triodos): ?20-?29 and
  ?60-?63 remittance, ?32/?33 name, ?31 account (?38 IBAN where given);
- Dutch SEPA keyed fields (`/EREF/.../NAME/.../IBAN/.../REMI/...`, `/CNTP/iban/bic/name/`);
- Knab (`REK: NL65INGB.../NAAM: PICQER`), ASN (counter IBAN and name on the first line);
- Rabobank's old :940: format (counter account and name inside :61:);
- ABN AMRO labelled text (`IBAN: ... NAAM: ... BETALINGSKENM.: ...`);
- anything else: free text.

Tolerant where the bank's meaning is plain, as the best open-source parsers are (WoLpH/mt940,
svenstaro/mt940-rs, fruitl00p/php-mt940, zilverline/mt940, jejik/mt940): a :61: without a type
code, with a bank-specific one or a blank before it; a decimal point for the comma; a balance
without its currency; a lone `-` line that more tags follow. Each is read and noted
(`Problems.deviate`). Never tolerated: an amount followed by something that is neither a type
code nor a reference (`6X5,00` must not become 6.00). Every statement is reconciled: opening
balance plus the lines read must give the closing balance, or a warning says a line may be
missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from contracts.money import MoneyError
from jobs.bank.common import (
    LEGACY_EURO,
    Problems,
    Txn,
    clean,
    known_currency,
    other_refs,
    swift_amount,
)
from jobs.bank.refs import extract_invoice_refs, merge_refs

KNOWN_TAGS = frozenset(
    {"20", "21", "25", "28", "28C", "60F", "60M", "61", "86", "62F", "62M", "64", "65",
     "34F", "13", "13D", "90C", "90D", "NS"}
)  # fmt: skip
_TAG = re.compile(r"^:(\d\d[A-Z]?|NS):(.*)$")
_TERMINATOR = re.compile(r"^-(\}.*|[A-Z]{0,4})?\s*$")
_LONE_DASH = re.compile(r"^-\s*$")
# The currency is optional: some banks leave it out of balances (read from the statement's).
_BALANCE = re.compile(r"^(?P<mark>[DC])(?P<date>\d{6})(?P<ccy>[A-Z]{3})?(?P<amount>\d[\d,.]*)$")
_FLOOR = re.compile(r"^(?P<ccy>[A-Z]{3})[DC]?(?P<amount>[\d,]+)$")
# 6!n[4!n]2a[1!a]15d1!a3!c16x[//16x], read the way WoLpH/mt940 (mt940/tags.py, Statement
# regex) and svenstaro/mt940-rs (src/mt940.pest) read it: a blank may stand before the amount or
# the type code, and the type code may be missing or bank-specific (`MCI0`, not N/S/F...).
# Four blanks may stand for the entry date (ASN Bank, Citi: WoLpH/mt940 tags.py reads
# `\d{2}|\s{2}` for its month and day).
_LINE61 = re.compile(
    r"^(?P<vdate>\d{6})(?P<edate>\d{4}| {4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    r"(?P<gap1> ?)(?P<amount>\d[\d,.]*)(?P<gap2> *)(?P<ttype>[A-Z][A-Z0-9 ]{3})?(?P<rest>.*)$"
)
_BROKEN_BEFORE_AMOUNT = re.compile(r"^\d{6}(\d{4})?(RC|RD|EC|ED|C|D)[A-Z]?$")
#: SWIFT type codes: S + MT number, N or F + a 3-character code (SWIFT MT940 field 61, sub 6).
_STANDARD_TYPE = re.compile(r"^(?:S\d{3}|[NF][A-Z0-9]{2}[A-Z0-9 ])$")
DIRECTION = {
    "C": "credit",
    "RD": "credit",
    "EC": "credit",
    "D": "debit",
    "RC": "debit",
    "ED": "debit",
}
#: Debit/credit marks of a reversal (SWIFT MT940/MT942 field 61 subfield 3: "RC Reversal of
#: Credit (debit entry)", "RD Reversal of Debit (credit entry)"; EC/ED are an MT942's expected
#: credit and debit, not reversals: prowide/prowide-core Field61.java lists all six).
REVERSAL_MARKS = frozenset({"RC", "RD"})
#: German structured :86: business transaction codes (Geschaeftsvorfallcodes, DFUe-Abkommen
#: Anlage 3) of a returned SEPA payment, booked with a plain C or D mark (docs/bank-files.md
#: "Reversals" gives each code's source): 108/109 SEPA direct debit returned to its creditor
#: (Rueckbelastung B2B/Core), 159/160 SEPA credit transfer returned to its payer (Retoure,
#: instant), 181/184 SEPA direct debit credited back to its debtor (Wiedergutschrift Core/B2B).
RETURN_GVC = frozenset({"108", "109", "159", "160", "181", "184"})
#: The `other_references` kind of the :61: supplementary details (subfield 9, 34x).
SUPPLEMENTARY = "MT940-61-9"
#: The kind prefix of references found in :86: text (`MT940-86-MARF`, `MT940-86-MREF`, ...).
DETAILS_86 = "MT940-86"
FULL_WIDTH = 65  # :86: lines are 6*65x: a full line was cut, not ended
NONREF = {"NONREF", ""}
NOT_PROVIDED = {"NOTPROVIDED", "NONREF", ""}
#: :61: customer references that only point to the :86: text (Deutsche Bank `KREF+`, ING `EREF`)
POINTERS = {"KREF", "EREF"}
#: ZKA :86: field codes: 20-29 and 60-63 remittance, 32-33 name, 31 account, 38 IBAN.
REMITTANCE_FIELDS = [f"{n}" for n in range(20, 30)] + ["60", "61", "62", "63"]
SEPA_KEYWORDS = re.compile(r"(?<!^)(?=(?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT)\+)")
DUTCH_KEYS = (
    "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "CNTP", "ORDP", "BENM",
    "ADDR", "ISDT", "RTRN", "PURP", "ULTC", "ULTD", "ULTB", "ID", "SVCL", "PREF",
)  # fmt: skip
_DUTCH = re.compile(r"/(" + "|".join(DUTCH_KEYS) + r")/")
_IBAN = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30})\b\s*(.*)$")
#: A :61: supplementary line that is an account alone: Rabobank's structured MT940 puts the
#: counterparty's IBAN there (zilverline/mt940 lib/mt940_structured/parsers/rabobank/
#: structured_transaction_parser.rb reads it as the contra account).
_ACCOUNT_ONLY = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


@dataclass
class Tag:
    name: str
    lines: list[str]  # first line's content after the tag, then continuation lines
    line: int


@dataclass
class Statement:
    line: int
    reference: str = ""
    account: str = ""
    currency: str = ""
    tags: list[Tag] = field(default_factory=list)


def _tokenize(text: str, problems: Problems) -> list[Statement]:
    statements: list[Statement] = []
    current: Statement | None = None
    tag: Tag | None = None
    lines = [
        raw.replace("\x01", "").replace("\x03", "").rstrip("\r\n") for raw in text.splitlines()
    ]
    for number, physical in enumerate(lines, start=1):
        line = physical
        if line.startswith("{"):
            body = line.rsplit("{4:", 1)[-1] if "{4:" in line else ""
            tag = None
            if not body.strip():
                continue
            line = body
        if (
            _LONE_DASH.match(line)
            and tag is not None
            and tag.name in {"86", "NS"}
            and _more_tags_follow(lines, number)
        ):
            # Rabobank: a '-' that ended a line of :86: text on a line of its own (zilverline/
            # mt940 spec/fixtures/rabobank/dash_as_start_of_line.txt); the message goes on.
            tag.lines.append(line.strip())
            problems.deviate(
                number,
                "a lone '-' line inside :86: text, the message going on after it: read as "
                "text, not as the message's end",
            )
            continue
        if _TERMINATOR.match(line) and line.strip():
            tag = None
            current = None
            continue
        found = _TAG.match(line)
        if (
            found is not None
            and tag is not None
            and tag.name in {"86", "NS"}
            and found.group(1) not in KNOWN_TAGS
            and found.group(1).isdigit()
            and re.match(r"\d", found.group(2))
            and (tag.lines[-1].rstrip()[-1:].isdigit())
        ):
            # ING cut `00:00:00` after `00`: the next line starts `:00:00/`, text, not a tag
            # (zilverline/mt940 spec/fixtures/ing/ing_00_00.txt).
            found = None
        if found is None:
            if tag is not None and line.strip():
                tag.lines.append(line)
            elif line.strip() and current is not None:
                problems.add(number, "line", "text outside any MT940 tag", line.strip())
            continue  # bank header lines before :20: (ABNANL2A, 940 00, ...) are skipped
        name, content = found.group(1), found.group(2)
        if name == "20":
            current = Statement(number)
            statements.append(current)
        if name not in KNOWN_TAGS:
            problems.add(number, f":{name}:", f"unknown MT940/MT942 tag :{name}:", content.strip())
            tag = Tag(name, [content], number)  # swallows its continuation lines, kept nowhere
            continue
        if current is None:
            problems.add(number, f":{name}:", "tag before the statement's :20: reference")
            tag = None
            continue
        tag = Tag(name, [content], number)
        current.tags.append(tag)
    return statements


def _more_tags_follow(lines: list[str], number: int) -> bool:
    """Whether the message goes on after line `number`: the first tag that follows is not a new
    statement's :20:, and no SWIFT block `{` comes first. Text lines before that tag are more
    :86: text, or bank header lines (`ABNANL2A`, `940 00`) if a :20: follows them."""
    for following in lines[number:]:
        if following.startswith("{"):
            return False
        found = _TAG.match(following)
        if found is not None:
            return found.group(1) != "20"
    return False


def _day(text: str) -> date | None:
    try:
        year = int(text[:2])
        return date(2000 + year if year < 80 else 1900 + year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def parse(path: Path, text: str, problems: Problems) -> tuple[list[Txn], str]:
    """Parse MT940/MT942 `text` (read from `path`); returns rows and `MT940` or `MT942`."""
    statements = _tokenize(text, problems)
    if not statements:
        problems.add(1, ":20:", "no statement found (no :20: tag)")
        return [], "MT940"
    kind = "MT940"
    rabobank_old = text.lstrip("\x01\r\n ").startswith(":940:")
    rows: list[Txn] = []
    count = 0
    for statement in statements:
        names = {t.name for t in statement.tags}
        if names & {"34F", "13D", "13"} and not names & {"60F", "60M"}:
            kind = "MT942"
        statement_rows = _statement(statement, problems, rabobank_old, count)
        count += len(statement_rows)
        rows += statement_rows
    return rows, kind


def _statement(
    statement: Statement, problems: Problems, rabobank_old: bool, before: int
) -> list[Txn]:
    rows: list[Txn] = []
    pending: tuple[Tag, dict[str, object]] | None = None
    details: list[Tag] = []
    closed = False
    skipped = 0
    opening: Decimal | None = None
    closing: tuple[Tag, Decimal] | None = None

    def flush() -> None:
        nonlocal pending, skipped
        if pending is not None:
            row = _row(statement, pending[0], pending[1], details, before + len(rows) + 1)
            if row is not None:
                rows.append(row)
        pending = None
        details.clear()

    for tag in statement.tags:
        content = tag.lines[0].strip()
        if tag.name == "20":
            statement.reference = content
        elif tag.name == "25":
            statement.account = content
            if not content:
                problems.add(tag.line, ":25:", "account identification is empty")
        elif tag.name in {"60F", "60M", "62F", "62M", "64", "65"}:
            flush()
            balance = _BALANCE.match(content)
            if balance is None or _day(balance["date"]) is None:
                problems.add(
                    tag.line,
                    f":{tag.name}:",
                    "not a balance (D/C, YYMMDD, currency, amount)",
                    content,
                )
                continue
            currency = balance["ccy"] or statement.currency or _account_currency(statement)
            if not currency:
                problems.add(
                    tag.line,
                    f":{tag.name}:",
                    "balance without a currency, and none is known from :60F: or :25:",
                    content,
                )
                continue
            if not balance["ccy"]:
                problems.deviate(
                    tag.line, "balance without a currency: read in the statement's currency"
                )
            if tag.name in {"60F", "60M"}:
                statement.currency = currency
            else:
                closed = True
            value = _check_currency(problems, tag, currency, balance["amount"])
            if value is not None:
                signed = value if balance["mark"] == "C" else -value
                if tag.name in {"60F", "60M"} and opening is None:
                    opening = signed
                elif tag.name in {"62F", "62M"}:
                    closing = (tag, signed)
        elif tag.name == "34F":
            floor = _FLOOR.match(content)
            if floor is None:
                problems.add(tag.line, ":34F:", "not a floor limit (currency, amount)", content)
                continue
            statement.currency = statement.currency or floor["ccy"]
            _check_currency(problems, tag, floor["ccy"], floor["amount"])
            closed = True  # an MT942 has no closing balance
        elif tag.name == "61":
            flush()
            if not statement.currency:
                problems.add(
                    tag.line,
                    ":61:",
                    "missing currency: no :60F:/:60M: or :34F: before the first :61:",
                )
                continue
            parsed = _line61(tag, statement, problems, rabobank_old)
            if parsed is None:
                continue
            if parsed.get("legacy"):
                skipped += 1
                continue
            pending = (tag, parsed)
        elif tag.name in {"86", "NS"} and pending is not None:
            # (an :86: after a balance is information about the statement: not a transaction)
            details.append(tag)
    flush()
    if opening is not None and closing is not None:
        _check_balances(statement, problems, opening, closing, rows)
    if skipped:
        problems.warn(
            statement.line,
            f"statement {statement.reference!r} is in {statement.currency}, a currency replaced by "
            f"the euro and no longer in ISO 4217: {skipped} line(s) skipped",
        )
    if not statement.account:
        problems.add(statement.line, ":25:", "statement has no :25: account identification")
    if not closed:
        problems.add(
            statement.tags[-1].line if statement.tags else statement.line,
            ":62F:",
            "statement ends without a closing balance :62F:/:62M: (file cut off?)",
        )
    return rows


def _check_balances(
    statement: Statement,
    problems: Problems,
    opening: Decimal,
    closing: tuple[Tag, Decimal],
    rows: list[Txn],
) -> None:
    """Opening balance plus the lines read must give the closing balance: if not, a line was
    lost or misread (or the bank's file does not add up), and the operator must know."""
    net = sum((r.amount if r.direction == "credit" else -r.amount for r in rows), Decimal(0))
    if opening + net != closing[1]:
        problems.warn(
            closing[0].line,
            f"statement {statement.reference!r}: opening balance {opening} + lines read {net} = "
            f"{opening + net}, but :{closing[0].name}: says {closing[1]}: a line may be missing",
        )


def _check_currency(problems: Problems, tag: Tag, currency: str, amount: str) -> Decimal | None:
    if currency in LEGACY_EURO:
        return None
    if not known_currency(currency):
        problems.add(tag.line, f":{tag.name}:", "unknown currency code (ISO 4217)", currency)
        return None
    return _amount(amount, currency, problems, tag.line, f":{tag.name}:")


def _account_currency(statement: Statement) -> str:
    """The currency some banks append to :25: (`NL84RABO0123456789 EUR`), else ''."""
    found = re.search(r"(?:[\s/]|(?<=\d))([A-Z]{3})$", statement.account)
    return found.group(1) if found and known_currency(found.group(1)) else ""


def _amount(text: str, currency: str, problems: Problems, line: int, where: str) -> Decimal | None:
    """A SWIFT amount; a decimal point where the comma belongs is read (old Rabobank files:
    fruitl00p/php-mt940 test/.../Rabo/sample) and noted, as there is no grouping in SWIFT."""
    try:
        if "," not in text and text.count(".") == 1:
            value = swift_amount(text.replace(".", ","), currency)
            problems.deviate(
                line, "amount with a decimal point instead of a comma: read as decimal"
            )
            return value
        return swift_amount(text, currency)
    except MoneyError as exc:
        problems.add(line, where, str(exc), text)
        return None


def _line61(
    tag: Tag, statement: Statement, problems: Problems, rabobank_old: bool
) -> dict[str, object] | None:
    first = tag.lines[0].rstrip()
    more = tag.lines[1:]
    if _BROKEN_BEFORE_AMOUNT.match(first) and more and more[0][:1].isdigit():
        # Sparkassen break the line before the amount (WoLpH/mt940 tags.py: "some banks
        # (sparkassen) incorporate newlines here"): `:61:1007220722CR` / `30,00N062NONREF`
        first, more = first + more[0].strip(), more[1:]
        problems.deviate(tag.line, ":61: amount on the next line: read as one line")
    found = _LINE61.match(first)
    if found is None:
        problems.add(
            tag.line,
            ":61:",
            "not a statement line (YYMMDD[MMDD] D/C/RD/RC amount type reference)",
            first,
        )
        return None
    value_day = _day(found["vdate"])
    if value_day is None:
        problems.add(tag.line, ":61: value date", "not a date (YYMMDD)", found["vdate"])
        return None
    booking: date | None = value_day
    if found["edate"] == "    ":
        problems.deviate(tag.line, ":61: blanks in place of the entry date: read without one")
    elif found["edate"]:
        booking = _entry_day(value_day, found["edate"])
        if booking is None:
            problems.add(tag.line, ":61: entry date", "not a date (MMDD)", found["edate"])
            return None
    ttype, rest = found["ttype"], found["rest"]
    if ttype and f"{ttype}{rest}".upper().startswith("NONREF"):
        ttype, rest = None, f"{ttype}{rest}"  # no type code, then the customer reference
    decimal_mark = "," in found["amount"] or "." in found["amount"]
    standard = ttype is not None and _STANDARD_TYPE.match(ttype) is not None
    if (ttype is None and rest and not rest.startswith(("//", "NONREF"))) or (
        ttype is not None and not standard and not decimal_mark
    ):
        # `6X5,00` must not become 6.00: what follows a tolerated amount must be plainly a type
        # code, the references, or nothing.
        problems.add(
            tag.line,
            ":61:",
            "not a statement line (YYMMDD[MMDD] D/C/RD/RC amount type reference)",
            first,
        )
        return None
    if statement.currency in LEGACY_EURO:
        return {"legacy": True}
    amount = _amount(found["amount"], statement.currency, problems, tag.line, ":61: amount")
    if amount is None:
        return None
    if found["gap1"] or found["gap2"]:
        problems.deviate(
            tag.line, ":61: blank inside the line (before amount or type code): skipped"
        )
    if ttype is None:
        problems.deviate(tag.line, ":61: no transaction type code: read without one")
    elif not standard:
        problems.deviate(tag.line, ":61: bank-specific transaction type code: read as any other")
    customer, _, bank = rest.partition("//")
    extra_same_line = ""
    if rabobank_old and not bank and len(customer) > 16:
        customer, extra_same_line = customer[:16], customer[16:]
    supplementary = " ".join(line.strip() for line in more)
    parsed: dict[str, object] = {
        "value": value_day,
        "booking": booking,
        "mark": found["mark"],
        "amount": amount,
        "customer": customer.strip(),
        "bank": bank.strip(),
        "supplementary": clean(f"{extra_same_line} {supplementary}"),
        "subfield9": clean(supplementary),  # the :61: supplementary details line(s) alone
    }
    if rabobank_old:
        # :61:110527D...N044 0121470966      W.P. Jansen: counter account, then name
        account = customer.strip()
        parsed["counter_account"] = account if account.isdigit() else None
        parsed["counter_name"] = clean(extra_same_line)
        parsed["customer"] = "" if account.isdigit() else account
    return parsed


def _entry_day(value_day: date, mmdd: str) -> date | None:
    """The entry date has no year: take the one closest to the value date."""
    try:
        month, day = int(mmdd[:2]), int(mmdd[2:])
        candidates = [date(value_day.year + shift, month, day) for shift in (-1, 0, 1)]
    except ValueError:
        try:  # 29 February in a neighbouring year only
            return date(value_day.year, int(mmdd[:2]), int(mmdd[2:]))
        except ValueError:
            return None
    return min(candidates, key=lambda d: abs((d - value_day).days))


def _join(lines: list[str], always_glue: bool = False) -> str:
    """Join :86: lines: a full-width (65) line was cut mid-word, a shorter one was ended."""
    out = ""
    for i, line in enumerate(lines):
        out += line
        if i < len(lines) - 1:
            out += "" if always_glue or len(line) >= FULL_WIDTH else " "
    return out


@dataclass
class Details:
    name: str | None = None
    account: str | None = None
    remittance: str | None = None
    dialect: str = "free"
    end_to_end: str | None = None
    customer: str | None = None  # the SEPA KREF+ (customer reference) of German :86: text
    structured: list[str] = field(default_factory=list)  # creditor references (Dutch SCOR)
    others: list[tuple[str, str | None]] = field(default_factory=list)  # other_references
    returned: bool = False  # a return code: German GVC (RETURN_GVC), Dutch `/RTRN/<reason>/`


def read_details(lines: list[str]) -> Details:
    """Payer name, payer account and remittance text out of :86: lines, by dialect."""
    glued = _join(lines, always_glue=True).lstrip()
    zka = re.match(r"^(\d{3})\s*([?>])(\d\d)", glued)
    if zka:
        return _zka(glued, zka.group(2))
    text = _join(lines)
    if _DUTCH.search(text) and text.lstrip().startswith("/"):
        return _dutch(_join(lines, always_glue=True))
    knab = re.search(r"REK:\s*([A-Z0-9]+)\s*/\s*NAAM:\s*(.+)", text)
    if knab:
        rest = clean(text[: knab.start()]) or None
        return Details(clean(knab.group(2)), knab.group(1), rest, "knab")
    if _LABEL.search(text) and re.search(r"\b(?:IBAN|NAAM):", text):
        return _labelled(text)
    asn = _IBAN.match(lines[0].strip()) if lines else None
    if asn:
        return Details(clean(asn.group(2)), asn.group(1), clean(_join(lines[1:])), "asn")
    return Details(remittance=clean(text))


#: ABN AMRO's labelled free text: `SEPA OVERBOEKING IBAN: NL86... BIC: INGBNL2A NAAM: ...
#: BETALINGSKENM.: 1234123412345678` (zilverline/mt940 spec/fixtures/abn/...belastingdienst.txt).
_LABEL = re.compile(
    r"\b(IBAN|BIC|NAAM|OMSCHRIJVING|BETALINGSKENM\.?|KENMERK|MACHTIGING|INCASSANT|ID DEBITEUR):"
)


def _labelled(text: str) -> Details:
    marks = list(_LABEL.finditer(text))
    values: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        values.setdefault(mark.group(1).rstrip("."), text[mark.end() : end].strip())
    lead = clean(text[: marks[0].start()]) if marks else None  # `SEPA OVERBOEKING`
    remittance = clean(" ".join(v for k in ("OMSCHRIJVING", "KENMERK") if (v := values.get(k))))
    details = Details(
        clean(values.get("NAAM")),
        clean(values.get("IBAN")),
        remittance or lead,
        "labelled",
    )
    # the Dutch structured payment reference (betalingskenmerk): a reference, not free text
    if reference := (values.get("BETALINGSKENM") or "").replace(" ", ""):
        details.structured.append(reference)
    return details


def _zka(text: str, separator: str) -> Details:
    fields: dict[str, list[str]] = {}
    parts = re.split(re.escape(separator) + r"(\d\d)", text[3:])
    for code, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(code, []).append(value)
    ordered = [v for code in REMITTANCE_FIELDS for v in fields.get(code, [])]
    remittance = SEPA_KEYWORDS.sub(" ", "".join(ordered))
    name = "".join(fields.get("32", []) + fields.get("33", []))
    account = "".join(fields.get("38", [])) or "".join(fields.get("31", []))
    details = Details(clean(name), clean(account.replace(" ", "")), clean(remittance), "zka")
    sepa = _zka_sepa(ordered)
    details.end_to_end, details.customer = sepa.get("EREF"), sepa.get("KREF")
    # the mandate reference and creditor id of a SEPA direct debit (also left in the text)
    details.others = [(f"{DETAILS_86}-{key}", sepa.get(key)) for key in ("MREF", "CRED")]
    details.returned = text[:3] in RETURN_GVC
    return details


#: SEPA keywords in ZKA :86: text (DFUe-Abkommen Anlage 3), as jejik/mt940 GermanBank.php lists.
_SEPA_KEY = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE)\+")
_FIELD_END = "\x00"


def _zka_sepa(fields: list[str]) -> dict[str, str]:
    """`EREF+`, `KREF+`, ... values: each runs to the next keyword, wherever it stands (Deutsche
    Bank: `?21.4961336 KREF+SEPA-DA202006?2201221740...`), across ?2x fields, or to a field that
    opens with a label of its own (betterplace: `?20EREF+TFNR 40005 00005?21MTLG:Grund ...`)."""
    text = ""
    for i, value in enumerate(fields):
        if i and re.match(r"[A-Z]{2,5}:", value):
            text += _FIELD_END
        text += value
    parts = _SEPA_KEY.split(text)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        found = value.split(_FIELD_END)[0].strip()
        if found.upper() not in NOT_PROVIDED:
            values.setdefault(key, found)
    return values


def _dutch(text: str) -> Details:
    """`/KEY/value` pairs; `/CNTP/iban/bic/name/city/` is ING's counterparty group."""
    marks = list(_DUTCH.finditer(text))
    values: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        values.setdefault(mark.group(1), text[mark.end() : end].strip("/ "))
    name, account = values.get("NAME"), values.get("IBAN")
    if "CNTP" in values:
        parts = values["CNTP"].split("/")
        account = account or (parts[0] if parts else None)
        name = name or (parts[2] if len(parts) > 2 else None)
    remittance = values.get("REMI", "")
    structured: list[str] = []
    creditor = re.search(r"CDTRREF/([^/]+)", remittance)
    if creditor:
        # /REMI//CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/1234567899874563: a structured creditor
        # reference (zilverline/mt940 spec/fixtures/rabobank_mt940_structured_dutch_tax.txt)
        structured.append(creditor.group(1).strip())
        remittance = ""
    remittance = re.sub(r"^(USTD|STRD/CUR|STRD/ISO|STRD)/+", "", remittance)
    details = Details(clean(name), clean(account), clean(remittance.replace("/", " ")), "dutch")
    details.structured = structured
    end_to_end = clean(values.get("EREF"))
    details.end_to_end = None if (end_to_end or "").upper() in NOT_PROVIDED else end_to_end
    # mandate reference, creditor scheme id, payment information id: references, not text
    details.others = [(f"{DETAILS_86}-{key}", values.get(key)) for key in ("MARF", "CSID", "PREF")]
    # `/RTRN/MS03/`: the return reason of an R-transaction (ING's MT940 specs, as
    # gingerpayments/python-libmt94x ReturnReason, "Uitval reden", writes it)
    details.returned = bool(values.get("RTRN"))
    return details


def _row(
    statement: Statement,
    line: Tag,
    parsed: dict[str, object],
    details: list[Tag],
    index: int,
) -> Txn | None:
    lines = [text for tag in details for text in tag.lines]
    info = read_details(lines) if details else Details()
    if any(tag.name == "NS" for tag in details):
        info = Details(remittance=clean(" ".join(lines)))
    counter_account = parsed.get("counter_account")
    counter_name = parsed.get("counter_name")
    supplementary = parsed["supplementary"]
    bank = str(parsed["bank"])
    customer = str(parsed["customer"])
    if customer.upper().rstrip("+") in POINTERS:
        customer = info.customer or ""  # `KREF+` in :61: points to the :86: KREF+ value
    reference = (
        bank
        if bank.upper() not in NONREF
        else (customer if customer.upper() not in NONREF else None)
    )
    remittance = info.remittance
    name = info.name or (str(counter_name) if counter_name else None)
    subfield9 = parsed.get("subfield9")
    if name is None and supplementary and info.dialect == "asn":
        name = str(supplementary)  # ASN: the counterparty's name on the :61: second line
    if counter_account is None and supplementary and _ACCOUNT_ONLY.fullmatch(str(supplementary)):
        counter_account = supplementary  # Rabobank: the counterparty's IBAN on the second line
    value_day = parsed["value"]
    booking = parsed["booking"]
    amount = parsed["amount"]
    assert isinstance(value_day, date) and isinstance(booking, date)
    assert isinstance(amount, Decimal)
    bank_reference = reference
    customer_reference = customer if customer.upper() not in NONREF else None
    mark = str(parsed["mark"])
    payer_account = info.account or (str(counter_account) if counter_account else None)
    return Txn(
        transaction_id=f"{statement.reference or 'stmt'}:{index}",
        account=statement.account,
        booking_date=booking,
        value_date=value_day,
        amount=amount,
        currency=statement.currency,
        direction=DIRECTION[mark],
        reversal=mark in REVERSAL_MARKS or info.returned,
        bank_reference=bank_reference,
        customer_reference=customer_reference,
        end_to_end_id=info.end_to_end,
        # the :61: supplementary details: PostFinance's own transaction id, Deutsche Bank's
        # original amount and charges (`/OCMT/EUR11,85//CHGS/EUR0,50/`), ...; not repeated
        # when read as the counterparty (ASN's name, Rabobank's IBAN)
        other_references=other_refs(
            [(SUPPLEMENTARY, str(subfield9) if subfield9 else None), *info.others],
            bank_reference,
            customer_reference,
            info.end_to_end,
            name,
            payer_account,
        ),
        payer_name=name,
        payer_account=payer_account,
        remittance_text=remittance,
        invoice_refs=merge_refs(info.structured, extract_invoice_refs(remittance)),
    )
