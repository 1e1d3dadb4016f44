"""The CLI as a new user meets it, against the mock ERP through the real transports: a
hand-written cash file with only the required columns posts (SAP over SOAP, Oracle over
ORDS), problems come first, a wrong key gets a "did you mean", output in a pipe never
wraps, and every summary is also JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner

from contracts.io import read_frame
from contracts.money import quantize
from jobs import cli
from jobs.cli import app
from mock_erp.cli import config_toml

REQUIRED = (
    "application_id,company,customer_id,payment_date,currency,payment_amount,"
    "document_id,fiscal_year,line,applied_amount"
)
BLOCKED = {"1003", "1004"}  # customers the mock seeds with a posting block (SAP)
LONG = "HAND-WRITTEN-PAYMENT-KEY-LONGER-THAN-FORTY-COLUMNS"


@pytest.fixture
def config(erp: Any, admin: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    host, port = erp.url.removeprefix("http://").rsplit(":", 1)
    path = tmp_path / "otc.toml"
    path.write_text(
        config_toml(host, int(port), "otc") + f'\n[journal]\npath = "{tmp_path / "journal.db"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OTC_MOCK_PASSWORD", "otc-mock")
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def narrow() -> Iterator[None]:
    saved = cli.out.width
    cli.out.width = 40
    yield
    cli.out.width = saved


def otc(config: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--config", str(config), "--log-format", "json"])


def open_invoices(config: Path, system: str, n: int) -> list[dict[str, Any]]:
    out = config.parent / f"{system}-items.parquet"
    done = otc(config, "open-items", "pull", "--system", system, "--out", str(out))
    assert done.exit_code == 0, done.output
    items = read_frame(out, "open_items").filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & (pl.col("disputed_amount") == 0)
        & ~pl.col("customer_id").is_in(list(BLOCKED))
    )
    return items.sort("customer_id", "document_id").head(n).rows(named=True)


def hand_written(path: Path, items: list[dict[str, Any]], keys: list[str], sep: str = ",") -> Path:
    """Only the documented required columns, typed as a person would."""
    lines = [REQUIRED.replace(",", sep)]
    for key, it in zip(keys, items, strict=True):
        amount = str(quantize(Decimal(it["amount"]), it["currency"]))
        if sep == ";":
            amount = amount.replace(".", ",")
        cells = [key, it["company"], it["customer_id"], date.today().isoformat(), it["currency"],
                 amount, it["document_id"], str(it["fiscal_year"]), str(it["line"]), amount]  # fmt: skip
        lines.append(sep.join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("system", ["sap", "oracle"])
def test_hand_written_cash_file_with_required_columns_only_posts(config: Path, system: str) -> None:
    items = open_invoices(config, system, 2)
    path = hand_written(config.parent / "cash.csv", items, [f"HW-{system}-1", f"HW-{system}-2"])
    first = otc(config, "cash", "post", str(path), "--system", system)
    assert first.exit_code == 0, first.output
    assert "2 posted" in first.stdout
    again = otc(config, "cash", "post", str(path), "--system", system, "--format", "json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["counts"] == {"duplicate": 2} and summary["exit_code"] == 0


def test_semicolon_and_decimal_comma_post_with_the_options(config: Path) -> None:
    items = open_invoices(config, "sap", 1)
    path = hand_written(config.parent / "cash.csv", items, ["HW-DE-1"], sep=";")
    refused = otc(config, "cash", "post", str(path), "--system", "sap")
    assert refused.exit_code == 1 and "--delimiter ';'" in refused.output
    done = otc(
        config, "cash", "post", str(path), "--system", "sap", "--delimiter", ";", "--decimal-comma"
    )
    assert done.exit_code == 0 and "1 posted" in done.stdout, done.output


def test_dry_run_says_checked_not_posted(config: Path) -> None:
    items = open_invoices(config, "sap", 2)
    path = hand_written(config.parent / "cash.csv", items, ["DRY-1", "DRY-2"])
    done = otc(
        config, "cash", "post", str(path), "--system", "sap", "--dry-run", "--format", "json"
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["counts"] == {"checked": 2} and summary["dry_run"]
    assert {r["status"] for r in summary["results"]} == {"checked"}
    real = otc(config, "cash", "post", str(path), "--system", "sap")
    assert real.exit_code == 0 and "2 posted" in real.stdout  # the dry run kept nothing


def test_problems_first_then_the_rows_they_held_back(config: Path, narrow: None) -> None:
    items = open_invoices(config, "sap", 4)
    keys = [f"{LONG}-{i}" for i in range(4)]
    path = hand_written(config.parent / "cash.csv", items, keys)
    lines = path.read_text(encoding="utf-8").splitlines()
    wrong_year = items[2]["fiscal_year"] - 1
    lines[3] = lines[3].replace(f",{items[2]['fiscal_year']},", f",{wrong_year},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = otc(config, "cash", "post", str(path), "--system", "sap")
    assert done.exit_code == 1
    out = done.stdout.splitlines()
    problem = next(i for i, line in enumerate(out) if line.startswith(keys[2]))
    held = next(i for i, line in enumerate(out) if "not posted" in line and keys[0] in line)
    assert problem < held  # the cause before its consequences
    item = items[2]
    hint = f"did you mean {item['document_id']}/{item['fiscal_year']}/{item['line']}?"
    assert hint in out[problem]
    assert any("1 failed pre-flight" in line and "--post-valid" in line for line in out)
    for key in (keys[0], keys[1], keys[3]):  # 40 columns, and every key on one line
        assert any(key in line for line in out), key
    summary = json.loads(otc(config, "cash", "post", str(path), "--system", "sap",
                             "--format", "json").stdout)  # fmt: skip
    assert [p["key"] for p in summary["preflight_failed"]] == [keys[2]]
    assert sorted(summary["held_back"]) == [keys[0], keys[1], keys[3]]


def test_oracle_key_with_a_fiscal_year_is_pointed_at_fiscal_year_zero(config: Path) -> None:
    (item,) = open_invoices(config, "oracle", 1)
    assert item["fiscal_year"] == 0
    path = hand_written(config.parent / "cash.csv", [item], ["ORA-FY-1"])
    text = path.read_text(encoding="utf-8").replace(
        f",{item['document_id']},0,", f",{item['document_id']},2026,"
    )
    path.write_text(text, encoding="utf-8")
    done = otc(config, "cash", "post", str(path), "--system", "oracle")
    assert done.exit_code == 1
    assert f"did you mean {item['document_id']}/0/{item['line']}?" in done.stdout


def test_journal_show_and_doctor_in_a_pipe_and_as_json(config: Path, narrow: None) -> None:
    items = open_invoices(config, "sap", 1)
    path = hand_written(config.parent / "cash.csv", items, [f"{LONG}-J"])
    assert otc(config, "cash", "post", str(path), "--system", "sap").exit_code == 0
    shown = otc(config, "journal", "show")
    assert shown.exit_code == 0
    assert any(f"{LONG}-J" in line and "posted" in line for line in shown.stdout.splitlines())
    as_json = json.loads(otc(config, "journal", "show", "--format", "json").stdout)
    (entry,) = as_json["entries"]
    assert entry["key"] == f"{LONG}-J" and entry["status"] == "posted"
    doctor = otc(config, "doctor", "--format", "json")
    assert doctor.exit_code == 0, doctor.output
    checks = {c["check"]: c["result"] for c in json.loads(doctor.stdout)["checks"]}
    assert "sap: reachable" in checks and "oracle: reachable" in checks


def test_customers_sync_writes_a_run_folder_and_says_created(config: Path) -> None:
    dry = otc(config, "customers", "sync", "--from", "sap", "--to", "oracle", "--dry-run",
              "--limit", "5")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert "rows left out (--limit); the full plan is in" in dry.stdout
    (folder,) = (config.parent / "runs").iterdir()
    plan = pl.read_csv(folder / "plan.csv")
    assert plan.height > 5 and "create" in set(plan["action"])
    assert (folder / "diff.csv").is_file() and not (folder / "results.csv").exists()
    again = json.loads(
        otc(
            config,
            "customers",
            "sync",
            "--from",
            "sap",
            "--to",
            "oracle",
            "--dry-run",
            "--format",
            "json",
        ).stdout
    )
    assert again["counts"]["ambiguous"] == len(plan.filter(pl.col("action") == "ambiguous"))
    applied = otc(config, "customers", "sync", "--from", "sap", "--to", "oracle")
    assert applied.exit_code == 0, applied.output
    assert "created" in applied.stdout and "posted" not in applied.stdout
    last = sorted((config.parent / "runs").iterdir())[-1]
    outcomes = set(pl.read_csv(last / "results.csv")["outcome"])
    assert outcomes <= {"created", "updated"} and "created" in outcomes
