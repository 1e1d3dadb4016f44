"""Pre-flight: before anything is posted, ask the ERP whether each payment can go through.

Customer known and not blocked, each item open with at least the amount applied, and in
the payment's currency. Run against the adapter's own pulls, so it works for every ERP.
By default one failure posts nothing (`--post-valid` posts the rest).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

KEY = ["company", "document_id", "fiscal_year", "line"]


@dataclass(frozen=True)
class Problem:
    key: str
    message: str


def customers_of(adapter: Any, companies: list[str], wanted: set[str]) -> dict[str, bool]:
    """customer_id -> posting blocked, for the customers we need (others are not read)."""
    found: dict[str, bool] = {}
    for frame in adapter.pull_customers(companies):
        mine = frame.filter(pl.col("customer_id").is_in(list(wanted)))
        found.update(
            dict(zip(mine["customer_id"].to_list(), mine["posting_block"].to_list(), strict=True))
        )
    return found


def open_items_of(
    adapter: Any, company: str, customers: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    for frame in adapter.pull_open_items([company], customers=customers):
        for row in frame.iter_rows(named=True):
            items[tuple(row[k] for k in KEY)] = row
    return items


def outside_companies(
    part: pl.DataFrame, key_column: str, companies: Sequence[str], system: str
) -> list[Problem]:
    """With `companies` configured, a posting to any other company is refused before
    anything is read or sent (the lookups `find_posted` makes are scoped to them)."""
    company = str(part["company"][0])
    if not companies or company in companies:
        return []
    listed = ", ".join(f'"{c}"' for c in companies)
    return [
        Problem(
            key,
            f"company {company} is not one of the companies configured for this "
            f"system ([systems.{system}] companies = [{listed}]); "
            f'add "{company}" to companies to post there',
        )
        for key in dict.fromkeys(part[key_column].to_list())
    ]


def customer_problem(known: Mapping[str, bool], customer: str, company: str) -> str | None:
    if customer not in known:
        return f"customer {customer} does not exist in company {company}"
    if known[customer]:
        return f"customer {customer} is blocked for posting in company {company}"
    return None


def closest_item(items: Iterable[Mapping[str, Any]], customer: str, document_id: str) -> str:
    """ "; did you mean 1003/0/1?": the customer's open item with that document number (an
    Oracle item's fiscal year is 0), else the one whose number is closest; "" if none."""
    from rapidfuzz import fuzz, process

    mine = [i for i in items if i["customer_id"] == customer]
    same = sorted(
        (i for i in mine if str(i["document_id"]) == document_id),
        key=lambda i: (i["fiscal_year"], i["line"]),
    )
    if not same:
        numbers = sorted({str(i["document_id"]) for i in mine})
        found = process.extractOne(document_id, numbers, scorer=fuzz.ratio, score_cutoff=70)
        if found is None:
            return ""
        same = sorted(
            (i for i in mine if str(i["document_id"]) == found[0]),
            key=lambda i: (i["fiscal_year"], i["line"]),
        )
    first = same[0]
    return f"; did you mean {first['document_id']}/{first['fiscal_year']}/{first['line']}?"


def check(
    adapter: Any,
    frame: pl.DataFrame,
    key_column: str,
    amount_columns: Mapping[str, str],
    *,
    companies: Sequence[str] = (),
    system: str = "",
) -> list[Problem]:
    """Problems per key; `amount_columns` maps 'applied' (and optionally 'discount').

    With `companies` set, a posting to any other company is refused before anything is read
    or sent: the lookups that keep posting exactly once (`find_posted`) and the operators'
    view of the system are scoped to the companies the config lists.
    """
    problems: list[Problem] = []
    if frame.height == 0:
        return problems
    applied_col = amount_columns["applied"]
    discount_col = amount_columns.get("discount")
    for (company,), part in frame.group_by("company", maintain_order=True):
        if outside := outside_companies(part, key_column, companies, system or adapter.name):
            problems += outside
            continue
        customers = sorted(set(part["customer_id"].to_list()))
        known = customers_of(adapter, [str(company)], set(customers))
        items = open_items_of(adapter, str(company), [c for c in customers if c in known])
        used: dict[tuple[Any, ...], Decimal] = {}
        for row in part.iter_rows(named=True):
            key, customer = row[key_column], row["customer_id"]
            if refused := customer_problem(known, customer, str(company)):
                problems.append(Problem(key, refused))
                continue
            if row.get("document_id") is None:
                continue  # money on account: nothing to find open
            item_key = tuple(row[k] for k in KEY)
            shown = f"{row['document_id']}/{row['fiscal_year']}/{row['line']}"
            item = items.get(item_key)
            if item is None or item["customer_id"] != customer:
                hint = closest_item(items.values(), customer, str(row["document_id"]))
                problems.append(
                    Problem(key, f"item {shown} is not open for customer {customer}{hint}")
                )
                continue
            if item["currency"] != row["currency"]:
                problems.append(
                    Problem(
                        key,
                        f"item {shown} is in {item['currency']}, the posting in {row['currency']}",
                    )
                )
                continue
            need = Decimal(row[applied_col]) + (
                Decimal(row[discount_col]) if discount_col else Decimal(0)
            )
            used[item_key] = used.get(item_key, Decimal(0)) + need
            if used[item_key] > Decimal(item["amount"]):
                problems.append(
                    Problem(
                        key,
                        f"item {shown} has {item['amount']} open, "
                        f"less than the {used[item_key]} applied",
                    )
                )
    return problems
