"""Mock settings: the documented switches between real-system variants, per persona.

Why a setting and not a fault: where real systems differ (or the truth is uncertain) the mock
plays the harsher variant by default, and a test flips to the gentler one to prove the adapter
copes with both. ``PUT /_mock/settings`` takes ``{"sap": {...}, "oracle": {...}}``; ``GET``
shows every setting with its current value. ``POST /_mock/reset`` restores the defaults.

Each persona keeps its own dataclass (``mock_erp/sap/settings.py``, and the Oracle twin);
a field's type and default are its documentation, and ``docs/mock-erp.md`` lists them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from mock_erp.faults import FaultRuleError
from mock_erp.oracle.settings import OracleSettings
from mock_erp.s4.settings import S4Settings
from mock_erp.sap.settings import SapSettings


def _accepts(annotation: Any, value: Any) -> bool:
    """True when ``value`` (decoded JSON) fits a field annotation of a settings dataclass."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if origin in (dict, list):
        args = typing.get_args(annotation)
        if origin is list:
            return isinstance(value, list) and all(_accepts(args[0], v) for v in value)
        return isinstance(value, dict) and all(
            _accepts(args[0], k) and _accepts(args[1], v) for k, v in value.items()
        )
    return False


def update_section(target: Any, section: str, body: Any) -> dict[str, Any]:
    """Validate every key first, then assign: a bad body changes nothing."""
    if not isinstance(body, dict):
        raise FaultRuleError(section, "must be a JSON object of setting: value")
    hints = typing.get_type_hints(type(target))
    names = {f.name for f in dataclasses.fields(target)}
    for key, value in body.items():
        if key not in names:
            raise FaultRuleError(f"{section}.{key}", f"unknown setting; known: {sorted(names)}")
        if not _accepts(hints[key], value):
            raise FaultRuleError(f"{section}.{key}", f"must be {hints[key]}, not {value!r}")
        check = getattr(target, f"check_{key}", None)
        if check is not None:
            check(value)  # raises FaultRuleError naming the rule
    for key, value in body.items():
        setattr(target, key, value)
    return dataclasses.asdict(target)


PERSONAS = ("oracle", "s4", "sap")


@dataclass
class MockSettings:
    """One object shared by the app and both personas; mutated in place, never replaced."""

    sap: SapSettings = field(default_factory=SapSettings)
    oracle: OracleSettings = field(default_factory=OracleSettings)
    s4: S4Settings = field(default_factory=S4Settings)

    def update(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise FaultRuleError("body", 'must be {"sap": {...}, "oracle": {...}, "s4": {...}}')
        if unknown := set(body) - set(PERSONAS):
            raise FaultRuleError(sorted(unknown)[0], f"unknown persona; known: {list(PERSONAS)}")
        # validate both sections before assigning either
        staged = {name: dataclasses.replace(getattr(self, name)) for name in body}
        for name, section in body.items():
            update_section(staged[name], name, section)
        for name, section in body.items():
            update_section(getattr(self, name), name, section)
        return self.public()

    def restore_defaults(self) -> None:
        for name in PERSONAS:
            target = getattr(self, name)
            fresh = type(target)()
            for f in dataclasses.fields(target):
                setattr(target, f.name, getattr(fresh, f.name))

    def public(self) -> dict[str, Any]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in PERSONAS}
