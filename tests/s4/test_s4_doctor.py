"""`otc doctor --deep --system s4`: the go-live check over released APIs, against the mock's
gentle defaults and its harsh variants (a missing communication arrangement, amounts in SAP's
internal format, a company code that does not exist, no reference customer)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from s4_helpers import CLIENT, PASSWORD, USER
from typer.testing import CliRunner

from adapters.doctor import Finding
from adapters.s4.adapter import S4Adapter
from adapters.sap import build
from jobs.cli import app
from mock_erp.cli import config_toml
from mock_erp.s4.settings import S4Settings


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    """Three company codes: 1000 EUR, 2000 USD, 3000 JPY (a currency without decimals)."""
    from mock_erp.server import start

    server = start(companies=3, customers=20, open_items=400, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _defaults(erp: Any) -> Iterator[None]:
    yield
    httpx.put(erp.url + "/_mock/settings", json={"s4": dataclasses.asdict(S4Settings())})


def s4(erp: Any, **extra: Any) -> S4Adapter:
    section = {"adapter": "sap", "transport": "s4api", "url": erp.url, "user": USER,
               "client": CLIENT, "companies": ["1000", "2000", "3000"],
               "reference_customer": "100", **extra}  # fmt: skip
    adapter = build("s4", section, {"password": PASSWORD})
    assert isinstance(adapter, S4Adapter)
    return adapter


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def settings(erp: Any, **values: Any) -> None:
    httpx.put(erp.url + "/_mock/settings", json={"s4": values}).raise_for_status()


def test_gentle_system_passes_with_every_read_named(erp: Any) -> None:
    found = by_check(s4(erp).deep_check())
    assert {f.verdict for f in found.values()} <= {"ok", "info"}, [
        f for f in found.values() if f.verdict not in ("ok", "info")
    ]
    for service in ("API_OPLACCTGDOCITEMCUBE_SRV", "API_BUSINESS_PARTNER",
                    "API_JOURNALENTRYITEMBASIC_SRV"):  # fmt: skip
        assert found[f"access {service}"].reads == (f"GET /sap/opu/odata/sap/{service}/$metadata",)
        assert "schema-version 1" in found[f"version {service}"].found
    assert "JPY" in found["company code 3000"].found
    assert "at most 0 decimals" in found["company code 3000"].found
    assert "1000: reconciliation account" in found["customer creates"].found


def test_residual_reason_codes_are_said_to_be_unchecked(erp: Any, tmp_path: Path) -> None:
    """No released service of this build reads T053R: the finding says so (reading nothing)
    and names the codes short payments send, the site's value map included."""
    reasons = by_check(s4(erp).deep_check())["residual reason codes"]
    assert reasons.verdict == "info" and reasons.reads == ()
    assert reasons.found.startswith("not checked:") and "T053R" in reasons.found
    assert "004 (FREIGHT)" in reasons.action and "OBBE" in reasons.action
    site = tmp_path / "maps.yaml"
    site.write_text('residual_reason: {DAMAGED: "007"}\n', encoding="utf-8")
    reasons = by_check(s4(erp, value_maps=str(site)).deep_check())["residual reason codes"]
    assert "007 (DAMAGED)" in reasons.action


def test_a_missing_arrangement_names_its_scenario_and_the_rest_still_runs(erp: Any) -> None:
    settings(erp, forbidden_services=["API_BUSINESS_PARTNER"])
    findings = s4(erp).deep_check()
    found = by_check(findings)
    refused = found["access API_BUSINESS_PARTNER"]
    assert refused.verdict == "fail" and "SAP_COM_0008" in refused.action
    assert "403" in refused.found
    assert found["access API_OPLACCTGDOCITEMCUBE_SRV"].verdict == "ok"
    assert "version API_BUSINESS_PARTNER" not in found  # nothing to compare
    assert found["company code 1000"].verdict == "ok"
    assert found["customer writes"].verdict == "fail"  # could not read the reference


def test_amounts_in_sap_internal_format_fail_for_a_currency_without_decimals(erp: Any) -> None:
    settings(erp, cube_amounts="internal")
    found = by_check(s4(erp).deep_check())
    jpy = found["company code 3000"]
    assert jpy.verdict == "fail" and "internal format" in jpy.action
    assert found["company code 1000"].verdict == "ok"  # EUR has two decimals either way


def test_unknown_company_and_no_reference_customer(erp: Any) -> None:
    found = by_check(s4(erp, companies=["1000", "9999"], reference_customer=None).deep_check())
    assert found["company codes"].verdict == "fail" and "9999" in found["company codes"].found
    assert found["customer creates"].verdict == "warn"


def test_cli_deep_check_for_s4_json_and_exit_codes(
    erp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = erp.url.removeprefix("http://").rsplit(":", 1)
    config = tmp_path / "otc.toml"
    text = config_toml(host, int(port), USER).replace(
        'companies = ["1000", "2000", "3000", "4000"]\nreference_customer = "100"',
        'companies = ["1000", "2000", "3000"]\nreference_customer = "100"',
    )
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("OTC_MOCK_PASSWORD", PASSWORD)

    def doctor() -> Any:
        return CliRunner().invoke(
            app, ["doctor", "--deep", "--system", "s4", "--format", "json", "--config", str(config)]
        )

    done = doctor()
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output)
    assert answer["system"] == "s4" and len(answer["findings"]) >= 9
    settings(erp, forbidden_services=["API_OPLACCTGDOCITEMCUBE_SRV"])
    failed = doctor()
    assert failed.exit_code == 2
    verdicts = {f["check"]: f["verdict"] for f in json.loads(failed.output)["findings"]}
    assert verdicts["access API_OPLACCTGDOCITEMCUBE_SRV"] == "fail"
