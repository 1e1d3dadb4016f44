"""Posting jobs against the mock ERP: exactly once through faults, bad input refused whole,
pre-flight, workers, dry runs; through the job API and through the `otc` CLI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner

from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from adapters.sap.settings import SapSettings
from contracts.io import read_frame, write_frame
from jobs.cli import app
from jobs.full_payments import paid_in_full
from jobs.journal import SqliteJournal, Status
from jobs.post import PostJob, PostOptions
from tests.e2e.conftest import sap_section, table

TODAY = date.today()
BLOCKED = {"1003", "1004"}


@pytest.fixture
def sap(erp: Any, admin: httpx.Client, tmp_path: Path) -> Iterator[SapAdapter]:
    section = sap_section(erp, "soap", wsdl_cache=str(tmp_path / "wsdl"))
    adapter = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
    yield adapter
    adapter.close()


def invoices(sap: SapAdapter, company: str, n: int) -> list[dict[str, Any]]:
    items = pl.concat(list(sap.pull_open_items([company])))
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(BLOCKED))
    )
    return pool.sort("customer_id", "document_id").head(n).rows(named=True)


def cash_file(path: Path, items: list[dict[str, Any]], prefix: str = "PAY") -> Path:
    keys = [f"{prefix}-{i:03d}" for i in range(len(items))]
    return write_frame(paid_in_full(items, keys, TODAY), path, "cash_applications")


def documents(admin: httpx.Client, company: str, key: str) -> int:
    return len(table(admin, "BKPF", BUKRS=company, XBLNR=xblnr_for(key)))


def no_sleep(_: float) -> None:
    return None


def test_drop_after_commit_then_rerun_posts_exactly_once(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    path = cash_file(tmp_path / "cash.csv", invoices(sap, "1000", 3))
    journal = SqliteJournal(tmp_path / "journal.db")
    # the 4th wrapper call is the 2nd payment's posting (each payment: test run, then post)
    admin.post(
        "/_mock/faults",
        json={
            "persona": "sap",
            "operation": "Z_OTC_AR_CLEAR",
            "kind": "drop_after_commit",
            "nth": 4,
        },
    )
    first = PostJob(sap, journal, "cash_application", PostOptions(sleep=no_sleep)).run(path)
    assert first.counts() == {"posted": 2, "unknown": 1} and first.exit_code == 3
    assert [e.key for e in journal.entries(statuses=[Status.UNKNOWN])] == ["PAY-001"]
    # at once: the lost call may still be running in the ERP, so it stays unknown, unsent
    soon = PostJob(sap, journal, "cash_application", PostOptions(sleep=no_sleep)).run(path)
    assert soon.counts() == {"duplicate": 2, "unknown": 1} and soon.exit_code == 3
    assert "grace period" in soon.results.filter(pl.col("key") == "PAY-001")["message"][0]
    # once the grace period has passed it is looked up (found) instead of posted again
    again = PostJob(sap, journal, "cash_application", PostOptions(sleep=no_sleep, grace_s=0)).run(
        path
    )
    assert again.counts() == {"duplicate": 3} and again.exit_code == 0
    for key in ("PAY-000", "PAY-001", "PAY-002"):
        assert documents(admin, "1000", key) == 1


def test_pending_left_by_a_crash_is_settled_not_reposted(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, "1000", 2)
    path = cash_file(tmp_path / "cash.csv", items)
    journal = SqliteJournal(tmp_path / "journal.db")
    # a crashed runner: key 0 was sent and committed, key 1 was marked pending but never sent
    job = PostJob(sap, journal, "cash_application")
    units = job.units(read_frame(path, "cash_applications"))
    from jobs.post import content_hash

    journal.register(
        "sap", "cash_application", {k: content_hash(g) for k, g in units.items()}, "crashed"
    )
    journal.claim("sap", "cash_application", "dead", statuses=[Status.QUEUED], lease_s=1)
    journal.mark("sap", "cash_application", "PAY-000", Status.PENDING, runner="dead")
    journal.mark("sap", "cash_application", "PAY-001", Status.PENDING, runner="dead")
    assert sap.post_payment(units["PAY-000"])["status"] == "posted"  # what the dead runner did
    time.sleep(1.1)  # its lease runs out
    # the grace period (timeout + margin) after the send has passed: settle, then post
    report = PostJob(sap, journal, "cash_application", PostOptions(sleep=no_sleep, grace_s=0)).run(
        path
    )
    assert dict(zip(report.results["key"], report.results["status"], strict=True)) == {
        "PAY-000": "duplicate",
        "PAY-001": "posted",
    }
    assert documents(admin, "1000", "PAY-000") == 1 and documents(admin, "1000", "PAY-001") == 1


def test_key_reused_with_other_content_is_refused(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, "1000", 2)
    journal = SqliteJournal(tmp_path / "journal.db")
    PostJob(sap, journal, "cash_application").run(cash_file(tmp_path / "a.csv", items[:1]))
    changed = cash_file(tmp_path / "b.csv", items[1:2])  # same key PAY-000, other invoice
    from jobs.journal import KeyReused

    with pytest.raises(KeyReused, match="PAY-000"):
        PostJob(sap, journal, "cash_application").run(changed)
    assert documents(admin, "1000", "PAY-000") == 1


def test_preflight_failure_posts_nothing_unless_post_valid(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, "1000", 2)
    items[1] = {**items[1], "amount": items[1]["amount"] + Decimal("1000.00")}  # more than is open
    path = cash_file(tmp_path / "cash.csv", items)
    journal = SqliteJournal(tmp_path / "journal.db")
    report = PostJob(sap, journal, "cash_application").run(path)
    assert report.exit_code == 1 and [p.key for p in report.preflight] == ["PAY-001"]
    assert "less than the" in report.preflight[0].message
    assert documents(admin, "1000", "PAY-000") == 0
    report = PostJob(sap, journal, "cash_application", PostOptions(post_valid=True)).run(path)
    assert dict(zip(report.results["key"], report.results["status"], strict=True)) == {
        "PAY-000": "posted",
        "PAY-001": "rejected",
    }
    assert documents(admin, "1000", "PAY-000") == 1 and documents(admin, "1000", "PAY-001") == 0


class RacedAdapter:
    """An adapter whose first pre-flight read lets another runner post the whole file first:
    the interleaving of two runners started together, made deterministic."""

    def __init__(self, inner: SapAdapter, meanwhile: Any) -> None:
        self.inner, self.meanwhile = inner, meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _first(self) -> None:
        if self.meanwhile is not None:
            run, self.meanwhile = self.meanwhile, None
            run()

    def pull_customers(self, *args: Any, **kwargs: Any) -> Any:
        self._first()
        return self.inner.pull_customers(*args, **kwargs)

    def pull_open_items(self, *args: Any, **kwargs: Any) -> Any:
        self._first()
        return self.inner.pull_open_items(*args, **kwargs)


def test_keys_another_runner_posts_during_preflight_are_duplicates_not_rejections(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    path = cash_file(tmp_path / "cash.csv", invoices(sap, "1000", 3), prefix="RACE")
    db = tmp_path / "journal.db"
    other = PostJob(sap, SqliteJournal(db), "cash_application")
    other.runner = "other-host:4242:ns:a1b2c3d4"  # a runner on another machine
    reports: list[Any] = []
    raced = RacedAdapter(sap, lambda: reports.append(other.run(path)))
    report = PostJob(raced, SqliteJournal(db), "cash_application").run(path)  # type: ignore[arg-type]
    assert reports[0].counts() == {"posted": 3}
    assert report.preflight == [] and report.counts() == {"duplicate": 3}, report.results
    assert report.exit_code == 0
    assert all(documents(admin, "1000", f"RACE-{i:03d}") == 1 for i in range(3))
    assert {e.status for e in SqliteJournal(db).entries()} == {Status.POSTED}


def test_workers_post_in_parallel_once_each(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, "2000", 8)
    path = cash_file(tmp_path / "cash.csv", items)
    admin.post(
        "/_mock/faults",
        json={"persona": "sap", "operation": "Z_OTC_AR_CLEAR", "kind": "unavailable", "rate": 0.2},
    )
    report = PostJob(
        sap,
        SqliteJournal(tmp_path / "j.db"),
        "cash_application",
        PostOptions(workers=4, attempts=10, sleep=no_sleep),
    ).run(path)
    assert report.counts() == {"posted": 8}
    assert all(documents(admin, "2000", f"PAY-{i:03d}") == 1 for i in range(8))


def test_dry_run_posts_nothing(sap: SapAdapter, admin: httpx.Client, tmp_path: Path) -> None:
    path = cash_file(tmp_path / "cash.csv", invoices(sap, "1000", 2))
    journal = SqliteJournal(tmp_path / "journal.db")
    report = PostJob(sap, journal, "cash_application", PostOptions(dry_run=True)).run(path)
    assert report.counts() == {"checked": 2} and set(report.results["erp_document"]) == {"DRY-RUN"}
    assert documents(admin, "1000", "PAY-000") == 0 and journal.entries() == []


# ------------------------------------------------------------------ the CLI, bad input


@pytest.fixture
def cli_config(
    erp: Any, admin: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    config = tmp_path / "otc.toml"
    config.write_text(
        f'[systems.sap]\nadapter = "sap"\ntransport = "soap"\nurl = "{erp.url}"\nclient = "100"\n'
        f'user = "otc"\npassword_env = "OTC_MOCK_PASSWORD"\ncompanies = ["1000", "2000", "3000", "4000"]\n'
        f'wsdl_cache = "{tmp_path / "wsdl"}"\n\n[journal]\npath = "{tmp_path / "journal.db"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OTC_MOCK_PASSWORD", "otc-mock")
    monkeypatch.chdir(tmp_path)
    return config


def run_cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--config", str(config), "--log-format", "json", *args])


def test_cli_posts_and_reruns(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    path = cash_file(tmp_path / "cash.csv", invoices(sap, "1000", 2))
    first = run_cli(cli_config, "cash", "post", str(path), "--system", "sap", "--workers", "2")
    assert first.exit_code == 0, first.output
    second = run_cli(cli_config, "cash", "post", str(path), "--system", "sap")
    assert second.exit_code == 0 and "2 duplicate" in second.output
    runs = sorted((tmp_path / "runs").iterdir())
    assert (
        len(runs) == 2
        and (runs[0] / "results.parquet").is_file()
        and (runs[0] / "summary.txt").is_file()
    )
    assert read_frame(runs[1] / "results.csv", "posting_results")["status"].to_list() == [
        "duplicate",
        "duplicate",
    ]
    shown = run_cli(cli_config, "journal", "show", "--status", "posted")
    assert shown.exit_code == 0 and "PAY-001" in shown.output


BAD_INPUTS = {
    "missing column": (
        lambda t: t.replace(",reason_code", ",reason").split("\n"),
        "column",
        "reason_code",
    ),
    "float-looking amount": (lambda t: t, "1.5e3", "applied_amount"),
    "over-precise amount": (lambda t: t, "0.001", "applied_amount"),
    "unknown currency": (lambda t: t, "EURO", "currency"),
    "unknown customer": (lambda t: t, "C-DOES-NOT-EXIST", "customer"),
    "duplicate key, other content": (lambda t: t, "PAY-000", "application_id"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_cli_refuses_bad_input_and_posts_nothing(
    case: str, cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, "1000", 2)
    good = cash_file(tmp_path / "good.csv", items).read_text(encoding="utf-8").splitlines()
    header, rows = good[0], good[1:]
    cells = rows[1].split(",")
    columns = header.split(",")
    if case == "missing column":
        header = header.replace("reason_code", "reason")
    elif case == "float-looking amount":
        cells[columns.index("applied_amount")] = "1.5e3"
    elif case == "over-precise amount":
        cells[columns.index("applied_amount")] = cells[columns.index("applied_amount")] + "1"
    elif case == "unknown currency":
        cells[columns.index("currency")] = "EURO"
    elif case == "unknown customer":
        cells[columns.index("customer_id")] = "C-DOES-NOT-EXIST"
    elif case == "duplicate key, other content":
        cells[columns.index("application_id")] = "PAY-000"  # the key of row 2, another invoice
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, rows[0], ",".join(cells)]) + "\n", encoding="utf-8")
    result = run_cli(cli_config, "cash", "post", str(bad), "--system", "sap")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    if case == "missing column":
        assert "bad.csv" in text and "reason_code" in text and "missing" in text
    elif case == "unknown customer":
        (run,) = (tmp_path / "runs").iterdir()
        rejects = read_frame(run / "rejects.csv", "posting_results")
        message = rejects.filter(pl.col("key") == "PAY-001")["message"][0]
        assert "customer C-DOES-NOT-EXIST does not exist in company 1000" in message
    else:
        assert "bad.csv:3 column" in text and BAD_INPUTS[case][2] in text
    assert documents(admin, "1000", "PAY-000") == 0 and documents(admin, "1000", "PAY-001") == 0


@pytest.mark.parametrize(
    "content", [b"", b"application_id,company\n", "application_id\nPAY-\u00e9\n".encode("latin-1")]
)
def test_cli_refuses_empty_and_badly_encoded_files(
    content: bytes, cli_config: Path, admin: httpx.Client, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    result = run_cli(cli_config, "cash", "post", str(bad), "--system", "sap")
    assert result.exit_code == 1, result.output
    assert "bad.csv" in " ".join(result.output.split())
