"""Run reports: `runs/<timestamp>-<command>/` with the results, the rejects and a summary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contracts.io import write_frame
from jobs.post import Report

STATUS_STYLE = {
    "posted": "green",
    "pending_approval": "magenta",  # in the ERP, waiting for an approver (EBS adjustment W)
    "duplicate": "cyan",
    "rejected": "red",
    "unknown": "yellow",
}


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


def summary_text(report: Report, command: str) -> str:
    counts = report.counts()
    dry = " (dry run)" if report.dry_run else ""
    lines = [
        f"otc {command}: {report.source} -> {report.system}{dry}",
        "  "
        + ", ".join(
            f"{counts.get(s, 0)} {s}"
            for s in STATUS_STYLE
            if counts.get(s) or s != "pending_approval"
        ),
    ]
    if report.preflight:
        lines.append(f"  pre-flight found {len(report.preflight)} problem(s):")
        lines += [f"    {p.key}: {p.message}" for p in report.preflight]
    if counts.get("unknown"):
        lines.append(f"  outcomes unknown: run `otc journal resolve --system {report.system}`")
    lines.append(f"  exit code {report.exit_code}")
    return "\n".join(lines) + "\n"


def print_report(
    console: Console, report: Report, folder: Path | None = None, limit: int = 50
) -> None:
    counts = report.counts()
    table = Table(
        title=f"{report.kind} -> {report.system}" + (" (dry run)" if report.dry_run else "")
    )
    for column in ("key", "status", "erp_document", "message"):
        table.add_column(column, overflow="fold")
    for row in report.results.head(limit).iter_rows(named=True):
        style = STATUS_STYLE.get(row["status"], "")
        table.add_row(  # keys and ERP messages are data: `[systems.sap]` is not markup
            escape(row["key"]),
            f"[{style}]{row['status']}[/]",
            escape(row["erp_document"] or ""),
            escape(row["message"] or ""),
        )
    if report.results.height > limit:
        table.caption = f"first {limit} of {report.results.height}; all in the run folder"
    console.print(table)
    console.print(
        ", ".join(
            f"[{style}]{counts.get(s, 0)} {s}[/]"
            for s, style in STATUS_STYLE.items()
            if counts.get(s) or s != "pending_approval"
        )
        + (f"; report in {folder}" if folder else "")
    )
