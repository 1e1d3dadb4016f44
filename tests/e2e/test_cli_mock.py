"""From nothing to a pull in two commands: `otc mock-erp serve --write-config`, then `otc`
against every system the written config names (real processes, real transports)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contracts.io import read_frame

ENV = {**os.environ, "OTC_MOCK_PASSWORD": "otc-mock"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("cli")
    config = work / "otc.toml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jobs",
            "mock-erp",
            "serve",
            "--port",
            "0",
            "--write-config",
            str(config),
        ],
        cwd=work,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        # the file exists a moment before its text is written: wait for the url in it
        while 'url = "' not in (config.read_text(encoding="utf-8") if config.exists() else ""):
            assert proc.poll() is None and time.monotonic() < deadline, (
                proc.stderr.read().decode() if proc.stderr else ""
            )
            time.sleep(0.1)
        url = config.read_text(encoding="utf-8").split('url = "')[1].split('"')[0]
        while True:
            try:
                httpx.get(url + "/_mock/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the mock did not come up"
                time.sleep(0.1)
        yield config
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def otc(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobs", "--config", str(config), "--log-format", "json", *args],
        cwd=config.parent,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_doctor_reaches_every_written_system(served: Path) -> None:
    done = otc(served, "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    for system in ("sap", "sap_rfc", "s4", "oracle", "oracle_db"):
        assert f"{system}: reachable" in done.stdout


@pytest.mark.parametrize(
    ("system", "suffix"),
    [
        ("sap", "csv"),
        ("sap_rfc", "parquet"),
        ("s4", "csv"),
        ("oracle", "jsonl"),
        ("oracle_db", "parquet"),
    ],
)
def test_pull_open_items_from_each_system(served: Path, system: str, suffix: str) -> None:
    out = served.parent / f"{system}.{suffix}"
    done = otc(served, "open-items", "pull", "--system", system, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    frame = read_frame(out, "open_items")
    assert frame.height > 100 and set(frame["source_system"]) == {system}


def test_customers_sync_dry_run_shows_the_diff(served: Path) -> None:
    done = otc(served, "customers", "sync", "--from", "sap", "--to", "oracle", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "to create" in done.stdout and "to update" in done.stdout
