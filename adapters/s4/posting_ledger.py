"""The open-item cube as the posting reads it: open items by key, and each key's documents.

Why here and not in the adapter's pull: posting reads a few items by key (indexed predicates:
document numbers, our reference), never a company's whole ledger, and it must recognise its own
documents: step 1 of a key carries the key as reference (XBLNR) and tag (BKTXT), and its
customer items say what they are for ("OTC to clear", "OTC on account"; adapters/s4/posting.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from adapters.s4.odata import ODataReader, any_of, literal
from adapters.sap.keys import header_texts, xblnr_for
from mappings.convert import alpha_in

CUBE_SERVICE = "API_OPLACCTGDOCITEMCUBE_SRV"
CUBE_SET = "A_OperationalAcctgDocItemCube"
TO_CLEAR = "OTC to clear"  # item text of the customer credit that step 2 clears
ON_ACCOUNT = "OTC on account"  # item text of the money left over
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


def doc_out(value: str) -> str:
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


class Ledger:
    """Reads for posting, over one system's OData reader."""

    def __init__(self, reader: ODataReader, page_size: int) -> None:
        self.reader, self.page_size = reader, page_size

    def _rows(self, select: Sequence[str], filter_: str) -> Iterator[dict[str, Any]]:
        for page in self.reader.pages(
            CUBE_SERVICE,
            CUBE_SET,
            select=select,
            filter_=filter_,
            top=self.page_size,
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
                    doc_out(r["AccountingDocument"]),
                    int(r["FiscalYear"]),
                    int(r["AccountingDocumentItem"]),
                )
                out[key] = {
                    "amount": Decimal(str(r["AmountInTransactionCurrency"])),
                    "currency": r["TransactionCurrency"],
                    "customer": r["Customer"],
                }
        return out

    def posted(self, keys: Sequence[str]) -> dict[str, Posted]:
        """Step 1 of each key, found by reference and tag in every company code."""
        return self._lookup(keys)[0]

    def _lookup(self, keys: Sequence[str]) -> tuple[dict[str, Posted], dict[str, str]]:
        """(step 1 of each key not reversed, a reversed document of each key)."""
        reversed_: dict[str, str] = {}
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
                for key in by_reference.get(r["DocumentReferenceID"], []):
                    if r["AccountingDocumentHeaderText"] not in header_texts(key):
                        continue
                    doc = (r["CompanyCode"], r["FiscalYear"], r["AccountingDocument"])
                    if r.get("IsReversed"):  # not resumed; but the key stays used
                        reversed_.setdefault(key, Posted(*doc).obj_key)
                        continue
                    posted = found.get(key)
                    if posted is None:
                        posted = found[key] = Posted(*doc)
                    if (posted.company, posted.fiscal_year, posted.document) != doc:
                        continue  # a second document for one key: the first one counts
                    role = (
                        posted.to_clear if r["DocumentItemText"] == TO_CLEAR else posted.on_account
                    )
                    role.append(r)
        return found, reversed_

    def find_posted(self, keys: Sequence[str]) -> pl.DataFrame:
        """A key is posted once both steps are in the ledger: the "to clear" item cleared (its
        clearing document is the answer), or step 1 alone when it has nothing to clear. A key
        whose step 1 is there but not yet cleared is not posted: posting it again resumes at
        step 2 (adapters/s4/posting.py). A key whose document was reversed since is found
        with state "reversed": it stays used (posting it again would pay the reopened items
        twice), as on ECC."""
        posted, reversed_ = self._lookup(keys)
        documents: dict[str, str | None] = {}
        for key, doc in posted.items():
            documents[key] = doc.clearing() if doc.to_clear else doc.obj_key
        states: list[str | None] = []
        for key in keys:
            if documents.get(key):
                states.append("posted")
            elif key not in posted and key in reversed_:
                documents[key] = reversed_[key]
                states.append("reversed")
            else:
                states.append(None)
        return pl.DataFrame(
            {"key": list(keys), "erp_document": [documents.get(k) for k in keys], "state": states},
            schema={"key": pl.String, "erp_document": pl.String, "state": pl.String},
        )
