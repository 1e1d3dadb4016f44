"""Files as people write them: optional columns left out, misspelled or missing columns, `;`
and the decimal comma, the wrong kind of file, currency mistakes. Every case is one clear
violation naming the place and the fix, never a traceback or a raw polars plan."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.errors import ConfigError, ContractError, Violation
from contracts.io import CsvDialect, read_frame
from contracts.registry import ENTITIES
from tests.contracts.conftest import sample_rows, violations_of, write_rows

REAL = Path(__file__).parents[1] / "fixtures" / "real"
REQUIRED_CASH = (
    "application_id,company,customer_id,payment_date,currency,payment_amount,"
    "document_id,fiscal_year,line,applied_amount"
)


def no_noise(violations: list[Violation]) -> None:
    for v in violations:
        text = str(v)
        assert "FAILED HERE" not in text and "plan" not in text.lower(), text
        assert len(v.rule) < 300, v.rule  # no 180-code lists


def test_cash_file_with_only_required_columns_reads_optional_ones_as_empty(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cash.csv"
    path.write_text(
        f"{REQUIRED_CASH}\n"
        "P1,1000,100001,2026-11-27,EUR,100.00,1800000101,2026,1,60.00\n"
        "P1,1000,100001,2026-11-27,EUR,100.00,,,,40.00\n",
        encoding="utf-8",
    )
    frame = read_frame(path, "cash_applications")
    assert frame.columns == list(ENTITIES["cash_applications"].model.to_schema().columns)
    assert frame["discount_amount"].to_list() == [Decimal(0), Decimal(0)]  # the default
    assert frame["match_rule"].null_count() == frame["reason_code"].null_count() == 2
    assert frame["match_score"].null_count() == 2


def test_open_items_without_discount_terms_or_reference(tmp_path: Path) -> None:
    rows = [
        {k: v for k, v in r.items() if k not in {"discount_date", "discount_amount", "reference"}}
        for r in sample_rows("open_items")
    ]
    frame = read_frame(write_rows(tmp_path / "open_items.csv", rows), "open_items")
    assert frame["discount_date"].null_count() == frame.height
    assert frame["discount_amount"].null_count() == frame.height


def test_a_required_column_left_out_is_one_violation(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "due_date"} for r in sample_rows("open_items")]
    found = violations_of(write_rows(tmp_path / "open_items.csv", rows), "open_items")
    assert [(v.row, v.column, v.rule) for v in found] == [
        (None, "due_date", "required column is missing")
    ]


def test_a_renamed_column_is_one_violation_with_did_you_mean(tmp_path: Path) -> None:
    rows = [
        {("payment_id" if k == "application_id" else k): v for k, v in r.items()}
        for r in sample_rows("cash_applications")
    ]
    found = violations_of(write_rows(tmp_path / "cash.csv", rows), "cash_applications")
    assert len(found) == 1, [str(v) for v in found]
    assert found[0].column == "payment_id"
    assert "did you mean application_id" in found[0].rule
    no_noise(found)


def test_seven_missing_and_one_extra_column_make_no_noise(tmp_path: Path) -> None:
    keep = ["application_id", "company", "customer_id", "payment_date", "currency"]
    rows = [
        {**{k: r[k] for k in keep}, "custmer_name": "x", "paymnt_amount": r["payment_amount"]}
        for r in sample_rows("cash_applications")
    ]
    found = violations_of(write_rows(tmp_path / "cash.csv", rows), "cash_applications")
    no_noise(found)
    assert all(v.row is None for v in found)  # columns only: no row rule ran on a half file
    by_column = {v.column: v.rule for v in found}
    assert "did you mean payment_amount" in by_column["paymnt_amount"]
    for column in ("document_id", "fiscal_year", "line", "applied_amount"):
        assert by_column[column] == "required column is missing"
    assert len(found) == 6  # 5 required missing (one of them misspelled) + 1 unknown


def test_semicolon_file_is_named_and_read_with_the_dialect(tmp_path: Path) -> None:
    lines = [
        REQUIRED_CASH.replace(",", ";"),
        "P1;1000;100001;2026-11-27;EUR;1190,50;1800000101;2026;1;1190,50",
    ]
    path = tmp_path / "cash.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (found,) = violations_of(path, "cash_applications")
    assert found.row == 1 and "uses `;`" in found.rule and "--delimiter ';'" in found.rule
    assert "--decimal-comma" in found.rule
    with pytest.raises(ContractError) as info:  # `;` alone: 1190,50 is no plain amount
        read_frame(path, "cash_applications", CsvDialect(";"))
    assert {v.column for v in info.value.violations} == {"payment_amount", "applied_amount"}
    frame = read_frame(path, "cash_applications", CsvDialect(";", decimal_comma=True))
    assert frame["payment_amount"].to_list() == [Decimal("1190.50")]


def test_decimal_comma_never_guesses_a_grouping_dot(tmp_path: Path) -> None:
    path = tmp_path / "cash.csv"
    path.write_text(
        REQUIRED_CASH.replace(",", ";")
        + "\nP1;1000;100001;2026-11-27;EUR;1.190,50;1800000101;2026;1;1.190,50\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractError) as info:
        read_frame(path, "cash_applications", CsvDialect(";", decimal_comma=True))
    (hit, _) = info.value.violations
    assert hit.value == "1.190,50" and "one optional ','" in hit.rule


def test_decimal_comma_needs_another_delimiter() -> None:
    with pytest.raises(ConfigError, match="--delimiter ';'"):
        CsvDialect(",", decimal_comma=True)


def test_wrong_delimiter_given_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cash.csv"
    path.write_text(REQUIRED_CASH + "\n", encoding="utf-8")
    (found,) = violations_of_dialect(path, CsvDialect(";"))
    assert "uses `,`" in found.rule and "drop --delimiter" in found.rule


def violations_of_dialect(path: Path, dialect: CsvDialect) -> list[Violation]:
    with pytest.raises(ContractError) as info:
        read_frame(path, "cash_applications", dialect)
    return info.value.violations


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("bank-camt/genkgo-camt053.v2.minimal.xml", "camt"),
        ("bank-bai2/moov-sample1.bai2", "BAI2"),
    ],
)
def test_a_bank_file_is_named_as_such(tmp_path: Path, fixture: str, kind: str) -> None:
    with pytest.raises(ConfigError) as info:  # its own extension: not a canonical file type
        read_frame(REAL / fixture, "cash_applications")
    assert kind in str(info.value) and "otc bank parse" in str(info.value)
    renamed = shutil.copy(REAL / fixture, tmp_path / "cash.csv")  # renamed to .csv
    (found,) = violations_of(Path(renamed), "cash_applications")
    assert kind in found.rule and "otc bank parse" in found.rule


def test_another_entity_file_is_named(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "cash.csv", sample_rows("customers"))
    (found,) = violations_of(path, "cash_applications")
    assert "this is a customers file" in found.rule and "not cash_applications" in found.rule


def test_currency_errors_name_the_currency_and_its_decimals(tmp_path: Path) -> None:
    rows = sample_rows("cash_applications")[:1]
    jpy = {**rows[0], "currency": "JPY", "payment_amount": "100.50", "applied_amount": "100.50"}
    found = violations_of(write_rows(tmp_path / "jpy.csv", [jpy]), "cash_applications")
    amounts = [v for v in found if v.column in {"payment_amount", "applied_amount"}]
    assert amounts and all("JPY allows 0 decimals" in v.rule for v in amounts)
    assert {v.value for v in amounts} == {"100.50"}  # as written, not 100.5000

    euro = {**rows[0], "currency": "EURO"}
    found = violations_of(write_rows(tmp_path / "euro.csv", [euro]), "cash_applications")
    no_noise(found)
    assert [(v.column, v.value) for v in found] == [("currency", "EURO")]  # no follow-on
    assert "ISO 4217" in found[0].rule


def test_an_empty_jsonl_and_a_header_only_csv_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "cash.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    (found,) = violations_of(path, "cash_applications")
    assert found.rule == "the file holds no records"
    header = tmp_path / "cash.csv"
    header.write_text(REQUIRED_CASH + "\n", encoding="utf-8")
    assert read_frame(header, "cash_applications").height == 0  # valid, and empty
