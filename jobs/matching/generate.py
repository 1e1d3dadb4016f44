"""A realistic generator: a ledger (customers, open items) and bank lines paying it, with truth.

Deterministic given the seed. The noise rates are frozen constants: the benchmark's figure is
measured against them, so it cannot drift with the matcher. `bank_lines` returns the bank frame
(`BankTransactions`) and a truth frame: one row per (transaction, item it pays), the item key
null for a payment that pays no invoice; `matchable` says whether the rules can find it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl

from contracts.io import schema_of
from contracts.money import minor_units

# ---- frozen scenario mix (shares of bank lines) and noise rates. The mix was set when the
# matcher was first built; the deduction and short-payment sizes below are drawn independently
# of the matcher's tolerances (issue 17), from public descriptions of deductions.
P_SINGLE = 0.52  # one invoice paid in full
P_COMBINED = 0.12  # 2 to 4 invoices of one payer in one payment
P_DISCOUNT = 0.10  # one invoice less its cash discount, within terms
P_SHORT = 0.05  # one invoice less a bank charge or a small difference (SHORT_FEES)
P_DEDUCTION = 0.05  # one invoice less a deduction of DEDUCTION_PCT, with a reason phrase
P_PARTIAL = 0.03  # one invoice paid about half: not matchable by the rules
P_UNKNOWN = 0.05  # a payer nobody knows, no usable reference
P_ADVANCE = 0.04  # a known payer paying no open amount (on account)
P_DEBIT = 0.04  # money out (fees, refunds): not a payment
REF_MISSING = 0.15  # no reference at all
REF_TYPO = 0.05  # one digit of the reference changed
REF_ZEROS_DROPPED = 0.20  # `INV-2026-4711` for `INV-2026-004711`
REF_DOCUMENT_ID = 0.15  # the ERP document number quoted instead of the invoice number
REF_STRUCTURED = 0.35  # reference in the structured field (else only in the text)
NAME_TYPO = 0.08  # one letter of the payer name changed
NAME_VARIANT = 0.30  # upper case, legal form dropped
NAME_MISSING = 0.03  # no payer name
IBAN_SHARE = 0.5  # customers with an IBAN on file
IBAN_SENT = 0.9  # lines of such a customer that carry the IBAN
#: Deduction size, % of the invoice: triangular over 2..15 with most of them small (low, mode,
#: high). The range is the issue's; small ones dominate: "76% businesses auto-write off up to
#: $100" (https://highradius.com/finsider/deduction-metrics-enterprises), and deductions run at
#: about 3 % of sales overall (https://www.rex.inc/resources/disputes-deductions/deductions-management-process,
#: "deductions running at 3% of sales"; https://timebusinessnews.com/deduction-management:
#: "often around 3–6%" of receivables).
DEDUCTION_PCT = (2.0, 4.0, 15.0)
#: What a short payment keeps back, in whole units of the currency (x100 for JPY): the charges
#: intermediary banks take from a SHA/BEN transfer, or a payer's rounding. Not the tolerance.
SHORT_FEES = (Decimal("0.01"), Decimal("0.05"), Decimal("1"), Decimal("5"), Decimal("10"),
              Decimal("15"), Decimal("20"), Decimal("25"), Decimal("35"))  # fmt: skip
#: Reasons payers give, in their words (English, German, French), not the matcher's table.
DEDUCTION_PHRASES = (
    "short shipped", "damaged on arrival", "price diff per contract", "promo allowance Q3",
    "freight deducted", "missing 2 cartons", "Fehlmenge lt. Lieferschein", "Ware beschädigt",
    "Preisdifferenz", "WKZ Aktion", "Frachtkosten abgezogen", "marchandise endommagée",
    "écart de prix", "remise promotionnelle", "frais de port déduits", "colis manquant",
    "see claim 8812", "abzgl. Reklamation",
)  # fmt: skip

SURNAMES = [
    "Brandt",
    "Keller",
    "Weber",
    "Hoffmann",
    "Schulz",
    "Wagner",
    "Becker",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Dupont",
    "Moreau",
    "Laurent",
    "Lefèvre",
    "Bernard",
    "Garnier",
    "Rossi",
    "Bianchi",
    "Ricci",
    "Romano",
    "Colombo",
    "Jansen",
    "Visser",
    "Smit",
    "Bakker",
    "Mulder",
    "Meijer",
    "Janssen",
    "Peeters",
    "Maes",
    "Nielsen",
    "Hansen",
    "Larsen",
    "Andersen",
    "Johansson",
    "Lindqvist",
    "Novak",
    "Horvat",
    "Kowalski",
    "Nowak",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Walker",
    "Wright",
]
TRADES = [
    "Maschinenbau",
    "Logistik",
    "Handel",
    "Elektrotechnik",
    "Bau",
    "Chemie",
    "Kunststoff",
    "Metallbau",
    "Textil",
    "Software",
    "Pharma",
    "Agrar",
    "Möbel",
    "Papier",
    "Druck",
    "Optik",
    "Medizintechnik",
    "Energie",
    "Transport",
    "Glas",
    "Distribution",
    "Industries",
    "Trading",
    "Systems",
    "Components",
    "Foods",
    "Packaging",
    "Robotics",
    "Steel",
    "Tools",
]
LEGAL = ("GmbH", "AG", "GmbH & Co. KG", "SA", "SARL", "BV", "NV", "Ltd", "Inc.", "S.p.A.", "AB")
UNKNOWN_WORDS = [
    "Zephyr",
    "Quokka",
    "Xylo",
    "Vortex",
    "Nimbus",
    "Orca",
    "Pylon",
    "Quasar",
    "Yonder",
    "Jinx",
]
CURRENCY_MIX = (("EUR", 0.8), ("USD", 0.15), ("JPY", 0.05))
START = date(2026, 8, 1)
ACCOUNT = "DE02120300000000202051"


def _iban(rng: random.Random) -> str:
    bban = f"{rng.randint(10_000_000, 99_999_999)}{rng.randint(0, 9_999_999_999):010d}"
    check = 98 - int(bban + "131400") % 97  # DE = 13 14, check digits 00
    return f"DE{check:02d}{bban}"


def ledger(
    seed: int, customers: int, items: int, companies: tuple[str, ...] = ("1000", "2000")
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(Customers, OpenItems): unique names, some IBANs, invoices with discount terms."""
    rng = random.Random(seed)
    combos = len(SURNAMES) ** 2 * len(TRADES)
    picks = rng.sample(range(combos), customers)
    rows = []
    currency_of = []
    for n, pick in enumerate(picks):
        a, rest = divmod(pick, len(SURNAMES) * len(TRADES))
        b, t = divmod(rest, len(TRADES))
        name = f"{SURNAMES[a]} & {SURNAMES[b]} {TRADES[t]} {rng.choice(LEGAL)}"
        currency = rng.choices([c for c, _ in CURRENCY_MIX], [w for _, w in CURRENCY_MIX])[0]
        currency_of.append(currency)
        iban = _iban(rng) if rng.random() < IBAN_SHARE else None
        rows.append((str(100_000 + n), "gen", name, "DE", currency, iban))
    cust = pl.DataFrame(
        rows,
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
    item_rows = []
    for n in range(items):
        owner = rng.randrange(customers)
        currency = currency_of[owner]
        digits = minor_units(currency)
        scale = 10**digits
        low = 50 * (100 if currency == "JPY" else 1)
        whole = min(int(rng.lognormvariate(7.0, 1.2)) * (100 if currency == "JPY" else 1), 10**7)
        units = max(low, whole) * scale + (rng.randrange(scale) if digits else 0)
        amount = Decimal(units).scaleb(-digits)
        doc_date = START + timedelta(days=rng.randrange(110))
        discount_date, discount = None, None
        if rng.random() < 0.35:
            discount_date = doc_date + timedelta(days=14)
            discount = (amount * Decimal("0.02")).quantize(Decimal(1).scaleb(-digits))
        company = companies[owner % len(companies)]
        year = doc_date.year
        item_rows.append(
            ("gen", company, str(100_000 + owner), str(1_800_000_000 + n), year, 1, "invoice",
             f"INV-{year}-{n + 1:06d}", doc_date, doc_date, doc_date + timedelta(days=30),
             currency, amount, Decimal(0), discount_date, discount)
        )  # fmt: skip
    open_items = pl.DataFrame(item_rows, schema=schema_of("open_items"), orient="row")
    return cust, open_items


def _noisy_ref(rng: random.Random, item: dict[str, object]) -> str | None:
    if rng.random() < REF_MISSING:
        return None
    if rng.random() < REF_DOCUMENT_ID:
        return str(item["document_id"])
    ref = str(item["reference"] or item["document_id"])  # INV-2026-004711
    if ref.count("-") != 2:
        return _noisy_plain_ref(rng, ref)
    head, year, number = ref.split("-")
    if rng.random() < REF_ZEROS_DROPPED:
        number = number.lstrip("0") or "0"
    if rng.random() < REF_TYPO:
        pos = rng.randrange(len(number))
        number = number[:pos] + str((int(number[pos]) + rng.randint(1, 9)) % 10) + number[pos + 1 :]
    style = rng.randrange(5)
    return [f"{head}-{year}-{number}", f"{head}{year}{number}", f"RE {year}/{number}",
            f"Rechnung {year}-{number}", f"Invoice no. {year}{number}"][style]  # fmt: skip


def _noisy_plain_ref(rng: random.Random, ref: str) -> str:
    """Noise on a reference without the generator's own shape (an ERP's, like `9000000259`)."""
    number = ref.replace(" ", "")
    if rng.random() < REF_ZEROS_DROPPED and number.isdigit():
        number = number.lstrip("0") or "0"
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    if rng.random() < REF_TYPO and digits:
        pos = rng.choice(digits)
        number = number[:pos] + str((int(number[pos]) + rng.randint(1, 9)) % 10) + number[pos + 1 :]
    style = rng.randrange(5)
    return [number, f"INV{number}", f"RE {number}", f"Rechnung {number}",
            f"Invoice no. {number}"][style]  # fmt: skip


def _noisy_name(rng: random.Random, name: str) -> str | None:
    if rng.random() < NAME_MISSING:
        return None
    if rng.random() < NAME_VARIANT:
        name = name.upper().rsplit(" ", 1)[0]
    if rng.random() < NAME_TYPO:
        pos = rng.randrange(len(name))
        name = name[:pos] + rng.choice("abcdefghijklmnopqrstuvwxyz") + name[pos + 1 :]
    return name


def bank_lines(
    customers: pl.DataFrame,
    open_items: pl.DataFrame,
    count: int,
    seed: int,
    on: date | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`count` bank lines paying `open_items` (each item at most once), and their truth.

    `on` books every line on that day (a statement of today, for the demo), and discounted
    payments then take only items whose discount date is `on` or later. Without it, lines fall
    over the generated ledger's months (the benchmark's frozen scenario).
    """
    rng = random.Random(seed)
    names = dict(customers.select("customer_id", "name").iter_rows())
    ibans = dict(customers.select("customer_id", "iban").iter_rows())
    invoices = open_items.filter(pl.col("amount") > 0).sort(
        "customer_id", "due_date", "document_id"
    )
    by_payer: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in invoices.iter_rows(named=True):
        by_payer.setdefault((row["company"], row["customer_id"], row["currency"]), []).append(row)
    groups = sorted(by_payer)
    shares = [P_SINGLE, P_COMBINED, P_DISCOUNT, P_SHORT, P_DEDUCTION, P_PARTIAL, P_UNKNOWN,
              P_ADVANCE, P_DEBIT]  # fmt: skip
    kinds = ["single", "combined", "discount", "short", "deduction", "partial", "unknown",
             "advance", "debit"]  # fmt: skip
    bank_rows: list[dict[str, object]] = []
    truth: list[tuple[object, ...]] = []
    for n in range(count):
        kind = rng.choices(kinds, shares)[0]
        tid = f"G{seed}-{n:07d}"
        company, customer, currency = rng.choice(groups)
        pool = by_payer[(company, customer, currency)]
        day = START + timedelta(days=rng.randrange(120))
        if on is not None:
            day = on
        amount, paid, refs = Decimal(0), [], []
        phrase = None
        if kind in ("single", "combined", "discount", "short", "deduction", "partial"):
            want = rng.randint(2, 4) if kind == "combined" else 1
            if kind == "discount":
                pool_ok = [
                    i
                    for i in pool
                    if isinstance(d := i["discount_date"], date) and (on is None or d >= on)
                ]
            else:
                pool_ok = pool
            if len(pool_ok) < want:
                kind, want, pool_ok = "advance", 0, []
            paid = pool_ok[:want]
            for item in paid:
                pool.remove(item)
        for item in paid:
            item_amount = Decimal(str(item["amount"]))
            discount = Decimal(0)
            applied = item_amount
            if kind == "discount":
                discount = Decimal(str(item["discount_amount"]))
                applied = item_amount - discount
                due = item["discount_date"]
                assert isinstance(due, date)
                day = due - timedelta(days=rng.randrange(10))
                if on is not None:
                    day = on
            elif kind == "short":
                digits = minor_units(currency)
                fee = rng.choice(SHORT_FEES) * (100 if currency == "JPY" else 1)
                fee = max(fee.quantize(Decimal(1).scaleb(-digits)), Decimal(1).scaleb(-digits))
                if fee >= item_amount / 2:
                    fee = Decimal(1).scaleb(-digits)
                applied = item_amount - fee
            elif kind == "deduction":
                digits = minor_units(currency)
                pct = Decimal(str(round(rng.triangular(DEDUCTION_PCT[0], DEDUCTION_PCT[2],
                                                       DEDUCTION_PCT[1]), 2)))  # fmt: skip
                cut = (item_amount * pct / 100).quantize(Decimal(1).scaleb(-digits))
                applied = item_amount - max(cut, Decimal(1).scaleb(-digits))
                phrase = rng.choice(DEDUCTION_PHRASES)
            elif kind == "partial":
                applied = (item_amount / 2).quantize(Decimal(1).scaleb(-minor_units(currency)))
            amount += applied
            ref = _noisy_ref(rng, item)
            if ref:
                refs.append(ref)
            # A deduction without a reference is an exception by policy (docs/matching.md).
            matchable = kind != "partial" and (kind != "deduction" or ref is not None)
            truth.append((tid, kind, customer, company, item["document_id"], item["fiscal_year"],
                          item["line"], applied, discount, matchable))  # fmt: skip
        payer_name = _noisy_name(rng, str(names[customer]))
        account = ibans[customer] if ibans[customer] and rng.random() < IBAN_SENT else None
        direction = "credit"
        if kind in ("advance", "unknown", "debit"):
            digits = minor_units(currency)
            amount = Decimal(rng.randint(100, 500_000) * 10**digits).scaleb(-digits) / 10
            amount = amount.quantize(Decimal(1).scaleb(-digits))
            if kind == "unknown":
                words = rng.sample(UNKNOWN_WORDS, 2)
                payer_name, account, customer, company = f"{words[0]} {words[1]} Ltd", None, "", ""
            if kind == "debit":
                direction, payer_name, account = "debit", "Bank fees", None
            truth.append((tid, kind, customer or None, company or None, None, None, None,
                          amount, Decimal(0), False))  # fmt: skip
        text_refs = [] if rng.random() < REF_STRUCTURED else refs
        bank_rows.append(
            {
                "transaction_id": tid,
                "account": ACCOUNT,
                "booking_date": day,
                "value_date": day,
                "amount": amount,
                "currency": currency,
                "direction": direction,
                "bank_reference": f"BR{seed}{n:08d}",
                "payer_name": payer_name,
                "payer_account": account,
                "remittance_text": " ".join(["Payment", *text_refs, *([phrase] if phrase else [])]),
                "invoice_refs": None if text_refs or not refs else refs,
            }
        )
    bank = pl.DataFrame(bank_rows, schema=schema_of("bank_transactions"))
    truth_frame = pl.DataFrame(
        truth,
        schema={
            "transaction_id": pl.String,
            "kind": pl.String,
            "customer_id": pl.String,
            "company": pl.String,
            "document_id": pl.String,
            "fiscal_year": pl.Int64,
            "line": pl.Int64,
            "applied_amount": pl.Decimal(38, 4),
            "discount_amount": pl.Decimal(38, 4),
            "matchable": pl.Boolean,
        },
        orient="row",
    )
    return bank, truth_frame


def write_camt053(bank: pl.DataFrame, path: Path | str) -> Path:
    """The bank lines as a camt.053 statement (jobs.bank.generate), for parse-then-match runs."""
    from jobs.bank.generate import Payment, camt053

    payments = [
        Payment(
            amount=row["amount"].normalize() if row["amount"] else Decimal(0),
            currency=row["currency"],
            direction=row["direction"],
            booking_date=row["booking_date"],
            payer_name=row["payer_name"],
            payer_account=row["payer_account"],
            text=row["remittance_text"],
            refs=tuple(row["invoice_refs"] or ()),
            reference=row["transaction_id"],
        )
        for row in bank.iter_rows(named=True)
    ]
    path = Path(path)
    path.write_text(camt053(payments), encoding="utf-8")
    return path


def score(
    result_applications: pl.DataFrame,
    bank: pl.DataFrame,
    truth: pl.DataFrame,
    truth_id: str = "transaction_id",
) -> dict[str, float]:
    """Invoice-level figures as cash-application teams count them.

    `bank` holds the lines that were matched; `truth_id` names its column holding the
    generator's transaction id (after a round trip through a bank file, the parsed lines carry
    it as `bank_reference` and their own `transaction_id`).

    A matchable payment counts as auto-matched only when the invoices applied to it are exactly
    the invoices it pays, each with the right applied and discount amounts. Precision counts
    the applied invoice rows that are not an invoice the payment pays.
    """
    from jobs.matching.engine import application_id

    keys = bank.select(
        pl.struct("account", "booking_date", "transaction_id")
        .map_elements(
            lambda r: application_id(r["account"], r["booking_date"], r["transaction_id"]),
            return_dtype=pl.String,
        )
        .alias("application_id"),
        pl.col(truth_id).alias("transaction_id"),
    )
    item = ["transaction_id", "document_id", "fiscal_year", "line"]
    got = (
        result_applications.filter(pl.col("document_id").is_not_null())
        .join(keys, on="application_id")
        .select(*item, "applied_amount", "discount_amount")
    )
    paid = truth.filter(pl.col("document_id").is_not_null())
    matchable = paid.filter(pl.col("matchable"))
    expected = matchable.group_by("transaction_id").agg(
        pl.concat_str(*item[1:], "applied_amount", "discount_amount", separator="|")
        .sort()
        .alias("rows")
    )
    found = got.group_by("transaction_id").agg(
        pl.concat_str(*item[1:], "applied_amount", "discount_amount", separator="|")
        .sort()
        .alias("rows")
    )
    both = expected.join(found, on="transaction_id", how="left")
    hits = both.filter(pl.col("rows") == pl.col("rows_right")).height
    wrong = got.join(paid.select(item), on=item, how="anti").height
    return {
        "matchable_payments": float(expected.height),
        "auto_matched": float(hits),
        "match_rate": hits / expected.height if expected.height else 0.0,
        "applied_invoices": float(got.height),
        "wrong_invoices": float(wrong),
        "wrong_rate": wrong / got.height if got.height else 0.0,
    }
