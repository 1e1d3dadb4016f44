"""OData V2 ``$filter`` into an SQL WHERE clause with bound parameters.

Why a grammar (lark) and not regexes: clients send nested ``and``/``or`` with parentheses,
quoted strings with doubled quotes (``'O''Neil'``), typed literals (``datetime'...'``) and
functions (``substringof``, ``startswith``); the mock must read what SAP Gateway reads and refuse
the rest with Gateway's own kind of error, never guess. Operators and literal forms follow the
OData V2 URI conventions (https://www.odata.org/documentation/odata-version-2-0/uri-conventions/,
§4.5 Filter System Query Option).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> not_
         | comparison
?comparison: operand COMPARE operand -> compare
           | call
           | "(" or_expr ")"
?operand: literal | NAME -> prop | call | "(" or_expr ")"
call: NAME "(" [operand ("," operand)*] ")"
?literal: STRING -> string
        | TYPED -> typed
        | NUMBER -> number
        | "true" -> true
        | "false" -> false
        | "null" -> null

_OR.2: /or(?=[\s(])/
_AND.2: /and(?=[\s(])/
_NOT.2: /not(?=[\s(])/
COMPARE.2: /(eq|ne|gt|ge|lt|le)(?=[\s(])/
TYPED.3: /(datetime|datetimeoffset|guid|time|binary|X)'[^']*'/
STRING: /'([^']|'')*'/
NUMBER: /-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/
NAME: /[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*/
%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr")
_SQL_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


class FilterError(ValueError):
    """The ``$filter`` cannot be read; Gateway answers 400 with this text."""


class _Sql:
    """A fragment and its parameters; ``is_null`` marks the literal null."""

    def __init__(self, sql: str, params: list[Any], is_null: bool = False) -> None:
        self.sql, self.params, self.is_null = sql, params, is_null


@v_args(inline=True)
class _ToSql(Transformer[Token, _Sql]):
    def __init__(self, column: Callable[[str], str], literal: Callable[[str, str], Any]) -> None:
        super().__init__()
        self.column, self.literal = column, literal

    def prop(self, name: Token) -> _Sql:
        return _Sql(self.column(str(name)), [])

    def string(self, token: Token) -> _Sql:
        return _Sql("?", [str(token)[1:-1].replace("''", "'")])

    def typed(self, token: Token) -> _Sql:
        kind, _, rest = str(token).partition("'")
        return _Sql("?", [self.literal(kind, rest[:-1])])

    def number(self, token: Token) -> _Sql:
        text = str(token).rstrip("mMdDfFlL")
        return _Sql("?", [text])

    def true(self) -> _Sql:
        return _Sql("1", [])

    def false(self) -> _Sql:
        return _Sql("0", [])

    def null(self) -> _Sql:
        return _Sql("NULL", [], is_null=True)

    def compare(self, left: _Sql, op: Token, right: _Sql) -> _Sql:
        name = str(op)
        if right.is_null or left.is_null:
            side = left if right.is_null else right
            return _Sql(f"({side.sql} IS {'' if name == 'eq' else 'NOT '}NULL)", side.params)
        return _Sql(f"({left.sql} {_SQL_OPS[name]} {right.sql})", left.params + right.params)

    def not_(self, inner: _Sql) -> _Sql:
        return _Sql(f"(NOT {inner.sql})", inner.params)

    def and_expr(self, *parts: _Sql) -> _Sql:
        return _Sql(
            "(" + " AND ".join(p.sql for p in parts) + ")", [x for p in parts for x in p.params]
        )

    def or_expr(self, *parts: _Sql) -> _Sql:
        return _Sql(
            "(" + " OR ".join(p.sql for p in parts) + ")", [x for p in parts for x in p.params]
        )

    def call(self, name: Token, *args: _Sql | None) -> _Sql:
        given = [a for a in args if a is not None]
        fn = str(name)
        like = {
            # substringof(needle, haystack): V2's argument order is the needle first
            "substringof": (1, 0, "'%' || {n} || '%'"),
            "startswith": (0, 1, "{n} || '%'"),
            "endswith": (0, 1, "'%' || {n}"),
        }
        if fn in like and len(given) == 2:
            hay, needle, pattern = like[fn]
            return _Sql(
                f"({given[hay].sql} LIKE {pattern.format(n=given[needle].sql)} ESCAPE '\\')",
                given[hay].params + given[needle].params,
            )
        if fn in ("tolower", "toupper", "trim", "length") and len(given) == 1:
            sql = {"tolower": "lower", "toupper": "upper", "trim": "trim", "length": "length"}[fn]
            return _Sql(f"{sql}({given[0].sql})", given[0].params)
        raise FilterError(f"Function {fn} with {len(given)} argument(s) is not supported")


def to_sql(
    text: str, column: Callable[[str], str], literal: Callable[[str, str], Any]
) -> tuple[str, list[Any]]:
    """``(where_sql, params)``; ``column(name)`` raises FilterError for unknown properties."""
    try:
        tree = _PARSER.parse(text)
    except LarkError as exc:
        raise FilterError(f"Invalid filter expression: {text!r}") from exc
    try:
        result = _ToSql(column, literal).transform(tree)
    except LarkError as exc:  # errors raised inside the transformer arrive wrapped
        cause = exc.__context__
        if isinstance(cause, FilterError):
            raise cause from None
        raise FilterError(f"Invalid filter expression: {text!r}") from exc
    return result.sql, result.params


def column_of(columns: Mapping[str, str], entity: str) -> Callable[[str], str]:
    def column(name: str) -> str:
        if name not in columns:
            raise FilterError(f"Property {name} not found in type {entity}")
        return columns[name]

    return column
