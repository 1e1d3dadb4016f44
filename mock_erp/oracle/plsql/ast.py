"""The syntax tree of the PL/SQL subset: plain dataclasses the interpreter walks.

Why our own nodes rather than lark's trees: the checker annotates names once (what a dotted
name resolves to) and the cache keeps the checked tree, so a block sent a thousand times by
the adapter is parsed and checked once (docs/mock-erp-plsql.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pos:
    """Where a construct starts: 1-based line and column as ORA-06550 reports them."""

    line: int = 1
    column: int = 1
    offset: int = 0


@dataclass
class Node:
    pos: Pos = field(default_factory=Pos, kw_only=True)


# ---- expressions ---------------------------------------------------------------------------
@dataclass
class Literal(Node):
    value: Any  # Decimal, str (never ''), bool, datetime or None


@dataclass
class Bind(Node):
    name: str  # lower case, without ':'


@dataclass
class Arg(Node):
    name: str | None  # named notation `p_x => e` (lower case), or None for positional
    expr: Expr


@dataclass
class Name(Node):
    """A dotted name with optional arguments: variable, record field, builtin, package member."""

    parts: list[str]  # lower case
    args: list[Arg] | None = None
    text: str = ""  # as written, for messages


@dataclass
class CursorAttr(Node):
    parts: list[str]
    attr: str  # ROWCOUNT, FOUND, NOTFOUND, ISOPEN


@dataclass
class Unary(Node):
    op: str  # '-', 'NOT'
    operand: Expr


@dataclass
class Binary(Node):
    op: str  # + - * / || = <> < > <= >= AND OR
    left: Expr
    right: Expr


@dataclass
class Test(Node):
    """IS [NOT] NULL, [NOT] LIKE, [NOT] BETWEEN, [NOT] IN."""

    kind: str
    operand: Expr
    args: list[Expr]
    negate: bool = False


@dataclass
class Case(Node):
    subject: Expr | None
    whens: list[tuple[Expr, Expr]]
    default: Expr | None


Expr = Literal | Bind | Name | CursorAttr | Unary | Binary | Test | Case


# ---- declarations --------------------------------------------------------------------------
@dataclass
class TypeSpec(Node):
    parts: list[str]  # lower case
    args: list[int] = field(default_factory=list)
    attr: str | None = None  # TYPE or ROWTYPE
    resolved: Any = None  # the PlType, set by the checker


@dataclass
class VarDecl(Node):
    name: str
    type: TypeSpec
    constant: bool = False
    not_null: bool = False
    default: Expr | None = None


@dataclass
class Sql(Node):
    """Embedded SQL text as written; run by the SQL engine with variables as binds."""

    text: str
    prepared: Any = None  # sqlbind.Prepared, set by the checker


@dataclass
class CursorDecl(Node):
    name: str
    query: Sql


# ---- statements ----------------------------------------------------------------------------
@dataclass
class Assign(Node):
    target: Name | Bind
    expr: Expr


@dataclass
class Call(Node):
    name: Name


@dataclass
class If(Node):
    branches: list[tuple[Expr, list[Stmt]]]
    otherwise: list[Stmt] | None


@dataclass
class ForRange(Node):
    var: str
    reverse: bool
    low: Expr
    high: Expr
    body: list[Stmt]


@dataclass
class ForCursor(Node):
    var: str
    query: Sql | None  # inline query, or
    cursor: str | None  # a declared cursor
    body: list[Stmt]


@dataclass
class While(Node):
    cond: Expr | None  # None: plain LOOP
    body: list[Stmt]


@dataclass
class Exit(Node):
    cond: Expr | None


@dataclass
class Simple(Node):
    kind: str  # NULL, COMMIT, ROLLBACK, RETURN


@dataclass
class Raise(Node):
    name: str | None


@dataclass
class SqlStmt(Node):
    sql: Sql


@dataclass
class Handler(Node):
    names: list[str]  # lower case exception names; 'others'
    body: list[Stmt]


@dataclass
class Block(Node):
    decls: list[VarDecl | CursorDecl]
    body: list[Stmt]
    handlers: list[Handler]


Stmt = Assign | Call | If | ForRange | ForCursor | While | Exit | Simple | Raise | SqlStmt | Block
