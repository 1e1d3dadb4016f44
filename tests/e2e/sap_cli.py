"""The SAP system over each transport, as an adapter and as an `otc.toml` for the CLI: the
fixtures the job-level SAP tests share (reversals, refunds). Import the `*_fixture`
functions into a module; pytest knows them by their fixture names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from adapters.sap.adapter import SapAdapter
from adapters.sap.settings import SapSettings
from jobs.cli import app
from tests.e2e.conftest import sap_section


@pytest.fixture(name="transport", params=["soap", "rfc"])
def transport_fixture(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(name="sap")
def sap_fixture(
    erp: Any, admin: httpx.Client, tmp_path: Path, transport: str
) -> Iterator[SapAdapter]:
    section = sap_section(erp, transport, wsdl_cache=str(tmp_path / "wsdl"))
    adapter = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
    yield adapter
    adapter.close()


@pytest.fixture(name="cli_config")
def cli_config_fixture(
    erp: Any, admin: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transport: str
) -> Path:
    """The same system as the `sap` fixture, over the same transport, for the CLI."""
    section = sap_section(erp, transport, wsdl_cache=str(tmp_path / "wsdl"), companies=["1000"])
    lines = [f"{k} = {json.dumps(v)}" for k, v in section.items()]
    config = tmp_path / "otc.toml"
    config.write_text(
        '[systems.sap]\nadapter = "sap"\npassword_env = "OTC_MOCK_PASSWORD"\n'
        + "\n".join(lines)
        + f'\n\n[journal]\npath = "{tmp_path / "journal.db"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OTC_MOCK_PASSWORD", "otc-mock")
    monkeypatch.chdir(tmp_path)
    return config


def run_cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--config", str(config), "--log-format", "json", *args])
