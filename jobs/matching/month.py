"""A realistic month of receipts, built apart from `jobs.matching.generate` (issue 17).

The matcher was tuned on `jobs.matching.generate`; this month is its independent check. It has
its own ledger (four companies with four numbering schemes: `RE-2026-10781` in Germany,
`FA/2026/000123` in France, a bare Oracle transaction number in the US, `INV-SE-2026-00042`
in Sweden; credit notes; groups of customers whose treasury pays from one account) and its
own payers, who write references the way remittances show them: year-less, padded, reordered,
as lists, as RF creditor references or national payment references, as document numbers, with
typos, or not at all. Every noise rate below states where it comes from: a public figure, or
"assumption" where no public figure was found (then it is set harsh rather than kind).

`month(seed, customers, lines)` returns (Customers, OpenItems, BankTransactions, truth); the
truth has the shape `jobs.matching.generate.score` reads, credit memos included (negative
applied amounts), so both sets of figures are counted the same way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from contracts.io import schema_of
from contracts.money import minor_units
from jobs.matching.references import finnish_check_digit

# ---- payment kinds (shares of bank lines)
#: Deductions: "deductions running at 3% of sales"
#: (https://www.rex.inc/resources/disputes-deductions/deductions-management-process), at an
#: average cut near 6 % about half the invoices of a deducting customer; here 7 % of lines.
P_DEDUCTION = 0.07
#: Short pays, overpays and partial payments are named among the common exceptions
#: (https://www.kognitos.com/blog/touchless-cash-application-getting-past-the-plateau-2026/);
#: FX payments are "up to a fifth" of B2B payments
#: (https://www.pymnts.com/news/b2b-payments/2018/optal-business-finance-accounts-payable/):
#: a few cents off (FX, rounding) on 5 % of lines, a real partial payment on 2 %.
P_SMALL_DIFFERENCE = 0.05
P_PARTIAL = 0.02
#: Cash discount taken (2 % / 14 days terms, common in Germany): assumption, 8 %; a tenth of
#: them round the discount by a cent (assumption).
P_DISCOUNT = 0.08
DISCOUNT_ROUNDED = 0.10
#: Lump sums over several invoices, "one payment against dozens of invoices" (Kognitos, above):
#: 2-6 invoices on 12 % of lines; the whole open balance on 2 % (assumption).
P_MULTI = 0.12
P_WHOLE_BALANCE = 0.02
#: Invoice less credit note: assumption, 4 %.
P_CREDIT_NOTE = 0.04
#: A group treasury or parent paying a subsidiary's invoice from the group account: 4 %
#: (assumption).
P_GROUP = 0.04
#: "Payment received without customer data" is a named exception
#: (https://mail-stage.quadient-swarm.sh/en-gb/blog/5-common-cash-application-problems-and-how-solve-them):
#: 4 %; advances paying nothing open: 3 %; money out: 5 % (assumptions).
P_UNKNOWN = 0.04
P_ADVANCE = 0.03
P_DEBIT = 0.05
P_SINGLE = 1 - sum(
    (P_DEDUCTION, P_SMALL_DIFFERENCE, P_PARTIAL, P_DISCOUNT, P_MULTI, P_WHOLE_BALANCE,
     P_CREDIT_NOTE, P_GROUP, P_UNKNOWN, P_ADVANCE, P_DEBIT)
)  # fmt: skip

# ---- how a paid invoice is referenced. "Only 13 percent of remittance data arrives in a
# format that can be automatically ingested" (Aite Group, quoted at
# https://www.rimilia.com/automate-your-cash-application-process/): most references are
# free text in the payer's own form. Shares are assumptions, set harsh.
REF_FORMS = (
    ("missing", 0.15),  # no reference at all
    ("printed", 0.30),  # as the invoice prints it
    ("year_less", 0.12),  # `10781` for RE-2026-10781
    ("padded", 0.06),  # `0010781`, `RE 010781`
    ("reordered", 0.05),  # `10781/2026`
    ("prefix_less", 0.07),  # `2026-10781`
    ("document_id", 0.10),  # the ERP document number
    ("rf", 0.05),  # ISO 11649 creditor reference built on the document number
    ("national", 0.05),  # Finnish 7-3-1 or Swedish OCR reference on the document number
    ("typo", 0.05),  # one digit wrong
)
STRUCTURED = 0.30  # camt Strd / remittance field rather than free text (assumption)
LIST_JOINERS = (" / ", ", ", " u. ", " and ", " + ", " ", "/")
NAME_TYPO = 0.06
NAME_VARIANT = 0.35
NAME_MISSING = 0.04
IBAN_ON_FILE = 0.6
GROUP_SHARE = 0.15  # customers belonging to a group that pays from one account (assumption)
CREDIT_NOTE_SHARE = 0.07  # open items that are credit notes (assumption)
DEDUCTION_PCT = (2.0, 5.0, 15.0)  # triangular low, mode, high (issue 17: 2-15 %)
PHRASES = (
    "short shipment", "goods damaged", "pricing per agreement", "promotional allowance",
    "freight not agreed", "2 pallets missing", "Mindermenge", "Bruchschaden",
    "Preisabweichung", "Werbekostenzuschuss", "Frachtkosten", "produits endommagés",
    "écart de prix", "participation publicitaire", "frais de transport", "quantité manquante",
    "claim 4471", "see debit note",
)  # fmt: skip

COMPANIES = {"DE10": "EUR", "FR20": "EUR", "US30": "USD", "SE40": "SEK"}
START = date(2026, 10, 1)
ACCOUNT = "DE44500105175407324931"
NAMES = (
    "Aurora", "Baltic", "Cedar", "Delta", "Elbe", "Fjord", "Granit", "Helios", "Iberia",
    "Jura", "Kestrel", "Lumen", "Meridian", "Nordlicht", "Orion", "Pacific", "Quarz",
    "Rhein", "Sierra", "Tauern", "Union", "Vega", "Weser", "Yukon", "Zenit", "Alpen",
    "Boreal", "Corvus", "Danube", "Everest",
)  # fmt: skip
TRADES = (
    "Bau", "Logistics", "Foods", "Metall", "Pharma", "Retail", "Technik", "Distribution",
    "Plastics", "Energie", "Textiles", "Automotive", "Papier", "Chemicals", "Maschinen",
)  # fmt: skip
FORMS = ("GmbH", "AG", "SA", "SAS", "Inc.", "LLC", "AB", "Ltd", "GmbH & Co. KG", "S.r.l.")


@dataclass
class _Item:
    row: dict[str, object]
    serial: int


def _reference(company: str, year: int, serial: int) -> str:
    return {
        "DE10": f"RE-{year}-{serial}",
        "FR20": f"FA/{year}/{serial:06d}",
        "US30": f"{serial}",
        "SE40": f"INV-SE-{year}-{serial:05d}",
    }[company]


def _credit_reference(company: str, year: int, serial: int) -> str:
    return {"DE10": f"GS-{year}-{serial}", "FR20": f"AV/{year}/{serial:06d}",
            "US30": f"CM{serial}", "SE40": f"KR-{year}-{serial:05d}"}[company]  # fmt: skip


def _iban(rng: random.Random) -> str:
    bban = f"{rng.randint(10_000_000, 99_999_999)}{rng.randint(0, 9_999_999_999):010d}"
    return f"DE{98 - int(bban + '131400') % 97:02d}{bban}"


def _money(rng: random.Random, currency: str) -> Decimal:
    digits = minor_units(currency)
    whole = max(40, min(int(rng.lognormvariate(6.8, 1.3)), 2_000_000))
    if currency == "SEK":
        whole *= 10
    cents = rng.randrange(10**digits) if digits else 0
    return Decimal(whole * 10**digits + cents).scaleb(-digits)


def ledger(seed: int, customers: int, items: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Customers (some in groups sharing an IBAN) and their open items, credit notes included."""
    rng = random.Random(seed)
    people: list[tuple[str, str, str, str | None]] = []
    group_iban: dict[str, str] = {}
    used: set[str] = set()
    for n in range(customers):
        company = list(COMPANIES)[n % len(COMPANIES)]
        while True:
            name = f"{rng.choice(NAMES)} {rng.choice(NAMES)} {rng.choice(TRADES)}"
            if name not in used:
                used.add(name)
                break
        iban = _iban(rng) if rng.random() < IBAN_ON_FILE else None
        group = None
        if n > 3 and rng.random() < GROUP_SHARE:  # a subsidiary of an earlier customer
            parent = rng.randrange(max(1, n - 20), n)
            group = group_iban.setdefault(str(parent), _iban(rng))
            iban = group
            name = f"{people[parent][2]} {rng.choice(('Nord', 'Süd', 'Ost', 'West', 'Services'))}"
            name = name if name not in used else f"{name} {n}"
            used.add(name)
        people.append((f"{500_000 + n}", company, f"{name} {rng.choice(FORMS)}", iban))
    for key, shared in group_iban.items():  # the parent pays from the group account too
        cid, company, name, _ = people[int(key)]
        people[int(key)] = (cid, company, name, shared)
    cust = pl.DataFrame(
        [(c, "month", nm, "DE", COMPANIES[co], acct) for c, co, nm, acct in people],
        schema=["customer_id", "source_system", "name", "country", "currency", "iban"],
        orient="row",
    ).with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in ("city", "postal_code", "street", "tax_id")),
        pl.lit(None, pl.String).alias("payment_terms"),
        pl.lit(None).cast(pl.Decimal(38, 4)).alias("credit_limit"),
        pl.lit(False).alias("posting_block"),
        pl.lit(None, pl.String).alias("email"),
    )
    cust = cust.select(list(schema_of("customers"))).cast(schema_of("customers"))  # type: ignore[arg-type]
    serials = {c: 10_000 + rng.randrange(5_000) for c in COMPANIES}
    rows = []
    for n in range(items):
        cid, company, _, _ = people[rng.randrange(customers)]
        currency = COMPANIES[company]
        amount = _money(rng, currency)
        doc_date = START - timedelta(days=rng.randrange(75))
        serials[company] += 1
        serial = serials[company]
        credit = rng.random() < CREDIT_NOTE_SHARE
        discount_date, discount = None, None
        if not credit and rng.random() < 0.35:
            discount_date = doc_date + timedelta(days=14)
            discount = (amount * Decimal("0.02")).quantize(
                Decimal(1).scaleb(-minor_units(currency))
            )
        if credit:
            amount = -(amount / 4).quantize(Decimal(1).scaleb(-minor_units(currency)))
        ref = (_credit_reference if credit else _reference)(company, doc_date.year, serial)
        rows.append(("month", company, cid, f"{(17 if credit else 18)}{n:08d}", doc_date.year, 1,
                     "credit_memo" if credit else "invoice", ref, doc_date, doc_date,
                     doc_date + timedelta(days=30), currency, amount, Decimal(0), discount_date,
                     discount))  # fmt: skip
    return cust, pl.DataFrame(rows, schema=schema_of("open_items"), orient="row")


def _written(rng: random.Random, item: dict[str, object], form: str) -> str | None:
    """The reference as the payer writes it."""
    ref, doc = str(item["reference"]), str(item["document_id"])
    year = str(item["fiscal_year"])
    serial = "".join(
        ch for ch in ref.rsplit("-", maxsplit=1)[-1].rsplit("/", maxsplit=1)[-1] if ch.isdigit()
    )
    if form == "missing":
        return None
    if form == "printed":
        return ref
    if form == "year_less":
        return serial.lstrip("0")
    if form == "padded":
        return rng.choice(("RE ", "", "Nr. ")) + serial.lstrip("0").zfill(8)
    if form == "reordered":
        return f"{serial.lstrip('0')}/{year}"
    if form == "prefix_less":
        return ref if ref.isdigit() else f"{year}-{serial.lstrip('0')}"
    if form == "document_id":
        return doc
    if form == "rf":
        return f"RF{mod_97_10.calc_check_digits(doc + 'RF')}{doc}"
    if form == "national":
        if rng.random() < 0.5:
            return doc + finnish_check_digit(doc)
        ocr = doc + str((len(doc) + 2) % 10)
        return ocr + luhn.calc_check_digit(ocr)
    # typo: one digit of the printed reference changed
    digits = [i for i, ch in enumerate(ref) if ch.isdigit()]
    pos = rng.choice(digits)
    return ref[:pos] + str((int(ref[pos]) + rng.randint(1, 9)) % 10) + ref[pos + 1 :]


def _noisy_name(rng: random.Random, name: str) -> str | None:
    if rng.random() < NAME_MISSING:
        return None
    if rng.random() < NAME_VARIANT:
        name = name.upper().rsplit(" ", 1)[0]
    if rng.random() < NAME_TYPO:
        pos = rng.randrange(len(name))
        name = name[:pos] + rng.choice("aeiourstn") + name[pos + 1 :]
    return name


def month(
    seed: int, customers: int, items: int, lines: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(Customers, OpenItems, BankTransactions, truth) for one month of receipts."""
    people, ledger_items = ledger(seed, customers, items)
    rng = random.Random(seed + 1)
    names = dict(people.select("customer_id", "name").iter_rows())
    ibans = dict(people.select("customer_id", "iban").iter_rows())
    group_of: dict[str, list[str]] = {}
    for cid, iban in ibans.items():
        if iban:
            group_of.setdefault(iban, []).append(cid)
    pool: dict[tuple[str, str], list[dict[str, object]]] = {}
    credits: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in ledger_items.sort("document_id").iter_rows(named=True):
        key = (row["company"], row["customer_id"])
        (credits if row["amount"] < 0 else pool).setdefault(key, []).append(row)
    payers = sorted(pool)
    kinds = ["single", "multi", "discount", "deduction", "small", "partial", "credit_note",
             "group", "whole", "unknown", "advance", "debit"]  # fmt: skip
    shares = [P_SINGLE, P_MULTI, P_DISCOUNT, P_DEDUCTION, P_SMALL_DIFFERENCE, P_PARTIAL,
              P_CREDIT_NOTE, P_GROUP, P_WHOLE_BALANCE, P_UNKNOWN, P_ADVANCE, P_DEBIT]  # fmt: skip
    forms, weights = zip(*REF_FORMS, strict=True)
    bank_rows: list[dict[str, object]] = []
    truth: list[tuple[object, ...]] = []
    for n in range(lines):
        kind = rng.choices(kinds, shares)[0]
        tid = f"M{seed}-{n:06d}"
        company, customer = rng.choice(payers)
        currency = COMPANIES[company]
        unit = Decimal(1).scaleb(-minor_units(currency))
        open_ = pool[(company, customer)]
        day = START + timedelta(days=rng.randrange(30))
        want = {"multi": rng.randint(2, 6), "whole": len(open_)}.get(kind, 1)
        if kind == "whole" and not 5 <= len(open_) <= 12:
            kind, want = "multi", min(len(open_), rng.randint(2, 6))
        if kind == "credit_note" and not credits.get((company, customer)):
            kind = "single"
        if kind in ("unknown", "advance", "debit") or len(open_) < want or not open_:
            kind = kind if kind in ("unknown", "advance", "debit") else "advance"
            want = 0
        paid = rng.sample(open_, want) if want else []
        for item in paid:
            open_.remove(item)
        netted: list[dict[str, object]] = []
        if kind == "credit_note":
            memo = credits[(company, customer)].pop(0)
            if Decimal(str(memo["amount"])) + Decimal(str(paid[0]["amount"])) > 0:
                netted = [memo]
        amount, refs, phrase = Decimal(0), [], None
        text_form = rng.choices(forms, weights)[0]
        for item in [*paid, *netted]:
            open_amount = Decimal(str(item["amount"]))
            applied, discount = open_amount, Decimal(0)
            if kind == "discount" and item["discount_amount"] is not None:
                discount = Decimal(str(item["discount_amount"]))
                applied = open_amount - discount
                due = item["discount_date"]
                assert isinstance(due, date)
                day = due - timedelta(days=rng.randrange(8))
                if rng.random() < DISCOUNT_ROUNDED:
                    applied -= unit
            elif kind == "deduction":
                low, mode, high = DEDUCTION_PCT
                pct = Decimal(str(round(rng.triangular(low, high, mode), 2)))
                applied = open_amount - max((open_amount * pct / 100).quantize(unit), unit)
                phrase = rng.choice(PHRASES)
            elif kind == "small":
                applied = open_amount + unit * rng.choice((-5, -3, -2, -1, 1, 2, 3, 4))
            elif kind == "partial":
                applied = (open_amount / 2).quantize(unit)
            amount += applied
            # who nets a credit note says so: invoice and credit note are both named
            form = "printed" if kind == "credit_note" and text_form == "missing" else text_form
            if written := _written(rng, item, form):
                refs.append(written)
            matchable = kind != "partial" and (kind != "deduction" or text_form != "missing")
            if kind == "small" and applied > open_amount:  # the overpaid cents go on account
                applied = open_amount
            truth.append((tid, kind, customer, company, item["document_id"], item["fiscal_year"],
                          item["line"], applied, discount, matchable))  # fmt: skip
        payer = customer
        if kind == "group" and ibans.get(customer) and len(group_of[str(ibans[customer])]) > 1:
            payer = rng.choice([c for c in group_of[str(ibans[customer])] if c != customer])
        payer_name = _noisy_name(rng, str(names[payer]))
        account = ibans.get(payer) if rng.random() < 0.9 else None
        direction = "credit"
        if kind in ("unknown", "advance", "debit"):
            amount = _money(rng, currency)
            if kind == "unknown":
                payer_name, account = f"{rng.choice(NAMES)}hof Trading", None
            if kind == "debit":
                direction, payer_name, account = "debit", "Bank charges", None
            truth.append((tid, kind, customer if kind == "advance" else None,
                          company if kind == "advance" else None, None, None, None, amount,
                          Decimal(0), False))  # fmt: skip
        structured = refs and rng.random() < STRUCTURED
        joined = rng.choice(LIST_JOINERS).join(refs)
        words = ["Zahlung" if company == "DE10" else "Payment", *([joined] if refs else [])]
        bank_rows.append(
            {
                "transaction_id": tid,
                "account": ACCOUNT,
                "booking_date": day,
                "value_date": day,
                "amount": amount,
                "currency": currency,
                "direction": direction,
                "bank_reference": f"B{seed}{n:07d}",
                "payer_name": payer_name,
                "payer_account": account,
                "remittance_text": " ".join(
                    [words[0], *([] if structured else words[1:]), *([phrase] if phrase else [])]
                ),
                "invoice_refs": refs if structured else None,
            }
        )
    bank = pl.DataFrame(bank_rows, schema=schema_of("bank_transactions"))
    truth_frame = pl.DataFrame(
        truth,
        schema={
            "transaction_id": pl.String, "kind": pl.String, "customer_id": pl.String,
            "company": pl.String, "document_id": pl.String, "fiscal_year": pl.Int64,
            "line": pl.Int64, "applied_amount": pl.Decimal(38, 4),
            "discount_amount": pl.Decimal(38, 4), "matchable": pl.Boolean,
        },
        orient="row",
    )  # fmt: skip
    return people, ledger_items, bank, truth_frame
