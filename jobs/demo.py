"""`otc demo`: the story end to end on sample data.

At this stage it validates the shipped canonical sample files and shows what they hold;
the pull/post/sync steps against the embedded mock ERP join as the adapters land.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from rich.console import Console
from rich.table import Table

SAMPLES = {
    "customers": "customers.csv",
    "open_items": "open_items.csv",
    "cash_applications": "cash_applications.csv",
    "write_offs": "write_offs.csv",
}
#: The money column summed per currency in the summary, by entity.
TOTALS = {
    "customers": "credit_limit",
    "open_items": "amount",
    "cash_applications": "applied_amount",
    "write_offs": "amount",
}


def sample_path(name: str) -> Path:
    return Path(str(files("jobs") / "samples" / name))


def run_demo(console: Console) -> int:
    import polars as pl

    from contracts.io import money_text, read_frame

    table = Table(title="sample canonical files: contracts hold")
    for column in ("file", "entity", "rows", "total by currency"):
        table.add_column(column)
    for entity, name in SAMPLES.items():
        path = sample_path(name)
        frame = read_frame(path, entity)
        column = TOTALS[entity]
        totals = (
            frame.group_by("currency")
            .agg(pl.col(column).sum())
            .sort("currency")
            .select("currency", money_text(column))
        )
        shown = ", ".join(f"{amount} {cur}" for cur, amount in totals.iter_rows())
        table.add_row(name, entity, str(frame.height), shown)
    console.print(table)
    console.print("[green]all sample files satisfy their contracts[/]")
    return 0
