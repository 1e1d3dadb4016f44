"""Run reports: `runs/<timestamp>-<command>/` with the results, the rejects and a summary.

Problems first: the rows that failed pre-flight, with their reasons, come before the rows
held back because of them ("not posted: another item failed"), each group with its count,
so in a 200-row file the 9 real problems are the first 9 lines, not lost among 191 echoes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contracts.io import write_frame
from jobs.post import Report

STATUSES = ("posted", "pending_approval", "checked", "duplicate", "rejected", "unknown")
STATUS_STYLE = {
    "posted": "green",
    "pending_approval": "magenta",  # in the ERP, waiting for an approver (EBS adjustment W)
    "checked": "green",
    "duplicate": "cyan",
    "rejected": "red",
    "unknown": "yellow",
}
#: The message of a row held back because another row failed pre-flight (jobs/post.py).
HELD_BACK = "not posted: another item of this file failed pre-flight"


def write_run(report: Report, command: str, base: Path | str = "runs") -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(base) / f"{stamp}-{command}"
    folder.mkdir(parents=True, exist_ok=True)
    write_frame(report.results, folder / "results.parquet", "posting_results")
    write_frame(report.results, folder / "results.csv", "posting_results")
    rejects = report.results.filter(pl.col("status").is_in(["rejected", "unknown"]))
    write_frame(rejects, folder / "rejects.csv", "posting_results")
    (folder / "summary.txt").write_text(summary_text(report, command), encoding="utf-8")
    return folder


def held_back(report: Report) -> pl.DataFrame:
    """Rows not posted only because another row failed pre-flight."""
    return report.results.filter(pl.col("message").str.starts_with(HELD_BACK).fill_null(False))


def _counts_line(report: Report) -> str:
    """Counts of every status that occurred; posted and rejected always, as before."""
    counts = report.counts()
    shown = [s for s in STATUSES if counts.get(s) or s in ("posted", "rejected")]
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in shown)


def advice(report: Report) -> list[str]:
    """What to do next, in the order a person would do it."""
    lines: list[str] = []
    held = held_back(report).height
    if report.preflight and held:
        lines.append(
            f"{held} valid row(s) were held back because {len(report.preflight)} failed "
            "pre-flight: fix those and rerun, or rerun with --post-valid to post the rest now"
        )
    if report.counts().get("unknown"):
        lines.append(f"outcomes unknown: run `otc journal resolve --system {report.system}`")
    return lines


def summary_text(report: Report, command: str) -> str:
    dry = " (dry run)" if report.dry_run else ""
    lines = [f"otc {command}: {report.source} -> {report.system}{dry}", "  " + _counts_line(report)]
    if report.preflight:
        lines.append(f"  {len(report.preflight)} row(s) failed pre-flight:")
        lines += [f"    {p.key}: {p.message}" for p in report.preflight]
    held = held_back(report)
    if held.height:
        lines.append(
            f"  {held.height} row(s) not posted because another item failed pre-flight: "
            + ", ".join(held["key"].to_list())
        )
    lines += [f"  {line}" for line in advice(report)]
    lines.append(f"  exit code {report.exit_code}")
    return "\n".join(lines) + "\n"


def summary_json(report: Report, command: str, folder: Path | None) -> dict[str, Any]:
    """The run summary for scripts: counts, the problems first, then every result."""
    results = report.results.with_columns(pl.col("posted_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return {
        "command": command,
        "source": report.source,
        "system": report.system,
        "kind": report.kind,
        "dry_run": report.dry_run,
        "counts": report.counts(),
        "preflight_failed": [{"key": p.key, "message": p.message} for p in report.preflight],
        "held_back": held_back(report)["key"].to_list(),
        "advice": advice(report),
        "results": results.to_dicts(),
        "run_folder": None if folder is None else str(folder),
        "exit_code": report.exit_code,
    }


def _results_table(title: str, rows: pl.DataFrame, limit: int) -> Table:
    table = Table(title=title)
    for column in ("key", "status", "erp_document", "message"):
        table.add_column(column, overflow="fold")
    for row in rows.head(limit).iter_rows(named=True):
        style = STATUS_STYLE.get(row["status"], "")
        table.add_row(  # keys and ERP messages are data: `[systems.sap]` is not markup
            escape(row["key"]),
            f"[{style}]{row['status']}[/]",
            escape(row["erp_document"] or ""),
            escape(row["message"] or ""),
        )
    if rows.height > limit:
        table.caption = f"first {limit} of {rows.height}; all in the run folder"
    return table


def print_report(
    console: Console, report: Report, folder: Path | None = None, limit: int = 50
) -> None:
    dry = " (dry run)" if report.dry_run else ""
    if report.preflight:
        problems = Table(
            title=f"{len(report.preflight)} row(s) failed pre-flight (nothing was sent for them)"
        )
        for column in ("key", "problem"):
            problems.add_column(column, overflow="fold")
        for p in report.preflight[:limit]:
            problems.add_row(escape(p.key), escape(p.message))
        if len(report.preflight) > limit:
            problems.caption = f"first {limit} of {len(report.preflight)}; all in the run folder"
        console.print(problems)
    held = held_back(report)
    failed = {p.key for p in report.preflight}
    rest = report.results.filter(
        ~pl.col("key").is_in(list(failed)) & ~pl.col("key").is_in(held["key"].to_list())
    )
    if held.height:
        console.print(
            f"[red]{held.height} row(s) not posted[/] because another item failed pre-flight"
            + (f": {escape(', '.join(held['key'].head(limit).to_list()))}" if held.height else "")
            + (" ..." if held.height > limit else ""),
            highlight=False,
        )
    if rest.height:
        console.print(_results_table(f"{report.kind} -> {report.system}{dry}", rest, limit))
    for line in advice(report):
        console.print(f"[yellow]next:[/] {escape(line)}", highlight=False)
    counts = report.counts()
    console.print(
        ", ".join(
            f"[{STATUS_STYLE[s]}]{counts.get(s, 0)} {s}[/]"
            for s in STATUSES
            if counts.get(s) or s in ("posted", "rejected")
        )
        + (f"; report in {escape(str(folder))}" if folder else ""),
        highlight=False,
    )
