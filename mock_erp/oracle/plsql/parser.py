"""Parse a block with the lark grammar; syntax errors become ORA-06550 / PLS-00103 like Oracle's.

Why LALR: it fails at the first token outside the subset and knows which tokens it would have
accepted there, which is what Oracle's parser prints ("Encountered the symbol ... when expecting
one of the following"), with the real line and column (docs/specs/oracle.md §3.7).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from mock_erp.oracle.plsql import ast
from mock_erp.oracle.session import OraError

_PARSER: Lark | None = None

# How Oracle names token classes in PLS-00103's list (keywords print lower case).
_CLASS_NAMES = {
    "NAME": "<an identifier>",
    "BIND": "<a bind variable>",
    "NUMBER": "<a number>",
    "INT": "<an integer>",
    "STRING": "<a single-quoted SQL string>",
    "SQL_QUERY": "select",
    "SQL_STATEMENT": "select insert update delete merge",
    "COMP_OP": "= <> < > <= >= !=",
    "SUM_OP": "+ - ||",
    "MUL_OP": "* /",
    "TYPE_ATTR": "%type %rowtype",
    "SQL_ATTR": "%rowcount %found %notfound",
    "IS_NOT_NULL": "is not null",
    "NOT_NULL": "not null",
    "ARROW": "=>",
}


def parser() -> Lark:
    """The LALR parser, built once from the packaged grammar."""
    global _PARSER  # noqa: PLW0603 - built once, lazily
    if _PARSER is None:
        text = resources.files(__package__).joinpath("grammar.lark").read_text()
        _PARSER = Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=True)
    return _PARSER


def parse(text: str) -> ast.Block:
    """Text -> checked-syntax tree, or OraError(6550) with PLS-00103 at the offending token."""
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    block = _ToAst().transform(tree)
    assert isinstance(block, ast.Block)
    return block


def pls_error(pos: ast.Pos, pls: str, tail: str | None = "PL/SQL: Statement ignored") -> OraError:
    """ORA-06550 as Oracle words it: position, PLS message, and the follow-up line."""
    msg = f"line {pos.line}, column {pos.column}:\n{pls}"
    if tail:
        msg += f"\nORA-06550: line {pos.line}, column {pos.column}:\n{tail}"
    return OraError(6550, msg, pos.offset)


def _syntax_error(text: str, exc: UnexpectedInput) -> OraError:
    expected: set[str] = set()
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            symbol, line, column, offset = "end-of-file", *_end_pos(text)
        else:
            symbol = str(tok).upper() if tok.type == "NAME" else str(tok)
            line, column, offset = tok.line or 1, tok.column or 1, tok.start_pos or 0
        expected = set(exc.expected)
    elif isinstance(exc, UnexpectedCharacters):
        at = exc.pos_in_stream or 0
        symbol = text[at] if at < len(text) else "end-of-file"
        line, column, offset = exc.line, exc.column, at
        expected = set(exc.allowed or ())
    elif isinstance(exc, UnexpectedEOF):
        symbol, line, column, offset = "end-of-file", *_end_pos(text)
        expected = set(exc.expected)
    else:  # pragma: no cover - lark raises only the three above
        symbol, line, column, offset = "?", 1, 1, 0
    names = sorted({_describe(t) for t in expected if t != "$END"})
    listing = " ".join(names)
    msg = (
        f'line {line}, column {column}:\nPLS-00103: Encountered the symbol "{symbol}" '
        f"when expecting one of the following:\n\n   {listing}\n"
    )
    return OraError(6550, msg, offset)


def _end_pos(text: str) -> tuple[int, int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1, len(text)


def _describe(terminal: str) -> str:
    if terminal in _CLASS_NAMES:
        return _CLASS_NAMES[terminal]
    pattern = None
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:  # pragma: no cover
        return terminal.lower()
    value = pattern.value
    return value.lower() if pattern.type == "str" else terminal.lower()


def _pos(meta: Any) -> ast.Pos:
    if getattr(meta, "empty", True):
        return ast.Pos()
    return ast.Pos(meta.line, meta.column, meta.start_pos)


def _tpos(tok: Token) -> ast.Pos:
    return ast.Pos(tok.line or 1, tok.column or 1, tok.start_pos or 0)


def _stmts(items: list[Any]) -> list[Any]:
    """The statements among a rule's children (keywords and placeholders dropped)."""
    return [x for x in items if isinstance(x, ast.Node)]


def _ident(tok: Token) -> str:
    s = str(tok)
    return s[1:-1] if s.startswith('"') else s.lower()


def _string(tok: Token) -> str | None:
    value = str(tok)[1:-1].replace("''", "'")
    return value or None  # Oracle: '' is NULL


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """lark tree -> ast nodes, keeping positions."""

    # -- blocks
    def start(self, meta: Any, c: list[Any]) -> ast.Block:
        return c[0]  # type: ignore[no-any-return]

    def block(self, meta: Any, c: list[Any]) -> ast.Block:
        decls = [x for x in c if isinstance(x, ast.VarDecl | ast.CursorDecl)]
        handlers = next(
            (x for x in c if isinstance(x, list) and x and isinstance(x[0], ast.Handler)), []
        )
        stmts = [x for x in _stmts(c) if not isinstance(x, ast.VarDecl | ast.CursorDecl)]
        return ast.Block(decls, stmts, handlers, pos=_pos(meta))

    def exception_part(self, meta: Any, c: list[Any]) -> list[ast.Handler]:
        return list(c)

    def handler(self, meta: Any, c: list[Any]) -> ast.Handler:
        return ast.Handler(c[0], c[1:], pos=_pos(meta))

    def handler_names(self, meta: Any, c: list[Token]) -> list[str]:
        return [_ident(t) for t in c]

    def block_stmt(self, meta: Any, c: list[Any]) -> ast.Block:
        return c[0]  # type: ignore[no-any-return]

    # -- declarations
    def var_decl(self, meta: Any, c: list[Any]) -> ast.VarDecl:
        name, constant, typ, not_null, default = c
        return ast.VarDecl(
            _ident(name), typ, constant is not None, not_null is not None, default, pos=_tpos(name)
        )

    def cursor_decl(self, meta: Any, c: list[Any]) -> ast.CursorDecl:
        return ast.CursorDecl(_ident(c[0]), ast.Sql(str(c[1]), pos=_tpos(c[1])), pos=_pos(meta))

    def type_spec(self, meta: Any, c: list[Any]) -> ast.TypeSpec:
        dotted, args, attr = c
        attr_s = str(attr)[1:].upper() if attr is not None else None
        return ast.TypeSpec(dotted.parts, args or [], attr_s, pos=_pos(meta))

    def type_args(self, meta: Any, c: list[Any]) -> list[int]:
        return [int(x) for x in c[:2] if x is not None]

    # -- statements
    def assign_stmt(self, meta: Any, c: list[Any]) -> ast.Assign:
        return ast.Assign(c[0], c[1], pos=_pos(meta))

    def call_stmt(self, meta: Any, c: list[Any]) -> ast.Call:
        name: ast.Name = c[0]
        name.args = c[1]
        return ast.Call(name, pos=_pos(meta))

    def if_stmt(self, meta: Any, c: list[Any]) -> ast.If:
        cond, *rest = c
        body = _stmts(rest)
        branches = [(cond, body)]
        otherwise = None
        for x in rest:
            if isinstance(x, tuple) and x[0] == "elsif":
                branches.append((x[1], x[2]))
            elif isinstance(x, tuple) and x[0] == "else":
                otherwise = x[1]
        return ast.If(branches, otherwise, pos=_pos(meta))

    def elsif_part(self, meta: Any, c: list[Any]) -> tuple[str, Any, list[Any]]:
        return ("elsif", c[0], c[1:])

    def else_part(self, meta: Any, c: list[Any]) -> tuple[str, list[Any]]:
        return ("else", list(c))

    def for_range_stmt(self, meta: Any, c: list[Any]) -> ast.ForRange:
        var, reverse, low, high, *body = c
        body = _stmts(body)
        return ast.ForRange(_ident(var), reverse is not None, low, high, body, pos=_pos(meta))

    def for_cursor_stmt(self, meta: Any, c: list[Any]) -> ast.ForCursor:
        var, sql, *body = c
        body = _stmts(body)
        return ast.ForCursor(
            _ident(var), ast.Sql(str(sql), pos=_tpos(sql)), None, body, pos=_pos(meta)
        )

    def for_named_cursor_stmt(self, meta: Any, c: list[Any]) -> ast.ForCursor:
        var, cursor, *body = c
        body = _stmts(body)
        return ast.ForCursor(_ident(var), None, _ident(cursor), body, pos=_tpos(cursor))

    def while_stmt(self, meta: Any, c: list[Any]) -> ast.While:
        return ast.While(c[0], _stmts(c[1:]), pos=_pos(meta))

    def loop_stmt(self, meta: Any, c: list[Any]) -> ast.While:
        return ast.While(None, _stmts(c), pos=_pos(meta))

    def exit_stmt(self, meta: Any, c: list[Any]) -> ast.Exit:
        return ast.Exit(c[0], pos=_pos(meta))

    def null_stmt(self, meta: Any, c: list[Any]) -> ast.Simple:
        return ast.Simple("NULL", pos=_pos(meta))

    def commit_stmt(self, meta: Any, c: list[Any]) -> ast.Simple:
        return ast.Simple("COMMIT", pos=_pos(meta))

    def rollback_stmt(self, meta: Any, c: list[Any]) -> ast.Simple:
        return ast.Simple("ROLLBACK", pos=_pos(meta))

    def return_stmt(self, meta: Any, c: list[Any]) -> ast.Simple:
        return ast.Simple("RETURN", pos=_pos(meta))

    def raise_stmt(self, meta: Any, c: list[Any]) -> ast.Raise:
        return ast.Raise(_ident(c[0]) if c[0] is not None else None, pos=_pos(meta))

    def sql_stmt(self, meta: Any, c: list[Any]) -> ast.SqlStmt:
        return ast.SqlStmt(ast.Sql(str(c[0]), pos=_tpos(c[0])), pos=_pos(meta))

    # -- expressions
    def _fold(self, meta: Any, c: list[Any], op: str | None = None) -> Any:
        if op is not None:  # AND / OR chains: operands only
            out = c[0]
            for right in c[1:]:
                out = ast.Binary(op, out, right, pos=_pos(meta))
            return out
        out = c[0]
        for i in range(1, len(c), 2):
            out = ast.Binary(str(c[i]), out, c[i + 1], pos=_tpos(c[i]))
        return out

    def or_expr(self, meta: Any, c: list[Any]) -> Any:
        return self._fold(meta, c, "OR")

    def and_expr(self, meta: Any, c: list[Any]) -> Any:
        return self._fold(meta, c, "AND")

    def sum_expr(self, meta: Any, c: list[Any]) -> Any:
        return self._fold(meta, c)

    def product(self, meta: Any, c: list[Any]) -> Any:
        return self._fold(meta, c)

    def not_op(self, meta: Any, c: list[Any]) -> ast.Unary:
        return ast.Unary("NOT", c[0], pos=_pos(meta))

    def neg(self, meta: Any, c: list[Any]) -> ast.Unary:
        return ast.Unary("-", c[0], pos=_pos(meta))

    def unary(self, meta: Any, c: list[Any]) -> Any:
        return c[-1]

    def compare(self, meta: Any, c: list[Any]) -> ast.Binary:
        op = str(c[1])
        op = "<>" if op in ("!=", "^=") else op
        return ast.Binary(op, c[0], c[2], pos=_pos(meta))

    def is_null(self, meta: Any, c: list[Any]) -> ast.Test:
        return ast.Test("NULL", c[0], [], False, pos=_pos(meta))

    def is_not_null(self, meta: Any, c: list[Any]) -> ast.Test:
        return ast.Test("NULL", c[0], [], True, pos=_pos(meta))

    def like(self, meta: Any, c: list[Any]) -> ast.Test:
        return ast.Test("LIKE", c[0], [c[2]], c[1] is not None, pos=_pos(meta))

    def between(self, meta: Any, c: list[Any]) -> ast.Test:
        return ast.Test("BETWEEN", c[0], [c[2], c[3]], c[1] is not None, pos=_pos(meta))

    def in_list(self, meta: Any, c: list[Any]) -> ast.Test:
        return ast.Test("IN", c[0], list(c[2:]), c[1] is not None, pos=_pos(meta))

    def number(self, meta: Any, c: list[Token]) -> ast.Literal:
        return ast.Literal(Decimal(str(c[0])), pos=_pos(meta))

    def string(self, meta: Any, c: list[Token]) -> ast.Literal:
        return ast.Literal(_string(c[0]), pos=_pos(meta))

    def null(self, meta: Any, c: list[Any]) -> ast.Literal:
        return ast.Literal(None, pos=_pos(meta))

    def true(self, meta: Any, c: list[Any]) -> ast.Literal:
        return ast.Literal(True, pos=_pos(meta))

    def false(self, meta: Any, c: list[Any]) -> ast.Literal:
        return ast.Literal(False, pos=_pos(meta))

    def date_literal(self, meta: Any, c: list[Token]) -> ast.Literal:
        text = _string(c[0]) or ""
        try:
            value = dt.datetime.strptime(text.strip(), "%Y-%m-%d")
        except ValueError:
            raise OraError(
                1861, "literal does not match format string", _pos(meta).offset
            ) from None
        return ast.Literal(value, pos=_pos(meta))

    def bind(self, meta: Any, c: list[Token]) -> ast.Bind:
        return ast.Bind(str(c[0])[1:].lower(), pos=_tpos(c[0]))

    def name_expr(self, meta: Any, c: list[Any]) -> ast.Name:
        name: ast.Name = c[0]
        name.args = c[1]
        return name

    def cursor_attr(self, meta: Any, c: list[Any]) -> ast.CursorAttr:
        return ast.CursorAttr(c[0].parts, str(c[1])[1:].upper(), pos=_pos(meta))

    def case_expr(self, meta: Any, c: list[Any]) -> ast.Case:
        subject, *rest = c
        whens = [x for x in rest if isinstance(x, tuple)]
        default = rest[-1] if rest and not isinstance(rest[-1], tuple) else None
        return ast.Case(subject, whens, default, pos=_pos(meta))

    def case_when(self, meta: Any, c: list[Any]) -> tuple[Any, Any]:
        return (c[0], c[1])

    def call_args(self, meta: Any, c: list[Any]) -> list[ast.Arg]:
        return [x for x in c if x is not None]

    def arg(self, meta: Any, c: list[Any]) -> ast.Arg:
        return ast.Arg(None, c[0], pos=_pos(meta))

    def named_arg(self, meta: Any, c: list[Any]) -> ast.Arg:
        return ast.Arg(_ident(c[0]), c[2], pos=_tpos(c[0]))

    def dotted(self, meta: Any, c: list[Token]) -> ast.Name:
        text = ".".join(str(t) for t in c)
        return ast.Name([_ident(t) for t in c], None, text, pos=_tpos(c[0]))
