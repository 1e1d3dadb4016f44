"""Cash applications and write-offs over S/4HANA's released APIs: two keyed steps.

Journal Entry – Clear only clears items that exist (it cannot post a bank or expense line), so
one payment or write-off is two postings (docs/s4hana-setup.md "Posting over s4api"):

1. Journal Entry – Post (synchronous): the G/L line (bank, or the write-off account) against
   the customer, one customer credit "to clear" of what the invoices take, and one "on account"
   credit of what is left over. Our key travels as the reference (XBLNR, ``xblnr_for``) and the
   header text (BKTXT, the tag), as on ECC.
2. Journal Entry – Clear (asynchronous): the "to clear" item against the invoices, with cash
   discount, residual (short payment, with reason) or partial payment per invoice. The answer
   is only "accepted": the ledger is read back (the open-item cube) until the "to clear" item
   shows its clearing document, for at most ``clear_wait_s``; after that the key is
   ``unknown`` and the job's lookup settles it.

Both steps are found again by the key alone, so a run that died anywhere resumes without
posting twice: step 1 is looked up before it is sent, and the "to clear" item can be cleared
once only, so a second clearing request of it fails in SAP instead of clearing anything twice.
The checks on the rows are the ECC transports' (adapters/sap/posting.py), one set of rules.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.errors import ErpRejected, OutcomeUnknown, TransientError, TransportError
from adapters.protocol import PostingKind
from adapters.s4.posting_ledger import ON_ACCOUNT, TO_CLEAR, Ledger, Posted
from adapters.s4.posting_plan import Plan, Planner, rejected
from adapters.s4.soap import Confirmation, JournalEntrySoap
from adapters.s4.soap_clearing import Clearing, ClearItem, plain
from adapters.sap.keys import header_text, xblnr_for

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter

DRY_RUN = "DRY-RUN"


class S4Posting:
    """Posting for one S/4 system: its ledger reads, its plans and its SOAP endpoints."""

    def __init__(self, adapter: S4Adapter, soap: JournalEntrySoap | None = None) -> None:
        settings = adapter.settings
        self.name, self.settings = adapter.name, settings
        self.ledger = Ledger(adapter.reader, settings.page_size)
        self.planner = Planner(adapter.name, self.ledger, settings.value_maps)
        self.soap = soap or JournalEntrySoap(
            settings.name,
            settings.url,
            settings.user,
            settings.password,
            settings.client,
            settings.soap_root,
            settings.timeout_s,
        )

    def close(self) -> None:
        self.soap.close()

    def payment_plan(self, rows: pl.DataFrame) -> Plan | dict[str, Any]:
        return self.planner.payment_plan(rows)

    def write_off_plan(self, row: Mapping[str, Any]) -> Plan | dict[str, Any]:
        return self.planner.write_off_plan(row)

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        """Both kinds are found the same way (posting_ledger.Ledger.find_posted)."""
        return self.ledger.find_posted(keys)

    # ------------------------------------------------------------------ the two steps

    def _entry(self, plan: Plan) -> dict[str, Any]:
        """Journal Entry – Post's ``JournalEntry``: customer credits, then the G/L debit."""

        def amount(value: Decimal) -> dict[str, str]:
            return {"_value_1": plain(value), "currencyCode": plan.currency}

        debtors = [(TO_CLEAR, plan.to_clear), (ON_ACCOUNT, plan.on_account)]
        debtor_items = [
            {
                "ReferenceDocumentItem": str(n),
                "Debtor": plan.customer,
                "AmountInTransactionCurrency": amount(-value),
                "DebitCreditCode": "H",
                "DocumentItemText": text,
            }
            for n, (text, value) in enumerate((d for d in debtors if d[1] > 0), start=1)
        ]
        gl_text = "Incoming payment" if plan.kind == "cash_application" else "Write-off"
        return {
            "OriginalReferenceDocumentType": "BKPFF",
            "BusinessTransactionType": "RFBU",
            "AccountingDocumentType": plan.doc_type,
            "DocumentReferenceID": xblnr_for(plan.key),
            "DocumentHeaderText": header_text(plan.key),
            "CreatedByUser": self.settings.user.upper()[:12],
            "CompanyCode": plan.company,
            "DocumentDate": plan.posting_date.isoformat(),
            "PostingDate": plan.posting_date.isoformat(),
            "Item": [
                {
                    "ReferenceDocumentItem": str(len(debtor_items) + 1),
                    "GLAccount": plan.gl_account,
                    "AmountInTransactionCurrency": amount(plan.gl_amount),
                    "DebitCreditCode": "S",
                    "DocumentItemText": gl_text,
                }
            ],
            "DebtorItem": debtor_items,
        }

    def _wait_for_clearing(self, plan: Plan, posted: Posted, message_id: str) -> str:
        """The clearing document once the ledger shows it; `unknown` after ``clear_wait_s``."""
        deadline = time.monotonic() + self.settings.clear_wait_s
        while True:
            try:
                found = self.ledger.posted([plan.key]).get(plan.key)
            except TransportError as exc:  # reading failed: the request is out all the same
                raise OutcomeUnknown(
                    self.name,
                    f"clearing {message_id} sent; reading it back failed: {exc}",
                    key=plan.key,
                ) from exc
            if found is not None and (clearing := found.clearing()) is not None:
                return clearing
            if time.monotonic() >= deadline:
                raise OutcomeUnknown(
                    self.name,
                    f"payment {posted.obj_key} posted, clearing request {message_id} accepted "
                    f"and not in the ledger after {self.settings.clear_wait_s:g}s (pending; a "
                    "failed clearing shows in SAP's Message Dashboard); the lookup settles it",
                    key=plan.key,
                )
            time.sleep(self.settings.clear_poll_s)

    def execute(self, plan: Plan, dry_run: bool) -> dict[str, Any]:
        """Step 1 unless the ledger has it, then step 2 unless it has landed."""
        base = {"key": plan.key, "kind": plan.kind, "system": self.name}
        posted = self.ledger.posted([plan.key]).get(plan.key)
        if posted is not None and (
            posted.amount(posted.to_clear) != plan.to_clear
            or posted.amount(posted.on_account) != plan.on_account
        ):
            return rejected(
                self.name,
                plan.key,
                plan.kind,
                f"document {posted.obj_key} already carries this key with other amounts "
                f"(to clear {posted.amount(posted.to_clear)}, on account "
                f"{posted.amount(posted.on_account)}); not posted again",
                stage=None,
            )
        if dry_run:
            what = f"already posted as {posted.obj_key}" if posted else "the open items allow it"
            return {
                **base,
                "status": "posted",
                "erp_document": DRY_RUN,
                "message": f"checked against the ledger over OData: {what} (nothing sent)",
            }
        if posted is None:
            confirmation: Confirmation = self.soap.post(_message_id(), self._entry(plan), plan.key)
            if confirmation.document is None:  # Journal Entry – Post stores all or nothing
                return rejected(self.name, plan.key, plan.kind, "; ".join(confirmation.log))
            posted = Posted(confirmation.company, confirmation.fiscal_year, confirmation.document)
        if not plan.items:
            return {**base, "status": "posted", "erp_document": posted.obj_key}
        found = self.ledger.posted([plan.key]).get(plan.key)
        if found is not None and (clearing := found.clearing()) is not None:
            return {**base, "status": "posted", "erp_document": clearing}
        credit = (found or posted).to_clear
        if not credit:
            raise OutcomeUnknown(
                self.name,
                f"document {posted.obj_key} is posted but not in the cube yet",
                key=plan.key,
            )
        first = credit[0]
        step_one = ClearItem(
            customer=plan.customer,
            fiscal_year=int(first["FiscalYear"]),
            document=first["AccountingDocument"],
            line=int(first["AccountingDocumentItem"]),
        )
        clearing_request = Clearing(
            company=plan.company,
            doc_type=plan.doc_type,
            posting_date=plan.posting_date,
            currency=plan.currency,
            header_text=header_text(plan.key),
            user=self.settings.user.upper(),
            items=(step_one, *plan.items),
        )
        message_id = _message_id()
        try:
            self.soap.send_clearing(message_id, clearing_request, plan.key)
        except TransientError:
            raise  # nothing reached SAP: the job may retry; step 1 is found again
        except TransportError as exc:
            raise OutcomeUnknown(
                self.name, f"payment {posted.obj_key} posted; clearing: {exc.detail}", key=plan.key
            ) from exc
        clearing = self._wait_for_clearing(plan, found or posted, message_id)
        return {
            **base,
            "status": "posted",
            "erp_document": clearing,
            "message": f"document {posted.obj_key} cleared by {clearing} (message {message_id})",
        }


def _message_id() -> str:
    """A fresh MessageHeader ID (35 characters): SAP drops a repeated one as a duplicate."""
    return "OTC" + uuid.uuid4().hex


def post_batch(adapter: S4Adapter, kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Batch posting without a journal (the adapter API): a lost answer is `unknown`, a
    transient fault `rejected` (not sent), as the ECC adapter reports them."""
    from adapters.sap.adapter import results_frame
    from contracts.validate import validate

    results: list[dict[str, Any]] = []
    units: list[tuple[str, Callable[[], dict[str, Any]]]]
    if kind == "cash_application":
        validate(frame, "cash_applications", source="cash applications")
        units = [
            (str(k), partial(adapter.post_payment, g))
            for (k,), g in frame.group_by("application_id", maintain_order=True)
        ]
    else:
        validate(frame, "write_offs", source="write-offs")
        units = [
            (str(r["writeoff_id"]), partial(adapter.post_write_off, r))
            for r in frame.iter_rows(named=True)
        ]
    for key, post in units:
        base = {"key": key, "kind": kind, "system": adapter.name}
        try:
            results.append(post())
        except OutcomeUnknown as exc:
            results.append({**base, "status": "unknown", "message": str(exc)})
        except (TransientError, ErpRejected) as exc:
            results.append({**base, "status": "rejected", "message": f"not posted: {exc}"})
    return results_frame(results)
