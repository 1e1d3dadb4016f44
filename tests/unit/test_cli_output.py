"""Output for CI and scripts: off a terminal no value is ever wrapped, `--format json` is one
JSON document, global options work after the subcommand, help has no type noise."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from jobs import cli
from jobs.cli import app
from jobs.output import OutputConsole

LONG_KEY = "PAY-2026-11-27-THIS-KEY-IS-MUCH-LONGER-THAN-FORTY-COLUMNS-0001"
BIG = "4986467.49"


@pytest.fixture
def narrow() -> Iterator[None]:
    """The CLI's consoles at 40 columns, as a CI log without a terminal may be."""
    saved = cli.out.width, cli.err.width
    cli.out.width = cli.err.width = 40
    yield
    cli.out.width, cli.err.width = saved


def bad_cash(tmp_path: Path) -> Path:
    path = tmp_path / "cash.csv"
    path.write_text(
        "application_id,company,customer_id,payment_date,currency,payment_amount,"
        "document_id,fiscal_year,line,applied_amount\n"
        f"{LONG_KEY},1000,100001,2026-11-27,JPY,{BIG},1800000101,2026,1,{BIG}\n",
        encoding="utf-8",
    )
    return path


def assert_unwrapped(output: str, *tokens: str) -> None:
    for token in tokens:
        assert any(token in line for line in output.splitlines()), (token, output)


def test_off_a_terminal_a_table_is_plain_lines() -> None:
    from rich.table import Table

    table = Table(title="t")
    table.add_column("key")
    table.add_column("value")
    table.add_row(LONG_KEY, "[red]x[/] \\[systems.sap]")
    piped = io.StringIO()
    console = OutputConsole(width=20, file=piped)
    assert not console.is_terminal
    console.print(table)
    assert piped.getvalue().splitlines() == [
        "# t",
        "key\tvalue",
        f"{LONG_KEY}\tx [systems.sap]",
    ]
    on_terminal = Console(width=20, force_terminal=True)
    with on_terminal.capture() as captured:
        on_terminal.print(table)
    assert LONG_KEY not in captured.get()  # a terminal folds it; that is what we avoid


def test_contracts_check_in_a_pipe_at_40_columns(tmp_path: Path) -> None:
    path = bad_cash(tmp_path)
    assert len(str(path)) > 40
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "contracts", "check", str(path),
         "--entity", "cash_applications"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "40"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert_unwrapped(done.stdout, str(path), BIG, "JPY allows 0 decimals (ISO 4217 minor units)")
    assert "━" not in done.stdout and "│" not in done.stdout  # no box drawing in a log


def test_contracts_check_json(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app,
        ["contracts", "check", str(bad_cash(tmp_path)), "--entity", "cash_applications",
         "--format", "json"],
    )  # fmt: skip
    assert done.exit_code == 1
    data = json.loads(done.stdout)
    assert not data["valid"] and {v["value"] for v in data["violations"]} == {BIG}


def test_delimiter_option_reads_a_semicolon_file(tmp_path: Path, narrow: None) -> None:
    path = tmp_path / "cash.csv"
    path.write_text(
        "application_id;company;customer_id;payment_date;currency;payment_amount;"
        "document_id;fiscal_year;line;applied_amount\n"
        "P1;1000;100001;2026-11-27;EUR;1190,50;1800000101;2026;1;1190,50\n",
        encoding="utf-8",
    )
    args = ["contracts", "check", str(path), "--entity", "cash_applications"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 1 and "--delimiter ';'" in first.stdout
    second = CliRunner().invoke(app, [*args, "--delimiter", ";", "--decimal-comma"])
    assert second.exit_code == 0, second.output
    assert_unwrapped(second.stdout, "holds 1 valid cash_applications row(s)")


def test_header_only_file_fails_check_for_posting(tmp_path: Path) -> None:
    path = tmp_path / "cash.csv"
    path.write_text(bad_cash(tmp_path).read_text(encoding="utf-8").splitlines()[0] + "\n")
    done = CliRunner().invoke(app, ["contracts", "check", str(path), "--entity", "cash"])
    assert done.exit_code == 2  # `cash` is no entity: usage error
    done = CliRunner().invoke(
        app, ["contracts", "check", str(path), "--entity", "cash_applications"]
    )
    assert done.exit_code == 1 and "holds no rows" in done.stdout


def test_config_works_after_the_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text(
        '[systems.erp1]\nadapter = "sap"\ntransport = "soap"\nurl = "http://127.0.0.1:9"\n'
        'client = "100"\nuser = "otc"\npassword_env = "OTC_TEST_NOT_SET"\n',
        encoding="utf-8",
    )
    before = CliRunner().invoke(app, ["--config", str(config), "config", "show"])
    after = CliRunner().invoke(app, ["config", "show", "--config", str(config)])
    equals = CliRunner().invoke(app, ["config", "show", f"--config={config}"])
    assert before.exit_code == after.exit_code == equals.exit_code == 0, after.output
    assert "erp1" in after.stdout and after.stdout == before.stdout == equals.stdout


@pytest.mark.parametrize(
    "command", [[], ["cash", "post"], ["contracts", "check"], ["mock-erp", "serve"], ["doctor"]]
)
def test_help_has_no_type_noise(command: list[str]) -> None:
    done = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert done.exit_code == 0
    assert "<bool>" not in done.stdout and "{file}" not in done.stdout.lower()


def test_mock_erp_help_names_both_personas() -> None:
    done = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "160"})
    line = next(x for x in done.stdout.splitlines() if "mock-erp" in x)
    assert "SAP and Oracle EBS" in line


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "jobs", "mock-erp", "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port 0" in done.stderr
