"""`otc doctor --deep` for SAP against the mock: every setting of the real-system variants
shows up as a changed finding, every finding names its reads, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.doctor import Finding
from adapters.sap.adapter import SapAdapter
from tests.e2e.test_cli_mock import otc, served

Maker = Callable[..., SapAdapter]
__all__ = ["served"]  # the served mock and its written config (a module fixture)


def settings(admin: httpx.Client, **sap: Any) -> None:
    answer = admin.put("/_mock/settings", json={"sap": sap})
    assert answer.status_code == 200, answer.text


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def counts(admin: httpx.Client) -> dict[str, int]:
    return {
        name: len(admin.get(f"/_mock/tables/{name}", params={"limit": 10_000}).json()["rows"])
        for name in ("BKPF", "BSID", "KNA1", "CDHDR")
    }


def test_default_findings_name_their_reads_and_write_nothing(
    make_sap: Maker, admin: httpx.Client
) -> None:
    before = counts(admin)
    sap = make_sap()
    findings = by_check(sap.deep_check())
    assert {
        "release and S/4HANA",
        "user date format",
        "user decimal format",
        "ABAP kit",
        "commits",
        "currency decimals",
        "RFC_READ_TABLE",
        "payment tolerances 1000",
        "posting periods 1000",
    } <= set(findings)
    for finding in findings.values():
        assert finding.found and finding.action
        if sap.settings.transport == "soap" or finding.check != "commits":
            assert finding.reads, finding.check
    assert findings["ABAP kit"].verdict == "ok" and "matches" in findings["ABAP kit"].action
    assert findings["user date format"].found == "MM/DD/YYYY (DATFM 2)"
    assert "5.00 EUR" in findings["payment tolerances 1000"].found
    assert findings["posting periods 1000"].verdict == "ok"
    assert "512 bytes" in findings["RFC_READ_TABLE"].found
    assert "different orders" in findings["RFC_READ_TABLE"].found
    assert "SAP_BASIS 750" in findings["release and S/4HANA"].found
    assert counts(admin) == before


@pytest.mark.parametrize(
    ("setting", "check", "default", "changed"),
    [
        ({"user_date_format": "6"}, "user date format", "DATFM 2", "YYYY-MM-DD (DATFM 6)"),
        ({"customer_bapis": False}, "release and S/4HANA", "SAP ECC", "S/4HANA: SAP_BASIS 757"),
        ({"tcurx": {"JPY": None}}, "currency decimals", "JPY 0 (TCURX", "JPY 2 (not in TCURX"),
        ({"read_table_order": "key"}, "RFC_READ_TABLE", "different orders", "agreed"),
    ],
)
def test_each_setting_shows_as_a_changed_finding(
    make_sap: Maker,
    admin: httpx.Client,
    setting: dict[str, Any],
    check: str,
    default: str,
    changed: str,
) -> None:
    assert default in by_check(make_sap().deep_check())[check].found
    settings(admin, **setting)
    after = by_check(make_sap().deep_check())[check]
    assert changed in after.found and default not in after.found


def test_verdicts_follow_the_settings(make_sap: Maker, admin: httpx.Client) -> None:
    settings(admin, user_date_format="A", customer_bapis=False, tcurx={"JPY": None})
    found = by_check(make_sap().deep_check())
    assert found["user date format"].verdict == "fail"  # the kit refuses lunar calendars
    assert found["release and S/4HANA"].verdict == "warn"
    assert found["currency decimals"].verdict == "warn"


def test_cli_deep_check_json_and_soap_sessions(served: Path) -> None:
    done = otc(served, "doctor", "--deep", "--system", "sap", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    first = {f["check"]: f for f in json.loads(done.stdout)["findings"]}
    assert "stateless" in first["commits"]["found"]
    url = served.read_text(encoding="utf-8").split('url = "')[1].split('"')[0]
    httpx.put(url + "/_mock/settings", json={"sap": {"soap_sessions": True}}).raise_for_status()
    try:
        done = otc(served, "doctor", "--deep", "--system", "sap", "--format", "json")
    finally:
        httpx.put(url + "/_mock/settings", json={"sap": {"soap_sessions": False}})
    again = {f["check"]: f for f in json.loads(done.stdout)["findings"]}
    assert "offered a stateful session" in again["commits"]["found"]
    assert again["commits"]["verdict"] == "ok"  # nothing relies on it
    text = otc(served, "doctor", "--deep", "--system", "sap")
    assert text.returncode == 0 and "otc doctor --deep --system sap" in text.stdout


def test_residual_reason_codes_are_checked_per_company_code(
    make_sap: Maker, admin: httpx.Client
) -> None:
    """Every code residual_reason sends is in T053R of every configured company code; a code a
    company code lacks fails naming the code, its reasons, the company code and where to fix."""
    found = by_check(make_sap().deep_check())
    for bukrs in ("1000", "2000", "3000", "4000"):
        finding = found[f"residual reason codes {bukrs}"]
        assert finding.verdict == "ok", finding
        assert "004 (FREIGHT)" in finding.found
        assert finding.reads == ("RFC_READ_TABLE(T053R: BUKRS, RSTGR)",)
    settings(admin, t053r_missing={"2000": ["004"]})
    found = by_check(make_sap().deep_check())
    assert found["residual reason codes 1000"].verdict == "ok"
    gap = found["residual reason codes 2000"]
    assert gap.verdict == "fail"
    assert gap.found.startswith("missing in T053R of 2000: 004 (FREIGHT); it has 001, 002")
    assert "Entry 2000 004 does not exist in T053R" in gap.action
    assert "define 004 for company code 2000 (OBBE" in gap.action
    assert "value_maps" in gap.action and "[systems.sap]" in gap.action


def test_site_value_map_codes_are_checked_too(
    make_sap: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    site = tmp_path / "maps.yaml"
    site.write_text('residual_reason: {DAMAGED: "007", FREIGHT: "001"}\n', encoding="utf-8")
    found = by_check(make_sap(value_maps=str(site)).deep_check())
    for bukrs in ("1000", "3000"):
        finding = found[f"residual reason codes {bukrs}"]
        assert finding.verdict == "fail"
        assert finding.found.startswith(f"missing in T053R of {bukrs}: 007 (DAMAGED);")
        assert f"residual_reason of {site}" in finding.action
        assert "004" not in finding.found.split(";")[0]  # FREIGHT now sends 001
