"""Embedded SQL: PL/SQL variables become binds, SELECT ... INTO loses its INTO list.

Why rewrite: the SQL engine only knows binds. Oracle resolves a name in embedded SQL as a
column first, then as a PL/SQL variable; the mock approximates "column first" with the
catalogue of every EBS column (mock_erp/oracle/tables.py), so `WHERE status = l_status`
binds `l_status` and leaves `status` alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_erp.oracle import tables

_TOKEN = re.compile(
    r"""('(?:[^']|'')*')"""  # 1 string
    r"""|("[^"]*")"""  # 2 quoted identifier
    r"""|(:[A-Za-z_][\w$#]*|:\d+)"""  # 3 bind
    r"""|([A-Za-z_][\w$#]*(?:\s*\.\s*[A-Za-z_][\w$#]*)*)"""  # 4 (dotted) identifier
    r"""|(--[^\n]*|/\*.*?\*/)"""  # 5 comment
    r"""|(\()|(\))"""  # 6, 7
    r"""|(\s+|.)""",  # 8 anything else
    re.S,
)
COLUMNS = frozenset(c.name.lower() for cols in tables.TABLES.values() for c in cols)


@dataclass
class Prepared:
    """The SQL as sent to the engine plus where each bind's value comes from."""

    sql: str
    refs: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (bind, host|var, parts)
    into: list[tuple[str, list[str]]] = field(default_factory=list)  # (host|var, parts)
    kind: str = "select"  # select | dml


def prepare(text: str, is_variable: Callable[[list[str]], bool]) -> Prepared:
    """Rewrite ``text``; ``is_variable(parts)`` says whether a dotted name is a PL/SQL variable."""
    first = text.lstrip().split(None, 1)[0].lower() if text.strip() else ""
    prep = Prepared("", kind="select" if first in ("select", "with") else "dml")
    out: list[str] = []
    depth = 0
    in_into = False
    last_sig = ""
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if m.group(6):
            depth += 1
        elif m.group(7):
            depth -= 1
        if m.group(5):
            continue
        if m.group(4) or m.group(3):
            word = tok.lower()
            if prep.kind == "select" and depth == 0 and word == "into":
                in_into = True
                last_sig = word
                continue
            if in_into:
                if word == "from":
                    in_into = False
                    out.append(" ")
                else:
                    parts = _parts(tok)
                    prep.into.append(("host", [parts[0][1:]]) if m.group(3) else ("var", parts))
                    continue
            elif m.group(3):
                name = tok[1:].lower()
                prep.refs.append((name, "host", [name]))
                out.append(f":{name}")
                last_sig = word
                continue
            else:
                parts = _parts(tok)
                follows_call = text[m.end() :].lstrip().startswith("(")
                if (
                    not follows_call
                    and last_sig != "."
                    and not (len(parts) == 1 and parts[0] in COLUMNS)
                    and is_variable(parts)
                ):
                    name = f"plv{len(prep.refs) + 1}_{'_'.join(parts)}"[:30]
                    prep.refs.append((name, "var", parts))
                    out.append(f":{name}")
                    last_sig = word
                    continue
        elif in_into:
            if tok.strip() and tok.strip() != ",":
                pass
            continue
        out.append(tok)
        if tok.strip():
            last_sig = tok.strip().lower()
    prep.sql = "".join(out).strip()
    return prep


def _parts(tok: str) -> list[str]:
    return [p.strip().lower() for p in tok.split(".")]
