"""Pre-flight for reversals and refunds (issue 18): ask the ERP before anything is sent.

A reversal needs its cash application posted (found by its own key, `find_posted`): there
is nothing to take back otherwise (a payment reversed already is
still found under its key: SAP answers state "reversed" and the row is refused here; on Oracle
the adapter refuses a second reversal). A
refund needs each credit item open for that customer, a credit (negative open amount), in
the refund's currency, with at least the refunded amount left.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from contracts.money import quantize
from jobs.preflight import (
    KEY,
    Problem,
    closest_item,
    customer_problem,
    customers_of,
    open_items_of,
    outside_companies,
)


def check_reversals(
    adapter: Any, frame: pl.DataFrame, companies: Sequence[str], system: str
) -> list[Problem]:
    problems: list[Problem] = []
    inside: list[pl.DataFrame] = []
    for _, part in frame.group_by("company", maintain_order=True):
        if outside := outside_companies(part, "reversal_id", companies, system):
            problems += outside
        else:
            inside.append(part)
    if not inside:
        return problems
    rows = pl.concat(inside)
    applications = sorted(set(rows["application_id"].to_list()))
    found = adapter.find_posted("cash_application", applications)
    if "state" not in found.columns:
        found = found.with_columns(state=pl.lit("posted"))
    posted: dict[str, str] = {}
    reversed_: dict[str, str] = {}
    for key, document, state in found.select("key", "erp_document", "state").iter_rows():
        if document and state == "reversed":
            reversed_[key] = document
        elif document:
            posted[key] = document
    for row in rows.iter_rows(named=True):
        application = row["application_id"]
        if application in reversed_:
            problems.append(
                Problem(
                    row["reversal_id"],
                    f"reversed already: nothing left to reverse (cash application "
                    f"{application}, document {reversed_[application]}, in {system})",
                )
            )
        elif application not in posted:
            problems.append(
                Problem(
                    row["reversal_id"],
                    f"not posted: nothing to reverse (cash application {application} is not "
                    f"found posted in {system})",
                )
            )
    return problems


def check_refunds(
    adapter: Any, frame: pl.DataFrame, companies: Sequence[str], system: str
) -> list[Problem]:
    problems: list[Problem] = []
    for (company,), part in frame.group_by("company", maintain_order=True):
        if outside := outside_companies(part, "refund_id", companies, system):
            problems += outside
            continue
        customers = sorted(set(part["customer_id"].to_list()))
        known = customers_of(adapter, [str(company)], set(customers))
        items = open_items_of(adapter, str(company), [c for c in customers if c in known])
        used: dict[tuple[Any, ...], Decimal] = {}
        for row in part.iter_rows(named=True):
            if message := _credit_problem(row, known, items, used, str(company)):
                problems.append(Problem(row["refund_id"], message))
    return problems


def _credit_problem(
    row: dict[str, Any],
    known: dict[str, bool],
    items: dict[tuple[Any, ...], dict[str, Any]],
    used: dict[tuple[Any, ...], Decimal],
    company: str,
) -> str | None:
    customer = row["customer_id"]
    if refused := customer_problem(known, customer, company):
        return refused
    item_key = tuple(row[k] for k in KEY)
    shown = f"{row['document_id']}/{row['fiscal_year']}/{row['line']}"
    item = items.get(item_key)
    if item is None or item["customer_id"] != customer:
        hint = closest_item(items.values(), customer, str(row["document_id"]))
        return f"credit item {shown} is not open for customer {customer}{hint}"
    open_amount = Decimal(item["amount"])
    if open_amount >= 0:
        return (
            f"item {shown} is not a credit (open {quantize(open_amount, str(item['currency']))} "
            f"{item['currency']}): only "
            "credit memos and payments on account can be refunded"
        )
    if item["currency"] != row["currency"]:
        return f"credit item {shown} is in {item['currency']}, the refund in {row['currency']}"
    currency = str(item["currency"])
    before = used.get(item_key, Decimal(0))
    wanted = before + Decimal(row["item_amount"])
    if wanted > -open_amount:  # refunds earlier in the file keep their share
        left = quantize(-open_amount - before, currency)
        return (
            f"credit item {shown} has {left} {currency} of credit open"
            + (" after the refunds above it in the file" if before else "")
            + f", less than the {quantize(Decimal(row['item_amount']), currency)} refunded"
        )
    used[item_key] = wanted
    return None
