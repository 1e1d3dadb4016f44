"""Compile-time checks: names, types, call arguments, embedded SQL — before anything runs.

Why before: Oracle compiles the whole anonymous block first, so a misspelt identifier fails
with ORA-06550/PLS-00201 and no API has been called (docs/specs/oracle.md §3.7). The checker also
resolves declared types and prepares embedded SQL once; the cache keeps the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_erp.oracle import tables
from mock_erp.oracle.plsql import ast, sqlbind
from mock_erp.oracle.plsql.builtins import FUNCTIONS, NO_ARG
from mock_erp.oracle.plsql.parser import pls_error
from mock_erp.oracle.plsql.values import BOOLEAN, DATE, INTEGER, NUMBER, VARCHAR2, PlType
from mock_erp.oracle.session import OraError

# Predefined exceptions and the ORA code each stands for.
EXCEPTIONS: dict[str, tuple[int, str]] = {
    "no_data_found": (1403, "no data found"),
    "too_many_rows": (1422, "exact fetch returns more than requested number of rows"),
    "zero_divide": (1476, "divisor is equal to zero"),
    "value_error": (6502, "PL/SQL: numeric or value error"),
    "invalid_number": (1722, "invalid number"),
    "dup_val_on_index": (1, "unique constraint violated"),
    "program_error": (6501, "PL/SQL: program error"),
    "invalid_cursor": (1001, "invalid cursor"),
    "cursor_already_open": (6511, "PL/SQL: cursor already open"),
}
CURSOR_REC = PlType("RECORD", name="cursor")  # a cursor FOR loop record: fields known at run time
SCALARS: dict[str, PlType] = {
    "number": NUMBER,
    "numeric": NUMBER,
    "decimal": NUMBER,
    "float": NUMBER,
    "integer": INTEGER,
    "int": INTEGER,
    "pls_integer": INTEGER,
    "binary_integer": INTEGER,
    "natural": INTEGER,
    "positive": INTEGER,
    "simple_integer": INTEGER,
    "varchar2": VARCHAR2,
    "varchar": VARCHAR2,
    "char": VARCHAR2,
    "nvarchar2": VARCHAR2,
    "long": VARCHAR2,
    "clob": VARCHAR2,
    "date": DATE,
    "timestamp": DATE,
    "boolean": BOOLEAN,
}
_SIZED = {"varchar2", "varchar", "nvarchar2"}


def column_type(col: tables.Col) -> PlType:
    if col.type == "NUMBER":
        return NUMBER if col.is_decimal else INTEGER
    if col.type == "DATE":
        return DATE
    return PlType("VARCHAR2", col.precision or 4000)


def rowtype(table: str) -> PlType | None:
    cols = tables.columns_of(table)
    if cols is None:
        return None
    fields = tuple((c.name.lower(), column_type(c)) for c in cols)
    return PlType("RECORD", name=f"{table.upper()}%ROWTYPE", fields=fields)


@dataclass
class Sym:
    """What a name denotes in a scope."""

    kind: str  # var | const | index | cursor | cursor_rec
    type: PlType | None = None
    query: ast.Sql | None = None


@dataclass
class StaticScope:
    names: dict[str, Sym] = field(default_factory=dict)
    parent: StaticScope | None = None

    def lookup(self, name: str) -> Sym | None:
        scope: StaticScope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None


def _registry() -> Any:
    from mock_erp.oracle.apis import registry

    return registry


class Checker:
    """Walks a block once; raises the first ORA-06550 Oracle's compiler would report."""

    def __init__(self, compile_sql: Callable[[str], Any] | None = None) -> None:
        self.compile_sql = compile_sql
        self.binds: set[str] = set()

    # -- blocks and declarations
    def block(self, block: ast.Block, parent: StaticScope | None) -> None:
        scope = StaticScope(parent=parent)
        for decl in block.decls:
            if isinstance(decl, ast.CursorDecl):
                self.sql(decl.query, scope)
                scope.names[decl.name] = Sym("cursor", query=decl.query)
                continue
            typ = self.type(decl.type, scope)
            if decl.default is not None:
                self.expr(decl.default, scope)
            scope.names[decl.name] = Sym("const" if decl.constant else "var", typ)
        self.stmts(block.body, scope)
        for h in block.handlers:
            for n in h.names:
                if n != "others" and n not in EXCEPTIONS:
                    raise pls_error(h.pos, f"PLS-00201: identifier '{n.upper()}' must be declared")
            self.stmts(h.body, scope)

    def type(self, spec: ast.TypeSpec, scope: StaticScope) -> PlType:
        spec.resolved = self._type(spec, scope)
        return spec.resolved  # type: ignore[no-any-return]

    def _type(self, spec: ast.TypeSpec, scope: StaticScope) -> PlType:
        dotted = ".".join(spec.parts).upper()
        if spec.attr == "ROWTYPE":
            typ = rowtype(dotted) if len(spec.parts) == 1 else None
            if typ is None:
                raise pls_error(spec.pos, f"PLS-00201: identifier '{dotted}' must be declared")
            return typ
        if spec.attr == "TYPE":
            if len(spec.parts) == 1:
                sym = scope.lookup(spec.parts[0])
                if sym is not None and sym.type is not None:
                    return sym.type
            elif len(spec.parts) == 2:
                cols = tables.columns_of(spec.parts[0]) or []
                col = next((c for c in cols if c.name.lower() == spec.parts[1]), None)
                if col is not None:
                    return column_type(col)
            raise pls_error(spec.pos, f"PLS-00201: identifier '{dotted}' must be declared")
        if len(spec.parts) == 1 and spec.parts[0] in SCALARS:
            base = SCALARS[spec.parts[0]]
            if spec.parts[0] in _SIZED:
                if not spec.args or not 1 <= spec.args[0] <= 32767:
                    raise pls_error(
                        spec.pos,
                        "PLS-00215: String length constraints must be in range (1 .. 32767)",
                    )
                return PlType("VARCHAR2", spec.args[0])
            if spec.parts[0] == "char":
                return PlType("VARCHAR2", spec.args[0] if spec.args else 1)
            return base
        reg = _registry()
        if len(spec.parts) == 2 and dotted in reg.RECORD_TYPES:
            return reg.RECORD_TYPES[dotted]  # type: ignore[no-any-return]
        if len(spec.parts) == 2 and spec.parts[0].upper() in reg.packages():
            raise pls_error(
                spec.pos, f"PLS-00302: component '{spec.parts[1].upper()}' must be declared"
            )
        raise pls_error(spec.pos, f"PLS-00201: identifier '{dotted}' must be declared")

    # -- statements
    def stmts(self, stmts: list[ast.Stmt], scope: StaticScope) -> None:
        for s in stmts:
            self.stmt(s, scope)

    def stmt(self, s: ast.Stmt, scope: StaticScope) -> None:
        if isinstance(s, ast.Assign):
            self.target(s.target, scope)
            self.expr(s.expr, scope)
        elif isinstance(s, ast.Call):
            self.call(s.name, scope)
        elif isinstance(s, ast.If):
            for cond, body in s.branches:
                self.expr(cond, scope)
                self.stmts(body, scope)
            if s.otherwise:
                self.stmts(s.otherwise, scope)
        elif isinstance(s, ast.ForRange):
            self.expr(s.low, scope)
            self.expr(s.high, scope)
            inner = StaticScope({s.var: Sym("index", INTEGER)}, scope)
            self.stmts(s.body, inner)
        elif isinstance(s, ast.ForCursor):
            if s.query is not None:
                self.sql(s.query, scope)
            else:
                sym = scope.lookup(s.cursor or "")
                if sym is None or sym.kind != "cursor":
                    name = (s.cursor or "").upper()
                    raise pls_error(s.pos, f"PLS-00201: identifier '{name}' must be declared")
            self.stmts(s.body, StaticScope({s.var: Sym("cursor_rec", CURSOR_REC)}, scope))
        elif isinstance(s, ast.While):
            if s.cond is not None:
                self.expr(s.cond, scope)
            self.stmts(s.body, scope)
        elif isinstance(s, ast.Exit):
            if s.cond is not None:
                self.expr(s.cond, scope)
        elif isinstance(s, ast.Raise):
            if s.name is not None and s.name not in EXCEPTIONS:
                raise pls_error(s.pos, f"PLS-00201: identifier '{s.name.upper()}' must be declared")
        elif isinstance(s, ast.SqlStmt):
            self.sql(s.sql, scope)
        elif isinstance(s, ast.Block):
            self.block(s, scope)

    def target(self, t: ast.Name | ast.Bind, scope: StaticScope) -> None:
        if isinstance(t, ast.Bind):
            self.binds.add(t.name)
            return
        sym = scope.lookup(t.parts[0])
        if sym is None:
            raise pls_error(t.pos, f"PLS-00201: identifier '{t.parts[0].upper()}' must be declared")
        if sym.kind in ("const", "index", "cursor", "cursor_rec"):
            raise pls_error(
                t.pos,
                f"PLS-00363: expression '{t.text.upper()}' cannot be used as an assignment target",
            )
        self.fields(t, sym)

    def fields(self, name: ast.Name, sym: Sym) -> None:
        typ = sym.type
        if sym.kind == "cursor_rec":
            if len(name.parts) != 2:
                raise pls_error(name.pos, f"PLS-00302: component must be declared in '{name.text}'")
            return
        for part in name.parts[1:]:
            if typ is None or typ.kind != "RECORD":
                raise pls_error(
                    name.pos, f"PLS-00487: Invalid reference to variable '{name.parts[0].upper()}'"
                )
            typ = typ.field_type(part)
            if typ is None:
                raise pls_error(name.pos, f"PLS-00302: component '{part.upper()}' must be declared")

    def call(self, name: ast.Name, scope: StaticScope) -> None:
        """A call statement: a package procedure or RAISE_APPLICATION_ERROR."""
        parts = name.parts
        if len(parts) == 1 and parts[0] == "raise_application_error":
            if name.args is None or not 2 <= len(name.args) <= 3:
                raise pls_error(
                    name.pos,
                    "PLS-00306: wrong number or types of arguments in call to "
                    "'RAISE_APPLICATION_ERROR'",
                )
            for a in name.args:
                self.expr(a.expr, scope)
            return
        if scope.lookup(parts[0]) is not None or len(parts) == 1:
            if len(parts) == 1 and (parts[0] in FUNCTIONS or scope.lookup(parts[0])):
                raise pls_error(
                    name.pos, f"PLS-00221: '{parts[0].upper()}' is not a procedure or is undefined"
                )
            raise pls_error(
                name.pos, f"PLS-00201: identifier '{name.text.upper()}' must be declared"
            )
        routine = self.member(name, function=False)
        self.args(name, routine, scope)

    def member(self, name: ast.Name, function: bool) -> Any:
        """Resolve PKG.MEMBER against the registry (PLS-00201 / PLS-00302 / PLS-00221/222)."""
        reg = _registry()
        pkg = name.parts[0].upper()
        if pkg not in reg.packages():
            raise pls_error(
                name.pos, f"PLS-00201: identifier '{name.text.upper()}' must be declared"
            )
        if len(name.parts) != 2 or not reg.has_member(pkg, name.parts[1]):
            comp = name.parts[1].upper()
            raise pls_error(name.pos, f"PLS-00302: component '{comp}' must be declared")
        member = name.parts[1].upper()
        routine = reg.lookup(pkg, member, function)
        if routine is None:
            if function and member in reg.CONSTANTS.get(pkg, {}) and name.args is None:
                return None
            if function:
                msg = f"PLS-00222: no function with name '{member}' exists in this scope"
            else:
                msg = f"PLS-00221: '{member}' is not a procedure or is undefined"
            raise pls_error(name.pos, msg)
        return routine

    def args(self, name: ast.Name, routine: Any, scope: StaticScope) -> None:
        for param, arg in bind_args(name, routine):
            if arg is None:
                continue
            if param.mode != "IN":
                expr = arg.expr
                if not isinstance(expr, ast.Bind | ast.Name) or (
                    isinstance(expr, ast.Name) and expr.args is not None
                ):
                    raise pls_error(
                        arg.pos,
                        f"PLS-00363: expression '{_text(expr)}' cannot be used as an "
                        f"assignment target",
                    )
                self.target(expr, scope)
            else:
                self.expr(arg.expr, scope)

    # -- expressions
    def expr(self, e: ast.Expr, scope: StaticScope) -> None:
        if isinstance(e, ast.Bind):
            self.binds.add(e.name)
        elif isinstance(e, ast.Name):
            self.name(e, scope)
        elif isinstance(e, ast.CursorAttr):
            if e.parts != ["sql"]:
                raise pls_error(
                    e.pos, f"PLS-00201: identifier '{'.'.join(e.parts).upper()}' must be declared"
                )
        elif isinstance(e, ast.Unary):
            self.expr(e.operand, scope)
        elif isinstance(e, ast.Binary):
            self.expr(e.left, scope)
            self.expr(e.right, scope)
        elif isinstance(e, ast.Test):
            self.expr(e.operand, scope)
            for a in e.args:
                self.expr(a, scope)
        elif isinstance(e, ast.Case):
            if e.subject is not None:
                self.expr(e.subject, scope)
            for w, t in e.whens:
                self.expr(w, scope)
                self.expr(t, scope)
            if e.default is not None:
                self.expr(e.default, scope)

    def name(self, e: ast.Name, scope: StaticScope) -> None:
        sym = scope.lookup(e.parts[0])
        if sym is not None:
            if e.args is not None:
                raise pls_error(
                    e.pos,
                    f"PLS-00222: no function with name '{e.parts[0].upper()}' exists in this scope",
                )
            if sym.kind == "cursor":
                raise pls_error(
                    e.pos,
                    "PLS-00320: the declaration of the type of this expression is incomplete "
                    "or malformed",
                )
            self.fields(e, sym)
            return
        if len(e.parts) == 1:
            n = e.parts[0]
            if n in FUNCTIONS:
                lo, hi, _ = FUNCTIONS[n]
                if e.args is None or not lo <= len(e.args) <= hi or any(a.name for a in e.args):
                    raise pls_error(
                        e.pos,
                        f"PLS-00306: wrong number or types of arguments in call to '{n.upper()}'",
                    )
                for a in e.args:
                    self.expr(a.expr, scope)
                return
            if n in NO_ARG and e.args is None:
                return
            raise pls_error(e.pos, f"PLS-00201: identifier '{n.upper()}' must be declared")
        routine = self.member(e, function=True)
        if routine is not None:
            self.args(e, routine, scope)

    # -- embedded SQL
    def sql(self, sql: ast.Sql, scope: StaticScope) -> None:
        def is_var(parts: list[str]) -> bool:
            sym = scope.lookup(parts[0])
            return sym is not None and sym.kind != "cursor"

        prep = sqlbind.prepare(sql.text, is_var)
        for kind, parts in prep.into:
            if kind == "host":
                self.binds.add(parts[0])
            else:
                name = ast.Name(parts, None, ".".join(parts), pos=sql.pos)
                self.target(name, scope)
        for _bind, kind, parts in prep.refs:
            if kind == "host":
                self.binds.add(parts[0])
        if self.compile_sql is not None:
            try:
                self.compile_sql(prep.sql)
            except OraError as exc:
                raise pls_error(
                    sql.pos, f"PL/SQL: {exc}", "PL/SQL: SQL Statement ignored"
                ) from None
        sql.prepared = prep


def bind_args(name: ast.Name, routine: Any) -> list[tuple[Any, ast.Arg | None]]:
    """Actual -> formal parameters, positional then named (PLS-00306 when they do not fit)."""
    params = list(routine.params)
    args = name.args or []
    out: dict[str, ast.Arg] = {}
    seen_named = False

    def wrong() -> OraError:
        return pls_error(
            name.pos,
            f"PLS-00306: wrong number or types of arguments in call to '{routine.name}'",
        )

    for i, arg in enumerate(args):
        if arg.name is None:
            if seen_named or i >= len(params):
                raise wrong()
            out[params[i].name] = arg
        else:
            seen_named = True
            if routine.param(arg.name) is None or arg.name in out:
                raise wrong()
            out[arg.name] = arg
    for p in params:
        if p.required and p.name not in out:
            raise wrong()
    return [(p, out.get(p.name)) for p in params]


def _text(e: ast.Expr) -> str:
    if isinstance(e, ast.Literal):
        return "NULL" if e.value is None else str(e.value)
    if isinstance(e, ast.Name):
        return e.text.upper()
    return "expression"
