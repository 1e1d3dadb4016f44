"""Run a checked block: variables, control flow, calls into the Python EBS APIs, embedded SQL.

Why a tree walker: blocks are short (a few API calls and a loop over the message stack), so
clarity beats speed; the parse and check are cached by text (mock_erp.oracle.plsql.run_block).
Errors escaping the block carry "ORA-06512: at line N" as Oracle's do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from mock_erp.oracle.plsql import ast
from mock_erp.oracle.plsql.builtins import FUNCTIONS
from mock_erp.oracle.plsql.check import CURSOR_REC, EXCEPTIONS, bind_args
from mock_erp.oracle.plsql.values import (
    INTEGER,
    VARCHAR2,
    PlType,
    Record,
    coerce,
    to_date,
    to_number,
    to_text,
    truth,
)
from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.sqlfuncs import ORA_CTX


class _Exit(Exception):
    pass


class _Return(Exception):
    pass


class Slot:
    """A variable: its type and current value."""

    __slots__ = ("type", "value")

    def __init__(self, typ: PlType, value: Any) -> None:
        self.type, self.value = typ, value


class Scope:
    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict[str, Slot] = {}
        self.cursors: dict[str, ast.Sql] = {}
        self.parent = parent

    def slot(self, name: str) -> Slot | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def cursor(self, name: str) -> ast.Sql | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.cursors:
                return scope.cursors[name]
            scope = scope.parent
        return None


def _registry() -> Any:
    from mock_erp.oracle.apis import registry

    return registry


def _meta_name(m: Any) -> str:
    if isinstance(m, str):
        return m
    if isinstance(m, dict):
        return str(m.get("columnName") or m.get("name"))
    return str(m.name)


def _meta_type(m: Any) -> PlType:
    kind = m.get("columnTypeName") if isinstance(m, dict) else getattr(m, "type_name", "VARCHAR2")
    return {"NUMBER": PlType("NUMBER"), "DATE": PlType("DATE")}.get(str(kind), VARCHAR2)


class Interpreter:
    """One run of one block for one session."""

    def __init__(
        self, binds: dict[str, Any], session: OracleSession, engine: Any, api_ctx: Any
    ) -> None:
        self.binds = binds
        self.assigned: set[str] = set()
        self.session = session
        self.engine = engine
        self.api_ctx = api_ctx
        self.rowcount: int | None = None
        self.errors: list[OraError] = []  # the exceptions being handled (SQLERRM)
        self.line = 1

    # -- blocks
    def run(self, block: ast.Block) -> None:
        with contextlib.suppress(_Return):
            self.block(block, Scope())

    def block(self, block: ast.Block, parent: Scope) -> None:
        scope = Scope(parent)
        try:
            for decl in block.decls:
                self.line = decl.pos.line
                if isinstance(decl, ast.CursorDecl):
                    scope.cursors[decl.name] = decl.query
                    continue
                typ: PlType = decl.type.resolved
                if typ.kind == "RECORD":
                    value: Any = Record.new(typ)
                else:
                    value = coerce(self.expr(decl.default, scope), typ) if decl.default else None
                if decl.not_null and value is None:
                    raise OraError(6502, "PL/SQL: numeric or value error")
                scope.vars[decl.name] = Slot(typ, value)
            self.stmts(block.body, scope)
        except OraError as exc:
            handler = _handler(block.handlers, exc)
            if handler is None:
                raise
            self.errors.append(exc)
            try:
                self.stmts(handler.body, scope)
            finally:
                self.errors.pop()

    def stmts(self, stmts: list[ast.Stmt], scope: Scope) -> None:
        for s in stmts:
            self.line = s.pos.line
            try:
                self.stmt(s, scope)
            except OraError as exc:
                if not hasattr(exc, "plsql_line"):
                    exc.plsql_line = s.pos.line  # type: ignore[attr-defined]
                raise

    def stmt(self, s: ast.Stmt, scope: Scope) -> None:
        if isinstance(s, ast.Assign):
            self.assign(s.target, self.expr(s.expr, scope), scope)
        elif isinstance(s, ast.Call):
            self.call(s.name, scope, function=False)
        elif isinstance(s, ast.If):
            for cond, body in s.branches:
                if truth(self.expr(cond, scope)):
                    self.stmts(body, scope)
                    return
            if s.otherwise:
                self.stmts(s.otherwise, scope)
        elif isinstance(s, ast.ForRange):
            low, high = to_number(self.expr(s.low, scope)), to_number(self.expr(s.high, scope))
            if low is None or high is None:
                raise OraError(6502, "PL/SQL: numeric or value error")
            lo, hi = int(low.to_integral_value()), int(high.to_integral_value())
            seq = range(hi, lo - 1, -1) if s.reverse else range(lo, hi + 1)
            inner = Scope(scope)
            slot = Slot(INTEGER, None)
            inner.vars[s.var] = slot
            try:
                for i in seq:
                    slot.value = Decimal(i)
                    self.stmts(s.body, inner)
            except _Exit:
                pass
        elif isinstance(s, ast.ForCursor):
            sql = s.query if s.query is not None else scope.cursor(s.cursor or "")
            assert sql is not None
            meta, rows = self.engine.query(
                sql.prepared.sql, self.sql_binds(sql, scope), self.session
            )
            names = [_meta_name(m).lower() for m in meta]
            typ = PlType(
                "RECORD",
                name="cursor",
                fields=tuple(zip(names, [_meta_type(m) for m in meta], strict=True)),
            )
            inner = Scope(scope)
            try:
                for row in rows:
                    rec = Record(
                        typ, {n: coerce(v, t) for (n, t), v in zip(typ.fields, row, strict=True)}
                    )
                    inner.vars[s.var] = Slot(CURSOR_REC, rec)
                    self.stmts(s.body, inner)
            except _Exit:
                pass
        elif isinstance(s, ast.While):
            try:
                while s.cond is None or truth(self.expr(s.cond, scope)):
                    self.stmts(s.body, scope)
            except _Exit:
                pass
        elif isinstance(s, ast.Exit):
            if s.cond is None or truth(self.expr(s.cond, scope)):
                raise _Exit()
        elif isinstance(s, ast.Simple):
            if s.kind == "COMMIT":
                self.engine.commit_session(self.session.id)
            elif s.kind == "ROLLBACK":
                self.engine.rollback_session(self.session.id)
            elif s.kind == "RETURN":
                raise _Return()
        elif isinstance(s, ast.Raise):
            if s.name is None:
                if not self.errors:
                    raise OraError(
                        6550,
                        f"line {s.pos.line}, column {s.pos.column}:\nPLS-00367: a RAISE "
                        f"statement with no exception name must be inside an exception handler",
                        s.pos.offset,
                    )
                raise self.errors[-1]
            code, text = EXCEPTIONS[s.name]
            raise OraError(code, text)
        elif isinstance(s, ast.SqlStmt):
            self.sql_stmt(s.sql, scope)
        elif isinstance(s, ast.Block):
            self.block(s, scope)

    # -- variables
    def assign(self, target: ast.Name | ast.Bind, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Bind):
            if isinstance(value, Record):
                raise OraError(6550, "PLS-00457: expressions have to be of SQL types")
            self.binds[target.name] = value
            self.assigned.add(target.name)
            return
        slot = scope.slot(target.parts[0])
        assert slot is not None  # the checker saw it
        if len(target.parts) == 1:
            slot.value = coerce(value, slot.type)
            return
        rec = slot.value
        typ = slot.type
        for part in target.parts[1:-1]:
            typ = typ.field_type(part) or typ
            rec = rec.values[part]
        last = target.parts[-1]
        ftype = typ.field_type(last) if typ.fields else VARCHAR2
        rec.values[last] = coerce(value, ftype or VARCHAR2)

    def variable(self, parts: list[str], scope: Scope) -> Any:
        slot = scope.slot(parts[0])
        assert slot is not None
        value = slot.value
        for part in parts[1:]:
            value = value.values.get(part) if isinstance(value, Record) else None
            if value is None and isinstance(slot.value, Record) and slot.type is CURSOR_REC:
                names = [n for n, _ in slot.value.type.fields]
                if part not in names:
                    raise OraError(6550, f"PLS-00302: component '{part.upper()}' must be declared")
        return value

    # -- calls
    def call(self, name: ast.Name, scope: Scope, function: bool) -> Any:
        parts = name.parts
        if len(parts) == 1 and parts[0] == "raise_application_error":
            args = [self.expr(a.expr, scope) for a in name.args or []]
            num = int(to_number(args[0]) or 0)
            if not -20999 <= num <= -20000:
                raise OraError(
                    21000,
                    f"error number argument to raise_application_error of {num} is out of range",
                )
            raise OraError(-num, to_text(args[1]) or "")
        reg = _registry()
        routine = reg.lookup(parts[0], parts[1], function)
        if routine is None:  # a package constant
            return reg.CONSTANTS[parts[0].upper()][parts[1].upper()]
        kwargs: dict[str, Any] = {}
        outs: list[tuple[str, ast.Name | ast.Bind]] = []
        for param, arg in bind_args(name, routine):
            if arg is None:
                continue
            if param.mode == "IN":
                value = self.expr(arg.expr, scope)
                kwargs[param.name] = value.copy() if isinstance(value, Record) else value
            else:
                target = arg.expr
                assert isinstance(target, ast.Name | ast.Bind)
                outs.append((param.name, target))
                if param.mode == "IN OUT":
                    kwargs[param.name] = self.expr(target, scope)
        result = routine.impl(self.api_ctx, **kwargs)
        if routine.function:
            return result
        for pname, target in outs:
            if result and pname in result:
                self.assign(target, result[pname], scope)
            else:
                self.assign(target, None, scope)
        return None

    # -- embedded SQL
    def sql_binds(self, sql: ast.Sql, scope: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for bind, kind, parts in sql.prepared.refs:
            value = self.bind(parts[0]) if kind == "host" else self.variable(parts, scope)
            if isinstance(value, Record | bool):
                raise OraError(6550, "PLS-00457: expressions have to be of SQL types")
            out[bind] = value
        return out

    def sql_stmt(self, sql: ast.Sql, scope: Scope) -> None:
        prep = sql.prepared
        binds = self.sql_binds(sql, scope)
        if prep.kind == "dml":
            self.rowcount = int(self.engine.execute(prep.sql, binds, self.session))
            return
        _meta, rows = self.engine.query(prep.sql, binds, self.session)
        if not rows:
            self.rowcount = 0
            raise OraError(1403, "no data found")
        if len(rows) > 1:
            self.rowcount = len(rows)
            raise OraError(1422, "exact fetch returns more than requested number of rows")
        self.rowcount = 1
        row = list(rows[0])
        targets = [
            ast.Bind(p[0]) if k == "host" else ast.Name(p, None, ".".join(p)) for k, p in prep.into
        ]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            slot = scope.slot(targets[0].parts[0])
            if slot is not None and len(targets[0].parts) == 1 and isinstance(slot.value, Record):
                rec = slot.value
                for (fname, ftype), v in zip(slot.type.fields, row, strict=False):
                    rec.values[fname] = coerce(v, ftype)
                return
        if len(targets) != len(row):
            code, text = (
                (913, "too many values") if len(row) > len(targets) else (947, "not enough values")
            )
            raise OraError(code, text)
        for t, v in zip(targets, row, strict=True):
            self.assign(t, v, scope)

    def bind(self, name: str) -> Any:
        if name not in self.binds:
            raise OraError(1008, "not all variables bound")
        value = self.binds[name]
        if isinstance(value, float):
            return to_number(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return to_date(value)
        if value == "":
            return None
        return value

    # -- expressions
    def expr(self, e: ast.Expr | None, scope: Scope) -> Any:
        if e is None:
            return None
        if isinstance(e, ast.Literal):
            return e.value
        if isinstance(e, ast.Bind):
            return self.bind(e.name)
        if isinstance(e, ast.Name):
            return self.name(e, scope)
        if isinstance(e, ast.Binary):
            if e.op in ("AND", "OR"):
                return self.logic(e, scope)
            return binary(e.op, self.expr(e.left, scope), self.expr(e.right, scope))
        if isinstance(e, ast.Unary):
            v = self.expr(e.operand, scope)
            if e.op == "NOT":
                return None if v is None else not truth(v)
            n = to_number(v)
            return None if n is None else -n
        if isinstance(e, ast.Test):
            return self.test(e, scope)
        if isinstance(e, ast.Case):
            subject = self.expr(e.subject, scope) if e.subject is not None else None
            for when, then in e.whens:
                w = self.expr(when, scope)
                hit = compare("=", subject, w) if e.subject is not None else w
                if truth(hit):
                    return self.expr(then, scope)
            return self.expr(e.default, scope)
        if isinstance(e, ast.CursorAttr):
            rc = self.rowcount
            return {
                "ROWCOUNT": None if rc is None else Decimal(rc),
                "FOUND": None if rc is None else rc > 0,
                "NOTFOUND": None if rc is None else rc == 0,
                "ISOPEN": False,
            }[e.attr]
        raise AssertionError(e)  # pragma: no cover

    def name(self, e: ast.Name, scope: Scope) -> Any:
        if scope.slot(e.parts[0]) is not None:
            return self.variable(e.parts, scope)
        if len(e.parts) == 1:
            n = e.parts[0]
            if n in FUNCTIONS:
                return FUNCTIONS[n][2](*[self.expr(a.expr, scope) for a in e.args or []])
            if n in ("sysdate", "systimestamp"):
                return self.engine.clock()
            if n == "user":
                return "APPS"
            if n == "sqlcode":
                err = self.errors[-1] if self.errors else None
                return Decimal(0 if err is None else 100 if err.code == 1403 else -err.code)
            if n == "sqlerrm":
                return (
                    str(self.errors[-1])
                    if self.errors
                    else "ORA-0000: normal, successful completion"
                )
        return self.call(e, scope, function=True)

    def logic(self, e: ast.Binary, scope: Scope) -> bool | None:
        left = self.expr(e.left, scope)
        if e.op == "AND" and left is False:
            return False
        if e.op == "OR" and left is True:
            return True
        right = self.expr(e.right, scope)
        if e.op == "AND":
            if right is False:
                return False
            return None if left is None or right is None else True
        if right is True:
            return True
        return None if left is None or right is None else False

    def test(self, e: ast.Test, scope: Scope) -> bool | None:
        v = self.expr(e.operand, scope)
        result: bool | None
        if e.kind == "NULL":
            result = v is None
        elif e.kind == "LIKE":
            pat = to_text(self.expr(e.args[0], scope))
            text = to_text(v)
            if pat is None or text is None:
                return None
            rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pat)
            result = re.fullmatch(rx, text, re.S) is not None
        elif e.kind == "BETWEEN":
            lo, hi = (self.expr(a, scope) for a in e.args)
            a, b = compare(">=", v, lo), compare("<=", v, hi)
            result = None if a is None or b is None else a and b
        else:
            hits = [compare("=", v, self.expr(a, scope)) for a in e.args]
            result = True if True in hits else None if None in hits else False
        if result is None:
            return None
        return not result if e.negate else result


def _handler(handlers: list[ast.Handler], exc: OraError) -> ast.Handler | None:
    for h in handlers:
        for n in h.names:
            if n == "others" or EXCEPTIONS.get(n, (None,))[0] == exc.code:
                return h
    return None


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    """Oracle's implicit conversions for comparison: text meets number or date."""
    if isinstance(a, Decimal) and isinstance(b, str):
        return a, to_number(b)
    if isinstance(b, Decimal) and isinstance(a, str):
        return to_number(a), b
    if isinstance(a, dt.datetime) and isinstance(b, str):
        return a, to_date(b)
    if isinstance(b, dt.datetime) and isinstance(a, str):
        return to_date(a), b
    if isinstance(a, Decimal | int) and isinstance(b, Decimal | int):
        return Decimal(a), Decimal(b)
    return a, b


def compare(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    a, b = _align(a, b)
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        raise OraError(
            6550, "PLS-00306: wrong number or types of arguments in call to '" + op + "'"
        )
    if op == "=":
        return bool(a == b)
    if op == "<>":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def binary(op: str, a: Any, b: Any) -> Any:
    """Arithmetic (exact, Decimal), `||` (NULL as empty) and comparisons."""
    if op == "||":
        return ((to_text(a) or "") + (to_text(b) or "")) or None
    if op in ("=", "<>", "<", ">", "<=", ">="):
        return compare(op, a, b)
    if a is None or b is None:
        return None
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        return _date_arith(op, a, b)
    x, y = to_number(a), to_number(b)
    assert x is not None and y is not None
    if op == "+":
        return ORA_CTX.add(x, y)
    if op == "-":
        return ORA_CTX.subtract(x, y)
    if op == "*":
        return ORA_CTX.multiply(x, y)
    if y == 0:
        raise OraError(1476, "divisor is equal to zero")
    return ORA_CTX.divide(x, y)


def _date_arith(op: str, a: Any, b: Any) -> Any:
    if op == "-" and isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        delta = a - b
        return ORA_CTX.divide(Decimal(delta.days * 86400 + delta.seconds), Decimal(86400))
    if isinstance(a, dt.datetime) and op in ("+", "-"):
        days = to_number(b) or Decimal(0)
        delta = dt.timedelta(seconds=float(days * 86400))
        return a + delta if op == "+" else a - delta
    if isinstance(b, dt.datetime) and op == "+":
        return _date_arith("+", b, a)
    raise OraError(932, "inconsistent datatypes: expected NUMBER got DATE")
