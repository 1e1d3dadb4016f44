"""Secrets come from the environment only and never reach a log line or `otc config show`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from adapters.errors import ConfigError
from jobs import config, logs
from jobs.cli import app

SECRET = "pa55-W0rd!sap"
CONFIG = """
[systems.sap]
adapter = "sap"
transport = "soap"
url = "http://127.0.0.1:8765"
client = "100"
user = "otc"
password_env = "OTC_TEST_SAP_PASSWORD"

[journal]
backend = "postgres"
dsn = "postgresql://otc@127.0.0.1:5432/test"
password_env = "OTC_TEST_JOURNAL_PASSWORD"
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "otc.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("OTC_TEST_SAP_PASSWORD", SECRET)
    monkeypatch.delenv("OTC_TEST_JOURNAL_PASSWORD", raising=False)
    return path


def test_secret_resolved_from_named_variable(config_file: Path) -> None:
    settings = config.load(config_file)
    sap = settings.system("sap")
    assert sap.secret("password") == SECRET
    assert sap.options["url"] == "http://127.0.0.1:8765" and sap.transport == "soap"
    assert SECRET not in repr(settings)
    with pytest.raises(ConfigError, match="export OTC_TEST_JOURNAL_PASSWORD="):
        settings.journal.secrets["password"].value("[journal]")


def test_inline_secret_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "otc.toml"
    path.write_text('[systems.sap]\nadapter = "sap"\npassword = "hunter2"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"password written inline.*password_env"):
        config.load(path)
    path.write_text('[journal]\ndsn = "postgresql://u:hunter2@h/db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="dsn carries a password"):
        config.load(path)


def test_config_location_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.toml").write_text('[systems.a]\nadapter = "x"\n', encoding="utf-8")
    (tmp_path / "otc.toml").write_text('[systems.cwd]\nadapter = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OTC_CONFIG", raising=False)
    assert list(config.load().systems) == ["cwd"]
    monkeypatch.setenv("OTC_CONFIG", str(tmp_path / "a.toml"))
    assert list(config.load().systems) == ["a"]
    (tmp_path / "b.toml").write_text('[systems.b]\nadapter = "x"\n', encoding="utf-8")
    assert list(config.load(tmp_path / "b.toml").systems) == ["b"]
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "missing.toml")


def test_unknown_system_names_the_configured_ones(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="configured: sap"):
        config.load(config_file).system("oracle")


def test_config_show_masks_secrets(config_file: Path) -> None:
    result = CliRunner().invoke(app, ["--config", str(config_file), "config", "show"])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    shown = json.loads(result.output)
    assert shown["systems"]["sap"]["password_env"] == "OTC_TEST_SAP_PASSWORD (***)"
    assert shown["journal"]["password_env"] == "OTC_TEST_JOURNAL_PASSWORD (NOT SET)"


def test_config_error_exit_code_is_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--config", str(tmp_path / "nope.toml"), "config", "show"])
    assert result.exit_code == 2
    assert "not found" in result.output


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_logs_never_show_secrets(config_file: Path, fmt: str) -> None:
    stream = io.StringIO()
    logs.configure(fmt, stream=stream)  # type: ignore[arg-type]
    logs.register_secrets(config.load(config_file).secret_values())
    log = structlog.get_logger("test")
    log.info("connecting", password=SECRET, user="otc")
    log.info("driver said", error=f"login failed for otc/{SECRET}@sap")
    log.info("nested", params={"passwd": SECRET, "client": "100"}, items=[SECRET])
    try:
        raise RuntimeError(f"boom with {SECRET}")
    except RuntimeError:
        log.exception("failed")
    text = stream.getvalue()
    assert SECRET not in text
    assert text.count("***") >= 5
    assert "connecting" in text and "boom with" in text
    if fmt == "json":
        first = json.loads(text.splitlines()[0])
        assert first["password"] == "***" and first["user"] == "otc"
