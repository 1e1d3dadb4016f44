"""What one payment or write-off posts over ``s4api``: the two steps' amounts and items.

Why the ECC rules: a payment's rows are checked by the same code as on the other SAP transports
(adapters/sap/posting.py: items open for the customer, currency, paid + discount within the open
amount, partial payments without discount, credit memos netted in full); its clearing rows
become the clearing request's items here, so the two transports cannot disagree on a payment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import polars as pl

from adapters.errors import ErpRejected
from adapters.s4.posting_ledger import ItemKey, Ledger, doc_out
from adapters.s4.soap_clearing import ClearItem
from mappings.compile import DEFAULT_KEY, load_spec, load_value_maps
from mappings.convert import alpha_in


def rejected(
    system: str, key: str, kind: str, text: str, stage: str | None = "check"
) -> dict[str, Any]:
    """A `rejected` result; stage "check": nothing was stored (the row may come back fixed)."""
    row = {"key": key, "kind": kind, "system": system, "status": "rejected"}
    return {**row, "message": text, **({"stage": stage} if stage else {})}


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


class Planner:
    """Plans for one system: its posting value maps and its ledger."""

    def __init__(self, name: str, ledger: Ledger, value_maps: str | None) -> None:
        self.name, self.ledger = name, ledger
        self._maps = {k: dict(v) for k, v in load_spec("s4", "posting")["value_maps"].items()}
        for map_name, table in load_value_maps(value_maps).items():
            self._maps.setdefault(map_name, {}).update(table)

    def _posting_value(self, map_name: str, key: str) -> str:
        """The ECC rules' hook (adapters/sap/posting.py): a value map lookup."""
        table = self._maps.get(map_name, {})
        value = table.get(key, table.get(DEFAULT_KEY))
        if value is None:
            raise ErpRejected(
                self.name, key, "MAPPING", f"no value for {key!r} in value map {map_name!r}"
            )
        return str(value)

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
            open_amount = Decimal(open_items[(doc_out(it["DOC_NO"]), year, line)]["amount"])
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
            open_items = self.ledger.open_items_by_key(company, wanted)
            try:  # the ECC rules, one place; they need only `name` and `_posting_value`
                params = payment_call(cast(Any, self), rows, open_items)
            except ErpRejected as exc:
                return rejected(self.name, key, "cash_application", exc.text)
            items, takes = self._items(key, params["T_ITEMS"], open_items, customer)
            if takes <= 0:
                return rejected(
                    self.name, key, "cash_application", f"the items take {takes}: nothing to clear"
                )
        if takes > payment:
            return rejected(
                self.name,
                key,
                "cash_application",
                f"the items take {takes}, the payment is {payment}",
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
        open_items = self.ledger.open_items_by_key(company, [item])
        try:
            params = write_off_call(cast(Any, self), row, open_items)
        except ErpRejected as exc:
            return rejected(self.name, key, "write_off", exc.text)
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
