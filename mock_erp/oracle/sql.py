"""Oracle SQL over SQLite: parse with sqlglot (Oracle), check, rewrite, run; never a wrong answer.

Why a rewriting translator and not plain ``transpile``: sqlglot 30 turns Oracle's ``(+)`` into
an inner join, passes ``ROWNUM``/``MERGE``/``CONNECT BY`` through, and SQLite would add money as
REAL and compare decimal text as text. So every statement goes through one pass that knows
each node it meets (a whitelist): Oracle semantics are rebuilt with the functions of
mock_erp/oracle/sqlfuncs.py, and anything outside the subset raises the ORA error Oracle
would raise for the situation, naming the construct (docs/specs/oracle.md §7 item 14):

- ORA-00942 unknown table/view, ORA-00904 unknown column or function, ORA-00918 ambiguous
  column, ORA-01008 bind missing, ORA-01036 bind not in the statement, ORA-02289 unknown
  sequence, ORA-00913/00947 INSERT value count, ORA-12899 value too long, ORA-00001 duplicate key,
  ORA-01031 DDL, ORA-00900 constructs the mock does not run (MERGE, CONNECT BY, PIVOT,
  ``(+)``, analytic functions, ``FETCH ... PERCENT``/``WITH TIES``...), ORA-00933/00936
  parse errors.

Values returned (``query``): NUMBER as :class:`decimal.Decimal` (exact), except NUMBER(p, 0)
columns (ids) and integer-only expressions (``COUNT``), returned as ``int``; DATE as naive
:class:`datetime.datetime` (Oracle DATE has a time, no zone; the mock's SYSDATE is UTC);
VARCHAR2 as ``str``. Binds accept the Python types python-oracledb accepts (int, float,
Decimal, str, date, datetime, None); ``''`` binds as NULL as in Oracle.

Translations are cached by statement text (LRU), so repeated statements cost a dict lookup.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, OptimizeError, ParseError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from mock_erp.oracle import sqlfuncs, tables
from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.tables import DATE_FORMAT, SEQ_TABLE, SEQUENCES, Col

# -- metadata --------------------------------------------------------------------------------
_CLASS = {
    "NUMBER": "java.math.BigDecimal",
    "VARCHAR2": "java.lang.String",
    "DATE": "java.sql.Timestamp",
}


@dataclass(frozen=True)
class ColumnMeta:
    """One result column as ORDS and oracledb describe it (docs/specs/oracle.md §5.2)."""

    name: str  # Oracle column name: alias or column as Oracle reports it (upper case unless quoted)
    type_name: str  # NUMBER | VARCHAR2 | DATE
    precision: int
    scale: int
    nullable: bool
    kind: str  # how values convert: dec | int | date | text | unk

    @property
    def json_name(self) -> str:
        return self.name.lower()

    @property
    def class_name(self) -> str:
        return _CLASS[self.type_name]


def _meta_for(name: str, kind: str, col: Col | None) -> ColumnMeta:
    if col is not None:
        if not col.name and col.is_integer:  # CAST(x AS NUMBER(p)): an integer-valued NUMBER
            return ColumnMeta(name, "NUMBER", col.precision, 0, True, "dec")
        return ColumnMeta(
            name,
            col.type,
            col.precision,
            col.scale,
            col.nullable and not col.pk,
            "int"
            if col.is_integer
            else "dec"
            if col.type == "NUMBER"
            else "date"
            if col.type == "DATE"
            else "text",
        )
    if kind in ("dec", "int", "bool"):
        return ColumnMeta(name, "NUMBER", 0, -127, True, "dec" if kind == "dec" else "int")
    if kind == "date":
        return ColumnMeta(name, "DATE", 7, 0, True, "date")
    return ColumnMeta(name, "VARCHAR2", 4000, 0, True, "text" if kind == "text" else "unk")


def _converter(kind: str) -> Callable[[Any], Any] | None:
    if kind == "dec":
        return lambda v: (
            v if v is None else Decimal(v) if isinstance(v, str | int) else sqlfuncs.to_dec(v)
        )
    if kind == "int":
        return lambda v: (
            v
            if v is None or isinstance(v, int)
            else int(Decimal(v))
            if Decimal(v) % 1 == 0
            else Decimal(v)
        )
    if kind == "date":
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if kind == "unk":
        return lambda v: sqlfuncs.to_dec(v) if isinstance(v, float) else v
    return None


# -- compiled statements -----------------------------------------------------------------------
@dataclass(frozen=True)
class Compiled:
    kind: str  # select | insert | update | delete
    sql: str  # SQLite text
    columns: tuple[ColumnMeta, ...]
    binds: tuple[str, ...]  # bind names (lower case) the statement uses
    table: str | None = None  # DML target


_POSITIONAL = re.compile(r"""('(?:[^']|'')*'|"[^"]*"|--[^\n]*|/\*.*?\*/)|:(\d+)|(\?)""", re.S)
_SCHEMA_TYPES = {"dec": "DECIMAL", "int": "BIGINT", "date": "DATETIME", "text": "VARCHAR"}


def _normalise_binds(sql: str) -> str:
    """``:1`` -> ``:B1`` and ``?`` (ORDS positional, docs/specs/oracle.md §5.2) -> ``:B<n>``."""
    counter = iter(range(1, 10_000))

    def repl(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        if m.group(2):
            return f":B{m.group(2)}"
        return f":B{next(counter)}"

    return _POSITIONAL.sub(repl, sql)


def bind_key(name: str | int) -> str:
    """The key a bind is known by: ``B1`` for position 1, else the upper-case name."""
    return (
        f"B{name}"
        if isinstance(name, int) or str(name).isdigit()
        else str(name).lstrip(":").upper()
    )


def _schema() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, cols in tables.catalogue().items():
        out[name] = {c.name: _SCHEMA_TYPES[_col_kind(c)] for c in cols}
    return out


def _col_kind(c: Col) -> str:
    return (
        "int"
        if c.is_integer
        else "dec"
        if c.type == "NUMBER"
        else "date"
        if c.type == "DATE"
        else "text"
    )


SCHEMA: dict[str, object] = dict(_schema())
_SCHEMA_COLS = _schema()
CATALOGUE = tables.catalogue()


def _err_unsupported(what: str) -> OraError:
    return OraError(900, f"invalid SQL statement: {what} is not supported by the mock")


def _fn(name: str, *args: exp.Expression, kind: str) -> exp.Expression:
    node = exp.Anonymous(this=name, expressions=list(args))
    node.meta["k"] = kind
    return node


def _k(node: exp.Expression) -> str:
    return str(node.meta.get("k", "unk"))


def _set(node: exp.Expression, kind: str) -> exp.Expression:
    node.meta["k"] = kind
    return node


_TYPE_KIND = {
    **dict.fromkeys(("DECIMAL", "DOUBLE", "FLOAT", "BIGDECIMAL", "NUMBER"), "dec"),
    **dict.fromkeys(("BIGINT", "INT", "SMALLINT", "TINYINT", "BOOLEAN"), "int"),
    **dict.fromkeys(("DATETIME", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMPLTZ"), "date"),
    **dict.fromkeys(("VARCHAR", "CHAR", "TEXT", "NVARCHAR", "NCHAR"), "text"),
}


def _type_kind(node: exp.Expression) -> str:
    t = node.type
    if t is None:
        return "unk"
    return _TYPE_KIND.get(t.this.name, "unk")


_CMP = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_STRUCTURAL = (
    exp.Select,
    exp.From,
    exp.Join,
    exp.Where,
    exp.Group,
    exp.Having,
    exp.Order,
    exp.Table,
    exp.TableAlias,
    exp.Identifier,
    exp.Subquery,
    exp.Union,
    exp.Except,
    exp.Intersect,
    exp.With,
    exp.CTE,
    exp.Star,
    exp.Distinct,
    exp.Limit,
    exp.Offset,
    exp.Tuple,
    exp.Var,
)
_TEXT_FUNCS = (exp.Upper, exp.Lower, exp.Trim)


class _Translator:
    """One statement's rewrite (Oracle AST -> SQLite AST); raises OraError on the first problem."""

    def __init__(self) -> None:
        self.binds: set[str] = set()

    # ---- entry points -------------------------------------------------------------------------
    def select(self, tree: Any) -> tuple[exp.Expression, list[ColumnMeta]]:
        if any(not sel.expressions for sel in tree.find_all(exp.Select)):
            raise OraError(936, "missing expression")
        self._check_relations(tree)
        self._sequences(tree)
        self._name_projections(tree)
        for sel in list(tree.find_all(exp.Select)):
            self._rownum(sel)
        tree = self._qualify(tree)
        annotate_types(tree, schema=SCHEMA, dialect="oracle")
        metas = self._metas(tree)
        tree = self._conv(tree)
        return tree, metas

    # ---- checks -------------------------------------------------------------------------------
    def _check_relations(self, tree: exp.Expression) -> None:
        ctes = {c.alias_or_name.upper() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.upper()
            if table.args.get("db"):
                owner = table.args["db"].name.upper()
                if owner not in ("APPS", "AR", "HZ", "GL", "FND"):
                    raise OraError(942, "table or view does not exist")
                table.set("db", None)
            if name not in CATALOGUE and name not in ctes:
                raise OraError(942, "table or view does not exist")

    def _sequences(self, tree: exp.Expression) -> None:
        for col in list(tree.find_all(exp.Column)):
            part = col.name.upper()
            if part in ("NEXTVAL", "CURRVAL") and col.table:
                seq = col.table.upper()
                if seq not in SEQUENCES:
                    raise OraError(2289, "sequence does not exist")
                fn = "ora_nextval" if part == "NEXTVAL" else "ora_currval"
                col.replace(_fn(fn, exp.Literal.string(seq), kind="int"))

    def _rownum(self, sel: exp.Select) -> None:
        """``WHERE ROWNUM <= n`` -> LIMIT; ROWNUM in the select list -> ROW_NUMBER() OVER ()."""
        where = sel.args.get("where")
        limit: exp.Expression | None = None
        empty = False
        if where is not None:
            keep = []
            conjs: list[Any] = (
                list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
            )
            for conj in conjs:
                if not any(_is_rownum(c) for c in conj.find_all(exp.Column)):
                    keep.append(conj)
                    continue
                lim, none = self._rownum_conj(conj)
                if lim is not None:
                    if limit is not None:
                        raise _err_unsupported("more than one ROWNUM limit in a query block")
                    limit = lim
                empty = empty or none
            if limit is not None or empty:
                if (
                    sel.args.get("order")
                    or sel.args.get("group")
                    or sel.args.get("distinct")
                    or any(p.find(exp.AggFunc) for p in sel.expressions)
                ):
                    raise _err_unsupported(
                        "ROWNUM with ORDER BY/GROUP BY/DISTINCT in the same query block "
                        "(Oracle numbers "
                        "rows before sorting; use FETCH FIRST n ROWS ONLY or an ordered subquery)"
                    )
                if sel.args.get("limit") or sel.args.get("offset"):
                    raise _err_unsupported("ROWNUM together with FETCH FIRST/OFFSET")
            if empty:
                keep.append(exp.false())
            new_where = exp.and_(*keep) if keep else None
            sel.set("where", exp.Where(this=new_where) if new_where is not None else None)
            if limit is not None:
                sel.set("limit", exp.Limit(expression=limit))
        for proj in sel.expressions:
            for col in list(proj.find_all(exp.Column)):
                if _is_rownum(col):
                    win = exp.Window(this=exp.RowNumber(), over="OVER")
                    win.meta["rownum"] = True
                    col.replace(win)
        for node in sel.find_all(exp.Column):
            if _is_rownum(node) and node.find_ancestor(exp.Select) is sel:
                raise _err_unsupported("ROWNUM outside the select list and WHERE ROWNUM <= n")

    @staticmethod
    def _rownum_conj(conj: exp.Expression) -> tuple[exp.Expression | None, bool]:
        flip: dict[type[exp.Expression], type[exp.Expression]] = {
            exp.GT: exp.LT,
            exp.LT: exp.GT,
            exp.GTE: exp.LTE,
            exp.LTE: exp.GTE,
            exp.EQ: exp.EQ,
        }
        if not isinstance(conj, tuple(flip)):
            raise _err_unsupported(f"ROWNUM in {conj.sql('oracle')!r}")
        left, right = conj.this, conj.expression
        op: type[exp.Expression] = type(conj)
        if _is_rownum(right) and not (isinstance(left, exp.Column) and _is_rownum(left)):
            left, right, op = right, left, flip[op]
        if not (isinstance(left, exp.Column) and _is_rownum(left)):
            raise _err_unsupported(f"ROWNUM in {conj.sql('oracle')!r}")
        if isinstance(right, exp.Placeholder):
            if op is exp.LTE:
                return right.copy(), False
            if op is exp.LT:
                return exp.Sub(this=right.copy(), expression=exp.Literal.number(1)), False
            raise _err_unsupported(f"ROWNUM compared with a bind by {op.__name__}")
        if not (isinstance(right, exp.Literal) and not right.is_string):
            raise _err_unsupported(f"ROWNUM in {conj.sql('oracle')!r}")
        n = Decimal(right.this)
        import math

        if op is exp.LTE:
            return exp.Literal.number(max(0, math.floor(n))), False
        if op is exp.LT:
            return exp.Literal.number(max(0, math.ceil(n) - 1)), False
        if op is exp.EQ:
            return (exp.Literal.number(1), False) if n == 1 else (None, True)
        if op is exp.GT:
            return (None, False) if n < 1 else (None, True)
        return (None, False) if n <= 1 else (None, True)  # GTE

    def _name_projections(self, tree: exp.Expression) -> None:
        """Give expressions Oracle's column name (the expression text, upper case, no blanks)."""
        top = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
        for sel in tree.find_all(exp.Select):
            for proj in sel.expressions:
                if isinstance(proj, exp.Alias | exp.Star) or (
                    isinstance(proj, exp.Column) and not _is_rownum(proj)
                ):
                    continue
                if sel is not top and not isinstance(
                    sel.parent, exp.Subquery | exp.From | exp.Join
                ):
                    continue
                text = proj.sql("oracle")
                name = re.sub(r"('(?:[^']|'')*')|\s+", lambda m: m.group(1) or "", text).upper()
                proj.replace(exp.alias_(proj.copy(), exp.to_identifier(name[:128], quoted=True)))

    @staticmethod
    def _qualify(tree: exp.Expression) -> exp.Expression:
        try:
            return qualify(
                tree,
                schema=SCHEMA,
                dialect="oracle",
                validate_qualify_columns=True,
                quote_identifiers=True,
            )
        except OptimizeError as exc:
            text = str(exc)
            m = re.search(r"Column '([^']+)' could not be resolved", text)
            if m:
                name = m.group(1).upper()
                if _ambiguous(tree, name):
                    raise OraError(918, "column ambiguously defined") from None
                raise OraError(904, f'"{name}": invalid identifier') from None
            m = re.search(r"Unknown table: '?([^'\s]+)", text)
            if m:
                raise OraError(904, f'"{m.group(1).upper()}": invalid identifier') from None
            raise OraError(904, f"invalid identifier ({text})") from None

    def _metas(self, tree: exp.Expression) -> list[ColumnMeta]:
        sel: Any = tree
        while isinstance(sel, exp.SetOperation):
            sel = sel.this
        if not isinstance(sel, exp.Select):
            sel = tree.find(exp.Select)  # pragma: no cover
        assert isinstance(sel, exp.Select)
        out = []
        for proj in sel.expressions:
            inner = proj.this if isinstance(proj, exp.Alias) else proj
            col = self._source_col(inner, sel) or _cast_col(inner)
            out.append(_meta_for(proj.alias_or_name, self._pre_kind(inner), col))
        return out

    @staticmethod
    def _source_col(node: exp.Expression, sel: exp.Select) -> Col | None:
        """The catalogue column a projection reads unchanged (for exact precision/scale)."""
        if not isinstance(node, exp.Column):
            return None
        alias = node.table.upper()
        for table in sel.find_all(exp.Table):
            if table.alias_or_name.upper() == alias and table.find_ancestor(exp.Select) is sel:
                cols = CATALOGUE.get(table.name.upper())
                if cols:
                    return next((c for c in cols if c.name == node.name.upper()), None)
        return None

    def _pre_kind(self, node: exp.Expression) -> str:
        """Kind of a projection before rewriting (the rewrite records kinds too; use it)."""
        probe = self._conv(node.copy())
        return _k(probe)

    # ---- the rewrite --------------------------------------------------------------------------
    def _conv(self, node: exp.Expression) -> exp.Expression:
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                node.set(key, self._conv(value))
            elif isinstance(value, list):
                node.set(
                    key, [self._conv(v) if isinstance(v, exp.Expression) else v for v in value]
                )
        return self._node(node)

    def _node(self, n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column):
            if n.args.get("join_mark"):
                raise _err_unsupported("the Oracle (+) outer join operator (use LEFT JOIN)")
            if isinstance(n.this, exp.Star):
                return n
            return _set(n, _type_kind(n))
        if isinstance(n, exp.Literal):
            if n.is_string:
                if n.this == "":
                    return _set(exp.Null(), "null")  # Oracle: '' IS NULL
                return _set(n, "text")
            if re.fullmatch(r"-?\d+", n.this):
                return _set(n, "int")
            return _set(exp.Literal.string(sqlfuncs.canon(Decimal(n.this)) or "0"), "dec")
        if isinstance(n, exp.Placeholder):
            name = bind_key(n.name)
            self.binds.add(name)
            return _set(exp.Placeholder(this=name), "unk")
        if isinstance(n, exp.Null):
            return _set(n, "null")
        if isinstance(n, exp.Boolean):
            return _set(n, "bool")
        if isinstance(n, exp.Paren):
            return _set(n, _k(n.this))
        if isinstance(n, exp.Alias):
            return _set(n, _k(n.this))
        if isinstance(n, exp.Anonymous) and n.name.lower().startswith("ora_"):
            return n
        if isinstance(n, exp.Anonymous):
            fname = n.name.upper()
            if fname == "TRUNC" and len(n.expressions) == 1:
                return self._trunc(n.expressions[0], None)
            raise OraError(904, f'"{fname}": invalid identifier')
        if isinstance(n, exp.Add | exp.Sub | exp.Mul | exp.Div | exp.Mod):
            return self._arith(n)
        if isinstance(n, exp.Neg):
            k = _k(n.this)
            return n if k == "int" else _fn("ora_dneg", n.this, kind="dec")
        if isinstance(n, _CMP):
            return self._compare(n)
        if isinstance(n, exp.Between):
            return self._between(n)
        if isinstance(n, exp.In):
            return self._in(n)
        if isinstance(n, exp.And | exp.Or | exp.Not | exp.Is | exp.Exists):
            return _set(n, "bool")
        if isinstance(n, exp.Like):
            return _set(n, "bool")
        if isinstance(n, exp.DPipe):
            return _fn(
                "ora_concat", self._as_text(n.this), self._as_text(n.expression), kind="text"
            )
        if isinstance(n, exp.Coalesce):
            kinds = [_k(a) for a in [n.this, *n.expressions]]
            k = _first_kind(kinds)
            node = exp.Coalesce(this=n.this, expressions=n.expressions)
            return self._norm(node, k)
        if isinstance(n, exp.Nvl2):
            k = _first_kind(
                [_k(n.args["true"]), _k(n.args["false"]) if n.args.get("false") else "null"]
            )
            case = exp.Case(
                ifs=[
                    exp.If(
                        this=exp.Not(this=exp.Is(this=n.this, expression=exp.Null())),
                        true=n.args["true"],
                    )
                ],
                default=n.args.get("false"),
            )
            return self._norm(case, k)
        if isinstance(n, exp.DecodeCase):
            return self._decode(n)
        if isinstance(n, exp.Case):
            if n.this is not None:  # simple CASE x WHEN v: compare like '='
                subject = n.this
                ifs = [
                    exp.If(
                        this=self._compare(exp.EQ(this=subject.copy(), expression=i.this)),
                        true=i.args["true"],
                    )
                    for i in n.args["ifs"]
                ]
                n = exp.Case(ifs=ifs, default=n.args.get("default"))
            k = _first_kind(
                [_k(i.args["true"]) for i in n.args["ifs"]]
                + [_k(n.args["default"]) if n.args.get("default") is not None else "null"]
            )
            return self._norm(n, k)
        if isinstance(n, exp.If):
            return n
        if isinstance(n, exp.Sum):
            return _set(n, "int") if _k(n.this) == "int" else _fn("ora_dsum", n.this, kind="dec")
        if isinstance(n, exp.Avg):
            return _fn("ora_davg", n.this, kind="dec")
        if isinstance(n, exp.Min | exp.Max):
            k = _k(n.this)
            if k == "dec":
                return _fn("ora_dmin" if isinstance(n, exp.Min) else "ora_dmax", n.this, kind="dec")
            return _set(n, k)
        if isinstance(n, exp.Count):
            return _set(n, "int")
        if isinstance(
            n, exp.CurrentTimestamp | exp.CurrentDate | exp.Systimestamp | exp.CurrentDatetime
        ):
            return _fn("ora_sysdate", kind="date")
        if isinstance(n, exp.StrToDate | exp.StrToTime):
            fmt = n.args.get("format")
            return _fn("ora_to_date", n.this, *([fmt] if fmt is not None else []), kind="date")
        if isinstance(n, exp.DateStrToDate):
            return _fn("ora_to_date", n.this, exp.Literal.string("YYYY-MM-DD"), kind="date")
        if isinstance(n, exp.ToChar):
            fmt = n.args.get("format")
            k = _k(n.this)
            args = [n.this, *([fmt] if fmt is not None else [])]
            if k == "date":
                return _fn("ora_to_char_date", *args, kind="text")
            if k == "text":
                return _set(n.this, "text")
            return _fn("ora_to_char_num", *args, kind="text")
        if isinstance(n, exp.ToNumber):
            fmt = n.args.get("format")
            return _fn("ora_to_number", n.this, *([fmt] if fmt is not None else []), kind="dec")
        if isinstance(n, exp.DateTrunc):
            return self._trunc(n.this, n.args.get("unit"))
        if isinstance(n, exp.Trunc):
            return self._trunc(n.this, n.args.get("decimals"))
        if isinstance(n, exp.Round):
            if _k(n.this) == "date":
                raise _err_unsupported("ROUND of a DATE")
            places = n.args.get("decimals") or exp.Literal.number(0)
            return _fn("ora_dround", n.this, places, kind="dec")
        if isinstance(n, exp.Abs):
            return _set(n, "int") if _k(n.this) == "int" else _fn("ora_dabs", n.this, kind="dec")
        if isinstance(n, exp.Greatest | exp.Least):
            args = [n.this, *n.expressions]
            kinds = [_k(a) for a in args]
            k = _first_kind(kinds)
            if k == "date":
                args = [a if _k(a) == "date" else _fn("ora_as_date", a, kind="date") for a in args]
            name = "ora_greatest" if isinstance(n, exp.Greatest) else "ora_least"
            return _fn(name, *args, kind=k)
        if isinstance(n, exp.AddMonths):
            return _fn("ora_add_months", n.this, n.expression, kind="date")
        if isinstance(n, exp.LastDay):
            return _fn("ora_last_day", n.this, kind="date")
        if isinstance(n, _TEXT_FUNCS):
            if isinstance(n, exp.Trim) and (n.args.get("position") or n.args.get("expression")):
                raise _err_unsupported("TRIM with LEADING/TRAILING/characters")
            return _set(n, "text")
        if isinstance(n, exp.Substring):
            start = n.args.get("start")
            fixed = (
                _fn("max", start, exp.Literal.number(1), kind="int") if start is not None else None
            )
            if start is not None and isinstance(start, exp.Neg | exp.Placeholder):
                fixed = start
            n.set("start", fixed)
            return _set(n, "text")
        if isinstance(n, exp.Length):
            return _set(n, "int")
        if isinstance(n, exp.StrPosition):
            if n.args.get("position") or n.args.get("occurrence"):
                raise _err_unsupported("INSTR with position/occurrence")
            return _set(n, "int")
        if isinstance(n, exp.Replace):
            if n.args.get("replacement") is None:
                n.set("replacement", exp.Literal.string(""))
            return _set(n, "text")
        if isinstance(n, exp.Chr):
            if len(n.expressions) != 1:
                raise _err_unsupported("CHR with USING NCHAR_CS")
            return _fn("ora_chr", n.expressions[0], kind="text")
        if isinstance(n, exp.Cast):
            return self._cast(n)
        if isinstance(n, exp.Extract):
            unit = n.this.name.upper()
            fmt = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d"}.get(unit)
            if fmt is None:
                raise _err_unsupported(f"EXTRACT({unit} ...)")
            return _set(
                exp.Cast(
                    this=_fn("strftime", exp.Literal.string(fmt), n.expression, kind="text"),
                    to=exp.DataType.build("INT"),
                ),
                "int",
            )
        if isinstance(n, exp.Ordered):
            return self._ordered(n)
        if isinstance(n, exp.Fetch):
            opts = n.args.get("limit_options")
            if opts is not None and (opts.args.get("percent") or opts.args.get("with_ties")):
                raise _err_unsupported("FETCH FIRST ... PERCENT / WITH TIES")
            return n
        if isinstance(n, exp.LimitOptions):
            return n
        if isinstance(n, exp.Window):
            if n.meta.get("rownum"):
                return _set(n, "int")
            raise _err_unsupported(f"analytic function {n.this.sql('oracle')} OVER (...)")
        if isinstance(n, exp.RowNumber):
            return n
        if isinstance(n, exp.Lock):
            return n  # FOR UPDATE: one writer at a time anyway (ORA-00054 comes from faults)
        if isinstance(n, exp.Connect | exp.Prior):
            raise _err_unsupported("CONNECT BY hierarchical query")
        if isinstance(n, exp.Pivot):
            raise _err_unsupported("PIVOT/UNPIVOT")
        if isinstance(n, exp.DataType | exp.DataTypeParam):
            return n
        if isinstance(n, _STRUCTURAL):
            if isinstance(n, exp.Subquery):
                inner = n.this
                first = (
                    inner.expressions[0]
                    if isinstance(inner, exp.Select) and inner.expressions
                    else None
                )
                return _set(n, _k(first) if first is not None else "unk")
            return n
        raise _err_unsupported(f"{type(n).__name__} ({n.sql('oracle')[:60]})")

    # ---- helpers of the rewrite ---------------------------------------------------------------
    @staticmethod
    def _norm(node: exp.Expression, kind: str) -> exp.Expression:
        """Mixed-storage results (NVL(amount, 0)) as canonical text, so GROUP BY/= stay exact."""
        if kind == "dec":
            return _fn("ora_dnorm", node, kind="dec")
        if kind == "date":
            return _fn("ora_as_date", node, kind="date")
        return _set(node, kind)

    @staticmethod
    def _as_text(node: exp.Expression) -> exp.Expression:
        k = _k(node)
        if k == "dec":
            return _fn("ora_to_char_num", node, kind="text")
        if k == "date":
            return _fn("ora_to_char_date", node, kind="text")
        return node

    def _arith(self, n: exp.Expression) -> exp.Expression:
        a, b = n.this, n.expression
        ka, kb = _k(a), _k(b)
        if ka == "date" or kb == "date":
            if isinstance(n, exp.Add):
                d, num = (a, b) if ka == "date" else (b, a)
                if _k(num) == "date":
                    raise OraError(975, "date + date not allowed")
                return _fn("ora_date_add", d, num, kind="date")
            if isinstance(n, exp.Sub):
                if ka == "date" and kb == "date":
                    return _fn("ora_date_diff", a, b, kind="dec")
                if ka == "date":
                    return _fn("ora_date_add", a, _fn("ora_dneg", b, kind="dec"), kind="date")
            raise OraError(932, "inconsistent datatypes: expected NUMBER got DATE")
        if ka == "int" and kb == "int" and not isinstance(n, exp.Div | exp.Mod):
            return _set(n, "int")
        names: dict[type[exp.Expression], str] = {
            exp.Add: "ora_dadd",
            exp.Sub: "ora_dsub",
            exp.Mul: "ora_dmul",
            exp.Div: "ora_ddiv",
            exp.Mod: "ora_dmod",
        }
        return _fn(names[type(n)], a, b, kind="dec")

    def _compare(self, n: exp.Expression) -> exp.Expression:
        a, b = n.this, n.expression
        ka, kb = _k(a), _k(b)
        if "date" in (ka, kb):
            if ka != "date":
                a = _fn("ora_as_date", a, kind="date")
            if kb != "date":
                b = _fn("ora_as_date", b, kind="date")
            return _set(type(n)(this=a, expression=b), "bool")
        # An INTEGER column against a bind compares natively: SQLite's column affinity turns the
        # bind into a number, and the comparison can use the column's index (keyset paging).
        int_column = (ka == "int" and isinstance(a, exp.Column)) or (
            kb == "int" and isinstance(b, exp.Column)
        )
        numeric = "dec" in (ka, kb) or (
            not int_column and ((ka == "unk" and kb == "int") or (kb == "unk" and ka == "int"))
        )
        if numeric:
            return _set(
                type(n)(this=_fn("ora_dcmp", a, b, kind="int"), expression=exp.Literal.number(0)),
                "bool",
            )
        return _set(n, "bool")

    def _between(self, n: exp.Between) -> exp.Expression:
        x, low, high = n.this, n.args["low"], n.args["high"]
        lo = self._compare(exp.GTE(this=x, expression=low))
        hi = self._compare(exp.LTE(this=x.copy(), expression=high))
        return _set(exp.Paren(this=exp.And(this=lo, expression=hi)), "bool")

    def _in(self, n: exp.In) -> exp.Expression:
        x = n.this
        items = n.expressions
        if n.args.get("query") is not None or not items:
            if _k(x) == "dec":
                raise _err_unsupported("NUMBER IN (subquery) over a non-integer NUMBER column")
            return _set(n, "bool")
        if _k(x) == "dec" or any(_k(i) == "dec" for i in items):
            return _set(
                exp.EQ(
                    this=_fn("ora_din", x, *items, kind="int"), expression=exp.Literal.number(1)
                ),
                "bool",
            )
        if _k(x) == "date":
            n.set(
                "expressions",
                [i if _k(i) == "date" else _fn("ora_as_date", i, kind="date") for i in items],
            )
        return _set(n, "bool")

    def _decode(self, n: exp.DecodeCase) -> exp.Expression:
        args = n.expressions
        subject, rest = args[0], args[1:]
        default = rest.pop() if len(rest) % 2 else None
        ifs, results = [], []
        for search, result in zip(rest[0::2], rest[1::2], strict=True):
            ifs.append(
                exp.If(
                    this=exp.EQ(
                        this=_fn("ora_deq", subject.copy(), search, kind="int"),
                        expression=exp.Literal.number(1),
                    ),
                    true=result,
                )
            )
            results.append(_k(result))
        k = _first_kind([*results, _k(default) if default is not None else "null"])
        return self._norm(exp.Case(ifs=ifs, default=default), k)

    def _trunc(self, x: exp.Expression, unit: exp.Expression | None) -> exp.Expression:
        k = _k(x)
        if k == "date":
            u = unit if unit is not None else exp.Literal.string("DD")
            if isinstance(u, exp.Var | exp.Column):
                u = exp.Literal.string(u.name)
            return _fn("ora_trunc_date", x, u, kind="date")
        if k == "int" and unit is None:
            return x
        return _fn("ora_dtrunc", x, unit if unit is not None else exp.Literal.number(0), kind="dec")

    def _cast(self, n: exp.Cast) -> exp.Expression:
        to = n.args["to"]
        t = to.this.name
        if t in ("DECIMAL", "DOUBLE", "FLOAT", "INT", "BIGINT"):
            params = _type_params(to)
            if params and len(params) == 2:  # NUMBER(p, s): Oracle rounds to the scale
                return _fn("ora_dround", n.this, exp.Literal.number(params[1]), kind="dec")
            if params:
                return _fn("ora_dround", n.this, exp.Literal.number(0), kind="dec")
            return _fn("ora_to_number", n.this, kind="dec")
        if t in ("VARCHAR", "CHAR", "TEXT", "NVARCHAR"):
            return self._as_text(n.this) if _k(n.this) in ("dec", "date") else _set(n.this, "text")
        if t in ("DATETIME", "DATE", "TIMESTAMP"):
            return _fn("ora_as_date", n.this, kind="date")
        raise _err_unsupported(f"CAST AS {to.sql('oracle')}")

    def _ordered(self, n: exp.Ordered) -> exp.Expression:
        x = n.this
        kind = _k(x)
        if isinstance(x, exp.Column) and not x.table:
            sel = n.find_ancestor(exp.Select)
            if sel is not None:
                for proj in sel.expressions:
                    if proj.alias_or_name == x.name:
                        kind = _k(proj)
        if kind == "dec":
            n.set("this", _fn("ora_dkey", x, kind="text"))
        return n


def _type_params(to: exp.DataType) -> list[int]:
    return [int(p.name) for p in to.expressions if p.name.lstrip("-").isdigit()]


def _cast_col(node: exp.Expression) -> Col | None:
    """``CAST(x AS NUMBER(p, s))`` reports precision p and scale s, as Oracle does."""
    if isinstance(node, exp.Cast) and node.args["to"].this.name in ("DECIMAL",):
        params = _type_params(node.args["to"])
        if params:
            return Col("", "NUMBER", params[0], params[1] if len(params) > 1 else 0)
    return None


def _is_rownum(c: exp.Expression) -> bool:
    return isinstance(c, exp.Column) and not c.table and c.name.upper() == "ROWNUM"


def _first_kind(kinds: list[str]) -> str:
    for k in kinds:
        if k in ("dec", "date", "text", "int"):
            if k == "int" and "dec" in kinds:
                return "dec"
            return k
    return "unk"


def _ambiguous(tree: exp.Expression, name: str) -> bool:
    hits = 0
    for table in tree.find_all(exp.Table):
        cols = _SCHEMA_COLS.get(table.name.upper(), {})
        hits += name in cols
    return hits > 1


@lru_cache(maxsize=1024)
def compile_sql(sql: str) -> Compiled:
    """Parse, check and translate one Oracle statement (cached by text)."""
    text = _normalise_binds(sql.strip().rstrip(";").strip())
    if not text:
        raise OraError(900, "invalid SQL statement")
    first = text.split(None, 1)[0].upper()
    if first in ("CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "RENAME", "COMMENT"):
        raise OraError(1031, "insufficient privileges")
    if first == "MERGE":
        raise _err_unsupported("MERGE")
    if first not in ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "("):
        raise OraError(900, "invalid SQL statement")
    try:
        tree = sqlglot.parse_one(text, read="oracle", error_level=ErrorLevel.RAISE)
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        desc = str(err.get("description", exc))
        code = 936 if "Required keyword" in desc or "Expected" in desc else 933
        raise OraError(
            code,
            "missing expression" if code == 936 else "SQL command not properly ended",
            offset=int(err.get("col") or 0),
        ) from None
    tr = _Translator()
    if isinstance(tree, exp.Query):
        tree, metas = tr.select(tree)
        return Compiled("select", _render(tree), tuple(metas), tuple(sorted(tr.binds)))
    if isinstance(tree, exp.Insert):
        return _insert(tree, tr)
    if isinstance(tree, exp.Update | exp.Delete):
        return _update_delete(tree, tr)
    raise _err_unsupported(type(tree).__name__.upper())


def _render(tree: exp.Expression) -> str:
    try:
        return tree.sql(dialect="sqlite", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise _err_unsupported(str(exc)) from None


def _target(table: exp.Table) -> tuple[str, list[Col], exp.Expression | None]:
    """A DML target: base table (MO views write through to ``_ALL`` inside the policy)."""
    name = table.name.upper()
    if name in tables.TABLES:
        return name, tables.TABLES[name], None
    if name in tables.MO_VIEWS:
        base = tables.MO_VIEWS[name]
        return base, tables.TABLES[base], _fn("ora_mo_visible", exp.column("ORG_ID"), kind="int")
    if name in CATALOGUE:
        raise OraError(1732, "data manipulation operation not legal on this view")
    raise OraError(942, "table or view does not exist")


def _store_value(value: exp.Expression, col: Col, table: str) -> exp.Expression:
    """Wrap a value written to ``col`` so it is stored in the column's canonical form."""
    if col.type == "DATE":
        return value if _k(value) == "date" else _fn("ora_as_date", value, kind="date")
    if col.type == "NUMBER":
        if col.is_integer and _k(value) == "int":
            return value
        if col.is_integer:
            return _fn("ora_dround", value, exp.Literal.number(0), kind="dec")
        return _fn("ora_dnorm", value, kind="dec")
    if _k(value) == "dec":
        value = _fn("ora_to_char_num", value, kind="text")
    elif _k(value) == "date":
        value = _fn("ora_to_char_date", value, kind="text")
    return _fn(
        "ora_vchk",
        value,
        exp.Literal.number(col.precision),
        exp.Literal.string(f'"{table}"."{col.name}"'),
        kind="text",
    )


def _insert(tree: exp.Insert, tr: _Translator) -> Compiled:
    target = tree.this
    schema_cols: list[str] | None = None
    if isinstance(target, exp.Schema):
        schema_cols = [i.name.upper() for i in target.expressions]
        target = target.this
    if not isinstance(target, exp.Table):
        raise _err_unsupported("INSERT target")
    tr._check_relations(target)
    table, cols, _policy = _target(target)
    by_name = {c.name: c for c in cols}
    names = schema_cols or [c.name for c in cols]
    for n in names:
        if n not in by_name:
            raise OraError(904, f'"{n}": invalid identifier')
    src = tree.expression
    col_sql = ", ".join(f'"{n}"' for n in names)
    if isinstance(src, exp.Values):
        rows = []
        for row in src.expressions:
            values = row.expressions if isinstance(row, exp.Tuple) else [row]
            if len(values) > len(names):
                raise OraError(913, "too many values")
            if len(values) < len(names):
                raise OraError(947, "not enough values")
            tr._sequences(exp.Tuple(expressions=values))
            conv = []
            for raw, n in zip(values, names, strict=True):
                v = tr.select(raw)[0] if isinstance(raw, exp.Query) else tr._conv(raw)
                conv.append(_render(_store_value(v, by_name[n], table)))
            rows.append("(" + ", ".join(conv) + ")")
        sql = f'INSERT INTO "{table}" ({col_sql}) VALUES ' + ", ".join(rows)
        return Compiled("insert", sql, (), tuple(sorted(tr.binds)), table)
    if isinstance(src, exp.Query):
        sel, metas = tr.select(src)
        if len(metas) != len(names):
            raise OraError(
                913 if len(metas) > len(names) else 947,
                "too many values" if len(metas) > len(names) else "not enough values",
            )
        inner = _render(sel)
        outs = []
        for i, (m, n) in enumerate(zip(metas, names, strict=True)):
            ref = _set(exp.column(f"c{i}", table="src"), m.kind if m.kind != "unk" else "unk")
            outs.append(_render(_store_value(ref, by_name[n], table)))
        aliased = ", ".join(f'"{m.name}" AS c{i}' for i, m in enumerate(metas))
        sql = (
            f'INSERT INTO "{table}" ({col_sql}) SELECT {", ".join(outs)} FROM '
            f"(SELECT {aliased} FROM ({inner})) AS src"
        )
        return Compiled("insert", sql, (), tuple(sorted(tr.binds)), table)
    raise _err_unsupported("INSERT source")


def _update_delete(tree: exp.Expression, tr: _Translator) -> Compiled:
    target = tree.this
    if not isinstance(target, exp.Table):
        raise _err_unsupported("DML target")
    tr._check_relations(target)
    table, cols, policy = _target(target)
    alias = target.alias_or_name.upper() if target.alias else table
    where = tree.args.get("where")
    sets: list[exp.Expression] = list(tree.expressions) if isinstance(tree, exp.Update) else []
    targets = []
    values = []
    for s in sets:
        if not isinstance(s, exp.EQ) or not isinstance(s.this, exp.Column):
            raise _err_unsupported("UPDATE SET (a, b) = (subquery)")
        name = s.this.name.upper()
        if name not in {c.name for c in cols}:
            raise OraError(904, f'"{alias}"."{name}": invalid identifier')
        targets.append(name)
        values.append(s.expression)
    # Qualify and type the SET values and WHERE through a SELECT over the same table.
    probe = exp.select(*(values or [exp.Literal.number(1)])).from_(
        exp.Table(
            this=exp.to_identifier(table), alias=exp.TableAlias(this=exp.to_identifier(alias))
        )
    )
    if where is not None:
        probe.set("where", where.copy())
    tr._check_relations(probe)
    tr._sequences(probe)
    q = tr._qualify(probe)
    annotate_types(q, schema=SCHEMA, dialect="oracle")
    q = tr._conv(q)
    by_name = {c.name: c for c in cols}
    head = f'"{table}" AS "{alias}"'
    cond = q.args.get("where")
    cond_sql = _render(cond.this) if cond is not None else None
    if policy is not None:
        mo = f'ora_mo_visible("{alias}"."ORG_ID")'
        cond_sql = f"({cond_sql}) AND {mo}" if cond_sql else mo
    tail = f" WHERE {cond_sql}" if cond_sql else ""
    if isinstance(tree, exp.Update):
        assigns = []
        for name, proj in zip(targets, q.expressions, strict=True):
            v = proj.this if isinstance(proj, exp.Alias) else proj
            assigns.append(f'"{name}" = {_render(_store_value(v, by_name[name], table))}')
        sql = f"UPDATE {head} SET {', '.join(assigns)}{tail}"
        return Compiled("update", sql, (), tuple(sorted(tr.binds)), table)
    return Compiled("delete", f"DELETE FROM {head}{tail}", (), tuple(sorted(tr.binds)), table)


# -- binds -----------------------------------------------------------------------------------
def _bind_value(v: Any) -> Any:
    if v is None or (isinstance(v, int | bytes) and not isinstance(v, bool)):
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, Decimal | float):
        d = sqlfuncs.to_dec(v)
        assert d is not None
        return int(d) if d == d.to_integral_value() and abs(d) < 2**63 else sqlfuncs.canon(d)
    if isinstance(v, dt.datetime | dt.date):
        return sqlfuncs.store_date(sqlfuncs.parse_stored(v))
    if isinstance(v, str):
        return None if v == "" else v
    raise OraError(932, f"inconsistent datatypes: cannot bind {type(v).__name__}")


def _params(
    compiled: Compiled, binds: dict[str, Any] | list[Any] | tuple[Any, ...] | None
) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if isinstance(binds, list | tuple):
        given = {f"B{i}": v for i, v in enumerate(binds, 1)}
        names = sorted(compiled.binds, key=lambda s: int(s[1:]) if s[1:].isdigit() else 0)
        if len(binds) > len(compiled.binds):
            raise OraError(1036, "illegal variable name/number")
        # positional binds bind by order of appearance (:1, :2 or ?, ?)
        given = {n: binds[i] for i, n in enumerate(names) if i < len(binds)}
    elif binds:
        given = {bind_key(k): v for k, v in binds.items()}
    for name in compiled.binds:
        if name not in given:
            raise OraError(1008, "not all variables bound")
    if extra := set(given) - set(compiled.binds):
        raise OraError(1036, f"illegal variable name/number ({sorted(extra)[0]})")
    return {k: _bind_value(v) for k, v in given.items()}


# -- the engine ------------------------------------------------------------------------------
class RowSource:
    """An open query: rows fetched in batches under the store lock (a server-side cursor)."""

    def __init__(
        self,
        engine: OracleSql,
        cur: sqlite3.Cursor,
        columns: list[ColumnMeta],
        session: OracleSession,
    ) -> None:
        self.engine, self.cur, self.columns, self.session = engine, cur, columns, session
        convs = [_converter(c.kind) for c in columns]
        self._convs = [(i, f) for i, f in enumerate(convs) if f is not None]
        self.done = False

    def fetch(self, n: int) -> list[tuple[Any, ...]]:
        if self.done:
            return []
        with self.engine.scope(self.session):
            try:
                raw = self.cur.fetchmany(n)
            except sqlite3.Error as exc:
                raise self.engine._map(exc) from None
        if len(raw) < n:
            self.done = True
        if not self._convs:
            return raw
        out = []
        for r in raw:
            row = list(r)
            for i, f in self._convs:
                row[i] = f(row[i])
            out.append(tuple(row))
        return out

    def fetch_raw(self, n: int) -> list[tuple[Any, ...]]:
        """Rows as stored (canonical decimal text, DATE text): the JSON encoders' fast path."""
        if self.done:
            return []
        with self.engine.scope(self.session):
            try:
                raw: list[tuple[Any, ...]] = self.cur.fetchmany(n)
            except sqlite3.Error as exc:
                raise self.engine._map(exc) from None
        if len(raw) < n:
            self.done = True
        return raw

    def skip(self, n: int) -> None:
        while n > 0 and not self.done:
            n -= len(self.fetch(min(n, 10_000)))

    def close(self) -> None:
        self.done = True
        self.cur.close()


class OracleSql:
    """Runs Oracle SQL against the store for a session (docs/specs/oracle.md §7 item 14).

    ``clock`` gives SYSDATE (naive UTC datetime); tests pass a fixed one.
    """

    def __init__(self, store: Any, *, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        self.settings: Any = None  # the persona's OracleSettings (mock_erp/oracle/settings.py)
        self._seq: dict[str, int] = {}
        self._seq_gen = -1
        self._seq_lock = threading.Lock()
        self.ctx = tables.install(store, self._register)

    def _register(self, conn: sqlite3.Connection) -> None:
        sqlfuncs.register(conn, lambda: self.clock().strftime(DATE_FORMAT))
        conn.create_function("ora_nextval", 1, self._fn_nextval)
        conn.create_function("ora_currval", 1, self._fn_currval)
        conn.create_function("ora_vchk", 3, _vchk, deterministic=True)

    # ---- sequences ----------------------------------------------------------------------------
    def next_id(self, sequence_name: str, session: OracleSession | None = None) -> int:
        """``SEQ.NEXTVAL``: never reused, not rolled back (memory counter over the table's)."""
        name = sequence_name.upper()
        if name not in SEQUENCES:
            raise OraError(2289, "sequence does not exist")
        with self._seq_lock:
            if self._seq_gen != self.store.generation:
                self._seq.clear()
                self._seq_gen = self.store.generation
            row = self.store.query_one(
                f'SELECT LAST_NUMBER FROM "{SEQ_TABLE}" WHERE SEQUENCE_NAME = ?', (name,)
            )
            value = max(self._seq.get(name, 0), int(row[0]) if row else 0) + 1
            self._seq[name] = value
            self.store.execute(
                f'UPDATE "{SEQ_TABLE}" SET LAST_NUMBER = ? WHERE SEQUENCE_NAME = ? AND '
                "LAST_NUMBER < ?",
                (value, name, value),
            )
        sess = session or self.ctx.extra.get("session")
        if sess is not None:
            sess.package_state.setdefault("__currval__", {})[name] = value
        return value

    def set_sequence(self, sequence_name: str, last_number: int) -> None:
        """Move a sequence so the next value is ``last_number + 1`` (seeding)."""
        with self._seq_lock:
            self._seq[sequence_name.upper()] = last_number
            self.store.execute(
                f'UPDATE "{SEQ_TABLE}" SET LAST_NUMBER = ? WHERE SEQUENCE_NAME = ?',
                (last_number, sequence_name.upper()),
            )

    def _fn_nextval(self, name: str) -> int:
        try:
            return self.next_id(name)
        except OraError as exc:
            sqlfuncs.LAST_ERROR.err = exc
            raise

    def _fn_currval(self, name: str) -> int:
        sess = self.ctx.extra.get("session")
        value = sess.package_state.get("__currval__", {}).get(name) if sess is not None else None
        if value is None:
            err = OraError(8002, f"sequence {name}.CURRVAL is not yet defined in this session")
            sqlfuncs.LAST_ERROR.err = err
            raise err
        return int(value)

    # ---- running statements -------------------------------------------------------------------
    @contextmanager
    def scope(self, session: OracleSession) -> Iterator[None]:
        """Hold the store lock with ``session``'s MO policy visible to the MO views, and
        record every write made meanwhile (by SQL or by Python APIs on the same store) in
        the session's undo log, so :meth:`rollback_session` can undo it.
        """
        with self.store.lock:
            saved = (self.ctx.visible, self.ctx.txn_session, self.ctx.extra.get("session"))
            self.ctx.visible = session.visible_orgs()
            self.ctx.extra["session"] = session
            self.ctx.txn_session = session.id
            try:
                yield
            finally:
                self.ctx.visible, self.ctx.txn_session, self.ctx.extra["session"] = saved

    def compile(self, sql: str) -> Compiled:
        return compile_sql(sql)

    def open(
        self,
        sql: str,
        binds: dict[str, Any] | list[Any] | None,
        session: OracleSession,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> RowSource:
        """Run a SELECT and return a cursor over its rows (fetched in batches).

        ``offset``/``limit`` (ORDS paging) are applied by SQLite around the statement.
        """
        compiled = compile_sql(sql)
        if compiled.kind != "select":
            raise OraError(24374, "define not done before fetch or execute and fetch")
        params = _params(compiled, binds)
        text = compiled.sql
        if offset or limit is not None:
            lim = -1 if limit is None else int(limit)
            text = f"SELECT * FROM ({text}) LIMIT {lim} OFFSET {int(offset)}"
        with self.scope(session):
            try:
                cur = self.store.conn.execute(text, params)
            except sqlite3.Error as exc:
                raise self._map(exc) from None
        return RowSource(self, cur, list(compiled.columns), session)

    def query(
        self, sql: str, binds: dict[str, Any] | list[Any] | None, session: OracleSession
    ) -> tuple[list[ColumnMeta], list[tuple[Any, ...]]]:
        """All rows of a SELECT: (column metadata, rows)."""
        src = self.open(sql, binds, session)
        rows: list[tuple[Any, ...]] = []
        while not src.done:
            rows += src.fetch(10_000)
        return src.columns, rows

    def execute(
        self, sql: str, binds: dict[str, Any] | list[Any] | None, session: OracleSession
    ) -> int:
        """INSERT/UPDATE/DELETE: rows affected. Statement-level atomic (a savepoint)."""
        compiled = compile_sql(sql)
        if compiled.kind == "select":
            raise OraError(900, "invalid SQL statement: execute() runs DML; use query() for SELECT")
        params = _params(compiled, binds)
        with self.scope(session), self.store.transaction() as conn:
            try:
                conn.execute(compiled.sql, params)
                return self._rowcount(conn)
            except sqlite3.Error as exc:
                raise self._map(exc, compiled.table) from None

    @staticmethod
    def _rowcount(conn: sqlite3.Connection) -> int:
        """Rows changed by the statement itself (undo-log trigger inserts excluded)."""
        changes = conn.execute("SELECT changes()").fetchone()[0]
        return int(changes)

    def _map(self, exc: sqlite3.Error, table: str | None = None) -> OraError:
        if err := sqlfuncs.take_error():
            return err
        text = str(exc)
        if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in text.upper():
            return OraError(1, f"unique constraint (APPS.{table or 'UNKNOWN'}_U1) violated")
        if "no such table" in text:
            return OraError(942, "table or view does not exist")
        if "no such column" in text:
            return OraError(
                904, f'"{text.rsplit(":", maxsplit=1)[-1].strip().upper()}": invalid identifier'
            )
        if "no such function" in text:
            return OraError(
                904, f'"{text.rsplit(":", maxsplit=1)[-1].strip().upper()}": invalid identifier'
            )
        return OraError(600, f"internal error code, arguments: [mock-sqlite], [{text}]")

    # ---- session undo log (oracledb-shim sessions spanning requests) -------------------------
    def rollback_session(self, session_id: str) -> int:
        """Undo every logged write of the session, newest first; returns entries undone."""
        import json

        with self.store.lock:
            saved = self.ctx.txn_session
            self.ctx.txn_session = None
            try:
                with self.store.transaction() as conn:
                    rows = conn.execute(
                        f'SELECT ID, TABLE_NAME, OP, ROW_ID, OLD_VALUES FROM "{tables.UNDO_TABLE}" '
                        "WHERE SESSION_ID = ? ORDER BY ID DESC",
                        (session_id,),
                    ).fetchall()
                    for _id, table, op, rowid, old in rows:
                        cols = [c.name for c in tables.TABLES[table]]
                        if op == "I":
                            conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                        elif op == "U":
                            sets = ", ".join(f'"{c}" = ?' for c in cols)
                            conn.execute(
                                f'UPDATE "{table}" SET {sets} WHERE rowid = ?',
                                (*json.loads(old), rowid),
                            )
                        else:
                            marks = ", ".join("?" for _ in cols)
                            names = ", ".join(f'"{c}"' for c in cols)
                            conn.execute(
                                f'INSERT INTO "{table}" (rowid, {names}) VALUES (?, {marks})',
                                (rowid, *json.loads(old)),
                            )
                    conn.execute(
                        f'DELETE FROM "{tables.UNDO_TABLE}" WHERE SESSION_ID = ?', (session_id,)
                    )
            finally:
                self.ctx.txn_session = saved
        return len(rows)

    def commit_session(self, session_id: str) -> None:
        """Make the session's writes permanent: forget its undo log."""
        with self.store.lock:
            self.store.execute(
                f'DELETE FROM "{tables.UNDO_TABLE}" WHERE SESSION_ID = ?', (session_id,)
            )

    def has_pending(self, session_id: str) -> bool:
        with self.store.lock:
            return (
                self.store.query_one(
                    f'SELECT 1 FROM "{tables.UNDO_TABLE}" WHERE SESSION_ID = ? LIMIT 1',
                    (session_id,),
                )
                is not None
            )


def _vchk(value: Any, length: int, column: str) -> Any:
    """VARCHAR2(n) length check on write (ORA-12899)."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text.encode("utf-8")) > int(length):
        err = OraError(
            12899,
            f"value too large for column {column} (actual: {len(text.encode())}, maximum: "
            f"{length})",
        )
        sqlfuncs.LAST_ERROR.err = err
        raise err
    return text
