"""Small writers of synthetic bank files (BAI2, camt.053, MT940, remittance CSV) from known
payments: the parsers' round-trip tests, and a base for the matcher's realistic generator.

Amounts are written exactly (minor units in BAI2, decimal comma in MT940), so reading a file
back must give the very same `Decimal`s.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from contracts.money import minor_units, quantize


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    currency: str
    direction: str = "credit"
    booking_date: date = date(2024, 3, 15)
    payer_name: str | None = None
    payer_account: str | None = None
    text: str | None = None
    refs: tuple[str, ...] = field(default_factory=tuple)
    reference: str | None = None


def random_payments(
    seed: int, count: int, currencies: Sequence[str] = ("EUR", "USD", "JPY", "KWD")
) -> list[Payment]:
    """Deterministic payments with amounts at each currency's full precision."""
    rng = random.Random(seed)
    payments = []
    for i in range(count):
        currency = rng.choice(list(currencies))
        digits = minor_units(currency)
        minor = rng.randint(1, 10**9)
        invoices = tuple(f"INV-{rng.randint(1, 999_999):06d}" for _ in range(rng.randint(0, 3)))
        payments.append(
            Payment(
                amount=Decimal(minor).scaleb(-digits),
                currency=currency,
                direction=rng.choice(("credit", "credit", "debit")),
                booking_date=date(2024, 1, 1) + timedelta(days=rng.randint(0, 365)),
                payer_name=rng.choice(("ACME GMBH", "Globex Corp", "Initech BV", None)),
                payer_account=rng.choice(("DE89370400440532013000", "NL91ABNA0417164300", None)),
                text=f"Payment {' '.join(invoices)}".strip() if invoices else None,
                refs=invoices,
                reference=f"REF{i:08d}",
            )
        )
    return payments


def _minor(payment: Payment) -> int:
    return int(payment.amount.scaleb(minor_units(payment.currency)))


def bai2(payments: Sequence[Payment], account: str = "1234567890") -> str:
    """One group per booking date, one 03 account record per currency; 16 + 88 records."""
    lines = ["01,SENDER,RECEIVER,240315,0800,FILE1,,,2/"]
    groups = 0
    for day in sorted({p.booking_date for p in payments}):
        groups += 1
        start = len(lines)
        lines.append(f"02,RECEIVER,BANK,1,{day:%y%m%d},0800,,2/")
        for currency in sorted({p.currency for p in payments if p.booking_date == day}):
            block = [p for p in payments if p.booking_date == day and p.currency == currency]
            first = len(lines)
            lines.append(f"03,{account},{currency},010,0,,/")
            total = 0
            for p in block:
                code = "195" if p.direction == "credit" else "495"
                text = p.text or ""
                lines.append(f"16,{code},{_minor(p)},0,{p.reference or ''},,{text}")
                side = "DB" if p.direction == "credit" else "CR"
                if p.payer_name:
                    lines.append(f"88,{side}NM: {p.payer_name}")
                if p.payer_account:
                    lines.append(f"88,{side[0]}ACT: {p.payer_account}")
                total += _minor(p)
            lines.append(f"49,{total},{len(lines) - first + 1}/")
        lines.append(f"98,0,1,{len(lines) - start + 1}/")
    lines.append(f"99,0,{groups},{len(lines) + 1}/")
    return "\n".join(lines) + "\n"


def camt053(payments: Sequence[Payment], account: str = "DE89370400440532013000") -> str:
    """A camt.053.001.08 statement, one Ntry per payment, remittance in Ustrd and Strd."""
    entries = []
    for i, p in enumerate(payments, start=1):
        role = "Dbtr" if p.direction == "credit" else "Cdtr"
        party = (
            f"<{role}><Pty><Nm>{escape(p.payer_name)}</Nm></Pty></{role}>" if p.payer_name else ""
        )
        party_account = (
            f"<{role}Acct><Id><IBAN>{p.payer_account}</IBAN></Id></{role}Acct>"
            if p.payer_account
            else ""
        )
        strd = "".join(
            f"<Strd><CdtrRefInf><Ref>{escape(r)}</Ref></CdtrRefInf></Strd>" for r in p.refs
        )
        ustrd = f"<Ustrd>{escape(p.text)}</Ustrd>" if p.text else ""
        amount = quantize(p.amount, p.currency)
        entries.append(
            f'<Ntry><NtryRef>{i}</NtryRef><Amt Ccy="{p.currency}">{amount}</Amt>'
            f"<CdtDbtInd>{'CRDT' if p.direction == 'credit' else 'DBIT'}</CdtDbtInd>"
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{p.booking_date}</Dt></BookgDt>"
            f"<ValDt><Dt>{p.booking_date}</Dt></ValDt>"
            f"<AcctSvcrRef>{escape(p.reference or '')}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
            f"<RltdPties>{party}{party_account}</RltdPties>"
            f"<RmtInf>{ustrd}{strd}</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n'
        "<BkToCstmrStmt><GrpHdr><MsgId>GEN-1</MsgId><CreDtTm>2024-03-15T08:00:00</CreDtTm>"
        "</GrpHdr>\n<Stmt><Id>GEN-STMT-1</Id>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id></Acct>\n" + "\n".join(entries) + "\n</Stmt>"
        "</BkToCstmrStmt>\n</Document>\n"
    )


def _swift(amount: Decimal, currency: str) -> str:
    return (
        str(quantize(amount, currency)).replace(".", ",")
        if minor_units(currency)
        else (f"{amount},")
    )


def mt940(
    payments: Sequence[Payment], account: str = "NL91ABNA0417164300", dialect: str = "zka"
) -> str:
    """One statement per currency; :86: in the German ZKA (`zka`) or Dutch keyed (`dutch`) form."""
    out: list[str] = []
    for n, currency in enumerate(sorted({p.currency for p in payments}), start=1):
        block = [p for p in payments if p.currency == currency]
        first = min(p.booking_date for p in block)
        last = max(p.booking_date for p in block)
        out += [
            f":20:GEN{n:04d}",
            f":25:{account}",
            f":28C:{n}/1",
            f":60F:C{first:%y%m%d}{currency}0,",
        ]
        balance = Decimal(0)
        for p in block:
            mark = "C" if p.direction == "credit" else "D"
            balance += p.amount if p.direction == "credit" else -p.amount
            out.append(
                f":61:{p.booking_date:%y%m%d}{p.booking_date:%m%d}{mark}"
                f"{_swift(p.amount, currency)}NTRFNONREF//{p.reference or ''}"
            )
            text = p.text or ""
            if dialect == "zka":
                fields = "".join(
                    f"?{20 + i}{text[i * 27 : (i + 1) * 27]}" for i in range((len(text) + 26) // 27)
                )
                body = f"166?00GUTSCHRIFT{fields}"
                if p.payer_account:
                    body += f"?31{p.payer_account}"
                if p.payer_name:
                    body += f"?32{p.payer_name[:27]}"
                    if len(p.payer_name) > 27:
                        body += f"?33{p.payer_name[27:54]}"
            else:
                body = "/TRTP/SEPA OVERBOEKING"
                if p.payer_account:
                    body += f"/IBAN/{p.payer_account}/BIC/ABNANL2A"
                if p.payer_name:
                    body += f"/NAME/{p.payer_name}"
                body += f"/REMI/{text}/EREF/NOTPROVIDED"
            chunks = [body[i : i + 65] for i in range(0, len(body), 65)] or [""]
            out.append(f":86:{chunks[0]}")
            out += chunks[1:]
        mark = "C" if balance >= 0 else "D"
        out += [f":62F:{mark}{last:%y%m%d}{currency}{_swift(abs(balance), currency)}", "-"]
    return "\n".join(out) + "\n"


def remittance_csv(payments: Sequence[Payment]) -> str:
    """The remittance-advice CSV (docs/bank-files.md), invoice references `;`-separated."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["payer", "payer_account", "date", "currency", "amount", "invoice_refs", "text"]
    )
    for p in payments:
        writer.writerow(
            [
                p.payer_name or "",
                p.payer_account or "",
                p.booking_date.isoformat(),
                p.currency,
                str(quantize(p.amount, p.currency)),
                ";".join(p.refs),
                p.text or "",
            ]
        )
    return buffer.getvalue()
