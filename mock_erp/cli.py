"""``otc mock-erp``: run the mock ERP from the shell (mounted by the main CLI).

Module-level imports stay light (typer only): ``otc --help`` must not pull in uvicorn,
starlette, zeep, polars or oracledb.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The mock ERP server: SAP and Oracle EBS personas.", no_args_is_help=True)

PASSWORD_ENV = "OTC_MOCK_PASSWORD"


@app.callback()
def main() -> None:
    """The mock ERP: SAP persona (SOAP-for-RFC, RFC client), Oracle EBS persona (ORDS,
    oracledb client) and the admin API (docs/mock-erp.md)."""


def config_toml(host: str, port: int, user: str, client: str = "100") -> str:
    """A ready ``otc.toml`` for every transport of both personas against this mock."""
    url = f"http://{host}:{port}"
    oracle_common = f"""user = "{user}"
password_env = "{PASSWORD_ENV}"
companies = ["US", "DE", "JP", "KW"]
operating_units = {{ US = 204, DE = 301, JP = 401, KW = 501 }}
receipt_method = "Manual Check"
apps_user_id = 1318"""
    return f"""# otc.toml for the mock ERP at {url}: export {PASSWORD_ENV}=... (the mock's login)
[systems.sap]
adapter = "sap"
transport = "soap"
url = "{url}"
client = "{client}"
user = "{user}"
password_env = "{PASSWORD_ENV}"
companies = ["1000", "2000", "3000", "4000"]
reference_customer = "100"

[systems.sap_rfc]
adapter = "sap"
transport = "rfc"
connection_class = "mock_erp.clients.rfc:Connection"
ashost = "{host}"
sysnr = "00"
client = "{client}"
user = "{user}"
password_env = "{PASSWORD_ENV}"
mock_url = "{url}"
companies = ["1000", "2000", "3000", "4000"]
reference_customer = "100"

[systems.s4]
adapter = "sap"
transport = "s4api"
url = "{url}"
client = "{client}"
user = "{user}"
password_env = "{PASSWORD_ENV}"
companies = ["1000", "2000", "3000", "4000"]
reference_customer = "100"

[systems.oracle]
adapter = "oracle"
transport = "ords"
url = "{url}"
{oracle_common}

[systems.oracle_db]
adapter = "oracle"
transport = "oracledb"
connection_factory = "mock_erp.clients.oracle:connect"
connect_args = {{ mock_url = "{url}" }}
dsn = "{host}:{port}/EBSDB"
{oracle_common}
"""


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback unless --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8765,
    seed: Annotated[int, typer.Option(help="Seed of the deterministic data set.")] = 42,
    db: Annotated[Path | None, typer.Option(help="SQLite file (default: in memory).")] = None,
    user: Annotated[str, typer.Option(help="Logon user.")] = "otc",
    password: Annotated[str, typer.Option(help="Logon password.")] = "otc-mock",
    allow_remote: Annotated[
        bool, typer.Option(help="Allow binding a non-loopback interface.")
    ] = False,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Start with empty tables.")] = False,
    write_config: Annotated[
        Path | None, typer.Option(help="Write an otc.toml for this server to PATH.")
    ] = None,
) -> None:
    """Serve the mock ERP until Ctrl-C: SAP SOAP, Oracle ORDS (/ords) and admin (/_mock)."""
    import socket

    import uvicorn

    from mock_erp.app import build_app
    from mock_erp.server import LOOPBACK

    if host not in LOOPBACK and not allow_remote:
        typer.echo(
            f"error: refusing to bind {host}; pass --allow-remote to expose the mock", err=True
        )
        raise typer.Exit(2)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family)
    except OSError as exc:  # most often: the port is taken (another mock still running?)
        typer.echo(
            f"error: cannot listen on {host}:{port}: {exc.strerror or exc}; pick another "
            "--port, or --port 0 for any free one",
            err=True,
        )
        raise typer.Exit(2) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # ~44 ms per round trip without
    bound_port = sock.getsockname()[1]
    typer.echo("seeding ..." if not no_seed else "starting with empty tables", err=True)
    application = build_app(
        store_path=str(db) if db else ":memory:",
        seed=seed,
        seed_data=not no_seed,
        user=user,
        password=password,
    )
    shown = f"[{host}]" if ":" in host else host
    if write_config is not None:
        write_config.write_text(config_toml(shown, bound_port, user), encoding="utf-8")
        typer.echo(f"wrote {write_config}", err=True)
    typer.echo(f"mock ERP on http://{shown}:{bound_port}  (admin: /_mock/health)", err=True)
    typer.echo(f"export {PASSWORD_ENV}={password}", err=True)
    server = uvicorn.Server(
        uvicorn.Config(application, lifespan="off", log_level="info", http="h11")
    )
    server.run(sockets=[sock])


if __name__ == "__main__":  # pragma: no cover
    app()
