"""The aging report as one self-contained HTML page a collector can open (inline CSS, the
chart as a data URI): summary per currency, the chart, top customers by overdue amount,
disputed items and deductions apart, the split per company and per customer.

Every amount is text written by `contracts.io.money_text` from the exact Decimal: with its
currency's decimals (1250000 JPY, 1875.250 KWD, 19754.50 EUR) and without grouping, so what
the page shows can be read back and summed (tests/analytics/test_html.py does).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

import polars as pl

from contracts.io import money_text
from contracts.money import MONEY_DTYPE
from jobs.analytics.aging import Buckets, money_columns

HEADINGS = {
    "company": "Company",
    "customer_id": "Customer",
    "name": "Name",
    "currency": "Currency",
    "customers": "Customers",
    "items": "Items",
    "total": "Total",
    "credits": "Credits",
    "overdue": "Overdue",
    "overdue_collectible": "Collectible overdue",
    "disputed": "Disputed",
    "deductions": "Deductions",
    "max_days_past_due": "Oldest (days)",
    "rank": "#",
    "document_id": "Document",
    "reference": "Reference",
    "document_type": "Type",
    "due_date": "Due",
    "days_past_due": "Days past due",
    "bucket": "Bucket",
    "amount": "Amount",
    "disputed_amount": "Disputed",
}
TEXT_COLUMNS = {
    "company",
    "customer_id",
    "name",
    "currency",
    "document_id",
    "reference",
    "document_type",
    "due_date",
    "bucket",
}

CSS = """
:root { --ink:#1d2733; --muted:#5d6b7a; --rule:#d9dee4; --band:#f4f6f8; --neg:#b3261e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); margin: 24px auto; max-width: 1400px; padding: 0 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h1 small { color: var(--muted); font-weight: 400; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 2px solid var(--ink);
     padding-bottom: 3px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
p.meta, p.note { color: var(--muted); margin: 4px 0 8px; }
div.wide { overflow: auto; max-height: 85vh; margin: 6px 0 12px; }
div.wide thead th { position: sticky; top: 0; z-index: 1; }
@media print { div.wide { overflow: visible; max-height: none; } }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { padding: 4px 5px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
th { background: var(--band); text-align: left; font-weight: 600; white-space: normal;
     vertical-align: bottom; min-width: 3.5em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.neg { color: var(--neg); } td.zero { color: #a9b3bd; }
th.memo, td.memo { background: #fbf7ec; }
th.memo.first, td.memo.first { border-left: 2px solid var(--rule); }
th.total, td.total { font-weight: 600; }
tr:hover td { background: #eef3fb; }
figure { margin: 8px 0 4px; } figure img { max-width: 100%; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 12px; }
.legend span { display: inline-block; margin-right: 14px; }
"""


@dataclass(frozen=True)
class Page:
    """What the page shows; frames as built by `jobs.analytics.report`."""

    as_of: date
    buckets: Buckets
    source: str
    by_currency: pl.DataFrame
    by_company: pl.DataFrame
    by_customer: pl.DataFrame
    items: pl.DataFrame  # classified items (aging.classify)
    chart_png: bytes
    top: int = 10
    max_rows: int = 1000
    left_out: int = 0  # items of the file posted after the as-of date, not counted


def _heading(buckets: Buckets, column: str) -> str:
    if column in HEADINGS:
        return HEADINGS[column]
    label = buckets.label(column)
    return "Current" if label == "current" else f"{label} days"


def _classes(column: str, memo: Sequence[str], money: Sequence[str]) -> str:
    classes = []
    if column in money or column not in TEXT_COLUMNS:
        classes.append("num")
    if column in memo:
        classes.append("memo")
        if column == memo[0]:
            classes.append("first")
    if column == "total":
        classes.append("total")
    return " ".join(classes)


def table_html(
    frame: pl.DataFrame,
    buckets: Buckets,
    *,
    table_id: str,
    money: Sequence[str],
    memo: Sequence[str] = (),
) -> str:
    """A table; money cells written with the row's currency's decimals.

    Each `th` and `td` carries `data-col` (the column name) and each row `data-currency`,
    so the page can be read back by machine as well as by eye.
    """
    columns = frame.columns
    shown = frame.with_columns(
        *(money_text(c).alias(c) for c in money),
        *(pl.col(c).cast(pl.String) for c in columns if c not in money),
    )
    zero = frame.select(*(pl.col(c).cast(MONEY_DTYPE).sign().alias(c) for c in money)).to_dict(
        as_series=False
    )
    head = "".join(
        f'<th class="{_classes(c, memo, money)}" data-col="{escape(c)}">'
        f"{escape(_heading(buckets, c))}</th>"
        for c in columns
    )
    body: list[str] = []
    for i, row in enumerate(shown.iter_rows(named=True)):
        cells = []
        for c in columns:
            classes = _classes(c, memo, money)
            if c in money:
                sign = zero[c][i]
                classes += " neg" if sign is not None and sign < 0 else ""
                classes += " zero" if sign == 0 else ""
            value = row[c]
            cells.append(
                f'<td class="{classes.strip()}" data-col="{escape(c)}">'
                f"{'' if value is None else escape(str(value))}</td>"
            )
        currency = escape(str(row.get("currency") or ""))
        body.append(f'<tr data-currency="{currency}">{"".join(cells)}</tr>')
    return (
        f'<div class="wide"><table id="{escape(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _aging_table(
    frame: pl.DataFrame,
    buckets: Buckets,
    table_id: str,
    lead: Sequence[str],
    tail: Sequence[str] = (),
) -> str:
    money = money_columns(buckets)
    memo = ["overdue", "overdue_collectible", "disputed", "deductions"]
    ordered = [*lead, "items", *money, *tail]
    return table_html(
        frame.select([c for c in ordered if c in frame.columns]),
        buckets,
        table_id=table_id,
        money=money,
        memo=memo,
    )


def _top_customers(page: Page) -> str:
    ranked = (
        page.by_customer.filter(pl.col("overdue") > 0)
        .sort(
            ["currency", "overdue", "company", "customer_id"],
            descending=[False, True, False, False],
        )
        .with_columns(pl.int_range(1, pl.len() + 1).over("currency").alias("rank"))
        .filter(pl.col("rank") <= page.top)
    )
    if ranked.is_empty():
        return '<p class="note">No customer has anything overdue.</p>'
    lead = ["currency", "rank", "company", "customer_id"]
    if "name" in ranked.columns:
        lead.append("name")
    money = ["overdue", "overdue_collectible", "disputed", "deductions", "total"]
    return table_html(
        ranked.select(*lead, *money, "max_days_past_due"),
        page.buckets,
        table_id="top-overdue",
        money=money,
    )


def _items_table(page: Page, frame: pl.DataFrame, table_id: str, money: Sequence[str]) -> str:
    if frame.is_empty():
        return '<p class="note">None.</p>'
    lead = ["currency", "company", "customer_id"]
    if "name" in frame.columns:
        lead.append("name")
    rest = ["document_id", "reference", "document_type", "due_date", "days_past_due", "bucket"]
    shown = frame.sort(["currency", "company", "customer_id", "due_date", "document_id"])
    shown = shown.with_columns(
        pl.col("bucket").replace_strict(
            {c: _heading(page.buckets, c) for c in page.buckets.columns}, return_dtype=pl.String
        )
    )
    more = ""
    if shown.height > page.max_rows:
        more = f'<p class="note">First {page.max_rows} of {shown.height} items shown.</p>'
        shown = shown.head(page.max_rows)
    table = table_html(
        shown.select(*lead, *rest, *money), page.buckets, table_id=table_id, money=money
    )
    return table + more


def left_out_note(left_out: int, as_of: date) -> str:
    """The sentence a page adds when items posted after its as-of date were left out."""
    if not left_out:
        return ""
    return (
        f' <b class="left-out">{left_out} item{"" if left_out == 1 else "s"} of the file '
        f"posted after {as_of.isoformat()} left out</b>: not yet on the ledger at that date."
    )


def render(page: Page) -> str:
    """The whole page as text (UTF-8)."""
    b = page.buckets
    png = base64.b64encode(page.chart_png).decode("ascii")
    spans = ", ".join(_heading(b, c) for c in b.past_due)
    n_items = page.items.height
    n_customers = page.by_customer.select("company", "customer_id").unique().height
    n_currencies = page.by_currency.height
    disputed = page.items.filter(pl.col("disputed_amount") > 0)
    deductions = page.items.filter(pl.col("is_deduction"))
    customers = page.by_customer.sort(
        ["currency", "overdue", "company", "customer_id"], descending=[False, True, False, False]
    )
    cut = ""
    if customers.height > page.max_rows:
        cut = (
            f'<p class="note">First {page.max_rows} of {customers.height} rows '
            "(by currency, most overdue first); every row is in aging.csv.</p>"
        )
        customers = customers.head(page.max_rows)
    lead = ["currency", "company", "customer_id"] + (
        ["name"] if "name" in customers.columns else []
    )
    title = f"Receivables aging as of {page.as_of.isoformat()}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
<h1>Receivables aging <small>as of {page.as_of.isoformat()}</small></h1>
<p class="meta">Source {escape(page.source)}: {n_items} open items, {n_customers} customers,
{n_currencies} currencies. Days past due = as-of date − due date. Current = not yet due
(0 days or fewer); past-due buckets {escape(spans)}; credits = credit memos and unapplied
payments (negative amounts) whatever their age. On every row
<b>current + past-due buckets + credits = total</b>, exactly. Disputed, deductions and
collectible overdue are <i>of which</i> amounts (shaded), already inside the buckets.
Only items posted on or before the as-of date count.{left_out_note(page.left_out, page.as_of)}
Currencies are never added together.</p>

<h2 id="summary">Summary per currency</h2>
{_aging_table(page.by_currency, b, "summary-currency", ["currency", "customers"])}
<p class="note">White columns from Total to Credits: the partition (they add up to Total).
Shaded columns: parts of it shown apart.</p>
<figure><img src="data:image/png;base64,{png}" alt="Aging by currency: share of the amount
owed in each bucket"><figcaption>Share of the amount owed in each bucket, per currency (credits
not drawn). Amounts are in the tables.</figcaption></figure>

<h2 id="top">Top {page.top} customers by overdue amount, per currency</h2>
<p class="note">Collectible overdue = overdue less the disputed amounts and deductions in it:
what a collector can chase today.</p>
{_top_customers(page)}

<h2 id="apart">Disputed items and deductions (kept apart from collection)</h2>
<h3>Disputed items ({disputed.height})</h3>
{_items_table(page, disputed, "disputed-items", ["amount", "disputed_amount"])}
<h3>Deductions ({deductions.height})</h3>
<p class="note">Short-payment residuals left open: positive items of type payment (SAP residual
on the payment document) or chargeback (Oracle), docs/analytics.md.</p>
{_items_table(page, deductions, "deduction-items", ["amount", "disputed_amount"])}

<h2 id="companies">Per company and currency</h2>
{_aging_table(page.by_company, b, "summary-company", ["company", "currency", "customers"])}

<h2 id="customers">Per customer</h2>
{_aging_table(customers, b, "aging-customers", lead, ["max_days_past_due"])}
{cut}
<p class="meta">Written by <code>otc aging</code>. Tables in aging.csv, aging.parquet and
aging_summary.csv beside this page.</p>
</body></html>
"""
