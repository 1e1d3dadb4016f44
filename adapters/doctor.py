"""The go-live check's vocabulary: what `otc doctor --deep` reads off a real system.

Why here and not in jobs: each adapter knows which settings of its ERP it depends on and how to
read them; the CLI only renders. Every assumption an adapter makes about a real system is either
sourced in docs/ or read back by such a check (docs/go-live.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Verdict = Literal["ok", "warn", "fail", "info"]


@dataclass(frozen=True)
class Finding:
    """One setting of the real system, as read, and what the adapter will do about it."""

    check: str  # "user date format"
    found: str  # what the system says: "MM/DD/YYYY (DATFM 2)"
    action: str  # what the adapter does with it: "dates sent as YYYYMMDD; the kit converts"
    verdict: Verdict = "ok"
    reads: tuple[str, ...] = field(default=())  # every read made: "BAPI_USER_GET_DETAIL(...)"

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "found": self.found,
            "action": self.action,
            "verdict": self.verdict,
            "reads": list(self.reads),
        }


@runtime_checkable
class DeepCheckable(Protocol):
    """An adapter that can run the go-live check: read-only, naming every read it makes."""

    def deep_check(self) -> list[Finding]: ...
