"""The CLI's output layer: rich tables on a terminal, unwrapped lines everywhere else.

In a CI log or a pipe (`| cat`) a table folded to 80 columns cuts amounts and keys in the
middle (`4986467.` then `49` on the next line), so off a terminal every table is printed as
tab-separated lines (title, header, one line per row, caption) and no line is ever wrapped.
`--format json` is for scripts: one JSON document on stdout, nothing else there.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("text", "json")
FormatOpt = Annotated[str, typer.Option("--format", help="text, or json for scripts.")]


def check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"use {' or '.join(FORMATS)}", param_hint="--format")
    return value


def plain(cell: Any) -> str:
    """A cell as one line of plain text: markup resolved, tabs and line breaks as spaces."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        text = Text.from_markup(cell).plain
    else:
        text = str(cell)
    return " ".join(text.replace("\t", " ").splitlines())


def table_lines(table: Table) -> list[str]:
    """A rich table as TSV-like lines: `# title`, the header, the rows, `# caption`."""
    lines = [f"# {plain(table.title)}"] if table.title else []
    lines.append("\t".join(plain(c.header) for c in table.columns))
    cells = [list(c.cells) for c in table.columns]
    lines += ["\t".join(plain(col[i]) for col in cells) for i in range(table.row_count)]
    if table.caption:
        lines.append(f"# {plain(table.caption)}")
    return lines


def table_records(table: Table) -> list[dict[str, str]]:
    """A rich table's rows as records (header -> plain cell), for `--format json`."""
    headers = [plain(c.header) for c in table.columns]
    cells = [list(c.cells) for c in table.columns]
    return [
        {h: plain(col[i]) for h, col in zip(headers, cells, strict=True)}
        for i in range(table.row_count)
    ]


class OutputConsole(Console):
    """A rich console that never wraps a value when it does not write to a terminal."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.is_terminal:
            super().print(*objects, **kwargs)
            return
        kwargs["soft_wrap"] = True
        if not any(isinstance(obj, Table) for obj in objects):
            super().print(*objects, **kwargs)
            return
        for obj in objects:
            if isinstance(obj, Table):  # written as is: rich would expand the tabs
                self.file.write("".join(f"{line}\n" for line in table_lines(obj)))
                self.file.flush()
            else:
                super().print(obj, **kwargs)


def emit_json(console: Console, document: Any) -> None:
    """One JSON document on stdout, whatever the terminal: no markup, no wrapping."""
    console.file.write(json.dumps(document, default=str, ensure_ascii=False) + "\n")
    console.file.flush()
