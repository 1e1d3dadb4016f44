"""The EBS-shaped store of the Oracle persona: Receivables and TCA tables as data, DDL from it.

Why one catalogue: ORDS answers every query with Oracle column metadata (columnTypeName,
precision, scale; docs/specs/oracle.md §5.2) and the oracledb shim builds ``cursor.description``
from the same facts, so the SQLite DDL and the metadata come from one list and cannot drift.

Storage (docs/specs/oracle.md §2, §7 item 18):
- ``NUMBER`` without precision (money, rates) is TEXT holding the exact canonical decimal
  (``format(Decimal.normalize(), "f")``: ``"1234.5"``, ``"-10"``), never REAL. Canonical text means
  ``=``/``GROUP BY``/``DISTINCT`` are exact on the stored text; ordering and arithmetic go
  through the Decimal functions the SQL engine registers (mock_erp/oracle/sql.py).
- ``NUMBER(p)`` / ``NUMBER(p, 0)`` (ids, flags-as-numbers) is INTEGER.
- ``DATE`` is TEXT ``YYYY-MM-DD HH:MM:SS`` (Oracle DATE carries a time; text order = time order).
- ``VARCHAR2(n)`` is TEXT.

Multi-org (docs/specs/oracle.md §2, §4, §7 item 1): ``*_ALL`` tables are plain tables; the names
without ``_ALL`` are SQLite views filtered by ``ora_mo_visible(ORG_ID)``, a function answering
from the policy context of the session the engine runs the statement for (like a VPD policy).

Mock-only tables start with ``ZMOCK_``: sequence counters and the per-session undo log that
lets an oracledb-shim session roll back work spanning several requests.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# unconfirmed: docs/specs/oracle.md §2 — ids are NUMBER(15)
ID_PRECISION = 15
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # storage format of DATE columns
FAR_FUTURE = "4712-12-31 00:00:00"  # GL_DATE_CLOSED / ACTUAL_DATE_CLOSED while open (§2)
AR_APPLICATION_ID = 222  # Receivables (docs/specs/oracle.md §2, §4)


@dataclass(frozen=True)
class Col:
    """One Oracle column: type name, precision and scale as ORDS/oracledb report them."""

    name: str
    type: str  # NUMBER | VARCHAR2 | DATE
    precision: int = 0  # NUMBER: 0 = unspecified; VARCHAR2: length; DATE: 7
    scale: int = 0  # NUMBER without precision reports scale -127 in OCI/JDBC metadata
    nullable: bool = True
    pk: bool = False

    @property
    def is_decimal(self) -> bool:
        """Stored as exact decimal text (NUMBER without precision or with a scale)."""
        return self.type == "NUMBER" and (self.precision == 0 or self.scale != 0)

    @property
    def is_integer(self) -> bool:
        return self.type == "NUMBER" and not self.is_decimal

    @property
    def sqlite_type(self) -> str:
        return "INTEGER" if self.is_integer else "TEXT"


def _cols(spec: str) -> list[Col]:
    """``NAME kind`` items separated by ``;``: kinds id, pk, int, money, date, vN (VARCHAR2(N))."""
    out: list[Col] = []
    for item in spec.split(";"):
        parts = item.split()
        if not parts:
            continue
        name, kind = parts[0].upper(), parts[1] if len(parts) > 1 else "money"
        if kind == "pk":
            out.append(Col(name, "NUMBER", ID_PRECISION, 0, nullable=False, pk=True))
        elif kind == "id":
            out.append(Col(name, "NUMBER", ID_PRECISION, 0))
        elif kind == "int":
            out.append(Col(name, "NUMBER", 0, 0))  # NUMBER holding integers: exact decimal text
        elif kind == "money":
            out.append(Col(name, "NUMBER", 0, -127))
        elif kind == "date":
            out.append(Col(name, "DATE", 7, 0))
        elif kind.startswith("v"):
            out.append(Col(name, "VARCHAR2", int(kind[1:]), 0))
        else:  # pragma: no cover - catalogue typo
            raise ValueError(f"bad column kind {kind!r} in {item!r}")
    return out


def _attrs(prefix: str, n: int, length: int = 150) -> str:
    return ";".join(f"{prefix}{i} v{length}" for i in range(1, n + 1))


WHO = (
    "CREATED_BY id; CREATION_DATE date; LAST_UPDATED_BY id; LAST_UPDATE_DATE date;"
    "LAST_UPDATE_LOGIN id"
)

# OBJECT_VERSION_NUMBER of the TCA tables is a plain NUMBER (no precision) as in EBS's data
# dictionary (etrm HZ_PARTIES, https://etrm.live/etrm-12.2.2/etrm.oracle.com/pls/trm1222/
# etrm_pnav54e2-2.html): over Arrow without a CAST it is not an integer column.
_SPECS: dict[str, str] = {
    # -- Receivables (specs/oracle.md §2) -------------------------------------------------------
    "AR_PAYMENT_SCHEDULES_ALL": (
        "PAYMENT_SCHEDULE_ID pk; CUSTOMER_TRX_ID id; CASH_RECEIPT_ID id; CUSTOMER_ID id;"
        "CUSTOMER_SITE_USE_ID id; CUST_TRX_TYPE_ID id; CLASS v20; STATUS v30; "
        "TERMS_SEQUENCE_NUMBER id;"
        "AMOUNT_DUE_ORIGINAL money; AMOUNT_DUE_REMAINING money; AMOUNT_APPLIED money;"
        "AMOUNT_ADJUSTED money; AMOUNT_ADJUSTED_PENDING money; AMOUNT_IN_DISPUTE money;"
        "DISPUTE_DATE date; AMOUNT_LINE_ITEMS_ORIGINAL money; AMOUNT_LINE_ITEMS_REMAINING money;"
        "TAX_ORIGINAL money; TAX_REMAINING money; FREIGHT_ORIGINAL money; FREIGHT_REMAINING money;"
        "RECEIVABLES_CHARGES_CHARGED money; RECEIVABLES_CHARGES_REMAINING money;"
        "DISCOUNT_TAKEN_EARNED money; DISCOUNT_TAKEN_UNEARNED money; AMOUNT_CREDITED money;"
        "DUE_DATE date; GL_DATE date; TRX_NUMBER v30; TRX_DATE date; INVOICE_CURRENCY_CODE v15;"
        "EXCHANGE_RATE money; EXCHANGE_RATE_TYPE v30; EXCHANGE_DATE date; GL_DATE_CLOSED date;"
        "ACTUAL_DATE_CLOSED date; NUMBER_OF_DUE_DATES id; ORG_ID id;"
        "TERM_ID id; DISCOUNT_ORIGINAL money; DISCOUNT_REMAINING money"
    ),
    "RA_CUSTOMER_TRX_ALL": (
        "CUSTOMER_TRX_ID pk; TRX_NUMBER v20; TRX_DATE date; CUST_TRX_TYPE_ID id;"
        "BILL_TO_CUSTOMER_ID id; BILL_TO_SITE_USE_ID id; SHIP_TO_CUSTOMER_ID id; "
        "SHIP_TO_SITE_USE_ID id;"
        "SOLD_TO_CUSTOMER_ID id; PREVIOUS_CUSTOMER_TRX_ID id; TERM_ID id; PURCHASE_ORDER v50;"
        "INVOICE_CURRENCY_CODE v15; EXCHANGE_RATE money; EXCHANGE_RATE_TYPE v30; EXCHANGE_DATE "
        "date;"
        "COMPLETE_FLAG v1; STATUS_TRX v30; BATCH_SOURCE_ID id; CT_REFERENCE v150; COMMENTS v1760;"
        "INTERFACE_HEADER_CONTEXT v30;" + _attrs("INTERFACE_HEADER_ATTRIBUTE", 15) + ";"
        "SET_OF_BOOKS_ID id; ORG_ID id"
    ),
    # payment terms: installments and their discount tiers (percent, days from the
    # transaction date); RA_TERMS is RA_TERMS_B + TL in EBS, the mock keeps the base table
    "RA_TERMS_B": (
        "TERM_ID pk; NAME v15; DESCRIPTION v240; PARTIAL_DISCOUNT_FLAG v1;"
        "CALC_DISCOUNT_ON_LINES_FLAG v1; BASE_AMOUNT money; START_DATE_ACTIVE date;"
        "END_DATE_ACTIVE date"
    ),
    "RA_TERMS_LINES": "TERM_ID id; SEQUENCE_NUM id; RELATIVE_AMOUNT money; DUE_DAYS id",
    "RA_TERMS_LINES_DISCOUNTS": (
        "DISCOUNT_LINE_ID pk; TERM_ID id; SEQUENCE_NUM id; DISCOUNT_PERCENT money;"
        "DISCOUNT_DAYS id; DISCOUNT_DATE date; DISCOUNT_DAY_OF_MONTH id; "
        "DISCOUNT_MONTHS_FORWARD id"
    ),
    "RA_CUST_TRX_TYPES_ALL": (
        "CUST_TRX_TYPE_ID pk; NAME v20; DESCRIPTION v80; TYPE v20; ALLOW_OVERAPPLICATION_FLAG v1;"
        "NATURAL_APPLICATION_ONLY_FLAG v1; CREATION_SIGN v30; STATUS v30; START_DATE date;"
        "END_DATE date; SET_OF_BOOKS_ID id; ORG_ID id"
    ),
    "AR_CASH_RECEIPTS_ALL": (
        "CASH_RECEIPT_ID pk; RECEIPT_NUMBER v30; RECEIPT_DATE date; AMOUNT money; "
        "CURRENCY_CODE v15;"
        "EXCHANGE_RATE money; EXCHANGE_RATE_TYPE v30; EXCHANGE_DATE date; PAY_FROM_CUSTOMER id;"
        "CUSTOMER_SITE_USE_ID id; RECEIPT_METHOD_ID id; REMIT_BANK_ACCT_USE_ID id;"
        "CUSTOMER_RECEIPT_REFERENCE v30; COMMENTS v2000; TYPE v20; STATUS v30; REVERSAL_DATE date;"
        "REVERSAL_CATEGORY v20; REVERSAL_REASON_CODE v30; REVERSAL_COMMENTS v240;"
        "ATTRIBUTE_CATEGORY v30;" + _attrs("ATTRIBUTE", 15) + ";"
        "SET_OF_BOOKS_ID id; ORG_ID id"
    ),
    "AR_CASH_RECEIPT_HISTORY_ALL": (
        "CASH_RECEIPT_HISTORY_ID pk; CASH_RECEIPT_ID id; STATUS v30; AMOUNT money; GL_DATE date;"
        "TRX_DATE date; CURRENT_RECORD_FLAG v1; REVERSAL_GL_DATE date; POSTING_CONTROL_ID id;"
        "FIRST_POSTED_RECORD_FLAG v1; ORG_ID id"
    ),
    "AR_RECEIVABLE_APPLICATIONS_ALL": (
        "RECEIVABLE_APPLICATION_ID pk; CASH_RECEIPT_ID id; CUSTOMER_TRX_ID id; "
        "PAYMENT_SCHEDULE_ID id;"
        "APPLIED_PAYMENT_SCHEDULE_ID id; APPLIED_CUSTOMER_TRX_ID id; AMOUNT_APPLIED money;"
        "AMOUNT_APPLIED_FROM money; ACCTD_AMOUNT_APPLIED_FROM money; EARNED_DISCOUNT_TAKEN money;"
        "UNEARNED_DISCOUNT_TAKEN money; LINE_APPLIED money; TAX_APPLIED money; FREIGHT_APPLIED "
        "money;"
        "RECEIVABLES_CHARGES_APPLIED money; APPLY_DATE date; GL_DATE date; REVERSAL_GL_DATE date;"
        "STATUS v30; APPLICATION_TYPE v20; DISPLAY v1; RECEIVABLES_TRX_ID id; "
        "POSTING_CONTROL_ID id;"
        "COMMENTS v240; CUSTOMER_REFERENCE v100; APPLICATION_REF_TYPE v30; APPLICATION_REF_ID id;"
        "APPLICATION_REF_NUM v30; SECONDARY_APPLICATION_REF_ID id; PAYMENT_SET_ID id; ORG_ID id"
    ),
    "AR_ADJUSTMENTS_ALL": (
        "ADJUSTMENT_ID pk; ADJUSTMENT_NUMBER v20; AMOUNT money; ACCTD_AMOUNT money; APPLY_DATE "
        "date;"
        "GL_DATE date; TYPE v15; ADJUSTMENT_TYPE v3; STATUS v30; PAYMENT_SCHEDULE_ID id;"
        "CUSTOMER_TRX_ID id; RECEIVABLES_TRX_ID id; REASON_CODE v30; COMMENTS v2000; "
        "CREATED_FROM v30;"
        "POSTABLE v1; POSTING_CONTROL_ID id; APPROVED_BY id; LINE_ADJUSTED money; TAX_ADJUSTED "
        "money;"
        "FREIGHT_ADJUSTED money; RECEIVABLES_CHARGES_ADJUSTED money; ATTRIBUTE_CATEGORY v30;"
        + _attrs("ATTRIBUTE", 15)
        + "; ORG_ID id"
    ),
    "AR_RECEIVABLES_TRX_ALL": (
        "RECEIVABLES_TRX_ID id; NAME v50; DESCRIPTION v240; TYPE v30; STATUS v30;"
        "GL_ACCOUNT_SOURCE v30; CODE_COMBINATION_ID id; START_DATE_ACTIVE date; "
        "END_DATE_ACTIVE date;"
        "SET_OF_BOOKS_ID id; ORG_ID id"
    ),
    "AR_SYSTEM_PARAMETERS_ALL": (
        "ORG_ID id; SET_OF_BOOKS_ID id; MAX_WRTOFF_AMOUNT money; MIN_WRTOFF_AMOUNT money;"
        "GENERATE_CUSTOMER_NUMBER v1; DEFAULT_COUNTRY v60; UNEARNED_DISCOUNT v1;"
        "AUTO_SITE_NUMBERING v1"
    ),
    "AR_APPROVAL_USER_LIMITS": (
        "USER_ID id; CURRENCY_CODE v15; DOCUMENT_TYPE v30; AMOUNT_FROM money; AMOUNT_TO money"
    ),
    "AR_RECEIPT_CLASSES": (
        "RECEIPT_CLASS_ID pk; NAME v30; CREATION_METHOD_CODE v30; REMIT_METHOD_CODE v30"
    ),
    "AR_RECEIPT_METHODS": (
        "RECEIPT_METHOD_ID pk; NAME v30; RECEIPT_CLASS_ID id; START_DATE date; END_DATE date"
    ),
    "AR_RECEIPT_METHOD_ACCOUNTS_ALL": (
        "RECEIPT_METHOD_ID id; REMIT_BANK_ACCT_USE_ID id; PRIMARY_FLAG v1; START_DATE date;"
        "END_DATE date; ORG_ID id"
    ),
    # Payables: the payment request a Receivables refund creates (AR_REFUNDS_PVT.Create_Refund,
    # INVOICE_TYPE_LOOKUP_CODE 'PAYMENT REQUEST'); its id is the refund application's
    # APPLICATION_REF_ID / _NUM (docs/specs/oracle.md, corrections)
    "AP_INVOICES_ALL": (
        "INVOICE_ID pk; INVOICE_NUM v50; INVOICE_TYPE_LOOKUP_CODE v25; INVOICE_DATE date;"
        "GL_DATE date; INVOICE_AMOUNT money; INVOICE_CURRENCY_CODE v15; PAYMENT_METHOD_CODE v30;"
        "PARTY_ID id; PARTY_SITE_ID id; DESCRIPTION v240; SOURCE v25; APPROVAL_STATUS v25;"
        "CANCELLED_DATE date; CANCELLED_AMOUNT money; PAYMENT_STATUS_FLAG v1; ORG_ID id"
    ),
    # Oracle Payments' payment methods (a view over IBY_PAYMENT_METHODS_B/_TL in EBS)
    "IBY_PAYMENT_METHODS_VL": (
        "PAYMENT_METHOD_CODE v30; PAYMENT_METHOD_NAME v100; INACTIVE_DATE date"
    ),
    "AR_LOOKUPS": (
        "LOOKUP_TYPE v30; LOOKUP_CODE v30; MEANING v80; DESCRIPTION v240; ENABLED_FLAG v1;"
        "START_DATE_ACTIVE date; END_DATE_ACTIVE date"
    ),
    # -- TCA (no org except account sites and site uses) ---------------------------------------
    "HZ_PARTIES": (
        "PARTY_ID pk; PARTY_NUMBER v30; PARTY_NAME v360; PARTY_TYPE v30; TAX_REFERENCE v50;"
        "JGZZ_FISCAL_CODE v20; DUNS_NUMBER_C v30; COUNTRY v60; STATUS v1; "
        "ORIG_SYSTEM_REFERENCE v240;"
        "CREATED_BY_MODULE v150; OBJECT_VERSION_NUMBER int"
    ),
    "HZ_CUST_ACCOUNTS": (
        "CUST_ACCOUNT_ID pk; PARTY_ID id; ACCOUNT_NUMBER v30; ACCOUNT_NAME v240; STATUS v1;"
        "CUSTOMER_TYPE v30; CUSTOMER_CLASS_CODE v30; ORIG_SYSTEM_REFERENCE v240;"
        "CREATED_BY_MODULE v150; OBJECT_VERSION_NUMBER int"
    ),
    "HZ_CUST_ACCT_SITES_ALL": (
        "CUST_ACCT_SITE_ID pk; CUST_ACCOUNT_ID id; PARTY_SITE_ID id; STATUS v1; BILL_TO_FLAG v1;"
        "SHIP_TO_FLAG v1; ORIG_SYSTEM_REFERENCE v240; CREATED_BY_MODULE v150;"
        "OBJECT_VERSION_NUMBER int; ORG_ID id"
    ),
    "HZ_CUST_SITE_USES_ALL": (
        "SITE_USE_ID pk; CUST_ACCT_SITE_ID id; SITE_USE_CODE v30; PRIMARY_FLAG v1; STATUS v1;"
        "LOCATION v40; BILL_TO_SITE_USE_ID id; PAYMENT_TERM_ID id; ORIG_SYSTEM_REFERENCE v240;"
        "CREATED_BY_MODULE v150; OBJECT_VERSION_NUMBER int; ORG_ID id"
    ),
    "HZ_PARTY_SITES": (
        "PARTY_SITE_ID pk; PARTY_ID id; LOCATION_ID id; PARTY_SITE_NUMBER v30; STATUS v1;"
        "IDENTIFYING_ADDRESS_FLAG v1; ORIG_SYSTEM_REFERENCE v240; CREATED_BY_MODULE v150;"
        "OBJECT_VERSION_NUMBER int"
    ),
    "HZ_LOCATIONS": (
        "LOCATION_ID pk; COUNTRY v60; ADDRESS1 v240; ADDRESS2 v240; ADDRESS3 v240; ADDRESS4 v240;"
        "CITY v60; POSTAL_CODE v60; STATE v60; PROVINCE v60; COUNTY v60; ORIG_SYSTEM_REFERENCE "
        "v240;"
        "CREATED_BY_MODULE v150; OBJECT_VERSION_NUMBER int"
    ),
    # -- setup: periods, orgs, ledgers, currencies, users (specs/oracle.md §2 "Setup", §4) ------
    "GL_PERIOD_STATUSES": (
        "APPLICATION_ID id; SET_OF_BOOKS_ID id; LEDGER_ID id; PERIOD_NAME v15; PERIOD_YEAR id;"
        "PERIOD_NUM id; START_DATE date; END_DATE date; CLOSING_STATUS v1; "
        "ADJUSTMENT_PERIOD_FLAG v1"
    ),
    # Cash Management: the remittance bank account behind a receipt method's account use
    "CE_BANK_ACCT_USES_ALL": "BANK_ACCT_USE_ID pk; BANK_ACCOUNT_ID id; ORG_ID id",
    "CE_BANK_ACCOUNTS": (
        "BANK_ACCOUNT_ID pk; BANK_ACCOUNT_NAME v100; BANK_ACCOUNT_NUM v30; CURRENCY_CODE v15"
    ),
    # the database's own version (SELECT ... FROM product_component_version)
    "PRODUCT_COMPONENT_VERSION": "PRODUCT v80; VERSION v80; VERSION_FULL v80; STATUS v80",
    "GL_DAILY_RATES": (
        "FROM_CURRENCY v15; TO_CURRENCY v15; CONVERSION_DATE date; CONVERSION_TYPE v30;"
        "CONVERSION_RATE money; STATUS_CODE v1"
    ),
    "GL_DAILY_CONVERSION_TYPES": "CONVERSION_TYPE v30; USER_CONVERSION_TYPE v30; DESCRIPTION v240",
    "GL_LEDGERS": "LEDGER_ID pk; NAME v30; SHORT_NAME v20; CURRENCY_CODE v15; PERIOD_SET_NAME v15",
    "HR_ALL_ORGANIZATION_UNITS": (
        "ORGANIZATION_ID pk; BUSINESS_GROUP_ID id; NAME v240; TYPE v30; DATE_FROM date; "
        "DATE_TO date"
    ),
    "HR_OPERATING_UNITS": (
        "ORGANIZATION_ID pk; BUSINESS_GROUP_ID id; NAME v240; SET_OF_BOOKS_ID id; SHORT_CODE v150;"
        "DEFAULT_LEGAL_CONTEXT_ID id; DATE_FROM date; DATE_TO date"
    ),
    "FND_CURRENCIES": (
        "CURRENCY_CODE v15; DESCRIPTION v240; PRECISION id; EXTENDED_PRECISION id;"
        "MINIMUM_ACCOUNTABLE_UNIT money; ENABLED_FLAG v1; CURRENCY_FLAG v1; "
        "ISSUING_TERRITORY_CODE v2"
    ),
    "FND_USER": "USER_ID pk; USER_NAME v100; DESCRIPTION v240; START_DATE date; END_DATE date",
    "FND_RESPONSIBILITY": (
        "RESPONSIBILITY_ID id; APPLICATION_ID id; RESPONSIBILITY_KEY v30; RESPONSIBILITY_NAME v100;"
        "START_DATE date; END_DATE date"
    ),
    "FND_USER_RESP_GROUPS": (
        "USER_ID id; RESPONSIBILITY_ID id; RESPONSIBILITY_APPLICATION_ID id; START_DATE date; "
        "END_DATE date"
    ),
    "FND_PROFILE_OPTIONS": "PROFILE_OPTION_ID pk; APPLICATION_ID id; PROFILE_OPTION_NAME v80",
    "FND_PROFILE_OPTION_VALUES": (
        "APPLICATION_ID id; PROFILE_OPTION_ID id; LEVEL_ID id; LEVEL_VALUE id; "
        "PROFILE_OPTION_VALUE v240"
    ),
    "PER_SECURITY_PROFILES": (
        "SECURITY_PROFILE_ID pk; SECURITY_PROFILE_NAME v240; BUSINESS_GROUP_ID id"
    ),
    "PER_ORGANIZATION_LIST": "SECURITY_PROFILE_ID id; ORGANIZATION_ID id",
}

# Tables without ORG_ID in their name-without-_ALL form: every `X_ALL` here gets an MO view `X`.
MO_VIEWS: dict[str, str] = {
    name[: -len("_ALL")]: name
    for name in _SPECS
    if name.endswith("_ALL") and "ORG_ID" in _SPECS[name]
}
# Plain (non-org) views the spec names (docs/specs/oracle.md §4: FND_RESPONSIBILITY_VL).
PLAIN_VIEWS: dict[str, str] = {"FND_RESPONSIBILITY_VL": "FND_RESPONSIBILITY"}

# Sequences for ids (docs/specs/oracle.md §2 "Ids from sequences"; §7 item 13: never reused).
# Seeded rows use ids below START; the seed moves LAST_NUMBER past what it used.
SEQUENCES: tuple[str, ...] = (
    "AR_PAYMENT_SCHEDULES_S",
    "RA_CUSTOMER_TRX_S",
    "AR_CASH_RECEIPTS_S",
    "AR_CASH_RECEIPT_HISTORY_S",
    "AR_RECEIVABLE_APPLICATIONS_S",
    "AR_ADJUSTMENTS_S",
    "AR_ADJUSTMENT_NUMBER_S",
    "AR_RECEIVABLES_TRX_S",
    "HZ_PARTIES_S",
    "HZ_PARTY_NUMBER_S",
    "HZ_CUST_ACCOUNTS_S",
    "HZ_ACCOUNT_NUM_S",
    "HZ_CUST_ACCT_SITES_S",
    "HZ_CUST_SITE_USES_S",
    "HZ_PARTY_SITES_S",
    "HZ_PARTY_SITE_NUMBER_S",
    "HZ_LOCATIONS_S",
    "RA_CUST_TRX_TYPES_S",
    "AP_INVOICES_S",
)
SEQ_TABLE = "ZMOCK_SEQUENCES"
UNDO_TABLE = "ZMOCK_UNDO_LOG"


def _build() -> dict[str, list[Col]]:
    out = {}
    for name, spec in _SPECS.items():
        cols = _cols(spec)
        if not any(c.name == "CREATED_BY" for c in cols):
            cols += _cols(WHO)
        out[name] = cols
    return out


TABLES: dict[str, list[Col]] = _build()


def columns_of(name: str) -> list[Col] | None:
    """Columns of a table or view (views have their base table's columns), or None."""
    name = name.upper()
    if name in TABLES:
        return TABLES[name]
    base = MO_VIEWS.get(name) or PLAIN_VIEWS.get(name)
    return TABLES[base] if base else None


# Mock-only catalogue rows: the sequence counters and the undo log are visible to SQL as well.
_MOCK_TABLES: dict[str, list[Col]] = {
    SEQ_TABLE: [
        Col("SEQUENCE_NAME", "VARCHAR2", 128, 0, False, True),
        Col("LAST_NUMBER", "NUMBER", 28),
    ],
    "DUAL": [Col("DUMMY", "VARCHAR2", 1)],
}


def catalogue() -> dict[str, list[Col]]:
    """Every relation SQL may name: tables, MO views, plain views, DUAL, sequences."""
    cat = dict(TABLES)
    cat.update({v: TABLES[b] for v, b in MO_VIEWS.items()})
    cat.update({v: TABLES[b] for v, b in PLAIN_VIEWS.items()})
    cat.update(_MOCK_TABLES)
    return cat


def ddl() -> str:
    """SQLite DDL: tables, indexes, MO views, DUAL, sequences, undo log and its triggers."""
    parts: list[str] = []
    for name, cols in TABLES.items():
        body = ", ".join(
            f'"{c.name}" {"INTEGER PRIMARY KEY" if c.pk else c.sqlite_type}' for c in cols
        )
        parts.append(f'CREATE TABLE IF NOT EXISTS "{name}" ({body});')
    parts += [
        'CREATE INDEX IF NOT EXISTS "AR_PAYMENT_SCHEDULES_N1" ON "AR_PAYMENT_SCHEDULES_ALL" '
        "(ORG_ID, STATUS);",
        'CREATE INDEX IF NOT EXISTS "AR_PAYMENT_SCHEDULES_N2" ON "AR_PAYMENT_SCHEDULES_ALL" '
        "(CUSTOMER_TRX_ID);",
        'CREATE INDEX IF NOT EXISTS "AR_PAYMENT_SCHEDULES_N3" ON "AR_PAYMENT_SCHEDULES_ALL" '
        "(CASH_RECEIPT_ID);",
        'CREATE INDEX IF NOT EXISTS "AR_PAYMENT_SCHEDULES_N4" ON "AR_PAYMENT_SCHEDULES_ALL" '
        "(CUSTOMER_ID);",
        'CREATE INDEX IF NOT EXISTS "AR_CASH_RECEIPTS_N1" ON "AR_CASH_RECEIPTS_ALL" '
        "(RECEIPT_NUMBER);",
        'CREATE INDEX IF NOT EXISTS "AR_RA_N1" ON "AR_RECEIVABLE_APPLICATIONS_ALL" '
        "(CASH_RECEIPT_ID);",
        'CREATE INDEX IF NOT EXISTS "AR_RA_N2" ON "AR_RECEIVABLE_APPLICATIONS_ALL" '
        "(APPLIED_PAYMENT_SCHEDULE_ID);",
        'CREATE INDEX IF NOT EXISTS "AR_ADJ_N1" ON "AR_ADJUSTMENTS_ALL" (PAYMENT_SCHEDULE_ID);',
        'CREATE INDEX IF NOT EXISTS "HZ_CUST_ACCOUNTS_N1" ON "HZ_CUST_ACCOUNTS" (PARTY_ID);',
        'CREATE INDEX IF NOT EXISTS "HZ_PARTIES_N1" ON "HZ_PARTIES" (TAX_REFERENCE);',
        'CREATE INDEX IF NOT EXISTS "HZ_CUST_ACCT_SITES_N1" ON "HZ_CUST_ACCT_SITES_ALL" '
        "(CUST_ACCOUNT_ID);",
        'CREATE INDEX IF NOT EXISTS "HZ_CUST_SITE_USES_N1" ON "HZ_CUST_SITE_USES_ALL" '
        "(CUST_ACCT_SITE_ID);",
    ]
    for view, base in MO_VIEWS.items():
        parts.append(
            f'CREATE VIEW IF NOT EXISTS "{view}" AS SELECT * FROM "{base}" WHERE '
            "ora_mo_visible(ORG_ID);"
        )
    for view, base in PLAIN_VIEWS.items():
        parts.append(f'CREATE VIEW IF NOT EXISTS "{view}" AS SELECT * FROM "{base}";')
    parts.append('CREATE TABLE IF NOT EXISTS "DUAL" ("DUMMY" TEXT);')
    parts.append("INSERT INTO DUAL SELECT 'X' WHERE NOT EXISTS (SELECT 1 FROM DUAL);")
    parts.append(
        f'CREATE TABLE IF NOT EXISTS "{SEQ_TABLE}" ("SEQUENCE_NAME" TEXT PRIMARY KEY, '
        '"LAST_NUMBER" INTEGER);'
    )
    values = ", ".join(f"('{s}', 10000)" for s in SEQUENCES)
    parts.append(f'INSERT OR IGNORE INTO "{SEQ_TABLE}" VALUES {values};')
    parts.append(
        f'CREATE TABLE IF NOT EXISTS "{UNDO_TABLE}" (ID INTEGER PRIMARY KEY, SESSION_ID TEXT, '
        "TABLE_NAME TEXT, OP TEXT, ROW_ID INTEGER, OLD_VALUES TEXT);"
    )
    for name, cols in TABLES.items():
        old = "json_array(" + ", ".join(f'OLD."{c.name}"' for c in cols) + ")"
        when = "WHEN ora_txn_session() IS NOT NULL"
        ins = f'INSERT INTO "{UNDO_TABLE}" (SESSION_ID, TABLE_NAME, OP, ROW_ID, OLD_VALUES) VALUES'
        parts.append(
            f'CREATE TRIGGER IF NOT EXISTS "{name}_UNDO_I" AFTER INSERT ON "{name}" {when} BEGIN '
            f"{ins} (ora_txn_session(), '{name}', 'I', NEW.rowid, NULL); END;"
        )
        parts.append(
            f'CREATE TRIGGER IF NOT EXISTS "{name}_UNDO_U" AFTER UPDATE ON "{name}" {when} BEGIN '
            f"{ins} (ora_txn_session(), '{name}', 'U', OLD.rowid, {old}); END;"
        )
        parts.append(
            f'CREATE TRIGGER IF NOT EXISTS "{name}_UNDO_D" AFTER DELETE ON "{name}" {when} BEGIN '
            f"{ins} (ora_txn_session(), '{name}', 'D', OLD.rowid, {old}); END;"
        )
    return "\n".join(parts)


@dataclass
class StoreContext:
    """What the SQLite functions of the views and triggers read: the statement's session.

    Set by the SQL engine (under the store lock) around each statement; ``visible`` is
    ``OracleSession.visible_orgs()``, ``txn_session`` the id whose undo log records the writes
    (None: writes are not logged, e.g. ORDS requests, which are one SQLite transaction).
    """

    visible: set[int] | None = None
    txn_session: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_CONTEXTS: weakref.WeakKeyDictionary[Any, StoreContext] = weakref.WeakKeyDictionary()
_INSTALL_LOCK = threading.Lock()


def context(store: Any) -> StoreContext:
    """The store's Oracle context (created by :func:`install`)."""
    return _CONTEXTS[store]


def install(store: Any, register: Callable[[Any], None] | None = None) -> StoreContext:
    """Register the Oracle schema and its SQLite functions on ``store`` (idempotent).

    Functions first: SQLite resolves view and trigger functions when a statement runs, and
    any insert (the seed's too) fires the undo triggers. ``register`` adds more functions
    (the SQL engine's) on the same connection.
    """
    with _INSTALL_LOCK:
        ctx = _CONTEXTS.get(store)
        if ctx is None:
            ctx = StoreContext()
            _CONTEXTS[store] = ctx
            conn = store.conn

            def mo_visible(org_id: Any) -> int:
                orgs = ctx.visible
                return int(orgs is not None and org_id is not None and int(org_id) in orgs)

            conn.create_function("ora_mo_visible", 1, mo_visible)
            conn.create_function("ora_txn_session", 0, lambda: ctx.txn_session)
            if (
                "oracle" not in getattr(store, "_schemas", {})
                or "AR_PAYMENT_SCHEDULES_ALL" not in store.table_names()
            ):
                store.register_schema("oracle", ddl())
        if register is not None:
            register(store.conn)
        return ctx
