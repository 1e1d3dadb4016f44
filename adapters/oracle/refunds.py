"""Refunding credit balances in EBS (issue 18; docs/oracle-setup.md "Refunds").

Each credit item of a refund becomes one refund application on the seeded schedule −8 with
the receivables activity of type CM_REFUND: a receipt's unapplied cash through
AR_RECEIPT_API_PUB.ACTIVITY_APPLICATION, an on-account credit memo through
AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION. EBS then creates a Payables payment request per
application (AR_REFUNDS_PVT.Create_Refund), whose id is the application's
APPLICATION_REF_NUM. All items of one refund go in one block: all or nothing.

Our key rides in the applications' COMMENTS as the tag `otc:<refund_id>;` followed by the
approval reference, so `find_posted("refund")` finds the live refund applications again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.errors import ErpRejected, OutcomeUnknown
from adapters.oracle import plsql
from adapters.oracle.errors import api_outcome
from adapters.oracle.errors import reason as _reason
from adapters.oracle.keys import comments, key_problem, tag, tagged
from adapters.oracle.transport import OUT_TEXT
from contracts.money import quantize

if TYPE_CHECKING:
    from adapters.oracle.adapter import OracleAdapter

KIND = "refund"
RECEIPT_PREFIX = "CR"  # document_id of a receipt's own schedule (mappings/oracle/open_items.yaml)


def _iso(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def refund_block(items: list[str], *, dry_run: bool) -> plsql.Block:
    """One refund application per credit item, `items[i-1]` "receipt" or "cm": IN binds per
    item `:doc_i` (cash receipt or customer trx id), `:amt_i`, `:adate_i`, `:agl_i`; shared
    `:activity`, `:method`, `:note` (the tagged comments), `:tag_only`, `:tag_length`.
    OUT `:refs` the payment request ids, comma-separated."""
    calls = []
    for i, item in enumerate(items, start=1):
        if item == "receipt":
            api = f"""ar_receipt_api_pub.activity_application(p_api_version => 1.0,
        p_init_msg_list => 'F', x_return_status => l_st, x_msg_count => l_cnt,
        x_msg_data => l_data, p_cash_receipt_id => :doc_{i}, p_amount_applied => :amt_{i},
        p_applied_payment_schedule_id => -8, p_receivables_trx_id => :activity,
        p_apply_date => TO_DATE(:adate_{i}, 'YYYY-MM-DD'),
        p_apply_gl_date => TO_DATE(:agl_{i}, 'YYYY-MM-DD'), p_comments => :note,
        p_application_ref_type => l_ref_type, p_application_ref_id => l_ref_id,
        p_application_ref_num => l_ref_num, p_secondary_application_ref_id => l_sec_id,
        p_receivable_application_id => l_ra, p_payment_method_code => :method,
        p_remittance_message1 => :approval, p_org_id => :org_id);"""
        else:
            api = f"""ar_cm_application_pub.activity_application(p_api_version => 1.0,
        p_init_msg_list => 'F', x_return_status => l_st, x_msg_count => l_cnt,
        x_msg_data => l_data, p_customer_trx_id => :doc_{i}, p_amount_applied => :amt_{i},
        p_applied_payment_schedule_id => -8, p_receivables_trx_id => :activity,
        p_apply_date => TO_DATE(:adate_{i}, 'YYYY-MM-DD'),
        p_apply_gl_date => TO_DATE(:agl_{i}, 'YYYY-MM-DD'), p_comments => :note,
        p_application_ref_type => l_ref_type, p_application_ref_id => l_ref_id,
        p_application_ref_num => l_ref_num, p_receivable_application_id => l_ra,
        p_payment_method_code => :method, p_remittance_message1 => :approval,
        p_org_id => :org_id);"""
        calls.append(
            f"""    IF l_st = 'S' THEN
      l_ref_type := NULL;
      l_ref_id := NULL;
      l_ref_num := NULL;
      {api}
      IF l_st = 'S' THEN
        l_refs := l_refs || l_ref_num || ',';
      END IF;
    END IF;
"""
        )
    text = f"""DECLARE
{plsql.STD_DECLARE}  l_ra NUMBER;
  l_ref_type VARCHAR2(30);
  l_ref_id NUMBER;
  l_ref_num VARCHAR2(30);
  l_sec_id NUMBER;
  l_refs VARCHAR2(4000);
BEGIN
{plsql.CONTEXT}  fnd_msg_pub.initialize;
  FOR r IN (SELECT ra.application_ref_num FROM ar_receivable_applications_all ra
             WHERE ra.applied_payment_schedule_id = -8 AND ra.status = 'ACTIVITY'
               AND ra.display = 'Y' AND ra.org_id = :org_id
               AND SUBSTR(ra.comments, 1, :tag_length) = :tag_only) LOOP
    l_refs := l_refs || r.application_ref_num || ',';
    l_already := 'Y';
  END LOOP;
  l_st := 'S';
  IF l_already = 'N' THEN
{"".join(calls)}  END IF;
{plsql.MESSAGES}{plsql._finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
  :refs := l_refs;
{plsql.HANDLER}"""
    return plsql.Block(text, {**plsql.STD_OUTS, "refs": OUT_TEXT})


def _document(refs: str | None) -> str | None:
    found = sorted({r for r in (refs or "").split(",") if r}, key=lambda r: (len(r), r))
    return ",".join(found) or None


class RefundPoster:
    """The refund side of one OracleAdapter."""

    def __init__(self, adapter: OracleAdapter) -> None:
        self.a = adapter

    def found(self, key: str) -> str | None:
        """The payment request(s) of the live refund applications carrying our tag."""
        rows = self.a._lookup("find_refund", {"tag": tag(key), "tag_length": len(tag(key))})
        live = [r for r in rows if tagged(r.get("COMMENTS"), key)]
        return _document(",".join(str(r["APPLICATION_REF_NUM"]) for r in live)) if live else None

    def post(self, rows: pl.DataFrame, dry_run: bool) -> dict[str, Any]:
        first = rows.row(0, named=True)
        key = str(first["refund_id"])
        base = {"key": key, "kind": KIND, "system": self.a.name}
        if problem := key_problem(key):
            return {**base, "status": "rejected", "message": problem, "stage": "check"}
        if document := self.found(key):
            return {
                **base,
                "status": "posted",
                "erp_document": document,
                "message": "already refunded: found in EBS",
            }
        try:
            org = self.a.settings.org_id(str(first["company"]))
            items, binds = self._binds(key, rows, org)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc), "stage": "check"}
        outs = self.a._run(refund_block(items, dry_run=dry_run), binds, writes=not dry_run)
        try:
            api_outcome(self.a.name, key, outs)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc), "stage": "check"}
        if dry_run:
            return {**base, "status": "checked", "message": "EBS accepts it (rolled back: dry run)"}
        document = _document(outs.get("refs"))
        if document is None:
            raise OutcomeUnknown(
                self.a.name, "the refund block answered without a payment request", key=key
            )
        already = outs.get("already") == "Y"
        return {
            **base,
            "status": "posted",
            "erp_document": document,
            "message": "already refunded: found in EBS" if already else None,
        }

    def _binds(self, key: str, rows: pl.DataFrame, org: int) -> tuple[list[str], dict[str, Any]]:
        first = rows.row(0, named=True)
        method = str(first["payment_method"])
        activity_name = self.a._value("refund_activity", method) or self.a.settings.refund_activity
        approval = str(first["approval_reference"])
        note = f"{approval} {first['memo']}" if first.get("memo") else approval
        binds: dict[str, Any] = {
            **self.a._context(org),
            "activity": self.a._activity(org, activity_name, key),
            "method": self.a._value("refund_payment_method", method) or method,
            "approval": approval[:150],
            "note": comments(key, note),
            "tag_only": tag(key),
            "tag_length": len(tag(key)),
        }
        items: list[str] = []
        when = _day(first["refund_date"])
        for i, row in enumerate(rows.iter_rows(named=True), start=1):
            kind, doc_id, item_day, item_gl = self._credit(key, row, org)
            items.append(kind)
            apply_day = max(when, item_day)
            binds.update(
                {
                    f"doc_{i}": doc_id,
                    f"amt_{i}": Decimal(row["item_amount"]),
                    f"adate_{i}": _iso(apply_day),
                    f"agl_{i}": _iso(max(apply_day, item_gl)),
                }
            )
        return items, binds

    def _credit(self, key: str, row: dict[str, Any], org: int) -> tuple[str, int, date, date]:
        """(kind, id, date, GL date) of one credit item, checked: this customer's, this
        currency, enough credit open. EBS checks again and has the last word."""
        document = str(row["document_id"])
        amount = Decimal(row["item_amount"])
        shown = f"{document}/{row['line']}"
        if document.startswith(RECEIPT_PREFIX) and document[len(RECEIPT_PREFIX) :].isdigit():
            found = self.a._lookup(
                "receipt_credit",
                {"cash_receipt_id": int(document[len(RECEIPT_PREFIX) :]), "org_id": org},
            )
            if not found:
                raise ErpRejected(
                    self.a.name,
                    key,
                    "OTC",
                    f"receipt {shown} does not exist in operating unit {org}",
                )
            r = found[0]
            self._same(key, shown, r["ACCOUNT_NUMBER"], r["CURRENCY_CODE"], row)
            if Decimal(r["UNAPPLIED"]) < amount:
                raise ErpRejected(
                    self.a.name,
                    key,
                    "OTC",
                    f"receipt {r['RECEIPT_NUMBER']} ({shown}) has "
                    f"{quantize(Decimal(r['UNAPPLIED']), row['currency'])} unapplied, less than "
                    f"the {quantize(amount, row['currency'])} to refund",
                )
            return "receipt", int(r["CASH_RECEIPT_ID"]), _day(r["RECEIPT_DATE"]), _day(r["GL_DATE"])
        if not document.isdigit():
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"item {shown} is neither a receipt (CR<id>) nor a credit memo",
            )
        schedules = self.a._lookup(
            "schedules_of_transaction", {"org_id": org, "customer_trx_id": int(document)}
        )
        if not schedules:
            raise ErpRejected(
                self.a.name, key, "OTC", f"item {shown} does not exist in operating unit {org}"
            )
        s = schedules[0]
        if s["CLASS"] != "CM":
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"item {s['TRX_NUMBER']} ({shown}) is a {s['CLASS']}, not a credit memo or a "
                "receipt: only credits are refunded",
            )
        self._same(key, shown, s["ACCOUNT_NUMBER"], s["INVOICE_CURRENCY_CODE"], row)
        open_credit = -Decimal(s["AMOUNT_DUE_REMAINING"])
        if open_credit < amount:
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"credit memo {s['TRX_NUMBER']} ({shown}) has "
                f"{quantize(open_credit, row['currency'])} open, less than the "
                f"{quantize(amount, row['currency'])} to refund",
            )
        return "cm", int(document), _day(s["TRX_DATE"]), _day(s["GL_DATE"])

    def _same(
        self, key: str, shown: str, customer: Any, currency: Any, row: dict[str, Any]
    ) -> None:
        if customer != row["customer_id"]:
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"item {shown} belongs to customer {customer}, not {row['customer_id']}",
            )
        if currency != row["currency"]:
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"item {shown} is in {currency}, the refund in {row['currency']}",
            )
