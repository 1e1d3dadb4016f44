"""One example row per entity (as CSV text) and the notes the canonical-model doc carries.

The rows pass their contracts (tests/contracts/test_describe.py reads each template back);
they are the first rows of the shipped samples in jobs/samples/ where there is one.
"""

from __future__ import annotations

EXAMPLES: dict[str, dict[str, str | None]] = {
    "customers": {
        "customer_id": "100001",
        "source_system": "sap",
        "name": "Brandt Maschinenbau GmbH",
        "country": "DE",
        "city": "Stuttgart",
        "postal_code": "70173",
        "street": "Königstraße 12",
        "tax_id": "DE136695976",
        "currency": "EUR",
        "payment_terms": "ZB14",
        "credit_limit": "250000.00",
        "posting_block": "false",
        "email": "ar@brandt-maschinenbau.example",
        "iban": "DE89370400440532013000",
    },
    "open_items": {
        "source_system": "sap",
        "company": "1000",
        "customer_id": "100001",
        "document_id": "1800000101",
        "fiscal_year": "2026",
        "line": "1",
        "document_type": "invoice",
        "reference": "INV-2026-0101",
        "document_date": "2026-10-02",
        "posting_date": "2026-10-02",
        "due_date": "2026-11-01",
        "currency": "EUR",
        "amount": "11900.00",
        "disputed_amount": "0.00",
        "discount_date": "2026-10-16",
        "discount_amount": "238.00",
    },
    "cash_applications": {
        "application_id": "PAY-2026-11-27-0001",
        "company": "1000",
        "customer_id": "100001",
        "payment_date": "2026-11-27",
        "currency": "EUR",
        "payment_amount": "11662.00",
        "document_id": "1800000101",
        "fiscal_year": "2026",
        "line": "1",
        "applied_amount": "11662.00",
        "discount_amount": "238.00",
        "reason_code": None,
        "match_rule": None,
        "match_score": None,
    },
    "write_offs": {
        "writeoff_id": "WO-2026-11-0001",
        "company": "1000",
        "customer_id": "100001",
        "document_id": "1800000102",
        "fiscal_year": "2026",
        "line": "1",
        "currency": "EUR",
        "amount": "0.50",
        "reason_code": "SMALL",
        "posting_date": "2026-11-27",
        "memo": "rounding difference",
    },
    "reversals": {
        "reversal_id": "REV-2026-11-28-0001",
        "application_id": "PAY-2026-11-27-0001",
        "company": "1000",
        "customer_id": "100001",
        "document_id": None,
        "fiscal_year": None,
        "line": None,
        "reason_code": "01",
        "reversal_category": None,
        "reversal_date": "2026-11-28",
        "memo": "applied to the wrong invoice",
    },
    "refunds": {
        "refund_id": "RF-2026-11-0001",
        "company": "1000",
        "customer_id": "100001",
        "currency": "EUR",
        "refund_amount": "476.00",
        "document_id": "1600000007",
        "fiscal_year": "2026",
        "line": "1",
        "item_amount": "476.00",
        "payment_method": "T",
        "approval_reference": "APR-2026-0042",
        "refund_date": "2026-11-28",
        "memo": "credit memo refunded by transfer",
    },
    "posting_results": {
        "key": "PAY-2026-11-27-0001",
        "kind": "cash_application",
        "system": "sap",
        "status": "posted",
        "erp_document": "1400000001",
        "message": None,
        "posted_at": "2026-11-27T09:30:00.000000Z",
    },
    "bank_transactions": {
        "transaction_id": "CAMT-2026-11-27-0001",
        "account": "DE89370400440532013000",
        "booking_date": "2026-11-27",
        "value_date": "2026-11-27",
        "amount": "11662.00",
        "currency": "EUR",
        "direction": "credit",
        "reversal": "false",
        "bank_reference": "NOTPROVIDED",
        "customer_reference": None,
        "end_to_end_id": "E2E-2026-11-27-0001",
        "entry_reference": None,
        "other_references": "TxId:TX-2026-11-27-0001|MsgId:MSG-2026-11-27",
        "payer_name": "Brandt Maschinenbau GmbH",
        "payer_account": "DE89370400440532013000",
        "remittance_text": "INV-2026-0101 less 2% discount",
        "invoice_refs": "INV-2026-0101",
    },
}

_ITEM_KEY = [
    "The item key (`company`, `document_id`, `fiscal_year`, `line`) is the ERP's own:",
    "",
    "- **SAP**: `company` = company code (BUKRS), `document_id` = accounting document number"
    " (BELNR, without leading zeros), `fiscal_year` = GJAHR, `line` = line item (BUZEI).",
    "- **Oracle EBS**: `company` = the operating unit's name in `[systems.X] operating_units`"
    " (ORG_ID), `document_id` = CUSTOMER_TRX_ID (`CR<CASH_RECEIPT_ID>` for a receipt's own"
    " schedule), `fiscal_year` = **0** (EBS numbers transactions without a fiscal year),"
    " `line` = the installment (TERMS_SEQUENCE_NUMBER). The transaction number people see"
    " (TRX_NUMBER) is `reference`. A cash file for Oracle therefore says `1003,0,1`, not"
    " `1003,2026,1`; pre-flight names the open item closest to a key that is not open.",
    "",
    "Mappings: `mappings/sap/open_items.yaml`, `mappings/oracle/open_items.yaml`; interface"
    " facts: `docs/specs/sap.md`, `docs/specs/oracle.md`.",
]

NOTES: dict[str, list[str]] = {
    "open_items": _ITEM_KEY,
    "cash_applications": [
        "One row per (payment, item it pays); a row with an empty item key is money left on"
        " account. `application_id` is the payment's idempotency key: a rerun never posts it"
        " twice. `otc cash match` writes this file from a bank statement (then `match_rule`"
        " and `match_score` are filled); a hand-written file may leave out every optional"
        " column.",
        "",
        *_ITEM_KEY,
    ],
    "write_offs": ["`writeoff_id` is the idempotency key. The item key is as for open_items."],
    "reversals": [
        "One row per reversal; `reversal_id` is the idempotency key. `application_id` names"
        " the posted cash application (its `application_id` in the cash file) whose payment is"
        " taken back. An empty item key reverses the whole payment: SAP resets the clearing"
        " and reverses the payment document (FBRA, then FB08) in one step; Oracle EBS reverses"
        " the receipt. An item key takes back only that item's application (Oracle"
        " AR_RECEIPT_API_PUB.UNAPPLY); SAP refuses it, since it resets a clearing as a whole."
        " `reason_code` is SAP's reversal reason (STGRD, table T041C) or Oracle's reversal"
        " reason lookup code; `reversal_category` is Oracle's (empty: the system's configured"
        " default; SAP ignores it). Pre-flight rejects a row whose `application_id` is not"
        " posted (nothing to reverse). After a reversal the items are open again and a"
        " corrected cash file posts under new keys.",
        "",
        *_ITEM_KEY,
    ],
    "refunds": [
        "One row per (refund, credit item it pays back); `refund_id` is the idempotency key"
        " and repeats on the rows of one refund, which agree on everything but the item and"
        " `item_amount`; the item amounts add up to `refund_amount`. The items must be open"
        " credits of the customer (pre-flight checks them against the ERP's open items):"
        " SAP credit memos or payments on account, Oracle credit memos or receipts with"
        " on-account or unapplied cash. `payment_method` is SAP's ZLSCH or Oracle's payment"
        " method; `approval_reference` names the approval given outside the ERP."
        " `otc credit-balances --as-refunds FILE` writes a start for this file.",
        "",
        *_ITEM_KEY,
    ],
    "posting_results": [
        "Written by every posting run to `runs/<timestamp>-<command>/results.csv`. `checked`"
        " is a dry run the ERP accepted (nothing was kept)."
    ],
}
