"""`otc`: thin typer commands over the jobs; progress and errors on stderr.

Fast start: this module imports no polars, pandera, zeep or oracledb; each command
imports what it needs when it runs, so `otc --help` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from adapters.errors import OtcError, exit_code
from jobs.cli_disputes import disputes_app
from jobs.cli_group import OtcGroup
from jobs.output import FormatOpt, OutputConsole, check_format, emit_json, table_records

app = typer.Typer(
    cls=OtcGroup,
    name="otc",
    help="Order-to-Cash adapters: SAP and Oracle EBS receivables in one canonical model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
contracts_app = typer.Typer(help="Check canonical files against their contracts.")
config_app = typer.Typer(help="Show the resolved configuration.")
cash_app = typer.Typer(
    help="Post cash applications (payments applied to open items), or reverse them."
)
writeoffs_app = typer.Typer(help="Post write-offs.")
refunds_app = typer.Typer(help="Refund credit balances to customers.")
open_items_app = typer.Typer(help="Pull open receivables.")
customers_app = typer.Typer(help="Pull and sync customer master data.")
journal_app = typer.Typer(help="The idempotency journal: what was posted, and settling unknowns.")
app.add_typer(contracts_app, name="contracts")
app.add_typer(config_app, name="config")
app.add_typer(cash_app, name="cash")
app.add_typer(writeoffs_app, name="write-offs")
app.add_typer(refunds_app, name="refunds")
app.add_typer(open_items_app, name="open-items")
app.add_typer(customers_app, name="customers")
app.add_typer(journal_app, name="journal")
app.add_typer(disputes_app, name="disputes")

SystemOpt = Annotated[str, typer.Option("--system", help="A \\[systems.NAME] in otc.toml.")]
FileArg = Annotated[Path, typer.Argument(help="CSV, Parquet or JSON Lines file.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .jsonl.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Go as far as the ERP's own check; post nothing.")
]
RetryRejectedOpt = Annotated[
    bool, typer.Option("--retry-rejected", help="Try keys the ERP rejected before.")
]
PostValidOpt = Annotated[
    bool, typer.Option("--post-valid", help="Post what passes pre-flight even if some fail.")
]
DelimiterOpt = Annotated[
    str, typer.Option("--delimiter", help="CSV column separator: ',' (default), ';', '\\t', '|'.")
]
DecimalCommaOpt = Annotated[
    bool,
    typer.Option("--decimal-comma", help="CSV amounts written 1234,56 (with --delimiter ';')."),
]
EntityArg = Annotated[
    str,
    typer.Argument(
        help="customers, open_items, cash_applications, write_offs, reversals, refunds, "
        "posting_results, bank_transactions."
    ),
]

err: Console = OutputConsole(stderr=True)
out: Console = OutputConsole()


class State:
    config: Path | None = None
    log_format: str = "auto"


state = State()


def fail(exc: OtcError) -> NoReturn:
    """Print an error the user can act on and exit with its code (docs/architecture.md)."""
    err.print("[red]error:[/]", escape(str(exc)), soft_wrap=True)
    raise typer.Exit(exit_code(exc))


def csv_dialect(delimiter: str, decimal_comma: bool) -> Any:
    """`--delimiter` / `--decimal-comma` as a `CsvDialect`; `\\t` typed in a shell is a tab."""
    from contracts.io import CsvDialect

    try:
        return CsvDialect({"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter), decimal_comma)
    except OtcError as exc:
        raise typer.BadParameter(str(exc), param_hint="--delimiter") from None


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
            help="customers, open_items, cash_applications, write_offs, reversals, refunds, "
            "posting_results, bank_transactions.",
        ),
    ],
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write every failure to this CSV.")
    ] = None,
    delimiter: DelimiterOpt = ",",
    decimal_comma: DecimalCommaOpt = False,
    output_format: FormatOpt = "text",
) -> None:
    """Validate FILE against its contract; list every failure (file, row, column, rule)."""
    from jobs.contracts_check import check_file

    check_format(output_format)
    dialect = csv_dialect(delimiter, decimal_comma)
    try:
        code = check_file(
            file, entity, rejects=rejects, console=out, dialect=dialect, output_format=output_format
        )
    except OtcError as exc:
        fail(exc)
    raise typer.Exit(code)


@contracts_app.command("describe")
def contracts_describe(entity: EntityArg, output_format: FormatOpt = "text") -> None:
    """Columns, types, required or optional, and rules of ENTITY (docs/canonical-model.md)."""
    from rich.table import Table

    from contracts.describe import describe

    check_format(output_format)
    try:
        d = describe(entity)
    except OtcError as exc:
        fail(exc)
    if output_format == "json":
        emit_json(out, d)
        return
    out.print(f"[bold]{d['entity']}[/] ({d['model']}): {escape(d['about'])}", highlight=False)
    table = Table(title=f"{d['entity']} columns")
    for column in ("column", "type", "empty allowed", "in the file", "rules"):
        table.add_column(column, overflow="fold")
    for c in d["columns"]:
        presence = "required" if c["required"] else "optional"
        if not c["required"] and c["if_absent"] is not None:
            presence += f" (absent = {c['if_absent']})"
        table.add_row(
            c["name"],
            escape(c["type"]),
            "yes" if c["nullable"] else "no",
            presence,
            escape("; ".join(c["rules"])),
        )
    out.print(table)
    for r in d["rules"]:
        out.print(f"rule {r['name']}: {escape(r['text'])}", highlight=False)
    out.print(f"example: otc contracts template {d['entity']} > {d['entity']}.csv")


@contracts_app.command("template")
def contracts_template(entity: EntityArg) -> None:
    """Print a CSV header and one example row of ENTITY that passes its contract."""
    import sys

    from contracts.describe import template

    try:
        sys.stdout.write(template(entity))
    except OtcError as exc:
        fail(exc)


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


def _post(
    kind: str,
    file: Path,
    system: str,
    dry_run: bool,
    workers: int,
    retry_rejected: bool,
    post_valid: bool,
    command: str,
    dialect: Any = None,
    output_format: str = "text",
) -> None:
    from rich.progress import Progress

    from contracts.io import COMMA
    from jobs import config
    from jobs.journal import open_journal
    from jobs.post import PostJob, PostOptions
    from jobs.report import print_report, summary_json, write_run
    from jobs.systems import build_adapter

    if workers < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--workers")
    check_format(output_format)
    try:
        settings = config.load(state.config)
        adapter = build_adapter(settings, system)
        journal = open_journal(settings.journal)
        options = PostOptions(
            dry_run=dry_run,
            workers=workers,
            retry_rejected=retry_rejected,
            post_valid=post_valid,
            lease_s=settings.journal.lease_s,
            grace_margin_s=settings.journal.grace_margin_s,
            dialect=dialect or COMMA,
        )
        job = PostJob(adapter, journal, kind, options)  # type: ignore[arg-type]
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(f"posting {job.spec.what} to {system}", total=None)
            report = job.run(
                file,
                on_progress=lambda n: progress.advance(task, n),
                on_total=lambda n: progress.update(task, total=n),
            )
        folder = write_run(report, command)
    except OtcError as exc:
        fail(exc)
    if output_format == "json":
        emit_json(out, summary_json(report, command, folder))
    else:
        print_report(out, report, folder)
    if report.journal_problem:
        err.print("[red]error:[/]", escape(report.journal_problem), soft_wrap=True)
        if report.unrecorded:
            err.print(
                f"{len(report.unrecorded)} outcome(s) could not be journaled; they are in "
                f"{folder}: once the journal is back, `otc journal resolve --system {system}` "
                "finds them in the ERP",
                soft_wrap=True,
            )
    raise typer.Exit(report.exit_code)


def _posting_command(
    app_: typer.Typer, name: str, kind: str, run_name: str, noun: str, doc: str
) -> None:
    """Register one posting command: every kind takes the same options (one place for them)."""

    def command(
        file: FileArg,
        system: SystemOpt,
        dry_run: DryRunOpt = False,
        workers: int = 1,
        retry_rejected: RetryRejectedOpt = False,
        post_valid: PostValidOpt = False,
        delimiter: DelimiterOpt = ",",
        decimal_comma: DecimalCommaOpt = False,
        output_format: FormatOpt = "text",
    ) -> None:
        _post(
            kind,
            file,
            system,
            dry_run,
            workers,
            retry_rejected,
            post_valid,
            run_name,
            csv_dialect(delimiter, decimal_comma),
            output_format,
        )

    # the help names the kind: an annotation object, as `from __future__ import annotations`
    # leaves strings that typer resolves in the module (where `noun` does not exist)
    command.__annotations__["workers"] = Annotated[
        int, typer.Option("--workers", help=f"{noun} posted in parallel.")
    ]
    command.__doc__ = doc
    command.__name__ = run_name.replace("-", "_")
    app_.command(name)(command)


_posting_command(
    cash_app,
    "post",
    "cash_application",
    "cash-post",
    "Payments",
    "Post the cash applications in FILE to SYSTEM, exactly once: a rerun never posts twice.",
)
_posting_command(
    writeoffs_app,
    "post",
    "write_off",
    "write-offs-post",
    "Write-offs",
    "Post the write-offs in FILE to SYSTEM, exactly once.",
)
_posting_command(
    cash_app,
    "reverse",
    "reversal",
    "cash-reverse",
    "Reversals",
    "Reverse the posted cash applications FILE names in SYSTEM, exactly once: the items "
    "are open again; a corrected cash file then posts under new keys.",
)
_posting_command(
    refunds_app,
    "post",
    "refund",
    "refunds-post",
    "Refunds",
    "Post the approved refunds in FILE to SYSTEM, exactly once: each refund pays back "
    "the credit items it names.",
)


def _pull(entity: str, system: str, out_file: Path, make: Any) -> None:
    from rich.progress import Progress

    from contracts.io import FrameWriter
    from jobs import config
    from jobs.systems import build_adapter

    try:
        settings = config.load(state.config)
        adapter = build_adapter(settings, system)
        with (
            Progress(console=err, transient=True) as progress,
            FrameWriter(out_file, entity) as writer,
        ):
            task = progress.add_task(f"pulling {entity} from {system}", total=None)
            for frame in make(adapter):
                writer.write(frame)
                progress.advance(task, frame.height)
    except OtcError as exc:
        fail(exc)
    out.print(f"[green]{writer.rows}[/] {entity} rows from {system} written to {out_file}")


@open_items_app.command("pull")
def open_items_pull(
    system: SystemOpt,
    out_file: OutOpt,
    company: Annotated[
        list[str] | None, typer.Option("--company", help="Company code or operating unit; repeat.")
    ] = None,
    customer: Annotated[
        list[str] | None, typer.Option("--customer", help="Only these customers; repeat.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Open at this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Pull open items from SYSTEM into a canonical OpenItems file (streamed)."""
    from datetime import date

    try:
        key_date = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None
    _pull(
        "open_items",
        system,
        out_file,
        lambda a: a.pull_open_items(company or [], customers=customer or None, as_of=key_date),
    )


@customers_app.command("pull")
def customers_pull(
    system: SystemOpt,
    out_file: OutOpt,
    company: Annotated[
        list[str] | None, typer.Option("--company", help="Company code or operating unit; repeat.")
    ] = None,
) -> None:
    """Pull the customer master from SYSTEM into a canonical Customers file."""
    _pull("customers", system, out_file, lambda a: a.pull_customers(company or []))


@customers_app.command("sync")
def customers_sync(
    source: Annotated[str, typer.Option("--from", help="System to read customers from.")],
    target: Annotated[str, typer.Option("--to", help="System to create or update them in.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diff; change nothing.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Plan rows printed (all are in the run folder).")
    ] = 200,
    output_format: FormatOpt = "text",
) -> None:
    """Match customers across systems (tax id, then name + postal code), show the diff, apply it.

    Every run writes runs/<timestamp>-customers-sync/: plan.csv (each source customer and
    what happens to it), diff.csv (each field that changes) and, unless --dry-run,
    results.csv (created, updated, rejected, with the ERP's message).
    """
    import polars as pl
    from rich.table import Table

    from jobs import config, sync
    from jobs.systems import build_adapter

    check_format(output_format)
    try:
        settings = config.load(state.config)
        left, right = build_adapter(settings, source), build_adapter(settings, target)
        plan = sync.plan(sync.pull_all(left, []), sync.pull_all(right, []))
        done = None if dry_run else sync.outcomes(plan, sync.apply(right, plan))
        folder = sync.write_sync_run(plan, done, "customers sync")
    except OtcError as exc:
        fail(exc)
    planned, diff = sync.plan_frame(plan), sync.diff_frame(plan)
    counts = sync.counts(plan, done)
    if output_format == "json":
        emit_json(
            out,
            {
                "from": source,
                "to": target,
                "dry_run": dry_run,
                "counts": counts,
                "plan": planned.to_dicts(),
                "diff": diff.to_dicts(),
                "results": None if done is None else done.to_dicts(),
                "run_folder": str(folder),
            },
        )
    else:
        table = Table(
            title=f"customers {source} -> {target}: {plan.create.height} to create, "
            f"{plan.update.height} to update, {plan.unchanged} unchanged, "
            f"{len(plan.ambiguous)} ambiguous (skipped)"
        )
        for column in ("action", "source", "target", "matched by", "field", "now", "becomes"):
            table.add_column(column, overflow="fold")
        changes = {
            k: list(g.iter_rows(named=True))
            for (k,), g in diff.group_by("target_id", maintain_order=True)
        }
        shown = 0
        for row in planned.filter(pl.col("action") != "unchanged").iter_rows(named=True):
            cells = [escape(str(row[c] or "")) for c in ("action", "source_id", "target_id")]
            for change in changes.get(row["target_id"], []) if row["action"] == "update" else []:
                if shown < limit:
                    table.add_row(
                        *cells,
                        escape(row["matched_by"] or ""),
                        escape(change["field"]),
                        escape(change["now"] or ""),
                        escape(change["becomes"] or ""),
                    )
                shown += 1
            if row["action"] != "update":
                if shown < limit:
                    table.add_row(*cells, "", "", "", escape(row["detail"] or ""))
                shown += 1
        if shown > limit:
            table.caption = (
                f"{shown - limit} of {shown} rows left out (--limit); the full plan is in "
                f"{folder / 'plan.csv'} and {folder / 'diff.csv'}"
            )
        out.print(table)
        if done is not None:
            out.print(", ".join(f"{n} {k}" for k, n in counts.items()), highlight=False)
        out.print(f"plan, diff and results in {escape(str(folder))}", highlight=False)
    if done is None:
        raise typer.Exit(0)
    raise typer.Exit(3 if counts.get("unknown") else 1 if counts.get("rejected") else 0)


@journal_app.command("show")
def journal_show(
    key: Annotated[
        str | None, typer.Argument(help="One key: its entry and every attempt's history.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", help="queued, pending, posted, rejected, unknown, awaiting_approval."
        ),
    ] = None,
    system: Annotated[str | None, typer.Option("--system")] = None,
    output_format: FormatOpt = "text",
) -> None:
    """List journal entries (newest state of each key), or one KEY with its history."""
    from datetime import UTC, datetime

    from rich.table import Table

    check_format(output_format)

    from jobs import config
    from jobs.journal import Status, open_journal

    try:
        statuses = [Status(s) for s in status] if status else None
    except ValueError:
        raise typer.BadParameter(
            f"use {', '.join(s.value for s in Status)}", param_hint="--status"
        ) from None
    try:
        journal = open_journal(config.load(state.config).journal)
        entries = journal.entries(system, statuses=statuses, keys=[key] if key else None)
        history = journal.history(key, system) if key else []
    except OtcError as exc:
        fail(exc)
    if output_format == "json":
        emit_json(
            out,
            {
                "journal": journal.describe(),
                "entries": [_entry_dict(e) for e in entries],
                "history": [
                    {"system": sys_name, "kind": kind, **_entry_dict(a)}
                    for sys_name, kind, a in history
                ],
            },
        )
        return
    out.print(f"journal: {escape(journal.describe())}", soft_wrap=True)
    table = Table(title=f"{len(entries)} journal entries")
    for column in ("system", "kind", "key", "status", "erp_document", "held by", "message"):
        table.add_column(column, overflow="fold")
    for e in entries[:500]:
        table.add_row(
            *(escape(v) for v in (e.system, e.kind, e.key, e.status.value)),
            escape(e.erp_document or ""),
            escape(e.claimed_by or ""),
            escape(e.message or ""),
        )
    if len(entries) > 500:
        table.caption = f"first 500 of {len(entries)}; narrow with --status or --system"
    out.print(table)
    if key:
        if not entries:
            err.print(f"{escape(key)} is not in this journal")
            raise typer.Exit(1)
        attempts = Table(title=f"history of {escape(key)}")
        for column in ("at (UTC)", "kind", "outcome", "content", "erp_document", "message"):
            attempts.add_column(column, overflow="fold")
        for sys_name, kind, a in history:
            at = datetime.fromtimestamp(a.at_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
            attempts.add_row(
                at,
                escape(f"{sys_name} {kind}"),
                escape(a.outcome),
                escape(a.content_hash[:12]),
                escape(a.erp_document or ""),
                escape(a.message or ""),
            )
        out.print(attempts)


def _entry_dict(entry: Any) -> dict[str, Any]:
    """A journal entry for `--format json`: its public fields, enums as their values."""
    from dataclasses import asdict, is_dataclass

    data = asdict(entry) if is_dataclass(entry) and not isinstance(entry, type) else vars(entry)
    return {k: getattr(v, "value", v) for k, v in data.items() if not k.startswith("_")}


@journal_app.command("resolve")
def journal_resolve(system: SystemOpt) -> None:
    """Settle `pending` and `unknown` keys by looking them up in SYSTEM (once their grace
    period has passed: the call may still be running in the ERP), and ask the ERP about
    documents awaiting approval (approved: posted; rejected by the approver: rejected)."""
    from jobs import config
    from jobs.journal import Status, open_journal
    from jobs.kinds import SPECS
    from jobs.post import PostJob, PostOptions
    from jobs.systems import build_adapter

    try:
        settings = config.load(state.config)
        adapter = build_adapter(settings, system)
        journal = open_journal(settings.journal)
        options = PostOptions(
            lease_s=settings.journal.lease_s, grace_margin_s=settings.journal.grace_margin_s
        )
        settled: dict[str, str] = {}
        for kind, spec in SPECS.items():
            if callable(getattr(adapter, spec.method, None)):  # else it never posted any
                settled |= PostJob(adapter, journal, kind, options).settle()  # type: ignore[arg-type]
        left = journal.entries(system, statuses=[Status.PENDING, Status.UNKNOWN])
        waiting = journal.entries(system, statuses=[Status.AWAITING])
    except OtcError as exc:
        fail(exc)
    counts = {s: sum(1 for v in settled.values() if v == s) for s in set(settled.values())}
    out.print(
        f"settled {len(settled)}: {counts.get('posted', 0)} found posted, "
        f"{counts.get('queued', 0)} back in the queue, "
        f"{counts.get('rejected', 0)} rejected by an approver; {len(left)} still unsettled"
        + (" (within their grace period or held by a live runner: rerun later)" if left else "")
        + (f"; {len(waiting)} still awaiting approval in the ERP" if waiting else "")
    )
    raise typer.Exit(3 if left else 0)


@app.command()
def doctor(
    deep: Annotated[
        bool,
        typer.Option(
            "--deep",
            help="Go-live check: read the system's own settings the adapter relies on "
            "(read-only; every read is named). Needs --system.",
        ),
    ] = False,
    system: Annotated[
        str | None, typer.Option("--system", help="The \\[systems.NAME] to check deeply.")
    ] = None,
    output_format: FormatOpt = "text",
) -> None:
    """Check the config, credentials, each system's reachability, and versions."""
    check_format(output_format)
    if deep or system is not None:
        _doctor_deep(system, output_format)
        return
    import platform
    import time
    from importlib.metadata import PackageNotFoundError, version

    from rich.table import Table

    from jobs import config
    from jobs.journal import open_journal
    from jobs.systems import build_adapter

    table = Table(title="otc doctor")
    for column in ("check", "result"):
        table.add_column(column, overflow="fold")
    failed = False
    versions = []
    for package in ("otc-adapters", "polars", "pandera", "zeep", "oracledb", "pyrfcx"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    table.add_row("python", platform.python_version())
    table.add_row("packages", ", ".join(versions))
    try:
        settings = config.load(state.config)
    except OtcError as exc:
        fail(exc)
    table.add_row("config", str(settings.source))
    for name, section in settings.systems.items():
        missing = [r.env_var for r in section.secrets.values() if not r.is_set()]
        if missing:
            failed = True
            table.add_row(f"{name}: credentials", f"[red]missing: export {', '.join(missing)}[/]")
            continue
        started = time.perf_counter()
        try:
            answer = build_adapter(settings, name).ping()
            table.add_row(
                f"{name}: reachable",
                f"[green]{answer}[/] ({(time.perf_counter() - started) * 1000:.0f} ms)",
            )
        except OtcError as exc:
            failed = True
            table.add_row(f"{name}: reachable", f"[red]{escape(str(exc))}[/]")
    try:
        open_journal(settings.journal).close()
        table.add_row("journal", f"[green]{settings.journal.backend} ok[/]")
    except Exception as exc:
        failed = True
        table.add_row("journal", f"[red]{escape(str(exc))}[/]")
    if output_format == "json":
        emit_json(out, {"ok": not failed, "checks": table_records(table)})
    else:
        out.print(table)
    raise typer.Exit(2 if failed else 0)


def _doctor_deep(system: str | None, output_format: str) -> None:
    """Render the adapter's findings; exit 2 when any says the adapter cannot run safely."""
    import json

    from rich.table import Table

    from adapters.doctor import DeepCheckable
    from adapters.errors import ConfigError
    from jobs import config
    from jobs.systems import build_adapter

    try:
        if system is None:
            raise ConfigError("--deep needs --system NAME: the go-live check reads one system")
        if output_format not in {"text", "json"}:
            raise ConfigError(f"--format {output_format!r}: use text or json")
        settings = config.load(state.config)
        adapter = build_adapter(settings, system)
        if not isinstance(adapter, DeepCheckable):
            raise ConfigError(f"system {system!r}: this adapter has no go-live check yet")
        findings = adapter.deep_check()
    except OtcError as exc:
        fail(exc)
    failed = any(f.verdict == "fail" for f in findings)
    if output_format == "json":
        print(json.dumps({"system": system, "findings": [f.as_dict() for f in findings]}))
        raise typer.Exit(2 if failed else 0)
    table = Table(title=f"otc doctor --deep --system {system}")
    for column in ("check", "found", "what the adapter does", "verdict", "reads"):
        table.add_column(column, overflow="fold")
    colour = {"ok": "green", "warn": "yellow", "fail": "red", "info": "blue"}
    for f in findings:
        table.add_row(
            escape(f.check),
            escape(f.found),
            escape(f.action),
            f"[{colour[f.verdict]}]{f.verdict}[/]",
            escape("; ".join(f.reads)),
        )
    out.print(table)
    raise typer.Exit(2 if failed else 0)


# ---------------------------------------------------------------- bank files (issue 9)
bank_app = typer.Typer(help="Bank statements and remittance advices in: BAI2, camt, MT940, CSV.")
app.add_typer(bank_app, name="bank")


@bank_app.command("parse")
def bank_parse(
    file: Annotated[Path, typer.Argument(help="BAI2, camt.052/053/054, MT940/MT942 or CSV.")],
    out_file: OutOpt,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="bai2, camt, mt940 or csv (default: detected); json = detected input, "
            "summary as JSON.",
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of BAI2/MT940/CSV files.")
    ] = "utf-8",
    currency: Annotated[
        str, typer.Option("--currency", help="BAI2 currency when the file names none.")
    ] = "USD",
    output_format: Annotated[
        str, typer.Option("--output-format", help="text, or json for scripts.")
    ] = "text",
) -> None:
    """Read a bank file into a canonical BankTransactions file; list every problem if it is bad."""
    from adapters.errors import ContractError
    from contracts.io import write_frame
    from jobs.bank import parse
    from jobs.contracts_check import violation_dicts, violations_table

    if fmt == "json":  # `--format json` as on every other command: the input is detected
        fmt, output_format = None, "json"
    check_format(output_format)
    try:
        parsed = parse(file, fmt=fmt, encoding=encoding, bai2_currency=currency.upper())
        write_frame(parsed.frame, out_file, "bank_transactions")
    except ContractError as exc:
        if output_format == "json":
            emit_json(
                out,
                {"file": str(file), "valid": False, "violations": violation_dicts(exc.violations)},
            )
        else:
            out.print(violations_table(exc.violations))
        raise typer.Exit(exc.exit_code) from None
    except OtcError as exc:
        fail(exc)
    for warning in parsed.warnings:
        err.print("[yellow]warning:[/]", escape(warning), soft_wrap=True)
    if output_format == "json":
        emit_json(
            out,
            {
                "file": str(file),
                "valid": True,
                "format": parsed.format,
                "transactions": parsed.frame.height,
                "out": str(out_file),
                "warnings": list(parsed.warnings),
            },
        )
        return
    out.print(
        f"[green]{parsed.frame.height}[/] transactions from {escape(parsed.format)} "
        f"{escape(str(file))} written to {escape(str(out_file))}"
    )


# ---------------------------------------------------------------- analytics (issue 9, item 3)
OpenItemsOpt = Annotated[
    Path, typer.Option("--open-items", help="OpenItems file: .csv, .parquet or .jsonl.")
]


@app.command("aging")
def aging_command(
    open_items: OpenItemsOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the tables, chart, HTML.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Age at this date (YYYY-MM-DD; default today); items posted later are left out.",
        ),
    ] = None,
    buckets: Annotated[
        str, typer.Option("--buckets", help="Days-past-due bounds, the first 0 (= current).")
    ] = "0,30,60,90,120",
    customers: Annotated[
        Path | None, typer.Option("--customers", help="Customers file, for names.")
    ] = None,
    deduction_reference: Annotated[
        str | None,
        typer.Option(
            "--deduction-reference",
            help="Also count debit items whose reference matches this regex as deductions.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Top customers per currency in HTML.")] = 10,
) -> None:
    """Aging per company / customer / currency: aging.parquet, .csv, _summary.csv, .png, .html."""
    from datetime import date

    from jobs.analytics.aging import Buckets, DeductionRule
    from jobs.analytics.report import AgingOptions, print_summary, run_aging

    try:
        key_date = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None
    if top < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--top")
    try:
        options = AgingOptions(
            as_of=key_date,
            buckets=Buckets.parse(buckets),
            deductions=DeductionRule(reference=deduction_reference),
            top=top,
        )
        report = run_aging(open_items, out_dir, options, customers)
    except OtcError as exc:
        fail(exc)
    for warning in report.warnings:  # items posted after --as-of: not open at that date
        err.print("[yellow]warning:[/]", escape(warning), soft_wrap=True)
    print_summary(out, report)


@app.command("credit-balances")
def credit_balances_command(
    open_items: OpenItemsOpt,
    out_file: OutOpt,
    min_amount: Annotated[
        str, typer.Option("--min-amount", help="Only credits of at least this amount.")
    ] = "0",
    as_refunds: Annotated[
        Path | None,
        typer.Option(
            "--as-refunds",
            help="Also write the candidates as a Refunds file to approve: fill in "
            "payment_method and approval_reference, then `otc refunds post`.",
        ),
    ] = None,
) -> None:
    """Customers whose open items net to a credit (refund candidates), with the credit items."""
    from rich.table import Table

    from contracts.io import money_text, read_frame, write_frame
    from contracts.money import MoneyError, parse_amount
    from jobs.analytics.credit_balances import credit_balances, customers_of

    try:
        minimum = parse_amount(min_amount)
    except MoneyError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min-amount") from None
    try:
        found = credit_balances(read_frame(open_items, "open_items"), minimum)
        write_frame(found, out_file)
        if as_refunds is not None:
            from datetime import date

            from jobs.refund_template import as_refunds as refunds_of

            write_frame(refunds_of(found, date.today()), as_refunds)
    except OtcError as exc:
        fail(exc)
    who = customers_of(found)
    table = Table(title=f"{who.height} refund candidates ({found.height} credit items)")
    for column in ("company", "customer", "currency", "refund", "credit items"):
        table.add_column(
            column, justify="right" if column in {"refund", "credit items"} else "left"
        )
    shown = who.select(
        "company", "customer_id", "currency", money_text("refund_amount"), "credit_items"
    )
    for row in shown.head(100).iter_rows():
        table.add_row(*(escape(str(v)) for v in row))
    out.print(table)
    out.print(f"written to {escape(str(out_file))}", highlight=False)
    if as_refunds is not None:
        out.print(
            f"refunds to approve written to {escape(str(as_refunds))}: fill in payment_method "
            "and approval_reference, then `otc refunds post`",
            highlight=False,
        )


@app.command("reconcile")
def reconcile_command(
    left: Annotated[Path, typer.Option("--left", help="OpenItems extract (e.g. SAP).")],
    right: Annotated[Path, typer.Option("--right", help="OpenItems extract (e.g. Oracle).")],
    out_file: OutOpt,
    by: Annotated[
        str, typer.Option("--by", help="customer (balances) or document (item by item).")
    ] = "customer",
    output_format: FormatOpt = "text",
) -> None:
    """Compare two OpenItems extracts by customer and currency; exit 0 agree, 1 differ."""
    from rich.table import Table

    check_format(output_format)

    from contracts.io import money_text, read_frame, write_frame
    from jobs.analytics.reconcile import keys_for, reconcile

    try:
        keys_for(by)
    except OtcError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from None
    try:
        result = reconcile(read_frame(left, "open_items"), read_frame(right, "open_items"), by)
        write_frame(result.differences, out_file)
    except OtcError as exc:
        fail(exc)
    table = Table(title=f"{escape(left.name)} vs {escape(right.name)}, per currency")
    for column in ("currency", "left", "right", "difference"):
        table.add_column(column, justify="left" if column == "currency" else "right")
    totals = result.per_currency.select(
        "currency", money_text("left_total"), money_text("right_total"), money_text("difference")
    )
    for row in totals.iter_rows():
        table.add_row(*(escape(str(v)) for v in row))
    if output_format == "json":
        emit_json(
            out,
            {
                "by": by,
                "agree": result.agree,
                "per_currency": table_records(table),
                "counts": result.counts(),
                "out": str(out_file),
            },
        )
        raise typer.Exit(0 if result.agree else 1)
    out.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in result.counts().items())
    verdict = "[green]agree[/]" if result.agree else f"[red]differ[/]: {counts}"
    out.print(f"by {by}: {verdict}; differences written to {escape(str(out_file))}")
    raise typer.Exit(0 if result.agree else 1)


# ---------------------------------------------------------------- cash matching (issue 9)
@cash_app.command("match")
def cash_match(
    bank: Annotated[Path, typer.Option("--bank", help="A bank file or a BankTransactions file.")],
    open_items: Annotated[Path, typer.Option("--open-items", help="An OpenItems file.")],
    out_file: OutOpt,
    customers: Annotated[
        Path | None, typer.Option("--customers", help="A Customers file (IBAN, names).")
    ] = None,
    exceptions: Annotated[
        Path | None,
        typer.Option("--exceptions", help="Exceptions file (default: <out stem>.exceptions.csv)."),
    ] = None,
    output_format: FormatOpt = "text",
) -> None:
    """Match bank lines to open items: write CashApplications and the exceptions to work."""
    from rich.table import Table

    from jobs.contracts_check import violation_dicts

    check_format(output_format)

    from adapters.errors import ContractError
    from contracts.io import FORMATS, read_frame, write_frame
    from jobs.bank import parse_file
    from jobs.contracts_check import violations_table
    from jobs.matching import load_config, match

    try:
        config = load_config(state.config)
        suffix = bank.suffix.lower()
        if suffix not in FORMATS:  # a bank file: BAI2, camt, MT940
            lines = parse_file(bank)
        elif suffix != ".csv":  # Parquet / JSON Lines: already canonical
            lines = read_frame(bank, "bank_transactions")
        else:  # a canonical CSV, else a remittance-advice CSV
            try:
                lines = read_frame(bank, "bank_transactions")
            except ContractError:
                lines = parse_file(bank)
        items = read_frame(open_items, "open_items")
        people = read_frame(customers, "customers") if customers else None
        result = match(lines, items, people, config)
        write_frame(result.applications, out_file, "cash_applications")
        target = exceptions or out_file.with_name(f"{out_file.stem}.exceptions.csv")
        write_frame(result.exceptions, target)
    except ContractError as exc:
        if output_format == "json":
            emit_json(out, {"valid": False, "violations": violation_dicts(exc.violations)})
        else:
            out.print(violations_table(exc.violations))
        raise typer.Exit(1) from None
    except OtcError as exc:
        fail(exc)
    if output_format == "json":
        emit_json(
            out,
            {
                "bank_lines": lines.height,
                "outcomes": result.summary(),
                "applications": str(out_file),
                "exceptions": str(target),
            },
        )
        return
    table = Table(title=f"{lines.height} bank lines matched")
    table.add_column("outcome")
    table.add_column("lines", justify="right")
    for outcome, count in result.summary().items():
        table.add_row(escape(outcome), str(count))
    out.print(table)
    out.print(f"applications: {escape(str(out_file))}, exceptions: {escape(str(target))}")


def _mount_mock_erp() -> None:
    try:
        from mock_erp.cli import app as mock_app
    except ImportError:  # pragma: no cover - the mock ships with the package
        return
    app.add_typer(
        mock_app, name="mock-erp", help="Run the mock ERP server (SAP and Oracle EBS personas)."
    )


_mount_mock_erp()


def main() -> None:
    """`otc`: a bug still ends in one line a user can act on; OTC_TRACEBACK=1 shows it all.

    Every expected failure is an `OtcError` with its own exit code; this net is for the
    unexpected, so a CI log shows what to report instead of forty lines of stack.
    """
    import os

    try:
        app()
    except Exception as exc:
        if os.environ.get("OTC_TRACEBACK"):
            raise
        err.print(
            f"[red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}; "
            "this is a bug in otc: rerun with OTC_TRACEBACK=1 and report the output",
            soft_wrap=True,
        )
        raise SystemExit(1) from None
