"""The one error hierarchy of otc-adapters: every message says what to do next.

Retryability is a type, not a flag: the retry policy retries `TransientError` only. An
`OutcomeUnknown` is never retried blind: the job looks in the ERP (`find_posted`) first.
This module imports nothing heavy: the CLI needs it to start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class OtcError(Exception):
    """Base of every error this product raises on purpose."""

    exit_code = 2


class ConfigError(OtcError):
    """The configuration or the command line is wrong; nothing was sent anywhere."""

    exit_code = 2


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place: what `otc contracts check` prints, one row each."""

    file: str
    row: int | None  # as numbered in the file (CSV: the header is row 1); None = whole file
    column: str | None
    rule: str
    value: str | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        col = f" column {self.column}" if self.column else ""
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}{col}: {self.rule}{shown}"


class ContractError(OtcError):
    """A frame broke its contract; `violations` lists every failure found in one pass."""

    exit_code = 1

    def __init__(self, entity: str, source: str, violations: Sequence[Violation]) -> None:
        self.entity, self.source, self.violations = entity, source, list(violations)
        shown = "; ".join(str(v) for v in self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        what = "a readable file" if entity == "file" else f"valid {entity}"
        super().__init__(
            f"{source} is not {what}: {len(self.violations)} violation(s): "
            f"{shown}{more}; fix the file and rerun (`otc contracts check` lists them all)"
        )


class TransportError(OtcError):
    """The ERP could not be reached or spoke nonsense; not worth retrying as such."""

    exit_code = 1

    def __init__(self, system: str, detail: str) -> None:
        self.system, self.detail = system, detail
        super().__init__(f"{system}: {detail}")


class TransientError(TransportError):
    """Worth a retry: the ERP was busy, locked or unreachable before it acted."""


class OutcomeUnknown(TransportError):
    """The request was sent and no answer came: the ERP may or may not have acted.

    Never retry blind; settle it with `find_posted` (`otc journal resolve`).
    """

    exit_code = 3

    def __init__(self, system: str, detail: str, key: str | None = None) -> None:
        self.key = key
        where = f" for {key}" if key else ""
        super().__init__(
            system,
            f"outcome unknown{where}: {detail}; run `otc journal resolve --system {system}` "
            "to look it up in the ERP before posting again",
        )


class ErpRejected(OtcError):
    """The ERP said no with its own message; never retried: fix the data or the value map."""

    exit_code = 1

    def __init__(self, system: str, key: str, code: str, text: str) -> None:
        self.system, self.key, self.code, self.text = system, key, code, text
        super().__init__(
            f"{system} rejected {key}: {code} {text!r}; fix the document or value map, then rerun"
        )


class MappingError(OtcError):
    """A value has no mapping (an unknown company code, payment term or reason code)."""

    exit_code = 1


def exit_code(exc: BaseException) -> int:
    """The process exit code for an error (docs/architecture.md: 0, 1, 2, 3)."""
    return exc.exit_code if isinstance(exc, OtcError) else 1
