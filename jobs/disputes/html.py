"""The disputes page: one self-contained HTML file like the aging report's, same styles.

Readable without sideways scrolling at 1400 px and at 1024 px (checked in headless chromium,
docs/matching.md): names, references and reasons wrap; below NARROW px the items table hides
the columns a collector needs least (NARROW_HIDDEN) and says so.

Tables come from `jobs.analytics.html.table_html` (money with each currency's decimals,
`data-col` and `data-currency` on every cell and row, so the page reads back by machine).
"""

from __future__ import annotations

from datetime import date
from html import escape

import polars as pl

from jobs.analytics import html as aging_html
from jobs.analytics.aging import Buckets

LABELS = {
    "kind": "Kind",
    "reason": "Reason",
    "reasons": "Reasons",
    "fiscal_year": "Year",
    "line": "Line",
    "document_date": "Dated",
    "age_days": "Age (days)",
    "open_amount": "Open in dispute",
    "oldest_days": "Oldest (days)",
    "deductions": "Deductions",
    "disputed": "Disputed",
    "total": "Total in dispute",
}
TEXT = ("kind", "reason", "reasons", "document_date")
#: Long text that wraps instead of widening its table.
WRAPPED = {"disputes-customers": ("name", "reasons"), "disputes-items": ("name", "reference")}
#: Hidden from the items table below NARROW px: the document key's detail, and the kind (the
#: reason says it: DISPUTED for a disputed item, a reason code for a deduction). The cells
#: stay in the page (machine readers see them) and every column is in the CSV/Parquet file.
NARROW_HIDDEN = ("kind", "fiscal_year", "line", "document_type")
NARROW = 1360


def _cells(table_id: str, columns: tuple[str, ...], tags: str = "td") -> str:
    return ", ".join(f"#{table_id} {t}[data-col={c}]" for c in columns for t in tags.split())


EXTRA_CSS = (
    ", ".join(f"td[data-col={c}], th[data-col={c}]" for c in TEXT)
    + " { text-align: left; }\n"
    + ", ".join(_cells(t, cols) for t, cols in WRAPPED.items())
    + " { white-space: normal; min-width: 8em; max-width: 14em; overflow-wrap: anywhere; }\n"
    + "th, td { padding: 4px; }\n"
    + "p.narrow { display: none; }\n"
    + f"@media (max-width: {NARROW}px) {{\n"
    + "  body { padding: 0 12px; }\n"
    + f"  {_cells('disputes-items', NARROW_HIDDEN, 'td th')} {{ display: none; }}\n"
    + f"  {_cells('disputes-items', WRAPPED['disputes-items'])} {{ min-width: 7.5em; "
    + "max-width: 10em; }\n"
    + "  #disputes-items th { min-width: 0; font-size: 11.5px; }\n"
    + "  #disputes-items th, #disputes-items td { padding: 3px; }\n"
    + "  p.narrow { display: block; }\n"
    + "}\n"
)


def _table(frame: pl.DataFrame, table_id: str, money: list[str]) -> str:
    if frame.is_empty():
        return '<p class="note">None.</p>'
    text = aging_html.table_html(
        frame.with_columns(
            pl.col(c).cast(pl.String) for c in ("document_date", "due_date") if c in frame.columns
        ),
        Buckets(),
        table_id=table_id,
        money=money,
    )
    for column, label in LABELS.items():  # the aging page heads unknown columns "<name> days"
        head = f'data-col="{column}">'
        text = text.replace(f"{head}{column} days</th>", f"{head}{label}</th>")
    return text


def render(
    items: pl.DataFrame,
    by_customer: pl.DataFrame,
    as_of: date,
    source: str,
    max_rows: int = 1000,
    *,
    left_out: int = 0,
) -> str:
    """The whole page as text (UTF-8)."""
    per_currency = (
        by_customer.group_by("currency")
        .agg(
            pl.col("customer_id").n_unique().alias("customers"),
            pl.col("items").sum(),
            pl.col("deductions").sum(),
            pl.col("disputed").sum(),
            pl.col("total").sum(),
            pl.col("oldest_days").max(),
        )
        .sort("currency")
    )
    reasons = (
        items.group_by("currency", "kind", "reason")
        .agg(
            pl.len().alias("items"),
            pl.col("open_amount").sum().alias("total"),
            pl.col("age_days").max().alias("oldest_days"),
        )
        .sort(["currency", "total"], descending=[False, True])
    )
    shown = items.head(max_rows)
    cut = (
        f'<p class="note">First {max_rows} of {items.height} items; every row is in the '
        "CSV/Parquet file.</p>"
        if items.height > max_rows
        else ""
    )
    title = f"Deductions and disputes as of {as_of.isoformat()}"
    money_items = ["amount", "open_amount"]
    money_customer = ["deductions", "disputed", "total"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{aging_html.CSS}{EXTRA_CSS}</style></head>
<body>
<h1>Deductions and disputes <small>as of {as_of.isoformat()}</small></h1>
<p class="meta">Source {escape(source)}: {items.height} items in dispute,
{by_customer.select("company", "customer_id").unique().height} customers. A <b>deduction</b>
is money a customer kept back from a payment (a short-payment residual, a chargeback, or the
open rest of an invoice a payment just deducted from); a <b>disputed</b> item has an amount in
dispute. Age = as-of date − document date. Only items posted on or before the as-of date
count.{aging_html.left_out_note(left_out, as_of)} Currencies are never added together.</p>

<h2 id="summary">Per currency</h2>
{_table(per_currency, "disputes-currency", money_customer)}

<h2 id="reasons">Per reason</h2>
{_table(reasons, "disputes-reasons", ["total"])}

<h2 id="customers">Per customer (largest first)</h2>
{_table(by_customer.head(max_rows), "disputes-customers", money_customer)}

<h2 id="items">Items (oldest first per customer)</h2>
<p class="note narrow">Narrow window: kind, year, line and type are hidden here (the reason
says the kind); every column is in the CSV/Parquet file.</p>
{_table(shown, "disputes-items", money_items)}
{cut}
<p class="meta">Written by <code>otc disputes list</code>.</p>
</body></html>
"""
