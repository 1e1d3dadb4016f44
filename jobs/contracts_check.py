"""`otc contracts check`: every failure of a file in one table, optionally as a CSV."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from adapters.errors import ContractError, Violation

if TYPE_CHECKING:
    from contracts.io import CsvDialect

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


#: The post commands refuse a file with no rows, so checking one for them says so too.
NEEDS_ROWS = {
    "cash_applications": "otc cash post",
    "write_offs": "otc write-offs post",
    "reversals": "otc cash reverse",
    "refunds": "otc refunds post",
}


def violation_dicts(violations: list[Violation]) -> list[dict[str, Any]]:
    return [asdict(v) for v in violations]


def check_file(
    path: Path,
    entity: str,
    *,
    rejects: Path | None,
    console: Console,
    dialect: CsvDialect | None = None,
    output_format: str = "text",
) -> int:
    """0 when the file is valid, 1 when it is not (exit codes: docs/architecture.md)."""
    from contracts.io import COMMA, read_frame
    from contracts.registry import entity_for
    from jobs.output import emit_json

    name = entity_for(entity).name
    try:
        frame = read_frame(path, name, dialect or COMMA)
        if frame.height == 0 and name in NEEDS_ROWS:
            rule = f"the file holds no rows (`{NEEDS_ROWS[name]}` needs at least one)"
            raise ContractError(name, str(path), [Violation(str(path), None, None, rule, None)])
    except ContractError as exc:
        if output_format == "json":
            emit_json(
                console,
                {
                    "file": str(path),
                    "entity": name,
                    "valid": False,
                    "violations": violation_dicts(exc.violations),
                },
            )
        else:
            console.print(violations_table(exc.violations))
        if rejects is not None:
            write_rejects(rejects, exc.violations)
            if output_format != "json":
                console.print(f"rejects written to {escape(str(rejects))}", highlight=False)
        return 1
    if output_format == "json":
        emit_json(
            console,
            {
                "file": str(path),
                "entity": name,
                "valid": True,
                "rows": frame.height,
                "violations": [],
            },
        )
    else:
        console.print(
            f"[green]ok[/]: {escape(str(path))} holds {frame.height} valid {name} row(s)",
            highlight=False,
        )
    if rejects is not None:
        write_rejects(rejects, [])
    return 0
