"""`otc aging`: an OpenItems file in; the aging tables, the chart and the HTML report out.

Files written to the output folder:
- `aging.parquet`, `aging.csv`: one row per company / customer / currency;
- `aging_summary.csv`: one row per company / currency;
- `aging.png`: the chart (`jobs.analytics.chart`);
- `aging.html`: the report a collector opens (`jobs.analytics.html`), the chart inside it.

Every table is checked before it is written: on every row the buckets add up to the total,
and the totals per currency equal the ledger's, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contracts.io import money_text, read_frame, write_frame
from contracts.money import MONEY_DTYPE
from jobs.analytics import chart, html
from jobs.analytics.aging import (
    KEYS,
    Buckets,
    DeductionRule,
    aging_table,
    classify,
    open_at,
    summarize,
    untied,
)

FILES = ("aging.parquet", "aging.csv", "aging_summary.csv", "aging.png", "aging.html")


@dataclass(frozen=True)
class AgingOptions:
    as_of: date
    buckets: Buckets = field(default_factory=Buckets)
    deductions: DeductionRule = field(default_factory=DeductionRule)
    top: int = 10  # customers per currency in the HTML's top list
    max_rows: int = 1000  # rows of the HTML's per-customer and item tables


@dataclass(frozen=True)
class AgingReport:
    options: AgingOptions
    items: pl.DataFrame  # classified items
    by_customer: pl.DataFrame
    by_company: pl.DataFrame
    by_currency: pl.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    left_out: int = 0  # items of the file posted after the as-of date (`aging.open_at`)
    warnings: tuple[str, ...] = ()


def customer_names(customers: pl.DataFrame) -> pl.DataFrame:
    """customer_id -> name, one name per id (the first source system's, alphabetically)."""
    return (
        customers.sort("source_system", "customer_id")
        .unique("customer_id", keep="first", maintain_order=True)
        .select("customer_id", "name")
    )


def build(
    items: pl.DataFrame, options: AgingOptions, customers: pl.DataFrame | None = None
) -> AgingReport:
    """The aging tables of an OpenItems frame; raises if anything fails to tie out.

    Only the items posted on or before the as-of date count (`aging.open_at`); the report
    says how many were left out."""
    cut = open_at(items, options.as_of)
    classified = classify(cut.items, options.as_of, options.buckets, options.deductions)
    by_customer = aging_table(
        items, options.as_of, options.buckets, options.deductions, classified=classified
    )
    if customers is not None:
        names = customer_names(customers)
        by_customer = by_customer.join(names, on="customer_id", how="left").select(
            *KEYS[:2], "name", *[c for c in by_customer.columns if c not in KEYS[:2]]
        )
    by_company = summarize(by_customer, options.buckets, ["company", "currency"])
    by_currency = summarize(by_customer, options.buckets, ["currency"])
    _check_ties(classified, options.buckets, by_customer, by_company, by_currency)
    warning = cut.warning()
    return AgingReport(
        options,
        classified,
        by_customer,
        by_company,
        by_currency,
        left_out=cut.left_out,
        warnings=(warning,) if warning else (),
    )


def _check_ties(items: pl.DataFrame, buckets: Buckets, *tables: pl.DataFrame) -> None:
    for table in tables:
        if not untied(table, buckets).is_empty():  # pragma: no cover - a bug, not bad data
            raise RuntimeError(
                f"aging buckets do not add up to the total:\n{untied(table, buckets)}"
            )
    ledger = items.group_by("currency").agg(pl.col("amount").sum().cast(MONEY_DTYPE).alias("total"))
    shown = tables[-1].select("currency", "total")
    if not ledger.sort("currency").equals(shown.sort("currency")):  # pragma: no cover - a bug
        raise RuntimeError(f"aging totals {shown} differ from the ledger {ledger}")


def write(report: AgingReport, out_dir: Path, source: str) -> dict[str, Path]:
    """Write the five files; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in FILES}
    write_frame(report.by_customer, paths["aging.parquet"])
    write_frame(report.by_customer, paths["aging.csv"])
    write_frame(report.by_company, paths["aging_summary.csv"])
    opts = report.options
    png = chart.aging_png(
        report.by_currency, opts.buckets, f"Receivables aging as of {opts.as_of.isoformat()}"
    )
    paths["aging.png"].write_bytes(png)
    page = html.Page(
        as_of=opts.as_of,
        buckets=opts.buckets,
        source=source,
        by_currency=report.by_currency,
        by_company=report.by_company,
        by_customer=report.by_customer,
        items=report.items,
        chart_png=png,
        top=opts.top,
        max_rows=opts.max_rows,
        left_out=report.left_out,
    )
    paths["aging.html"].write_text(html.render(page), encoding="utf-8")
    return paths


def run_aging(
    open_items: Path, out_dir: Path, options: AgingOptions, customers: Path | None = None
) -> AgingReport:
    """Read (and validate) the files, build the tables, write everything."""
    items = read_frame(open_items, "open_items")
    names = read_frame(customers, "customers") if customers is not None else None
    report = build(items, options, names)
    files = write(report, out_dir, open_items.name)
    return AgingReport(
        report.options,
        report.items,
        report.by_customer,
        report.by_company,
        report.by_currency,
        files,
        report.left_out,
        report.warnings,
    )


def print_summary(console: Console, report: AgingReport) -> None:
    """Per currency: total, current, overdue, credits and the parts shown apart (the
    buckets themselves are in the files: they do not fit a terminal)."""
    table = Table(title=f"aging as of {report.options.as_of.isoformat()}, per currency")
    columns = ["total", "current", "overdue", "credits", "disputed", "deductions"]
    table.add_column("currency")
    for c in columns:
        table.add_column(c, justify="right", overflow="fold")
    shown = report.by_currency.select("currency", *(money_text(c) for c in columns))
    for row in shown.iter_rows():
        table.add_row(*(str(v) for v in row))
    console.print(table)
    for name, path in report.files.items():
        console.print(f"  {name}: {escape(str(path))}", soft_wrap=True, highlight=False)
