"""Invoice references out of free text, and `otc bank parse` with its exit codes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from contracts.io import read_frame
from jobs.bank.refs import extract_invoice_refs, merge_refs
from jobs.cli import app

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("INV-000123 and INV-000124", ["INV-000123", "INV-000124"]),
        ("Payment INV000123", ["INV000123"]),
        ("Rechnung 4711", ["4711"]),
        ("RG.-Nr. 2024/17 vom 01.02.2024", ["2024/17"]),
        ("Rechnungsnr. 00017", ["00017"]),  # leading zeros kept as found
        ("FACTUUR 201403110, 201403113", ["201403110", "201403113"]),
        ("FACTUURNUMMER 987654321", ["987654321"]),
        ("Invoice no. 0042 and 0043", ["0042", "0043"]),
        ("facture n° 7781 ; FACT 7782", ["7781", "7782"]),
        ("NR 5566 / 5567", ["5566", "5567"]),
        ("inv 12 (too short)", []),
        ("BETREFT FACTUUR D.D. 20-05-2011", []),  # a date is not an invoice
        ("Miete November", []),
        ("Client Ref ID: 1111", []),  # no invoice keyword, no guess
        ("", []),
    ],
)
def test_extract_invoice_refs(text: str, refs: list[str]) -> None:
    assert extract_invoice_refs(text) == refs


def test_merge_refs_keeps_structured_first_and_drops_duplicates() -> None:
    assert merge_refs(["RF18 5390 0754 7034"], ["4711", "RF18 5390 0754 7034"]) == [
        "RF18 5390 0754 7034",
        "4711",
    ]
    assert merge_refs([], None) is None


def test_cli_bank_parse_writes_canonical_file(tmp_path: Path) -> None:
    out = tmp_path / "bank.csv"
    result = CliRunner().invoke(
        app, ["bank", "parse", str(REAL / "bank-mt940" / "jejik-knab.sta"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "3" in result.output and "MT940" in result.output
    frame = read_frame(out, "bank_transactions")
    assert frame["amount"].to_list() == [Decimal("500"), Decimal("7260"), Decimal("500")]
    assert frame["invoice_refs"].to_list()[1] == ["201403110", "201403113"]
    text = out.read_text(encoding="utf-8")
    assert ",7260.00,EUR,debit," in text and "201403110|201403113" in text


def test_cli_bank_parse_warns_on_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "bank",
            "parse",
            str(REAL / "bank-mt940" / "cmxl-mt940.sta"),
            "--out",
            str(tmp_path / "b.parquet"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "DEM" in result.output  # the skipped legacy-currency statement is said aloud
    assert pl.read_parquet(tmp_path / "b.parquet").height == 5


def test_cli_bank_parse_malformed_exit_1_with_table(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bai2"
    bad.write_text(
        "01,A,B,240101,0800,1,,,2/\n02,B,A,1,240101,,USD,/\n03,1,USD/\n16,195,12X,0,,,x\n"
    )
    result = CliRunner().invoke(app, ["bank", "parse", str(bad), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "16 amount" in result.output and "99" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_cli_bank_parse_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["bank", "parse", str(tmp_path / "nope.sta"), "--out", "o.csv"])
    assert missing.exit_code == 2 and "no such file" in missing.output
    no_out = runner.invoke(app, ["bank", "parse", str(REAL / "bank-mt940" / "jejik-knab.sta")])
    assert no_out.exit_code == 2
    bad_format = runner.invoke(
        app,
        [
            "bank",
            "parse",
            str(REAL / "bank-mt940" / "jejik-knab.sta"),
            "--out",
            "o.csv",
            "--format",
            "ofx",
        ],
    )
    assert bad_format.exit_code == 2 and "unknown bank file format" in bad_format.output
