"""Reversing a posted cash application in EBS (issue 18; docs/oracle-setup.md "Reversals").

A whole payment is the receipt our application key created: AR_RECEIPT_API_PUB.REVERSE
(standard reversal) takes every application back, the invoices open again, and the receipt
is REV (or NSF / STOP: the category). Our key goes into p_reversal_comments as the tag
`otc:<reversal_id>;` (AR_CASH_RECEIPTS_ALL.REVERSAL_COMMENTS, VARCHAR2(240)), which is how
`find_posted("reversal")` finds it again.

One item's share is AR_RECEIPT_API_PUB.UNAPPLY of the receipt's application to that item: the
money goes back to unapplied cash on the receipt. UNAPPLY takes no comments and no
descriptive flexfield, so an unapply cannot carry our key: it is found by its state instead
(the application to that item is unapplied and none is live). Two reversal keys naming the
same item application are therefore the same reversal, reported as already done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from adapters.errors import ErpRejected, OutcomeUnknown
from adapters.oracle import plsql
from adapters.oracle.errors import api_outcome
from adapters.oracle.errors import reason as _reason
from adapters.oracle.keys import comments, key_problem, receipt_number_for, tag, tagged

if TYPE_CHECKING:
    from adapters.oracle.adapter import OracleAdapter

KIND = "reversal"
REVERSED = ("REV", "NSF", "STOP")


def _iso(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


def reverse_block(*, dry_run: bool) -> plsql.Block:
    """AR_RECEIPT_API_PUB.REVERSE of `:cr`, unless it is reversed under our tag already.

    IN binds: context, `:cr`, `:category`, `:reason`, `:gl`, `:rdate`, `:tag` (the whole
    reversal comments), `:tag_only`, `:tag_length`.
    """
    text = f"""DECLARE
{plsql.STD_DECLARE}BEGIN
{plsql.CONTEXT}  FOR r IN (SELECT cr.cash_receipt_id FROM ar_cash_receipts_all cr
             WHERE cr.cash_receipt_id = :cr AND cr.status IN ('REV', 'NSF', 'STOP')
               AND SUBSTR(cr.reversal_comments, 1, :tag_length) = :tag_only) LOOP
    l_already := 'Y';
  END LOOP;
  IF l_already = 'Y' THEN
    l_st := 'S';
  ELSE
    ar_receipt_api_pub.reverse(p_api_version => 1.0, p_init_msg_list => 'T',
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
      p_cash_receipt_id => :cr, p_reversal_category_code => :category,
      p_reversal_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'),
      p_reversal_date => TO_DATE(:rdate, 'YYYY-MM-DD'),
      p_reversal_reason_code => :reason, p_reversal_comments => :tag,
      p_called_from => 'OTC_ADAPTERS', p_org_id => :org_id);
  END IF;
{plsql.MESSAGES}{plsql._finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
{plsql.HANDLER}"""
    return plsql.Block(text, dict(plsql.STD_OUTS))


def unapply_block(*, dry_run: bool) -> plsql.Block:
    """AR_RECEIPT_API_PUB.UNAPPLY of application `:ra`, unless it is no longer live.

    IN binds: context, `:ra`, `:gl`.
    """
    text = f"""DECLARE
{plsql.STD_DECLARE}  l_live NUMBER := 0;
BEGIN
{plsql.CONTEXT}  FOR r IN (SELECT ra.receivable_application_id
              FROM ar_receivable_applications_all ra
             WHERE ra.receivable_application_id = :ra AND ra.display = 'Y'
               AND ra.status = 'APP') LOOP
    l_live := 1;
  END LOOP;
  IF l_live = 0 THEN
    l_already := 'Y';
    l_st := 'S';
  ELSE
    ar_receipt_api_pub.unapply(p_api_version => 1.0, p_init_msg_list => 'T',
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
      p_receivable_application_id => :ra,
      p_reversal_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'), p_org_id => :org_id);
  END IF;
{plsql.MESSAGES}{plsql._finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
{plsql.HANDLER}"""
    return plsql.Block(text, dict(plsql.STD_OUTS))


class ReversalPoster:
    """The reversal side of one OracleAdapter (its transport, settings and lookups)."""

    def __init__(self, adapter: OracleAdapter) -> None:
        self.a = adapter
        self.expected: dict[str, Mapping[str, Any]] = {}  # reversal key -> its row

    # ------------------------------------------------------------------ lookups

    def _receipt(self, app_key: str, org: int) -> dict[str, Any] | None:
        """The receipt our cash application key created, reversed or not."""
        rows = self.a._lookup(
            "our_receipt",
            {
                "receipt_number": receipt_number_for(app_key),
                "org_id": org,
                "tag": tag(app_key),
                "tag_length": len(tag(app_key)),
            },
        )
        return next((r for r in rows if tagged(r.get("COMMENTS"), app_key)), None)

    def _applications(self, cr_id: int, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        document = str(row["document_id"])
        if not document.isdigit():
            return []
        rows = self.a._lookup(
            "receipt_applications", {"cash_receipt_id": cr_id, "customer_trx_id": int(document)}
        )
        line = row.get("line")
        return [r for r in rows if line in (None, 0) or r["TERMS_SEQUENCE_NUMBER"] == line]

    def found(self, key: str) -> str | None:
        """The ERP document of a reversal that took effect under `key`, or None.

        Whole payment: the receipt reversed with our tag (searched by tag when the row is
        not known). Item: the application, when it is unapplied and none is live (needs the
        row: `expect`)."""
        row = self.expected.get(key)
        if row is None or row.get("document_id") is None:
            for r in self.a._lookup(
                "find_reversal", {"tag": tag(key), "tag_length": len(tag(key))}
            ):
                if tagged(r.get("REVERSAL_COMMENTS"), key):
                    return str(r["CASH_RECEIPT_ID"])
            return None
        org = self.a.settings.org_id(str(row["company"]))
        receipt = self._receipt(str(row["application_id"]), org)
        if receipt is None:
            return None
        apps = self._applications(int(receipt["CASH_RECEIPT_ID"]), row)
        undone = [r for r in apps if r["DISPLAY"] == "N" and r["REVERSAL_GL_DATE"] is not None]
        if undone and not any(r["DISPLAY"] == "Y" for r in apps):
            return str(undone[-1]["RECEIVABLE_APPLICATION_ID"])
        return None

    # ------------------------------------------------------------------ posting

    def reverse(self, row: Mapping[str, Any], dry_run: bool) -> dict[str, Any]:
        key = str(row["reversal_id"])
        base = {"key": key, "kind": KIND, "system": self.a.name}
        if problem := key_problem(key):
            return {**base, "status": "rejected", "message": problem, "stage": "check"}
        self.expected[key] = row
        try:
            org = self.a.settings.org_id(str(row["company"]))
            receipt = self._target(key, row, org)
            if row.get("document_id") is None:
                return self._whole(base, row, org, receipt, dry_run)
            return self._item(base, row, org, receipt, dry_run)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc), "stage": "check"}

    def _target(self, key: str, row: Mapping[str, Any], org: int) -> dict[str, Any]:
        app_key = str(row["application_id"])
        receipt = self._receipt(app_key, org)
        if receipt is None:
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"not posted: no receipt of cash application {app_key} in operating unit "
                f"{org}: nothing to reverse",
            )
        if receipt["ACCOUNT_NUMBER"] != str(row["customer_id"]):
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"receipt {receipt['RECEIPT_NUMBER']} of {app_key} belongs to customer "
                f"{receipt['ACCOUNT_NUMBER']}, not {row['customer_id']}",
            )
        return receipt

    def _whole(
        self,
        base: dict[str, Any],
        row: Mapping[str, Any],
        org: int,
        receipt: dict[str, Any],
        dry_run: bool,
    ) -> dict[str, Any]:
        key = base["key"]
        cr_id = int(receipt["CASH_RECEIPT_ID"])
        if receipt["STATUS"] in REVERSED and tagged(receipt["REVERSAL_COMMENTS"], key):
            return self._done(base, str(cr_id), already=True)
        when = _iso(row["reversal_date"])
        category = row.get("reversal_category") or self.a.settings.reversal_category
        reason = self.a._value("reversal_reason", str(row["reason_code"])) or str(
            row["reason_code"]
        )
        binds = {
            **self.a._context(org),
            "cr": cr_id,
            "category": category,
            "reason": reason,
            "gl": when,
            "rdate": when,
            "tag": comments(key, row.get("memo")),
            "tag_only": tag(key),
            "tag_length": len(tag(key)),
        }
        outs = self.a._run(reverse_block(dry_run=dry_run), binds, writes=not dry_run)
        try:
            api_outcome(self.a.name, key, outs)
        except ErpRejected as exc:
            message = _reason(exc)
            if receipt["STATUS"] in REVERSED:
                message += (
                    f" (receipt {receipt['RECEIPT_NUMBER']} was reversed already, on "
                    f"{str(receipt['REVERSAL_DATE'])[:10]}, not under this key)"
                )
            return {**base, "status": "rejected", "message": message, "stage": "check"}
        if dry_run:
            return _checked(base)
        return self._done(base, str(cr_id), already=outs.get("already") == "Y")

    def _item(
        self,
        base: dict[str, Any],
        row: Mapping[str, Any],
        org: int,
        receipt: dict[str, Any],
        dry_run: bool,
    ) -> dict[str, Any]:
        key = base["key"]
        shown = f"{row['document_id']}/{row['line']}"
        if receipt["STATUS"] in REVERSED:
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"receipt {receipt['RECEIPT_NUMBER']} of {row['application_id']} was reversed "
                "as a whole: its application to item " + shown + " is undone already",
            )
        apps = self._applications(int(receipt["CASH_RECEIPT_ID"]), row)
        live = [r for r in apps if r["DISPLAY"] == "Y"]
        if not live:
            undone = [r for r in apps if r["REVERSAL_GL_DATE"] is not None]
            if undone:
                return self._done(base, str(undone[-1]["RECEIVABLE_APPLICATION_ID"]), already=True)
            raise ErpRejected(
                self.a.name,
                key,
                "OTC",
                f"receipt {receipt['RECEIPT_NUMBER']} of {row['application_id']} did not pay "
                f"item {shown}: nothing to reverse",
            )
        ra_id = int(live[0]["RECEIVABLE_APPLICATION_ID"])
        binds = {**self.a._context(org), "ra": ra_id, "gl": _iso(row["reversal_date"])}
        outs = self.a._run(unapply_block(dry_run=dry_run), binds, writes=not dry_run)
        try:
            api_outcome(self.a.name, key, outs)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc), "stage": "check"}
        if dry_run:
            return _checked(base)
        return self._done(base, str(ra_id), already=outs.get("already") == "Y")

    def _done(self, base: dict[str, Any], document: str, *, already: bool) -> dict[str, Any]:
        if not document:
            raise OutcomeUnknown(
                self.a.name, "the reversal answered without a document", key=base["key"]
            )
        return {
            **base,
            "status": "posted",
            "erp_document": document,
            "message": "already reversed: found in EBS" if already else None,
        }


def _checked(base: dict[str, Any]) -> dict[str, Any]:
    return {**base, "status": "checked", "message": "EBS accepts it (rolled back: dry run)"}
