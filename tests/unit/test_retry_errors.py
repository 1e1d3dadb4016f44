"""Retry only what is transient; give up with the real error, never a wrapper."""

from __future__ import annotations

import pytest

from adapters.errors import (
    ConfigError,
    ContractError,
    ErpRejected,
    OutcomeUnknown,
    TransientError,
    exit_code,
)
from adapters.retry import transient_policy


def no_sleep(_: float) -> None:
    return None


def test_transient_is_retried_until_it_succeeds() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("sap", "HTTP 503")
        return "ok"

    assert transient_policy(attempts=5, sleep=no_sleep)(flaky) == "ok"
    assert len(calls) == 3


def test_gives_up_with_the_original_error() -> None:
    calls = []
    error = TransientError("sap", "locked by BATCH01")

    def always() -> None:
        calls.append(1)
        raise error

    with pytest.raises(TransientError) as info:
        transient_policy(attempts=4, sleep=no_sleep)(always)
    assert info.value is error and len(calls) == 4


@pytest.mark.parametrize(
    "error",
    [
        ErpRejected("sap", "PAY-1", "F5 201", "Posting period 011 2026 is not open"),
        OutcomeUnknown("sap", "read timeout after sending", key="PAY-1"),
    ],
)
def test_rejected_and_unknown_are_never_retried(error: Exception) -> None:
    calls = []

    def fails() -> None:
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        transient_policy(attempts=5, sleep=no_sleep)(fails)
    assert len(calls) == 1


def test_exit_codes_and_messages_say_what_to_do() -> None:
    assert exit_code(ConfigError("x")) == 2
    assert exit_code(ContractError("open_items", "f.csv", [])) == 1
    assert exit_code(ErpRejected("sap", "k", "F5 201", "t")) == 1
    unknown = OutcomeUnknown("sap", "no answer", key="PAY-1")
    assert exit_code(unknown) == 3
    assert "otc journal resolve --system sap" in str(unknown)
    assert "fix the document" in str(ErpRejected("sap", "k", "F5 201", "t"))
