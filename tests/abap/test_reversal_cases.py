"""The mock's reversal check and refund plan on the case table the kit's ABAP Unit tests run.

tests/fixtures/reversal_cases.json drives both: gen_unit_tests.py writes the ABAP Unit methods
of LZOTC_ART99 from it (lcl_reversal_rules, lcl_refund_lines in LZOTC_ARC03), and this file
runs the mock's twins (mock_erp/sap/reversal.py `refusal`, refunds.py `refund_plan`) on it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mock_erp.sap.refunds import refund_plan
from mock_erp.sap.reversal import ReversalFacts, refusal

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "reversal_cases.json").read_text()
)


def _minor(text: str) -> int:
    return int(Decimal(text).scaleb(2))


@pytest.mark.parametrize("case", CASES["reversal_checks"], ids=lambda c: c["name"])
def test_reversal_check(case: dict[str, Any]) -> None:
    facts = ReversalFacts(**{k: v for k, v in case.items() if k not in ("name", "expect")})
    code = refusal(facts)
    assert ("".join(code) if code else "") == case["expect"]


@pytest.mark.parametrize("case", CASES["refunds"], ids=lambda c: c["name"])
def test_refund_plan(case: dict[str, Any]) -> None:
    items = [(_minor(i["open"]), _minor(i["refund"])) for i in case["items"]]
    lines, refused, _ = refund_plan(items, _minor(case["total"]))
    assert refused == case["expect"]
    assert [(ln.role, ln.key, ln.amount, ln.item) for ln in lines] == [
        (ln["role"], ln["key"], _minor(ln["amount"]), ln["item"]) for ln in case["lines"]
    ]
