"""Which package procedures, functions, constants and record types the PL/SQL mock knows.

Why a registry: the interpreter's checker resolves `pkg.proc(...)` against it before running
anything, so an unknown package is PLS-00201 and an unknown member PLS-00302, with the block
left untouched, as in Oracle (docs/specs/oracle.md §3.7).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_erp.oracle.plsql.values import PlType


@dataclass(frozen=True)
class Param:
    name: str  # lower case, as in the spec
    mode: str  # IN | OUT | IN OUT
    required: bool


@dataclass(frozen=True)
class Routine:
    """A package procedure or function implemented in Python: ``impl(ctx, **named_args)``."""

    package: str
    name: str
    params: tuple[Param, ...]
    impl: Callable[..., Any]
    function: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.package}.{self.name}"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# (PACKAGE, NAME, is_function) -> routine; both upper case.
ROUTINES: dict[tuple[str, str, bool], Routine] = {}
CONSTANTS: dict[str, dict[str, Any]] = {}  # PACKAGE -> NAME -> value
RECORD_TYPES: dict[str, PlType] = {}  # 'PACKAGE.TYPE' -> record type


def api(
    qualified: str,
    *,
    out: tuple[str, ...] = (),
    inout: tuple[str, ...] = (),
    function: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(ctx, *, p_a=..., x_b=None)``: parameters come from its signature.

    A keyword-only parameter without a default is mandatory in PL/SQL too; OUT and IN OUT
    parameters are named in ``out``/``inout``.
    """
    package, name = qualified.upper().split(".")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        params = []
        for p in list(inspect.signature(fn).parameters.values())[1:]:
            if p.kind is not inspect.Parameter.KEYWORD_ONLY:
                continue
            mode = "OUT" if p.name in out else "IN OUT" if p.name in inout else "IN"
            params.append(
                Param(p.name, mode, p.default is inspect.Parameter.empty and mode == "IN")
            )
        ROUTINES[(package, name, function)] = Routine(package, name, tuple(params), fn, function)
        return fn

    return deco


def constant(package: str, values: dict[str, Any]) -> None:
    CONSTANTS.setdefault(package.upper(), {}).update({k.upper(): v for k, v in values.items()})


def record_type(qualified: str, typ: PlType) -> None:
    RECORD_TYPES[qualified.upper()] = typ


def packages() -> set[str]:
    return {p for p, _, _ in ROUTINES} | set(CONSTANTS) | {q.split(".")[0] for q in RECORD_TYPES}


def lookup(package: str, name: str, function: bool) -> Routine | None:
    return ROUTINES.get((package.upper(), name.upper(), function))


def has_member(package: str, name: str) -> bool:
    p, n = package.upper(), name.upper()
    return (
        (p, n, True) in ROUTINES
        or (p, n, False) in ROUTINES
        or n in CONSTANTS.get(p, {})
        or f"{p}.{n}" in RECORD_TYPES
    )
