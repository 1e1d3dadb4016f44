"""Opt-in: the Oracle adapter against a real EBS database or ORDS endpoint (read-only).
Runs when the `OTC_ORACLE_TEST_*` settings are present (docs/oracle-setup.md §5) and says
why it is skipped otherwise. It never posts: ping, pulls, and a lookup of a key never used."""

from __future__ import annotations

import os
from typing import Any

import polars as pl
import pytest

from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.settings import OracleSettings

ENV = {k: v for k, v in os.environ.items() if k.startswith("OTC_ORACLE_TEST_")}
NEEDED = {"OTC_ORACLE_TEST_USER", "OTC_ORACLE_TEST_PASSWORD", "OTC_ORACLE_TEST_ORG_ID"}
HAS_TRANSPORT = "OTC_ORACLE_TEST_URL" in ENV or "OTC_ORACLE_TEST_DSN" in ENV

pytestmark = pytest.mark.skipif(
    not (ENV.keys() >= NEEDED and HAS_TRANSPORT),
    reason="no real Oracle EBS configured: set OTC_ORACLE_TEST_URL (ORDS) or _DSN (oracledb), "
    "_USER, _PASSWORD and _ORG_ID to run it (docs/oracle-setup.md §5)",
)


@pytest.fixture(scope="module")
def ebs() -> Any:
    org = ENV.get("OTC_ORACLE_TEST_ORG_ID", "0")
    section: dict[str, Any] = {
        "user": ENV.get("OTC_ORACLE_TEST_USER", ""),
        "companies": [org],
        "page_size": 500,
        "apps_user_id": int(ENV.get("OTC_ORACLE_TEST_APPS_USER_ID", "0")),
        "resp_id": int(ENV.get("OTC_ORACLE_TEST_RESP_ID", "20678")),
    }
    if "OTC_ORACLE_TEST_URL" in ENV:
        section.update(
            transport="ords",
            url=ENV["OTC_ORACLE_TEST_URL"],
            schema=ENV.get("OTC_ORACLE_TEST_SCHEMA", "apps"),
        )
    else:
        section.update(transport="oracledb", dsn=ENV["OTC_ORACLE_TEST_DSN"])
    adapter = OracleAdapter(
        OracleSettings.from_section(
            "ebs_real", section, {"password": ENV.get("OTC_ORACLE_TEST_PASSWORD", "")}
        )
    )
    yield adapter
    adapter.close()


def test_ping_pulls_and_lookup(ebs: OracleAdapter) -> None:
    assert "operating units" in ebs.ping()
    org = ENV["OTC_ORACLE_TEST_ORG_ID"]
    items = next(iter(ebs.pull_open_items([org])), None)
    if items is not None:
        assert items.schema["amount"] == pl.Decimal(38, 4)
    customers = next(iter(ebs.pull_customers([org])), None)
    assert customers is None or customers.height > 0
    found = ebs.find_posted("cash_application", ["OTC-NEVER-USED-KEY"])
    assert found["erp_document"].to_list() == [None]
