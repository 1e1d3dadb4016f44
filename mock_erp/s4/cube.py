"""``A_OperationalAcctgDocItemCube`` over the ECC persona's tables (one ledger, two faces).

Why SQL expressions per property: ``$filter`` and ``$select`` name cube properties; each maps to
one expression over the customer items (BSID open, BSAD cleared) joined with their header
(BKPF) and company code (T001), so filters run in SQLite and paging stays cheap at 1M items.
Derived values follow SAP's rules (docs/specs/sap.md §2.1: net due date = baseline + the first
non-zero of net days, days 2, days 1; the baseline defaults to the document date).
Properties the mock's tables do not hold answer with their Edm initial value.
"""

from __future__ import annotations

from decimal import Decimal

from mock_erp.s4.source import Source

ENTITY_SET = "A_OperationalAcctgDocItemCube"


def _date(col: str) -> str:
    """SAP's ``YYYYMMDD`` (``00000000`` = none) as ISO text or NULL: comparable, filterable."""
    return (
        f"CASE WHEN {col} IN ('', '00000000') THEN NULL ELSE "
        f"substr({col},1,4)||'-'||substr({col},5,2)||'-'||substr({col},7,2) END"
    )


_BASELINE = f"COALESCE({_date('i.ZFBDT')}, {_date('i.BLDAT')})"
_NET_DAYS = (
    "CASE WHEN CAST(i.ZBD3T AS INTEGER) <> 0 THEN CAST(i.ZBD3T AS INTEGER) "
    "WHEN CAST(i.ZBD2T AS INTEGER) <> 0 THEN CAST(i.ZBD2T AS INTEGER) "
    "ELSE CAST(i.ZBD1T AS INTEGER) END"
)

#: cube property -> SQL expression (aliases: i items, b BKPF, t T001)
COLUMNS: dict[str, str] = {
    "CompanyCode": "i.BUKRS",
    "FiscalYear": "i.GJAHR",
    "AccountingDocument": "i.BELNR",
    "AccountingDocumentItem": "i.BUZEI",
    "Customer": "i.KUNNR",
    "FinancialAccountType": "'D'",
    "ClearingAccountingDocument": "i.AUGBL",
    "ClearingDate": _date("i.AUGDT"),
    "IsCleared": "(i.AUGDT NOT IN ('', '00000000'))",
    "IsReversed": "(COALESCE(b.STBLG, '') <> '')",  # reversed: BKPF-STBLG names the reversal
    "PostingDate": _date("i.BUDAT"),
    "DocumentDate": _date("i.BLDAT"),
    "AccountingDocumentType": "i.BLART",
    "DocumentReferenceID": "i.XBLNR",
    "TransactionCurrency": "i.WAERS",
    "CompanyCodeCurrency": "t.WAERS",
    "DebitCreditCode": "i.SHKZG",
    "PostingKey": "i.BSCHL",
    "SpecialGLCode": "i.UMSKZ",
    "PaymentTerms": "i.ZTERM",
    "DueCalculationBaseDate": _BASELINE,
    "CashDiscount1Days": "CAST(i.ZBD1T AS INTEGER)",
    "CashDiscount2Days": "CAST(i.ZBD2T AS INTEGER)",
    "NetPaymentDays": "CAST(i.ZBD3T AS INTEGER)",
    "CashDiscount1Percent": "i.ZBD1P",
    "CashDiscount2Percent": "i.ZBD2P",
    "NetDueDate": f"date({_BASELINE}, '+' || ({_NET_DAYS}) || ' days')",
    "CashDiscount1DueDate": (
        f"CASE WHEN CAST(i.ZBD1P AS REAL) <> 0 "
        f"THEN date({_BASELINE}, '+' || CAST(i.ZBD1T AS INTEGER) || ' days') END"
    ),
    "AssignmentReference": "i.ZUONR",
    "DocumentItemText": "i.SGTXT",
    "AccountingDocumentHeaderText": "b.BKTXT",
    "AccountingDocumentCategory": "i.BSTAT",
    "PaymentMethod": "i.ZLSCH",
    "PaymentBlockingReason": "i.ZLSPR",
    "InvoiceReference": "i.REBZG",
    "InvoiceReferenceFiscalYear": "i.REBZJ",
    "InvoiceItemReference": "i.REBZZ",
    "PaymentDifferenceReason": "i.RSTGR",
    "Reference1IDByBusinessPartner": "i.XREF1",
    "Reference2IDByBusinessPartner": "i.XREF2",
    "Reference3IDByBusinessPartner": "i.XREF3",
    "BusinessArea": "i.GSBER",
    "TaxCode": "i.MWSKZ",
    "GLAccount": "i.HKONT",
    "ValueDate": _date("i.VALUT"),
    "DunningBlockingReason": "i.MANSP",
    "LastDunningDate": _date("i.MADAT"),
    "AccountingDocumentCreationDate": _date("i.CPUDT"),
    "FiscalPeriod": "i.MONAT",
    "OriginalReferenceDocument": "b.AWKEY",
    "ReferenceDocumentType": "b.AWTYP",
}

#: amounts, kept as SAP's internal text and converted when answered (TCURX shift, sign)
AMOUNTS: dict[str, tuple[str, str]] = {
    # property: (internal amount column, currency column)
    "AmountInTransactionCurrency": ("i.WRBTR", "i.WAERS"),
    "AmountInCompanyCodeCurrency": ("i.DMBTR", "t.WAERS"),
    "CashDiscountAmount": ("i.WSKTO", "i.WAERS"),
    "CashDiscountAmtInCoCodeCrcy": ("i.SKNTO", "t.WAERS"),
}

ITEMS = "(SELECT * FROM BSID UNION ALL SELECT * FROM BSAD)"
JOINS = (
    "LEFT JOIN BKPF AS b ON b.MANDT = i.MANDT AND b.BUKRS = i.BUKRS AND b.BELNR = i.BELNR "
    "AND b.GJAHR = i.GJAHR "
    "LEFT JOIN T001 AS t ON t.MANDT = i.MANDT AND t.BUKRS = i.BUKRS"
)
FROM = f"{ITEMS} AS i {JOINS}"

CUBE = Source(
    from_sql=FROM,
    columns=COLUMNS,
    order="i.BUKRS, i.GJAHR, i.BELNR, i.BUZEI",
    base_where="i.KUNNR <> ''",
    amounts=AMOUNTS,
    sign="i.SHKZG",
    core=(ITEMS, "i", JOINS),
)


def external_amount(internal: str, sign: str, decimals: int, scale: int) -> str:
    """SAP's internal amount (2 decimals, shifted by TCURX) as the service shows it.

    A currency with ``decimals`` minor units is stored shifted so that it has two decimals
    (docs/specs/sap.md §3: JPY 100 is stored as 1.00); a currency absent from TCURX has 2
    (docs/specs/sap.md §8). The service answers the real amount, signed by the debit/credit
    code, with the property's scale (Edm.Decimal Scale=3). [derived: the ABAP CURR conversion
    applied by Gateway for properties with sap:unit; unconfirmed on a live system]
    """
    value = Decimal(internal or "0").scaleb(2 - decimals)
    if sign == "H":
        value = -value
    return str(value.quantize(Decimal(1).scaleb(-scale)))
