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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from adapters.errors import ErpRejected, OutcomeUnknown, TransientError, TransportError
from adapters.protocol import PostingKind
from adapters.s4.odata import any_of, literal
from adapters.s4.soap import Confirmation, JournalEntrySoap
from adapters.s4.soap_clearing import Clearing, ClearItem, plain
from adapters.sap.keys import header_text, header_texts, xblnr_for
from mappings.compile import DEFAULT_KEY, load_spec, load_value_maps
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter

CUBE_SERVICE = "API_OPLACCTGDOCITEMCUBE_SRV"
CUBE_SET = "A_OperationalAcctgDocItemCube"
TO_CLEAR = "OTC to clear"  # item text of the customer credit that step 2 clears
ON_ACCOUNT = "OTC on account"  # item text of the money left over
DRY_RUN = "DRY-RUN"
ITEM_FIELDS = (
    "CompanyCode",
    "FiscalYear",
    "AccountingDocument",
    "AccountingDocumentItem",
    "Customer",
    "TransactionCurrency",
    "AmountInTransactionCurrency",
)
LOOKUP_FIELDS = (
    *ITEM_FIELDS,
    "DocumentReferenceID",
    "AccountingDocumentHeaderText",
    "DocumentItemText",
    "IsCleared",
    "IsReversed",
    "ClearingAccountingDocument",
    "ClearingDate",
)
KEY_ORDER = ("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem")
REFERENCES_PER_FILTER = 40  # keeps the URL well under Gateway's 8 KiB request line

ItemKey = tuple[str, int, int]


def _doc_out(value: str) -> str:
    value = value.strip()
    return value.lstrip("0") or "0" if value.isdigit() else value


def _year_of(odata_date: Any) -> str:
    """The year of an OData V2 ``/Date(ms)/`` (the clearing's fiscal year: calendar variant)."""
    text = str(odata_date or "")
    if not text.startswith("/Date("):
        return ""
    ms = int(text[6:].split(")", maxsplit=1)[0].split("+", maxsplit=1)[0])
    return f"{datetime.fromtimestamp(ms / 1000, UTC).year:04d}"


@dataclass(frozen=True)
class Posted:
    """Step 1 as the ledger shows it: the document and its customer items by role."""

    company: str
    fiscal_year: str
    document: str
    to_clear: list[dict[str, Any]] = field(default_factory=list)
    on_account: list[dict[str, Any]] = field(default_factory=list)

    @property
    def obj_key(self) -> str:
        return f"{self.document}{self.company:<4}{self.fiscal_year}"

    def amount(self, rows: list[dict[str, Any]]) -> Decimal:
        return sum((-Decimal(str(r["AmountInTransactionCurrency"])) for r in rows), Decimal(0))

    def clearing(self) -> str | None:
        """The clearing document's key once every "to clear" item is cleared, else None."""
        if not self.to_clear or not all(r.get("IsCleared") for r in self.to_clear):
            return None
        first = self.to_clear[0]
        year = _year_of(first.get("ClearingDate")) or self.fiscal_year
        return f"{first['ClearingAccountingDocument']}{self.company:<4}{year}"


@dataclass(frozen=True)
class Plan:
    """One key's two steps: what step 1 posts and what step 2 clears."""

    key: str
    kind: str
    company: str
    customer: str  # internal form
    currency: str
    posting_date: date
    doc_type: str
    gl_account: str
    gl_amount: Decimal  # the G/L debit: the payment, or the write-off
    to_clear: Decimal
    on_account: Decimal
    items: tuple[ClearItem, ...]


class S4Posting:
    """Posting for one S/4 system; holds its SOAP endpoints and posting value maps."""

    def __init__(self, adapter: S4Adapter, soap: JournalEntrySoap | None = None) -> None:
        settings = adapter.settings
        self.adapter, self.name, self.settings = adapter, adapter.name, settings
        self.reader = adapter.reader
        self.soap = soap or JournalEntrySoap(
            settings.name,
            settings.url,
            settings.user,
            settings.password,
            settings.client,
            settings.soap_root,
            settings.timeout_s,
        )
        self._maps = {k: dict(v) for k, v in load_spec("s4", "posting")["value_maps"].items()}
        for map_name, table in load_value_maps(settings.value_maps).items():
            self._maps.setdefault(map_name, {}).update(table)

    def close(self) -> None:
        self.soap.close()

    def _posting_value(self, map_name: str, key: str) -> str:
        """The ECC rules' hook (adapters/sap/posting.py): a value map lookup."""
        table = self._maps.get(map_name, {})
        value = table.get(key, table.get(DEFAULT_KEY))
        if value is None:
            raise ErpRejected(
                self.name, key, "MAPPING", f"no value for {key!r} in value map {map_name!r}"
            )
        return str(value)

    # ------------------------------------------------------------------ reading the ledger

    def _rows(self, select: Sequence[str], filter_: str) -> Iterator[dict[str, Any]]:
        for page in self.reader.pages(
            CUBE_SERVICE,
            CUBE_SET,
            select=select,
            filter_=filter_,
            top=self.settings.page_size,
            order_by=KEY_ORDER,
        ):
            yield from page

    def open_items_by_key(
        self, company: str, items: Sequence[ItemKey]
    ) -> dict[ItemKey, dict[str, Any]]:
        """Open amount (real, signed), currency and customer of items, from the cube."""
        out: dict[ItemKey, dict[str, Any]] = {}
        documents = sorted({alpha_in(doc) for doc, _, _ in items})
        for start in range(0, len(documents), REFERENCES_PER_FILTER):
            chunk = documents[start : start + REFERENCES_PER_FILTER]
            filter_ = (
                f"CompanyCode eq {literal(company)} and FinancialAccountType eq {literal('D')} "
                f"and IsCleared eq false and {any_of('AccountingDocument', chunk)}"
            )
            for r in self._rows(ITEM_FIELDS, filter_):
                key = (
                    _doc_out(r["AccountingDocument"]),
                    int(r["FiscalYear"]),
                    int(r["AccountingDocumentItem"]),
                )
                out[key] = {
                    "amount": Decimal(str(r["AmountInTransactionCurrency"])),
                    "currency": r["TransactionCurrency"],
                    "customer": r["Customer"],
                }
        return out

    def _posted(self, keys: Sequence[str]) -> dict[str, Posted]:
        """Step 1 of each key, found by reference and tag in every company code."""
        by_reference: dict[str, list[str]] = {}
        for key in keys:
            by_reference.setdefault(xblnr_for(key), []).append(key)
        found: dict[str, Posted] = {}
        references = sorted(by_reference)
        for start in range(0, len(references), REFERENCES_PER_FILTER):
            chunk = references[start : start + REFERENCES_PER_FILTER]
            roles = any_of("DocumentItemText", [TO_CLEAR, ON_ACCOUNT])
            filter_ = f"{any_of('DocumentReferenceID', chunk)} and {roles}"
            for r in self._rows(LOOKUP_FIELDS, filter_):
                if r.get("IsReversed"):
                    continue  # reversed: as if never posted (ECC's lookup skips BKPF-STBLG)
                for key in by_reference.get(r["DocumentReferenceID"], []):
                    if r["AccountingDocumentHeaderText"] not in header_texts(key):
                        continue
                    doc = (r["CompanyCode"], r["FiscalYear"], r["AccountingDocument"])
                    posted = found.get(key)
                    if posted is None:
                        posted = found[key] = Posted(*doc)
                    if (posted.company, posted.fiscal_year, posted.document) != doc:
                        continue  # a second document for one key: the first one counts
                    role = (
                        posted.to_clear if r["DocumentItemText"] == TO_CLEAR else posted.on_account
                    )
                    role.append(r)
        return found

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        """A key is posted once both steps are in the ledger: the "to clear" item cleared (its
        clearing document is the answer), or step 1 alone when it has nothing to clear. A key
        whose step 1 is there but not yet cleared is not posted: posting it again resumes at
        step 2, as the module docstring says."""
        posted = self._posted(keys)
        documents: dict[str, str | None] = {}
        for key, doc in posted.items():
            documents[key] = doc.clearing() if doc.to_clear else doc.obj_key
        return pl.DataFrame(
            {"key": list(keys), "erp_document": [documents.get(k) for k in keys]},
            schema={"key": pl.String, "erp_document": pl.String},
        )

    # ------------------------------------------------------------------ planning

    def _rejected(
        self, key: str, kind: str, text: str, stage: str | None = "check"
    ) -> dict[str, Any]:
        row = {"key": key, "kind": kind, "system": self.name, "status": "rejected"}
        return {**row, "message": text, **({"stage": stage} if stage else {})}

    def _items(
        self,
        key: str,
        t_items: list[dict[str, Any]],
        open_items: Mapping[ItemKey, Any],
        customer: str,
    ) -> tuple[tuple[ClearItem, ...], Decimal]:
        """The ECC clearing rows as clearing items, and what they take from the credit."""
        items: list[ClearItem] = []
        takes = Decimal(0)
        for it in t_items:
            year, line = int(it["FISC_YEAR"]), int(it["ITEM_NUM"])
            open_amount = Decimal(open_items[(_doc_out(it["DOC_NO"]), year, line)]["amount"])
            paid, discount = Decimal(it["AMT_PAID"]), Decimal(it["DISC_AMT"])
            base = {
                "customer": customer,
                "fiscal_year": year,
                "document": it["DOC_NO"],
                "line": line,
            }
            mode = it["CLR_MODE"]
            if mode == "F":
                takes += open_amount - discount
                items.append(ClearItem(**base, discount=discount))
            elif mode == "R":
                takes += paid
                residual = open_amount - paid - discount
                items.append(
                    ClearItem(**base, discount=discount, residual=residual, reason=it["REASON_CDE"])
                )
            else:
                takes += paid
                items.append(ClearItem(**base, partial=paid, reason=it["REASON_CDE"]))
        return tuple(items), takes

    def payment_plan(self, rows: pl.DataFrame) -> Plan | dict[str, Any]:
        """The plan of one payment, or a `rejected` result (nothing was sent)."""
        from adapters.sap.posting import payment_call

        first = rows.row(0, named=True)
        key, company = str(first["application_id"]), str(first["company"])
        customer, currency = alpha_in(str(first["customer_id"])), str(first["currency"])
        payment = Decimal(first["payment_amount"])
        wanted = [
            (r["document_id"], r["fiscal_year"], r["line"])
            for r in rows.iter_rows(named=True)
            if r["document_id"] is not None
        ]
        items: tuple[ClearItem, ...] = ()
        takes = Decimal(0)
        if wanted:
            open_items = self.open_items_by_key(company, wanted)
            try:  # the ECC rules, one place; they need only `name` and `_posting_value`
                params = payment_call(cast(Any, self), rows, open_items)
            except ErpRejected as exc:
                return self._rejected(key, "cash_application", exc.text)
            items, takes = self._items(key, params["T_ITEMS"], open_items, customer)
            if takes <= 0:
                return self._rejected(
                    key, "cash_application", f"the items take {takes}: nothing to clear"
                )
        if takes > payment:
            return self._rejected(
                key, "cash_application", f"the items take {takes}, the payment is {payment}"
            )
        return Plan(
            key=key,
            kind="cash_application",
            company=company,
            customer=customer,
            currency=currency,
            posting_date=first["payment_date"],
            doc_type="DZ",
            gl_account=alpha_in(self._posting_value("bank_gl_account", company)),
            gl_amount=payment,
            to_clear=takes,
            on_account=payment - takes,
            items=items,
        )

    def write_off_plan(self, row: Mapping[str, Any]) -> Plan | dict[str, Any]:
        from adapters.sap.posting import write_off_call

        key, company = str(row["writeoff_id"]), str(row["company"])
        item = (row["document_id"], row["fiscal_year"], row["line"])
        open_items = self.open_items_by_key(company, [item])
        try:
            params = write_off_call(cast(Any, self), row, open_items)
        except ErpRejected as exc:
            return self._rejected(key, "write_off", exc.text)
        customer = alpha_in(str(row["customer_id"]))
        items, takes = self._items(key, params["T_ITEMS"], open_items, customer)
        gl = params["T_GLLINES"][0]
        return Plan(
            key=key,
            kind="write_off",
            company=company,
            customer=customer,
            currency=str(row["currency"]),
            posting_date=row["posting_date"],
            doc_type="AB",
            gl_account=str(gl["GL_ACCOUNT"]),
            gl_amount=Decimal(gl["AMT_DOCCUR"]),
            to_clear=takes,
            on_account=Decimal(0),
            items=items,
        )

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
                found = self._posted([plan.key]).get(plan.key)
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
        posted = self._posted([plan.key]).get(plan.key)
        if posted is not None and (
            posted.amount(posted.to_clear) != plan.to_clear
            or posted.amount(posted.on_account) != plan.on_account
        ):
            return self._rejected(
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
                return self._rejected(plan.key, plan.kind, "; ".join(confirmation.log))
            posted = Posted(confirmation.company, confirmation.fiscal_year, confirmation.document)
        if not plan.items:
            return {**base, "status": "posted", "erp_document": posted.obj_key}
        found = self._posted([plan.key]).get(plan.key)
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
