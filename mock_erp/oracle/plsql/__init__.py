"""The PL/SQL subset interpreter of the mock EBS persona (docs/mock-erp-plsql.md).

``run_block`` is the one entry: ORDS and the oracledb-compatible connection hand it the block
text and binds; it parses (lark grammar), checks (names, calls, embedded SQL), then runs the
block against the EBS API implementations in mock_erp.oracle.apis. Parse and check results are
cached by block text because the adapter renders the same block for every document.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from mock_erp.oracle.plsql import ast
from mock_erp.oracle.plsql.check import Checker
from mock_erp.oracle.plsql.interp import Interpreter
from mock_erp.oracle.plsql.parser import parse
from mock_erp.oracle.plsql.values import out_value
from mock_erp.oracle.session import OracleSession, OraError

__all__ = ["Program", "compile_block", "run_block"]

CACHE_SIZE = 512


@dataclass(frozen=True)
class Program:
    """A parsed and checked block, or the compile error it always gives."""

    block: ast.Block | None
    binds: frozenset[str]
    error: OraError | None = None


_CACHE: OrderedDict[str, Program] = OrderedDict()
_LOCK = threading.Lock()


def compile_block(text: str, engine: Any = None) -> Program:
    """Parse and check ``text`` once; later calls with the same text reuse the result."""
    with _LOCK:
        hit = _CACHE.get(text)
        if hit is not None:
            _CACHE.move_to_end(text)
            return hit
    checker = Checker(getattr(engine, "compile", None))
    try:
        block = parse(text)
        checker.block(block, None)
        prog = Program(block, frozenset(checker.binds))
    except OraError as exc:
        prog = Program(None, frozenset(), exc)
    with _LOCK:
        _CACHE[text] = prog
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return prog


def run_block(
    block: str, binds: dict[str, Any], session: OracleSession, engine: Any
) -> dict[str, Any]:
    """Run an anonymous block; returns the binds it assigned (names lower case, without ':').

    Oracle semantics kept: compile errors (ORA-06550) run nothing; an unhandled error undoes the
    block's own work (statement-level rollback) and carries "ORA-06512: at line N"; a bind used
    but not supplied is ORA-01008 (out binds are supplied too, with None).
    """
    from mock_erp.oracle.apis.context import ApiContext

    prog = compile_block(block, engine)
    if prog.error is not None:
        raise OraError(prog.error.code, prog.error.message, prog.error.offset)
    assert prog.block is not None
    values = {str(k).lstrip(":").lower(): v for k, v in binds.items()}
    if prog.binds - values.keys():
        raise OraError(1008, "not all variables bound")
    interp = Interpreter(values, session, engine, ApiContext(session, engine))
    with engine.scope(session), engine.store.transaction():
        try:
            interp.run(prog.block)
        except OraError as exc:
            line = getattr(exc, "plsql_line", None)
            if line is None or exc.code == 6550:
                raise
            raise OraError(
                exc.code, f"{exc.message}\nORA-06512: at line {line}", exc.offset
            ) from None
    return {name: out_value(values[name]) for name in sorted(interp.assigned)}
