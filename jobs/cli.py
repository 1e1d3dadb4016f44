"""`otc`: thin typer commands over the jobs; progress and errors on stderr.

Fast start: this module imports no polars, pandera, zeep or oracledb; each command
imports what it needs when it runs, so `otc --help` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from adapters.errors import OtcError, exit_code

app = typer.Typer(
    name="otc",
    help="Order-to-Cash adapters: SAP and Oracle EBS receivables in one canonical model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
contracts_app = typer.Typer(help="Check canonical files against their contracts.")
config_app = typer.Typer(help="Show the resolved configuration.")
app.add_typer(contracts_app, name="contracts")
app.add_typer(config_app, name="config")

err = Console(stderr=True)
out = Console()


class State:
    config: Path | None = None
    log_format: str = "auto"


state = State()


def fail(exc: OtcError) -> NoReturn:
    """Print an error the user can act on and exit with its code (ARCHITECTURE.md)."""
    err.print("[red]error:[/]", escape(str(exc)), soft_wrap=True)
    raise typer.Exit(exit_code(exc))


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="otc.toml to use (else $OTC_CONFIG, else ./otc.toml)."),
    ] = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help="auto, console or json.")
    ] = "auto",
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning.")] = "info",
) -> None:
    """Order-to-Cash adapters for SAP and Oracle EBS."""
    from jobs import logs

    if log_format not in {"auto", "console", "json"}:
        raise typer.BadParameter("use auto, console or json", param_hint="--log-format")
    state.config, state.log_format = config, log_format
    logs.configure(log_format, log_level)  # type: ignore[arg-type]


@contracts_app.command("check")
def contracts_check(
    file: Annotated[Path, typer.Argument(help="A CSV, Parquet or JSON Lines file.")],
    entity: Annotated[
        str,
        typer.Option(
            "--entity",
            help="customers, open_items, cash_applications, write_offs, posting_results, "
            "bank_transactions.",
        ),
    ],
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write every failure to this CSV.")
    ] = None,
) -> None:
    """Validate FILE against its contract; list every failure (file, row, column, rule)."""
    from jobs.contracts_check import check_file

    try:
        code = check_file(file, entity, rejects=rejects, console=out)
    except OtcError as exc:
        fail(exc)
    raise typer.Exit(code)


@config_app.command("show")
def config_show() -> None:
    """Print the resolved configuration; secrets show as set or NOT SET, never their value."""
    import json

    from jobs import config

    try:
        settings = config.load(state.config)
    except OtcError as exc:
        fail(exc)
    out.print_json(json.dumps(config.masked(settings)))


@app.command()
def demo() -> None:
    """Run the whole story on the embedded mock ERP and print what happened."""
    from jobs.demo import run_demo

    try:
        code = run_demo(out)
    except OtcError as exc:
        fail(exc)
    raise typer.Exit(code)


def _mount_mock_erp() -> None:
    try:
        from mock_erp.cli import app as mock_app
    except ImportError:  # pragma: no cover - the mock ships with the package
        return
    app.add_typer(mock_app, name="mock-erp", help="Run the mock ERP server (SAP persona).")


_mount_mock_erp()


def main() -> None:
    app()
