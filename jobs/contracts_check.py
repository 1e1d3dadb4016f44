"""`otc contracts check`: every failure of a file in one table, optionally as a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from adapters.errors import ContractError, Violation

REJECT_COLUMNS = ("file", "row", "column", "rule", "value")


def write_rejects(path: Path, violations: list[Violation]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for v in violations:
            writer.writerow(
                [v.file, "" if v.row is None else v.row, v.column or "", v.rule, v.value or ""]
            )


def violations_table(violations: list[Violation], limit: int = 200) -> Table:
    table = Table(title=f"{len(violations)} contract violation(s)", show_lines=False)
    for column in REJECT_COLUMNS:
        table.add_column(column, overflow="fold")
    for v in violations[:limit]:
        table.add_row(  # file names and values are data, never rich markup
            escape(v.file),
            "" if v.row is None else str(v.row),
            escape(v.column or ""),
            escape(v.rule),
            escape(v.value or ""),
        )
    if len(violations) > limit:
        table.caption = f"first {limit} shown; --rejects PATH writes them all"
    return table


def check_file(path: Path, entity: str, *, rejects: Path | None, console: Console) -> int:
    """0 when the file is valid, 1 when it is not (exit codes: docs/architecture.md)."""
    from contracts.io import read_frame
    from contracts.registry import entity_for

    name = entity_for(entity).name
    try:
        frame = read_frame(path, name)
    except ContractError as exc:
        console.print(violations_table(exc.violations))
        if rejects is not None:
            write_rejects(rejects, exc.violations)
            console.print(f"rejects written to {rejects}")
        return 1
    console.print(f"[green]ok[/]: {path} holds {frame.height} valid {name} row(s)")
    if rejects is not None:
        write_rejects(rejects, [])
    return 0
