"""`otc doctor --deep` for reversals and refunds against the mock, over both transports:
the kit's two modules, the reversal reasons (T041C) and the refund payment methods per company
(T042E + T042Z), each naming its reads; nothing is written."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from adapters.sap.adapter import SapAdapter
from adapters.sap.doctor_reversal import CHECKS
from tests.e2e.conftest import table


def _findings(sap: SapAdapter) -> dict[str, tuple[str, str, str]]:
    return {f.check: (f.found, f.action, f.verdict) for check in CHECKS for f in check(sap)}


def test_reversal_and_refund_findings(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    before = len(table(admin, "BKPF"))
    sap = make_sap()
    found = _findings(sap)
    assert found["kit: reversal and refunds"][2] == "ok"
    reasons = found["reversal reasons"]
    assert reasons[0] == "01, 02 (alternative date)" and reasons[2] == "ok"
    assert "with 02" in reasons[1]
    assert found["refund payment methods 1000"][:1] == ("paying out: T (T042E, T042Z DE)",)
    assert found["refund payment methods 2000"][0] == "paying out: C, T (T042E, T042Z US)"
    lookup = found["reversal lookup index"]
    assert lookup[2] == "warn" and "XREF2_HD" in lookup[0]  # the mock has no such index
    assert all(f.reads for check in CHECKS for f in check(sap))
    assert {f.check for f in sap.deep_check()} >= set(found)
    assert len(table(admin, "BKPF")) == before


def test_a_default_reason_missing_from_t041c_fails(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    found = _findings(make_sap(reversal_reason="99"))
    _, action, verdict = found["reversal reasons"]
    assert verdict == "fail" and "'99' is not in T041C" in action
