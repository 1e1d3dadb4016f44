"""The SQL statements of adapters/oracle/sql/, composed from their files.

A statement file may include a fragment on a line of its own: `-- include: _name` puts the
statement text of `_name.sql` there (fragments start with `_` and are never sent alone). The
three open-items pulls share their column list and the discount-terms join this way, so a
change to either is made once (docs/oracle-setup.md, "SQL files").
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

INCLUDE = re.compile(r"^\s*--\s*include:\s*(_[a-z0-9_]+)\s*$")


def _read(name: str) -> str:
    return (files("adapters.oracle") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def _statement(text: str) -> list[str]:
    """The lines of a file without its leading `--` header lines (Oracle ignores them; they
    are dropped anyway so the text sent is the statement alone: the mock's parser refuses a
    statement that starts with a comment)."""
    lines = text.rstrip().splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        if INCLUDE.match(lines[0]):
            break
        lines.pop(0)
    return lines


def _lines(name: str) -> list[str]:
    out: list[str] = []
    for line in _statement(_read(name)):
        if found := INCLUDE.match(line):
            out += _lines(found.group(1))
        else:
            out.append(line)
    return out


@cache
def sql_text(name: str) -> str:
    """A statement from adapters/oracle/sql/, its fragments included, its header dropped."""
    return "\n".join(_lines(name)).strip()
