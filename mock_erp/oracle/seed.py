"""Deterministic seed data for the Oracle EBS persona: setup, TCA customers, AR documents.

Why deterministic: tests, demos and benchmarks see the same rows for the same ``seed`` and
``today`` (``random.Random`` only). Why fast: the bulk-pull benchmark reads 1,000,000 payment
schedules, so rows are pre-built tuples inserted with ``executemany`` in batches.

What the data holds (docs/specs/oracle.md §2, §4):
- operating units 204 "Vision Operations" (US, USD), 301 DE/EUR, 401 JP/JPY, 501 KW/KWD, then
  the templates again (ids +1 per round: 205, 302, ...); one ledger per OU, AR periods in
  ``GL_PERIOD_STATUSES`` (222): the current and two previous months ``O``, next month ``F``,
  older ``C``, later ``N``;
- Vision's apps context: user 0 ``SYSADMIN`` and 1318 ``OTC``, responsibility 20678
  ``RECEIVABLES_MANAGER`` (app 222), MO security profile listing every OU; approval limits
  (ADJ, WRTOFF) per user and currency; system write-off min/max per OU;
- customers: party -> account -> site (per OU) -> BILL_TO (primary) and SHIP_TO site uses ->
  party site -> location; tax ids valid per python-stdnum. **Shared customers**: the SAP seed's
  customer generator (mock_erp.sap.seed) is replayed with the same seed and about a third of its
  customers (same name, country, tax id) are created here too, so customer sync has matches;
- payment schedules: invoices (every aging bucket, some partially paid through a receipt and an
  APP/UNAPP pair), credit memos (negative), debit memos, chargebacks, unapplied receipts
  (negative PMT rows), about 3% of invoices in dispute (``AMOUNT_IN_DISPUTE``), plus a closed
  history (invoice paid in full, status ``CL``); open rows carry ``GL_DATE_CLOSED`` 4712-12-31;
- the negative application targets −1..−8 (docs/specs/oracle.md §2).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mock_erp.oracle import tables
from mock_erp.oracle.tables import AR_APPLICATION_ID, FAR_FUTURE

BATCH = 50_000
VISION_USER, OTC_USER, RESP_ID, SECURITY_PROFILE = 0, 1318, 20678, 42  # spec §4 Vision demo ids
SITE_PROFILES = {
    "AR_DEFAULT_EXCHANGE_RATE_TYPE": 10,
    "HZ_GENERATE_PARTY_NUMBER": 11,
    "HZ_GENERATE_PARTY_SITE_NUMBER": 12,
}
FIRST_ID = 1000
CURRENCIES = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "GBP": 2}  # FND_CURRENCIES.PRECISION
_OU_TEMPLATES = (  # (org id, name, country, currency)
    (204, "Vision Operations", "US", "USD"),
    (301, "OTC Mock GmbH", "DE", "EUR"),
    (401, "OTC Mock K.K.", "JP", "JPY"),
    (501, "OTC Mock W.L.L.", "KW", "KWD"),
)
# Amount ranges in minor units, as the SAP seed uses them (so both ERPs look alike).
_AMOUNTS = {
    "USD": (5_000, 2_500_000),
    "EUR": (5_000, 2_500_000),
    "JPY": (5_000, 3_000_000),
    "KWD": (15_000, 6_000_000),
    "GBP": (5_000, 2_500_000),
}
BUCKETS = ((-60, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, 540))  # days past due
BUCKET_WEIGHTS = (0.35, 0.55, 0.67, 0.77, 0.89, 1.0)
SHARED_SHARE = 0.35  # share of the SAP seed's customers that exist in EBS too [project]
NEGATIVE_TARGETS = (  # docs/specs/oracle.md §2: seeded application targets
    (-1, "On Account"),
    (-2, "Short Term Debt"),
    (-3, "Receipt Write-off"),
    (-4, "Claim Investigation"),
    (-5, "Chargeback"),
    (-6, "Credit Card Refund"),
    (-7, "Prepayment"),
    (-8, "Refund"),
)


def operating_unit_list(n: int) -> list[tuple[int, str, str, str]]:
    out = []
    for i in range(max(1, n)):
        org, name, country, cur = _OU_TEMPLATES[i % len(_OU_TEMPLATES)]
        rnd = i // len(_OU_TEMPLATES)
        out.append((org + rnd, name + (f" {rnd + 1}" if rnd else ""), country, cur))
    return out


def shared_customers(
    seed: int, customers: int, companies: int = 4, today: date | None = None
) -> list[dict[str, str]]:
    """The SAP seed's customers for the same arguments: name, country, tax id, address.

    Replays ``mock_erp.sap.seed._customers`` on a scratch in-memory store with the same
    ``random.Random(seed)`` the SAP seed uses, so the names and tax ids are exactly SAP's.
    Falls back to an empty list if that generator changes shape (customer sync then has no
    matches; a test says so).
    """
    try:
        from mock_erp.sap import seed as sap_seed
        from mock_erp.sap import tables as sap_tables
        from mock_erp.store import Store

        scratch = Store(":memory:")
        scratch.register_schema("sap", sap_tables.DDL)
        comps = sap_seed.company_codes(max(1, companies))
        with scratch.transaction() as conn:
            sap_seed._customers(
                conn, random.Random(seed), comps, max(1, customers), today or date.today()
            )
        rows = scratch.query(
            "SELECT KUNNR, NAME1, LAND1, STCD1, STCEG, ORT01, PSTLZ, STRAS, REGIO FROM KNA1 "
            "WHERE KTOKD = '0001' AND SORTL <> 'REFERENCE' ORDER BY KUNNR"
        )
        scratch.close()
    except Exception:  # pragma: no cover - the other persona's generator changed
        return []
    keys = ("kunnr", "name", "country", "stcd1", "stceg", "city", "postal_code", "street", "state")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _money(minor: int, precision: int) -> str:
    """Canonical NUMBER text of ``minor`` units (no trailing zeros), without Decimal: hot loop."""
    if precision == 0 or minor == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**precision)
    tail = f"{frac:0{precision}d}".rstrip("0")
    return f"{sign}{whole}.{tail}" if tail else f"{sign}{whole}"


def _clear(conn: Any) -> None:
    for name in tables.TABLES:
        conn.execute(f'DELETE FROM "{name}"')
    conn.execute(f'DELETE FROM "{tables.UNDO_TABLE}"')


def seed_oracle(
    store: Any,
    *,
    seed: int = 42,
    operating_units: int = 3,
    customers: int = 200,
    open_items: int = 2000,
    today: date | None = None,
    sap_companies: int = 4,
) -> dict[str, int]:
    """Replace the Oracle tables' content with generated data; returns row counts per table.

    ``sap_companies`` must match the SAP seed's ``companies`` for the shared customers to be
    the same ones (the app seeds both with the same sizes).
    """
    today = today or date.today()
    ctx = tables.install(store)
    saved = ctx.txn_session
    ctx.txn_session = None  # seeding is not a session's work: no undo log
    rng = random.Random(seed * 7919 + 17)
    ous = operating_unit_list(operating_units)
    counts: dict[str, int] = {}
    with store.lock:
        _drop_for_bulk(store)
    try:
        with store.transaction() as conn:
            _clear(conn)
            counts.update(_setup(conn, ous, today))
            shared = shared_customers(seed, customers, sap_companies, today)
            accts, c_counts, last_ids = _customers(conn, rng, ous, customers, shared)
            counts.update(c_counts)
            d_counts, d_last = _documents(conn, rng, ous, accts, max(0, open_items), today)
            counts.update(d_counts)
            counts.update(_terms(conn, today))
            counts.update(_rates(conn, today))
            last_ids.update(d_last)
            for seq, value in last_ids.items():
                conn.execute(
                    f'UPDATE "{tables.SEQ_TABLE}" SET LAST_NUMBER = ? WHERE SEQUENCE_NAME = ?',
                    (max(value, 10_000), seq),
                )
    finally:
        ctx.txn_session = saved
        with store.lock:
            store.conn.executescript(
                tables.ddl()
            )  # indexes and undo triggers back (idempotent DDL)
    return counts


# Payment terms (RA_TERMS_B / RA_TERMS_LINES / RA_TERMS_LINES_DISCOUNTS). One installment each;
# "2/10 NET 30" gives 2 % of the original amount when paid within 10 days of the transaction
# date, partial payments discounted pro rata (PARTIAL_DISCOUNT_FLAG Y); "1/14 NET 45" the same
# without partial discounts. Every third invoice or debit memo gets a discount term, chosen
# from the id (the random stream, and so the rest of the seed, stays as it was).
NET_30, TWO_10_NET_30, ONE_14_NET_45 = 1000, 1001, 1002
TERMS: tuple[tuple[int, str, str, list[tuple[str, int]], int], ...] = (
    (NET_30, "30 NET", "Y", [], 30),
    (TWO_10_NET_30, "2/10 NET 30", "Y", [("2", 10)], 30),
    (ONE_14_NET_45, "1/14 NET 45", "N", [("1", 14)], 45),
)


def _terms(conn: Any, today: date) -> dict[str, int]:
    start = _d(date(2000, 1, 1))
    discounts = 0
    for term_id, name, partial, tiers, days in TERMS:
        conn.execute(
            "INSERT INTO RA_TERMS_B (TERM_ID, NAME, DESCRIPTION, PARTIAL_DISCOUNT_FLAG, "
            "CALC_DISCOUNT_ON_LINES_FLAG, BASE_AMOUNT, START_DATE_ACTIVE) "
            "VALUES (?, ?, ?, ?, 'I', '100', ?)",
            (term_id, name, name, partial, start),
        )
        conn.execute(
            "INSERT INTO RA_TERMS_LINES (TERM_ID, SEQUENCE_NUM, RELATIVE_AMOUNT, DUE_DAYS) "
            "VALUES (?, 1, '100', ?)",
            (term_id, days),
        )
        for percent, tier_days in tiers:
            discounts += 1
            conn.execute(
                "INSERT INTO RA_TERMS_LINES_DISCOUNTS (DISCOUNT_LINE_ID, TERM_ID, SEQUENCE_NUM, "
                "DISCOUNT_PERCENT, DISCOUNT_DAYS) VALUES (?, ?, 1, ?, ?)",
                (term_id * 10 + discounts, term_id, percent, tier_days),
            )
    conn.execute(
        "UPDATE RA_CUSTOMER_TRX_ALL SET TERM_ID = CASE CUSTOMER_TRX_ID % 6 "
        f"WHEN 0 THEN {TWO_10_NET_30} WHEN 3 THEN {ONE_14_NET_45} ELSE {NET_30} END "
        "WHERE CUST_TRX_TYPE_ID % 10 IN (1, 3)"
    )
    rows = conn.execute(
        "SELECT ps.PAYMENT_SCHEDULE_ID, t.TERM_ID, ps.AMOUNT_DUE_ORIGINAL, "
        "ps.AMOUNT_DUE_REMAINING, ps.INVOICE_CURRENCY_CODE FROM AR_PAYMENT_SCHEDULES_ALL ps "
        "JOIN RA_CUSTOMER_TRX_ALL t ON t.CUSTOMER_TRX_ID = ps.CUSTOMER_TRX_ID "
        "WHERE t.TERM_ID IS NOT NULL"
    ).fetchall()
    rate = {t[0]: (Decimal(t[3][0][0]) if t[3] else Decimal(0)) for t in TERMS}
    updates = []
    for ps_id, term_id, ado, adr, currency in rows:
        full = (Decimal(ado) * rate[term_id] / 100).quantize(
            Decimal(1).scaleb(-CURRENCIES[currency]), ROUND_HALF_UP
        )
        left = full if Decimal(adr) != 0 else Decimal(0)  # paid in full: no discount left
        updates.append((term_id, _canon(full), _canon(left), ps_id))
    conn.executemany(
        "UPDATE AR_PAYMENT_SCHEDULES_ALL SET TERM_ID = ?, DISCOUNT_ORIGINAL = ?, "
        "DISCOUNT_REMAINING = ? WHERE PAYMENT_SCHEDULE_ID = ?",
        updates,
    )
    return {"RA_TERMS_B": len(TERMS), "RA_TERMS_LINES_DISCOUNTS": discounts}


# GL_DAILY_RATES: 'Corporate' rates between every pair of the seeded currencies for the last
# 30 days and the next 5 (units of each currency per USD; a cross rate is their quotient, to 8
# decimals). 'Spot' has none: a receipt with that type is AR_NO_RATE_DATA_FOUND.
PER_USD = {"USD": "1", "EUR": "0.92", "JPY": "150", "KWD": "0.307", "GBP": "0.79"}
CONVERSION_TYPES = (("Corporate", "Corporate"), ("Spot", "Spot"), ("User", "User"))


def _rates(conn: Any, today: date) -> dict[str, int]:
    conn.executemany(
        "INSERT INTO GL_DAILY_CONVERSION_TYPES (CONVERSION_TYPE, USER_CONVERSION_TYPE, "
        "DESCRIPTION) VALUES (?, ?, ?)",
        [(c, u, u) for c, u in CONVERSION_TYPES],
    )
    rows = []
    for back in range(-5, 31):
        day = _d(today - timedelta(days=back))
        for src, src_per_usd in PER_USD.items():
            for dst, dst_per_usd in PER_USD.items():
                if src != dst:
                    rate = (Decimal(dst_per_usd) / Decimal(src_per_usd)).quantize(
                        Decimal("0.00000001"), ROUND_HALF_UP
                    )
                    rows.append((src, dst, day, "Corporate", _canon(rate)))
    conn.executemany(
        "INSERT INTO GL_DAILY_RATES (FROM_CURRENCY, TO_CURRENCY, CONVERSION_DATE, "
        "CONVERSION_TYPE, CONVERSION_RATE, STATUS_CODE) VALUES (?, ?, ?, ?, ?, 'C')",
        rows,
    )
    return {"GL_DAILY_RATES": len(rows)}


def _canon(value: Decimal) -> str:
    """Canonical NUMBER text (mock_erp/oracle/tables.py storage rule)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _drop_for_bulk(store: Any) -> None:
    """Drop undo triggers and secondary indexes: a bulk load then an index build is ~2x faster."""
    names = ",".join(f"'{t}'" for t in tables.TABLES)
    rows = store.conn.execute(
        "SELECT type, name FROM sqlite_master WHERE (type = 'trigger' AND name LIKE "
        "'%\\_UNDO\\_%' ESCAPE '\\') "
        f"OR (type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names}))"
    ).fetchall()
    for kind, name in rows:
        store.conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')


def _d(day: date | datetime) -> str:
    return (
        day.strftime("%Y-%m-%d 00:00:00")
        if not isinstance(day, datetime)
        else day.strftime(tables.DATE_FORMAT)
    )


def _setup(conn: Any, ous: list[tuple[int, str, str, str]], today: date) -> dict[str, int]:
    start = _d(date(2000, 1, 1))
    conn.executemany(
        "INSERT INTO FND_CURRENCIES (CURRENCY_CODE, DESCRIPTION, PRECISION, EXTENDED_PRECISION, "
        "ENABLED_FLAG, CURRENCY_FLAG) VALUES (?, ?, ?, ?, 'Y', 'Y')",
        [(c, c, p, p + 3) for c, p in CURRENCIES.items()],
    )
    conn.executemany(
        "INSERT INTO FND_USER (USER_ID, USER_NAME, DESCRIPTION, START_DATE) VALUES (?, ?, ?, ?)",
        [
            (VISION_USER, "SYSADMIN", "System Administrator", start),
            (OTC_USER, "OTC", "otc-adapters integration user", start),
        ],
    )
    conn.execute(
        "INSERT INTO FND_RESPONSIBILITY (RESPONSIBILITY_ID, APPLICATION_ID, RESPONSIBILITY_KEY, "
        "RESPONSIBILITY_NAME, START_DATE) VALUES (?, ?, 'RECEIVABLES_MANAGER', 'Receivables "
        "Manager', ?)",
        (RESP_ID, AR_APPLICATION_ID, start),
    )
    conn.executemany(
        "INSERT INTO FND_USER_RESP_GROUPS VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL)",
        [(u, RESP_ID, AR_APPLICATION_ID, start) for u in (VISION_USER, OTC_USER)],
    )
    conn.executemany(
        "INSERT INTO FND_PROFILE_OPTIONS (PROFILE_OPTION_ID, APPLICATION_ID, PROFILE_OPTION_NAME) "
        "VALUES (?, 0, ?)",
        [(1, "XLA_MO_SECURITY_PROFILE_LEVEL"), (2, "ORG_ID"), (3, "DEFAULT_ORG_ID")],
    )
    # profiles the persona's settings write at site level (mock_erp/oracle/models.py
    # OracleBackend.apply_settings): rate type default, TCA number generation
    conn.executemany(
        "INSERT INTO FND_PROFILE_OPTIONS (PROFILE_OPTION_ID, APPLICATION_ID, PROFILE_OPTION_NAME) "
        "VALUES (?, 222, ?)",
        [(pid, name) for name, pid in SITE_PROFILES.items()],
    )
    conn.execute(
        "INSERT INTO PRODUCT_COMPONENT_VERSION (PRODUCT, VERSION, VERSION_FULL, STATUS) VALUES "
        "('Oracle Database 19c Enterprise Edition', '19.0.0.0.0', '19.20.0.0.0', 'Production')"
    )
    conn.executemany(
        "INSERT INTO FND_PROFILE_OPTION_VALUES (APPLICATION_ID, PROFILE_OPTION_ID, LEVEL_ID, "
        "LEVEL_VALUE, "
        "PROFILE_OPTION_VALUE) VALUES (0, ?, 10003, ?, ?)",
        [
            (1, RESP_ID, str(SECURITY_PROFILE)),
            (2, RESP_ID, str(ous[0][0])),
            (3, RESP_ID, str(ous[0][0])),
        ],
    )
    conn.execute(
        "INSERT INTO PER_SECURITY_PROFILES (SECURITY_PROFILE_ID, SECURITY_PROFILE_NAME, "
        "BUSINESS_GROUP_ID) VALUES (?, 'OTC All Operating Units', 0)",
        (SECURITY_PROFILE,),
    )
    conn.executemany(
        "INSERT INTO PER_ORGANIZATION_LIST (SECURITY_PROFILE_ID, ORGANIZATION_ID) VALUES (?, ?)",
        [(SECURITY_PROFILE, o[0]) for o in ous],
    )
    lookups = [("ADJUSTMENT_TYPE", c, m) for c, m in (("M", "Manual"), ("A", "Automatic"))]
    lookups += [
        ("ADJUST_REASON", c, m)
        for c, m in (
            ("WRITE OFF", "Write-off"),
            ("SMALL AMT REMAINING", "Small amount remaining"),
            ("CHARGES", "Charges"),
            ("DISPUTE", "Dispute"),
        )
    ]
    # receipt reversal (AR_RECEIPT_VAL_PVT.Validate_reversal_catg_code / _reason_code):
    # categories of REVERSAL_CATEGORY_TYPE (the receipt's status after it) and reasons of
    # CKAJST_REASON; codes as EBS seeds them [derived from public reversal scripts]
    lookups += [
        ("REVERSAL_CATEGORY_TYPE", c, m)
        for c, m in (("NSF", "Non-Sufficient Funds"), ("REV", "Reverse Payment"),
                     ("STOP", "Stop Payment"))
    ]  # fmt: skip
    lookups += [
        ("CKAJST_REASON", c, m)
        for c, m in (
            ("NSF", "Insufficient Funds"),
            ("PAYMENT REVERSAL", "Payment Reversal"),
            ("WRONG AMOUNT", "Wrong Amount"),
            ("WRONG CUSTOMER", "Wrong Customer"),
            ("WRONG INVOICE", "Wrong Invoice"),
        )
    ]
    lookups += [
        ("HZ_CREATED_BY_MODULES", c, m)
        for c, m in (("TCA_V2_API", "TCA V2 API"), ("HZ_CPUI", "Customers UI"))
    ]
    conn.executemany(
        "INSERT INTO AR_LOOKUPS (LOOKUP_TYPE, LOOKUP_CODE, MEANING, ENABLED_FLAG, "
        "START_DATE_ACTIVE) "
        "VALUES (?, ?, ?, 'Y', ?)",
        [(*lk, start) for lk in lookups],
    )
    conn.executemany(  # Oracle Payments' seeded methods a refund's payment request may use
        "INSERT INTO IBY_PAYMENT_METHODS_VL (PAYMENT_METHOD_CODE, PAYMENT_METHOD_NAME) "
        "VALUES (?, ?)",
        [("CHECK", "Check"), ("EFT", "Electronic"), ("WIRE", "Wire")],
    )
    conn.execute(
        "INSERT INTO AR_RECEIPT_CLASSES VALUES (1, 'Manual', 'MANUAL', 'STANDARD', NULL, NULL, "
        "NULL, NULL, NULL)"
    )
    conn.execute(
        "INSERT INTO AR_RECEIPT_METHODS (RECEIPT_METHOD_ID, NAME, RECEIPT_CLASS_ID, START_DATE) "
        "VALUES (1001, 'Manual Check', 1, ?)",
        (start,),
    )
    # periods: from 24 months back to 6 ahead
    periods: list[tuple[Any, ...]] = []
    cur_index = today.year * 12 + today.month - 1
    rows = 0
    for i, (org, name, country, cur) in enumerate(ous):
        ledger = i + 1
        conn.execute(
            "INSERT INTO GL_LEDGERS VALUES (?, ?, ?, ?, 'Accounting', NULL, NULL, NULL, NULL, "
            "NULL)",
            (ledger, f"{name} Ledger", f"L{org}", cur),
        )
        conn.execute(
            "INSERT INTO HR_ALL_ORGANIZATION_UNITS (ORGANIZATION_ID, BUSINESS_GROUP_ID, NAME, "
            "TYPE, "
            "DATE_FROM) VALUES (?, 0, ?, 'OU', ?)",
            (org, name, start),
        )
        conn.execute(
            "INSERT INTO HR_OPERATING_UNITS (ORGANIZATION_ID, BUSINESS_GROUP_ID, NAME, "
            "SET_OF_BOOKS_ID, "
            "SHORT_CODE, DATE_FROM) VALUES (?, 0, ?, ?, ?, ?)",
            (org, name, ledger, f"{country}_OU", start),
        )
        prec = CURRENCIES[cur]
        conn.execute(
            "INSERT INTO AR_SYSTEM_PARAMETERS_ALL (ORG_ID, SET_OF_BOOKS_ID, MAX_WRTOFF_AMOUNT, "
            "MIN_WRTOFF_AMOUNT, GENERATE_CUSTOMER_NUMBER, DEFAULT_COUNTRY) VALUES (?, ?, ?, ?, "
            "'Y', ?)",
            (
                org,
                ledger,
                _money(100_000 * 10**prec // 100, 2),
                _money(-100_000 * 10**prec // 100, 2),
                country,
            ),
        )
        conn.execute(
            "INSERT INTO CE_BANK_ACCT_USES_ALL (BANK_ACCT_USE_ID, BANK_ACCOUNT_ID, ORG_ID) "
            "VALUES (?, ?, ?)",
            (10_000 + org, 20_000 + org, org),
        )
        conn.execute(
            "INSERT INTO CE_BANK_ACCOUNTS (BANK_ACCOUNT_ID, BANK_ACCOUNT_NAME, BANK_ACCOUNT_NUM, "
            "CURRENCY_CODE) VALUES (?, ?, ?, ?)",
            (20_000 + org, f"{name} Operating", f"{org}0001", cur),
        )
        conn.execute(
            "INSERT INTO AR_RECEIPT_METHOD_ACCOUNTS_ALL (RECEIPT_METHOD_ID, "
            "REMIT_BANK_ACCT_USE_ID, "
            "PRIMARY_FLAG, START_DATE, ORG_ID) VALUES (1001, ?, 'Y', ?, ?)",
            (10_000 + org, start, org),
        )
        for k in range(-24, 7):
            idx = cur_index + k
            py, pm = divmod(idx, 12)
            first = date(py, pm + 1, 1)
            nxt = date(py + (pm + 1) // 12, (pm + 1) % 12 + 1, 1)
            status = "O" if -2 <= k <= 0 else "F" if k == 1 else "C" if k < -2 else "N"
            periods.append(
                (
                    AR_APPLICATION_ID,
                    ledger,
                    ledger,
                    first.strftime("%b-%y").upper(),
                    py,
                    pm + 1,
                    _d(first),
                    _d(nxt - timedelta(days=1)),
                    status,
                )
            )
        types = [
            (1, "Invoice", "INV", "Y", "N", "POSITIVE"),
            (2, "Credit Memo", "CM", "N", "Y", "NEGATIVE"),
            (3, "Debit Memo", "DM", "N", "N", "POSITIVE"),
            (4, "Chargeback", "CB", "N", "N", "POSITIVE"),
        ]
        conn.executemany(
            "INSERT INTO RA_CUST_TRX_TYPES_ALL (CUST_TRX_TYPE_ID, NAME, DESCRIPTION, TYPE, "
            "ALLOW_OVERAPPLICATION_FLAG, NATURAL_APPLICATION_ONLY_FLAG, CREATION_SIGN, STATUS, "
            "START_DATE, SET_OF_BOOKS_ID, ORG_ID) VALUES (?, ?, ?, ?, ?, ?, ?, 'A', ?, ?, ?)",
            [
                (org * 10 + t, n, n, ty, a, nat, sign, start, ledger, org)
                for t, n, ty, a, nat, sign in types
            ],
        )
        acts = [
            (org * 10 + 1, "Adjustment", "ADJUST", "ACTIVITY_GL_ACCOUNT"),
            (org * 10 + 2, "Small Balance Write-off", "WRITEOFF", "ACTIVITY_GL_ACCOUNT"),
            (org * 10 + 3, "Finance Charge", "FINCHRG", "ACTIVITY_GL_ACCOUNT"),
            (org * 10 + 4, "Credit Memo Refund", "CM_REFUND", "ACTIVITY_GL_ACCOUNT"),
            (org * 10 + 5, "Inactive Adjustment", "ADJUST", "ACTIVITY_GL_ACCOUNT"),
        ]
        if i == 0:  # seeded system activities (spec §3.5: not usable for adjustments)
            acts += [
                (-11, "Chargeback Adjustment", "ADJUST", "ACTIVITY_GL_ACCOUNT"),
                (-13, "Chargeback Reversal", "ADJUST", "ACTIVITY_GL_ACCOUNT"),
            ]
        conn.executemany(
            "INSERT INTO AR_RECEIVABLES_TRX_ALL (RECEIVABLES_TRX_ID, NAME, DESCRIPTION, TYPE, "
            "STATUS, "
            "GL_ACCOUNT_SOURCE, CODE_COMBINATION_ID, START_DATE_ACTIVE, END_DATE_ACTIVE, "
            "SET_OF_BOOKS_ID, ORG_ID) VALUES (?, ?, ?, ?, ?, ?, 12000, ?, ?, ?, ?)",
            [
                (
                    a,
                    n,
                    n,
                    t,
                    "I" if "Inactive" in n else "A",
                    g,
                    start,
                    _d(date(2001, 1, 1)) if "Inactive" in n else None,
                    ledger,
                    org,
                )
                for a, n, t, g in acts
            ],
        )
        rows += len(acts)
    conn.executemany(
        "INSERT INTO GL_PERIOD_STATUSES (APPLICATION_ID, SET_OF_BOOKS_ID, LEDGER_ID, PERIOD_NAME, "
        "PERIOD_YEAR, PERIOD_NUM, START_DATE, END_DATE, CLOSING_STATUS, ADJUSTMENT_PERIOD_FLAG) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'N')",
        periods,
    )
    limits = []
    for user in (VISION_USER, OTC_USER):
        for cur, prec in CURRENCIES.items():
            scale = 100 if cur == "JPY" else 1
            limits.append(
                (
                    user,
                    cur,
                    "ADJ",
                    _money(-1000 * scale * 10**prec, prec),
                    _money(1000 * scale * 10**prec, prec),
                )
            )
            limits.append(
                (
                    user,
                    cur,
                    "WRTOFF",
                    _money(-500 * scale * 10**prec, prec),
                    _money(500 * scale * 10**prec, prec),
                )
            )
    conn.executemany(
        "INSERT INTO AR_APPROVAL_USER_LIMITS (USER_ID, CURRENCY_CODE, DOCUMENT_TYPE, AMOUNT_FROM, "
        "AMOUNT_TO) VALUES (?, ?, ?, ?, ?)",
        limits,
    )
    # negative application targets (spec §2); no org, no customer [unconfirmed: their other columns]
    conn.executemany(
        "INSERT INTO AR_PAYMENT_SCHEDULES_ALL (PAYMENT_SCHEDULE_ID, TRX_NUMBER, STATUS, "
        "AMOUNT_DUE_ORIGINAL, AMOUNT_DUE_REMAINING, GL_DATE_CLOSED, ACTUAL_DATE_CLOSED) "
        "VALUES (?, ?, 'OP', '0', '0', ?, ?)",
        [(i, n, FAR_FUTURE, FAR_FUTURE) for i, n in NEGATIVE_TARGETS],
    )
    return {
        "HR_OPERATING_UNITS": len(ous),
        "GL_PERIOD_STATUSES": len(periods),
        "AR_RECEIVABLES_TRX_ALL": rows,
        "AR_APPROVAL_USER_LIMITS": len(limits),
    }


def _tax(rng: random.Random, country: str) -> str:
    from mock_erp.sap.seed import tax_ids

    stcd1, stceg = tax_ids(rng, country)
    return stceg or stcd1


_NAMES = {
    "US": ("Acme", "Summit", "Pioneer", "Harbor"),
    "DE": ("Müller", "Weber", "Becker", "Koch"),
    "JP": ("Sakura", "Fuji", "Hikari", "Asahi"),
    "KW": ("Al Sabah", "Al Ghanim", "Boodai", "Al Bahar"),
}
_WORDS = ("Trading", "Systems", "Logistics", "Industries", "Supply")
_CITIES = {
    "US": ("Chicago", "60601", "IL"),
    "DE": ("Berlin", "10115", "BE"),
    "JP": ("Osaka", "530-0001", "27"),
    "KW": ("Hawalli", "32001", ""),
}


def _customers(
    conn: Any,
    rng: random.Random,
    ous: list[tuple[int, str, str, str]],
    n: int,
    shared: list[dict[str, str]],
) -> tuple[list[tuple[int, int, int, str]], dict[str, int], dict[str, int]]:
    """TCA rows; returns accounts as (cust_account_id, bill_to_site_use_id, org_id, currency)."""
    by_country: dict[str, list[tuple[int, str, str, str]]] = {}
    for ou in ous:
        by_country.setdefault(ou[2], []).append(ou)
    picked = [c for c in shared if c["country"] in by_country and rng.random() < SHARED_SHARE]
    parties: list[tuple[Any, ...]] = []
    accounts: list[tuple[Any, ...]] = []
    locations: list[tuple[Any, ...]] = []
    psites: list[tuple[Any, ...]] = []
    asites: list[tuple[Any, ...]] = []
    uses: list[tuple[Any, ...]] = []
    accts: list[tuple[int, int, int, str]] = []
    site_id = use_id = FIRST_ID
    now = _d(date(2020, 1, 1))
    for i in range(max(1, n)):
        pid = FIRST_ID + i
        if i < len(picked):
            c = picked[i]
            name, country, tax = c["name"], c["country"], c["stceg"] or c["stcd1"]
            city, postal, state, street = c["city"], c["postal_code"], c["state"], c["street"]
            osr = f"SAP:{c['kunnr']}"
        else:
            ou = ous[i % len(ous)]
            country = ou[2]
            name = f"{rng.choice(_NAMES[country])} {rng.choice(_WORDS)} {i}"
            tax = _tax(rng, country)
            city, postal, state = _CITIES[country]
            street, osr = f"{rng.randint(1, 900)} Main Street", str(pid)
        parties.append(
            (
                pid,
                str(pid),
                name,
                "ORGANIZATION",
                tax or None,
                country,
                "A",
                osr,
                "TCA_V2_API",
                1,
                now,
                now,
            )
        )
        accounts.append(
            (pid, pid, str(FIRST_ID + i), name[:240], "A", "R", osr, "TCA_V2_API", 1, now, now)
        )
        locations.append(
            (pid, country, street, city, postal, state or None, str(pid), "TCA_V2_API", 1, now, now)
        )
        psites.append((pid, pid, pid, str(pid), "A", "Y", str(pid), "TCA_V2_API", 1, now, now))
        homes = [o for o in ous if o[2] == country] or [ous[i % len(ous)]]
        orgs = [homes[i % len(homes)]]
        if len(ous) > 1 and rng.random() < 0.15:
            other = ous[(ous.index(orgs[0]) + 1) % len(ous)]
            orgs.append(other)
        for org, _n, _c, cur in orgs:
            asites.append(
                (site_id, pid, pid, "A", "Y", "Y", str(site_id), "TCA_V2_API", 1, org, now, now)
            )
            uses.append(
                (
                    use_id,
                    site_id,
                    "BILL_TO",
                    "Y",
                    "A",
                    str(use_id),
                    None,
                    str(use_id),
                    "TCA_V2_API",
                    1,
                    org,
                    now,
                    now,
                )
            )
            uses.append(
                (
                    use_id + 1,
                    site_id,
                    "SHIP_TO",
                    "Y",
                    "A",
                    str(use_id + 1),
                    use_id,
                    str(use_id + 1),
                    "TCA_V2_API",
                    1,
                    org,
                    now,
                    now,
                )
            )
            accts.append((pid, use_id, org, cur))
            site_id += 1
            use_id += 2
    who = "CREATION_DATE, LAST_UPDATE_DATE, CREATED_BY, LAST_UPDATED_BY"
    conn.executemany(
        "INSERT INTO HZ_PARTIES (PARTY_ID, PARTY_NUMBER, PARTY_NAME, PARTY_TYPE, "
        "TAX_REFERENCE, COUNTRY, "
        f"STATUS, ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, OBJECT_VERSION_NUMBER, {who}) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        parties,
    )
    conn.executemany(
        "INSERT INTO HZ_CUST_ACCOUNTS (CUST_ACCOUNT_ID, PARTY_ID, ACCOUNT_NUMBER, "
        "ACCOUNT_NAME, STATUS, "
        f"CUSTOMER_TYPE, ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, OBJECT_VERSION_NUMBER, {who}) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        accounts,
    )
    conn.executemany(
        f"INSERT INTO HZ_LOCATIONS (LOCATION_ID, COUNTRY, ADDRESS1, CITY, POSTAL_CODE, STATE, "
        f"ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, OBJECT_VERSION_NUMBER, {who}) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        locations,
    )
    conn.executemany(
        "INSERT INTO HZ_PARTY_SITES (PARTY_SITE_ID, PARTY_ID, LOCATION_ID, PARTY_SITE_NUMBER, "
        "STATUS, "
        "IDENTIFYING_ADDRESS_FLAG, ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, "
        "OBJECT_VERSION_NUMBER, "
        f"{who}) VALUES (?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        psites,
    )
    conn.executemany(
        "INSERT INTO HZ_CUST_ACCT_SITES_ALL (CUST_ACCT_SITE_ID, CUST_ACCOUNT_ID, "
        "PARTY_SITE_ID, STATUS, "
        "BILL_TO_FLAG, SHIP_TO_FLAG, ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, "
        "OBJECT_VERSION_NUMBER, "
        f"ORG_ID, {who}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        asites,
    )
    conn.executemany(
        "INSERT INTO HZ_CUST_SITE_USES_ALL (SITE_USE_ID, CUST_ACCT_SITE_ID, SITE_USE_CODE, "
        "PRIMARY_FLAG, "
        f"STATUS, LOCATION, BILL_TO_SITE_USE_ID, ORIG_SYSTEM_REFERENCE, CREATED_BY_MODULE, "
        f"OBJECT_VERSION_NUMBER, ORG_ID, {who}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,-1,-1)",
        uses,
    )
    last = FIRST_ID + max(1, n) - 1
    seqs = {
        "HZ_PARTIES_S": last,
        "HZ_PARTY_NUMBER_S": last,
        "HZ_CUST_ACCOUNTS_S": last,
        "HZ_ACCOUNT_NUM_S": last,
        "HZ_LOCATIONS_S": last,
        "HZ_PARTY_SITES_S": last,
        "HZ_PARTY_SITE_NUMBER_S": last,
        "HZ_CUST_ACCT_SITES_S": site_id,
        "HZ_CUST_SITE_USES_S": use_id,
    }
    counts = {
        "HZ_PARTIES": len(parties),
        "HZ_CUST_ACCOUNTS": len(accounts),
        "HZ_CUST_ACCT_SITES_ALL": len(asites),
        "HZ_CUST_SITE_USES_ALL": len(uses),
        "HZ_PARTY_SITES": len(psites),
        "HZ_LOCATIONS": len(locations),
        "SHARED_WITH_SAP": len(picked),
    }
    return accts, counts, seqs


_PS_COLS = (
    "PAYMENT_SCHEDULE_ID, CUSTOMER_TRX_ID, CASH_RECEIPT_ID, CUSTOMER_ID, CUSTOMER_SITE_USE_ID, "
    "CUST_TRX_TYPE_ID, CLASS, STATUS, TERMS_SEQUENCE_NUMBER, AMOUNT_DUE_ORIGINAL, "
    "AMOUNT_DUE_REMAINING, "
    "AMOUNT_APPLIED, AMOUNT_ADJUSTED, AMOUNT_IN_DISPUTE, DISPUTE_DATE, AMOUNT_LINE_ITEMS_ORIGINAL, "
    "AMOUNT_LINE_ITEMS_REMAINING, TAX_ORIGINAL, TAX_REMAINING, FREIGHT_ORIGINAL, "
    "FREIGHT_REMAINING, "
    "RECEIVABLES_CHARGES_REMAINING, DUE_DATE, GL_DATE, TRX_NUMBER, TRX_DATE, "
    "INVOICE_CURRENCY_CODE, "
    "EXCHANGE_RATE, GL_DATE_CLOSED, ACTUAL_DATE_CLOSED, NUMBER_OF_DUE_DATES, ORG_ID, "
    "CREATION_DATE, "
    "LAST_UPDATE_DATE, CREATED_BY, LAST_UPDATED_BY"
)
_PS_SQL = f"INSERT INTO AR_PAYMENT_SCHEDULES_ALL ({_PS_COLS}) VALUES ({','.join('?' * 36)})"
_TRX_SQL = (
    "INSERT INTO RA_CUSTOMER_TRX_ALL (CUSTOMER_TRX_ID, TRX_NUMBER, TRX_DATE, CUST_TRX_TYPE_ID, "
    "BILL_TO_CUSTOMER_ID, BILL_TO_SITE_USE_ID, PREVIOUS_CUSTOMER_TRX_ID, PURCHASE_ORDER, "
    "INVOICE_CURRENCY_CODE, EXCHANGE_RATE, COMPLETE_FLAG, INTERFACE_HEADER_ATTRIBUTE1, ORG_ID, "
    "CREATION_DATE, LAST_UPDATE_DATE, CREATED_BY, LAST_UPDATED_BY) VALUES "
    "(?,?,?,?,?,?,?,?,?,?,'Y',?,?,?,?,-1,-1)"
)
_CR_SQL = (
    "INSERT INTO AR_CASH_RECEIPTS_ALL (CASH_RECEIPT_ID, RECEIPT_NUMBER, RECEIPT_DATE, AMOUNT, "
    "CURRENCY_CODE, "
    "PAY_FROM_CUSTOMER, CUSTOMER_SITE_USE_ID, RECEIPT_METHOD_ID, TYPE, STATUS, COMMENTS, ORG_ID, "
    "CREATION_DATE, LAST_UPDATE_DATE, CREATED_BY, LAST_UPDATED_BY) VALUES "
    "(?,?,?,?,?,?,?,1001,'CASH',?,?,?,?,?,-1,-1)"
)
_CRH_SQL = (
    "INSERT INTO AR_CASH_RECEIPT_HISTORY_ALL (CASH_RECEIPT_HISTORY_ID, CASH_RECEIPT_ID, "
    "STATUS, AMOUNT, "
    "GL_DATE, TRX_DATE, CURRENT_RECORD_FLAG, ORG_ID) VALUES (?,?,'CLEARED',?,?,?,'Y',?)"
)
_RA_SQL = (
    "INSERT INTO AR_RECEIVABLE_APPLICATIONS_ALL (RECEIVABLE_APPLICATION_ID, CASH_RECEIPT_ID, "
    "PAYMENT_SCHEDULE_ID, APPLIED_PAYMENT_SCHEDULE_ID, APPLIED_CUSTOMER_TRX_ID, "
    "AMOUNT_APPLIED, APPLY_DATE, "
    "GL_DATE, STATUS, APPLICATION_TYPE, DISPLAY, POSTING_CONTROL_ID, ORG_ID) VALUES "
    "(?,?,?,?,?,?,?,?,?,'CASH',?,-3,?)"
)


def _documents(
    conn: Any,
    rng: random.Random,
    ous: list[tuple[int, str, str, str]],
    accts: list[tuple[int, int, int, str]],
    n: int,
    today: date,
) -> tuple[dict[str, int], dict[str, int]]:
    """Payment schedules (open + closed history) with transactions, receipts, applications."""
    day = [_d(today - timedelta(days=k)) for k in range(0, 1300)]
    ahead = [_d(today + timedelta(days=k)) for k in range(0, 200)]
    prec = {cur: p for cur, p in CURRENCIES.items()}
    ps: list[tuple[Any, ...]] = []
    trx: list[tuple[Any, ...]] = []
    cr: list[tuple[Any, ...]] = []
    crh: list[tuple[Any, ...]] = []
    ra: list[tuple[Any, ...]] = []
    totals = {
        "AR_PAYMENT_SCHEDULES_ALL": 0,
        "RA_CUSTOMER_TRX_ALL": 0,
        "AR_CASH_RECEIPTS_ALL": 0,
        "AR_CASH_RECEIPT_HISTORY_ALL": 0,
        "AR_RECEIVABLE_APPLICATIONS_ALL": 0,
        "DISPUTES": 0,
    }
    ids = {"ps": FIRST_ID, "trx": FIRST_ID, "cr": FIRST_ID, "ra": FIRST_ID}
    rnd = rng.random
    n_acc = len(accts)
    now = day[0]

    def nid(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    def flush(final: bool = False) -> None:
        if len(ps) < BATCH and not final:
            return
        conn.executemany(_TRX_SQL, trx)
        conn.executemany(_PS_SQL, ps)
        conn.executemany(_CR_SQL, cr)
        conn.executemany(_CRH_SQL, crh)
        conn.executemany(_RA_SQL, ra)
        for name, lst in (
            ("AR_PAYMENT_SCHEDULES_ALL", ps),
            ("RA_CUSTOMER_TRX_ALL", trx),
            ("AR_CASH_RECEIPTS_ALL", cr),
            ("AR_CASH_RECEIPT_HISTORY_ALL", crh),
            ("AR_RECEIVABLE_APPLICATIONS_ALL", ra),
        ):
            totals[name] += len(lst)
            lst.clear()

    def receipt(
        cust: int,
        site: int,
        org: int,
        cur: str,
        amount: str,
        rdate: str,
        applied: list[tuple[int, int, str]],
        unapplied: str,
    ) -> None:
        """A cash receipt with its PMT schedule and the §2 application rows."""
        crid = nid("cr")
        psid = nid("ps")
        status = "APP" if unapplied == "0" else "UNAPP"
        cr.append(
            (crid, f"R{crid}", rdate, amount, cur, cust, site, status, None, org, rdate, rdate)
        )
        crh.append((crid, crid, amount, rdate, rdate, org))
        neg_unapp = "-" + unapplied if unapplied != "0" else "0"
        closed = rdate if unapplied == "0" else FAR_FUTURE
        ps.append(
            (
                psid,
                None,
                crid,
                cust,
                site,
                None,
                "PMT",
                "CL" if unapplied == "0" else "OP",
                1,
                "-" + amount,
                neg_unapp,
                "0" if unapplied == "0" else None,
                "0",
                "0",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                rdate,
                rdate,
                f"R{crid}",
                rdate,
                cur,
                None,
                closed,
                closed,
                1,
                org,
                rdate,
                rdate,
                -1,
                -1,
            )
        )
        ra.append((nid("ra"), crid, psid, None, None, amount, rdate, rdate, "UNAPP", "N", org))
        for applied_ps, applied_trx, x in applied:
            ra.append(
                (nid("ra"), crid, psid, applied_ps, applied_trx, x, rdate, rdate, "APP", "Y", org)
            )
            ra.append((nid("ra"), crid, psid, None, None, "-" + x, rdate, rdate, "UNAPP", "N", org))

    made = inv = 0
    history = max(1, n // 10) if n else 0
    while made < n + history:
        cust, site, org, cur = accts[int(rnd() * n_acc)]
        p = prec[cur]
        lo, hi = _AMOUNTS[cur]
        closed_history = made >= n
        r = rnd()
        trx_id = nid("trx")
        psid = nid("ps")
        minor = lo + int(rnd() * (hi - lo))
        if cur == "KWD":
            minor -= minor % 5  # fils amounts ending 0/5 look more like real ones
        if not closed_history and r < 0.07 and inv >= 6:  # unapplied receipt (negative PMT row)
            amount = _money(minor, p)
            rdate = day[int(rnd() * 60)]
            ids["ps"] -= 1  # receipt() takes its own PS id
            ids["trx"] -= 1
            receipt(cust, site, org, cur, amount, rdate, [], amount)
            made += 1
            flush()
            continue
        if closed_history:
            cls, type_no = "INV", 1
        elif r < 0.15 and inv >= 6:
            cls, type_no = "CM", 2
        elif r < 0.19 and inv >= 6:
            cls, type_no = "DM", 3
        elif r < 0.20 and inv >= 6:
            cls, type_no = "CB", 4
        else:
            cls, type_no = "INV", 1
        bucket = (
            inv if inv < 6 else next(i for i, w in enumerate(BUCKET_WEIGHTS) if r < w or i == 5)
        )
        if cls == "INV" and not closed_history:
            inv += 1
        lo_d, hi_d = BUCKETS[bucket]
        past_due = lo_d + int(rnd() * (hi_d - lo_d + 1))
        due = day[past_due] if past_due >= 0 else ahead[-past_due]
        trx_back = max(0, past_due + 30)
        trx_date = day[min(trx_back, len(day) - 1)]
        tax_minor = minor * 19 // 119 if cur != "JPY" else minor // 11
        freight_minor = 0
        sign = "-" if cls == "CM" else ""
        ado = sign + _money(minor, p)
        lines, tax = (
            sign + _money(minor - tax_minor - freight_minor, p),
            sign + _money(tax_minor, p),
        )
        trx_number = str(trx_id + 10_000)
        trx.append(
            (
                trx_id,
                trx_number,
                trx_date,
                org * 10 + type_no,
                cust,
                site,
                None,
                f"PO-{trx_id}" if rnd() < 0.6 else None,
                cur,
                None,
                f"SO{trx_id}",
                org,
                trx_date,
                trx_date,
            )
        )
        dispute, dispute_date = "0", None
        if closed_history:  # paid in full: CL with closed dates = payment date (§2)
            pay_date = day[int(rnd() * 200)]
            ps.append(
                (
                    psid,
                    trx_id,
                    None,
                    cust,
                    site,
                    org * 10 + 1,
                    cls,
                    "CL",
                    1,
                    ado,
                    "0",
                    ado,
                    "0",
                    "0",
                    None,
                    lines,
                    "0",
                    tax,
                    "0",
                    "0",
                    "0",
                    "0",
                    due,
                    trx_date,
                    trx_number,
                    trx_date,
                    cur,
                    None,
                    pay_date,
                    pay_date,
                    1,
                    org,
                    trx_date,
                    pay_date,
                    -1,
                    -1,
                )
            )
            receipt(cust, site, org, cur, ado, pay_date, [(psid, trx_id, ado)], "0")
        else:
            adr_minor = minor
            applied = "0"
            if cls == "INV" and rnd() < 0.12:  # partially paid through a fully applied receipt
                paid = max(1, int(minor * (0.2 + 0.5 * rnd())))
                adr_minor = minor - paid
                applied = _money(paid, p)
            adr = sign + _money(adr_minor, p)
            if cls == "INV" and rnd() < 0.03:
                dispute = adr if rnd() < 0.5 else _money(adr_minor // 2, p)
                dispute_date = day[int(rnd() * 30)]
                totals["DISPUTES"] += 1
            line_rem = sign + _money(adr_minor - (tax_minor * adr_minor // minor), p)
            tax_rem = sign + _money(tax_minor * adr_minor // minor, p)
            ps.append(
                (
                    psid,
                    trx_id,
                    None,
                    cust,
                    site,
                    org * 10 + type_no,
                    cls,
                    "OP",
                    1,
                    ado,
                    adr,
                    applied,
                    "0",
                    dispute,
                    dispute_date,
                    lines,
                    line_rem,
                    tax,
                    tax_rem,
                    "0",
                    "0",
                    "0",
                    due,
                    trx_date,
                    trx_number,
                    trx_date,
                    cur,
                    None,
                    FAR_FUTURE,
                    FAR_FUTURE,
                    1,
                    org,
                    trx_date,
                    now,
                    -1,
                    -1,
                )
            )
            if applied != "0":
                receipt(
                    cust,
                    site,
                    org,
                    cur,
                    applied,
                    day[int(rnd() * 30)],
                    [(psid, trx_id, applied)],
                    "0",
                )
        made += 1
        flush()
    flush(final=True)
    last = {
        "AR_PAYMENT_SCHEDULES_S": ids["ps"],
        "RA_CUSTOMER_TRX_S": ids["trx"],
        "AR_CASH_RECEIPTS_S": ids["cr"],
        "AR_CASH_RECEIPT_HISTORY_S": ids["cr"],
        "AR_RECEIVABLE_APPLICATIONS_S": ids["ra"],
    }
    return totals, last
