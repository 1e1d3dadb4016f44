"""`otc disputes`: open deductions and disputed items per customer (docs/matching.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

disputes_app = typer.Typer(help="Open deductions and disputed items, with age and reason.")


@disputes_app.command("list")
def list_command(
    open_items: Annotated[
        Path, typer.Option("--open-items", help="OpenItems file: .csv, .parquet or .jsonl.")
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Items in dispute: .csv or .parquet (HTML beside it).")
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Age at this date (YYYY-MM-DD; default today); items posted later are left out.",
        ),
    ] = None,
    applications: Annotated[
        Path | None,
        typer.Option("--applications", help="CashApplications just matched: their deductions."),
    ] = None,
    customers: Annotated[
        Path | None, typer.Option("--customers", help="Customers file, for names.")
    ] = None,
) -> None:
    """List open deductions and disputed items: FILE, FILE's `.customers` twin, and `.html`."""
    from datetime import date

    from adapters.errors import OtcError
    from contracts.io import file_format, read_frame, write_frame
    from jobs.cli import err, fail, out, state
    from jobs.disputes import build
    from jobs.disputes.html import render
    from jobs.matching.config import load_config
    from jobs.matching.reasons import ReasonTable

    try:
        key_date = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None
    try:
        if file_format(out_file) not in {"csv", "parquet"}:
            raise typer.BadParameter("use a .csv or .parquet file", param_hint="--out")
        config = load_config(state.config)
        reasons = ReasonTable(config.deduction_reasons, config.deduction_unknown_reason)
        items = read_frame(open_items, "open_items")
        applied = read_frame(applications, "cash_applications") if applications else None
        people = read_frame(customers, "customers") if customers else None
        found = build(items, key_date, applied, people, reasons=reasons)
        write_frame(found.items, out_file)
        per_customer = out_file.with_name(f"{out_file.stem}.customers{out_file.suffix}")
        write_frame(found.by_customer, per_customer)
        page = out_file.with_suffix(".html")
        page.write_text(
            render(
                found.items,
                found.by_customer,
                key_date,
                open_items.name,
                left_out=found.left_out,
            ),
            encoding="utf-8",
        )
    except OtcError as exc:
        fail(exc)
    for warning in found.warnings:  # items posted after --as-of: not open at that date
        err.print("[yellow]warning:[/]", escape(warning), soft_wrap=True)
    out.print(
        f"{found.items.height} items in dispute, {found.by_customer.height} customer rows: "
        f"{escape(str(out_file))}, {escape(str(per_customer))}, {escape(str(page))}"
    )
