"""Malformed bank files are rejected, naming the file and the line (or the XML element)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.errors import ContractError, Violation
from jobs.bank import parse
from jobs.bank.generate import Payment, camt053, mt940

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
BAI2 = (REAL / "bank-bai2" / "moov-sample1.bai2").read_text(encoding="utf-8")
CAMT = (REAL / "bank-camt" / "genkgo-camt053.v2.multi.statement.xml").read_text(encoding="utf-8")
MT940 = (REAL / "bank-mt940" / "jejik-knab.sta").read_text(encoding="utf-8")


def rejected(tmp_path: Path, name: str, content: str | bytes, **options: str) -> list[Violation]:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        parse(path, **options)
    assert caught.value.violations, "a rejection lists its reasons"
    assert all(v.file == str(path) for v in caught.value.violations)
    assert str(path) in str(caught.value)
    return caught.value.violations


def lines(text: str, start: int, end: int | None = None) -> str:
    return "\n".join(text.splitlines()[start:end]) + "\n"


def replace_line(text: str, number: int, old: str, new: str) -> str:
    rows = text.splitlines()
    assert old in rows[number - 1]
    rows[number - 1] = rows[number - 1].replace(old, new, 1)
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- BAI2


def test_bai2_truncated_file(tmp_path: Path) -> None:
    (v,) = rejected(tmp_path, "cut.bai2", lines(BAI2, 0, 10))
    assert (v.row, v.column) == (10, "99") and "cut off" in v.rule


def test_bai2_record_cut_mid_way(tmp_path: Path) -> None:
    violations = rejected(tmp_path, "cut.bai2", lines(BAI2, 0, 7) + "16,409")
    assert (violations[0].row, violations[0].column) == (8, "16")
    assert "record cut off" in violations[0].rule


def test_bai2_bad_amount(tmp_path: Path) -> None:
    bad = replace_line(BAI2, 6, "000000000090000", "00000000009O000")
    (v,) = rejected(tmp_path, "amount.bai2", bad)
    assert (v.row, v.column, v.value) == (6, "16 amount", "00000000009O000")


def test_bai2_unknown_record_type(tmp_path: Path) -> None:
    bad = replace_line(BAI2, 12, "16,409", "17,409")
    (v,) = rejected(tmp_path, "type.bai2", bad)
    assert v.row == 12 and v.rule == "unknown record type '17'"


def test_bai2_unknown_type_code_and_currency_and_date(tmp_path: Path) -> None:
    bad = replace_line(BAI2, 5, "16,409", "16,999")
    bad = replace_line(bad, 2, ",CAD,", ",XYZ,")
    bad = replace_line(bad, 2, "060317", "061317")
    found = {(v.row, v.column) for v in rejected(tmp_path, "many.bai2", bad)}
    assert {(2, "02 as-of date"), (2, "02 currency"), (5, "16 type code")} <= found


# ---------------------------------------------------------------- camt


def test_camt_truncated_xml(tmp_path: Path) -> None:
    cut = CAMT[: len(CAMT) // 2]
    (v,) = rejected(tmp_path, "cut.xml", cut)
    assert v.column == "XML" and "not well-formed" in v.rule
    assert v.row is not None and v.row > 1


def test_camt_missing_currency_names_element(tmp_path: Path) -> None:
    text = camt053([Payment(amount=__import__("decimal").Decimal("1.50"), currency="EUR")] * 2)
    bad = text.replace('<Amt Ccy="EUR">1.50</Amt>', "<Amt>1.50</Amt>", 2).replace(
        "<Amt>1.50</Amt>", '<Amt Ccy="EUR">1.50</Amt>', 1
    )
    (v,) = rejected(tmp_path, "ccy.xml", bad)
    assert v.column == "/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt"
    assert "missing currency" in v.rule and v.row == 6  # the second entry's line


@pytest.mark.parametrize(
    ("old", "new", "path", "rule"),
    [
        ('Ccy="EUR">8.85<', 'Ccy="EUR">8,85<', "/Ntry/Amt", "not a plain decimal"),
        ('Ccy="EUR">8.85<', 'Ccy="EUR">8.855<', "/Ntry/Amt", "more decimals than EUR"),
        ("<Dt>2014-12-31</Dt>", "<Dt>2014-13-31</Dt>", "/Ntry/BookgDt/Dt", "not an ISO date"),
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>",
            "<CdtDbtInd>CRED</CdtDbtInd>",
            "/Ntry/CdtDbtInd",
            "CRDT or DBIT",
        ),
    ],
)
def test_camt_bad_values_name_the_element(
    tmp_path: Path, old: str, new: str, path: str, rule: str
) -> None:
    at = CAMT.index(old, CAMT.index("<Ntry>"))  # inside the first entry, not a balance
    bad = CAMT[:at] + new + CAMT[at + len(old) :]
    violations = rejected(tmp_path, "bad.xml", bad)
    v = violations[0]
    assert v.column is not None and v.column.startswith("/Document/BkToCstmrStmt/Stmt[1]")
    assert v.column.endswith(path) and rule in v.rule
    assert v.row == CAMT[:at].count("\n") + 1


def test_not_a_camt_document(tmp_path: Path) -> None:
    (v,) = rejected(tmp_path, "other.xml", "<?xml version='1.0'?>\n<Invoice><Id>1</Id></Invoice>\n")
    assert v.column == "/Invoice" and "not a camt" in v.rule


def derived(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """`source` with `old` replaced by `new` (once): the one change that breaks it."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("namespace", "shown"),
    [
        ('xmlns="urn:example:bank:statement"', "'urn:example:bank:statement'"),
        ("", "'(none)'"),
    ],
)
def test_camt_unknown_namespace_refused(tmp_path: Path, namespace: str, shown: str) -> None:
    path = derived(
        tmp_path,
        REAL / "bank-camt" / "genkgo-camt053.v8.xml",
        'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"',
        namespace,
    )
    with pytest.raises(ContractError) as caught:
        parse(path)
    (v,) = caught.value.violations
    assert (v.row, v.column) == (2, "/Document")
    assert f"unknown namespace {shown}" in v.rule and str(path) in str(caught.value)


def test_camt_without_statement_refused() -> None:
    path = REAL / "bank-refused" / "genkgo-camt053.v2.wrong.xml"  # GrpHdr, then nothing
    with pytest.raises(ContractError) as caught:
        parse(path)
    (v,) = caught.value.violations
    assert (v.row, v.column) == (3, "/Document/BkToCstmrStmt")
    assert "no Stmt element" in v.rule


def test_mt940_garbled_closing_balance_refused() -> None:
    # Oldenburgische Landesbank: the closing balance came out as `:65F:Dnullnull7414,3` and
    # there is no :62F:; the one line reads, but without a closing balance the statement
    # cannot be shown complete, so it is refused (jejik/mt940 fixture oldenburgischelandesbank2)
    with pytest.raises(ContractError) as caught:
        parse(REAL / "bank-refused" / "jejik-oldenburgischelandesbank2.txt")
    found = {(v.row, v.column): v for v in caught.value.violations}
    assert set(found) == {(6, ":62F:"), (10, ":65F:")}
    assert found[(10, ":65F:")].value == "Dnullnull7414,3"


def test_mt940_february_30_refused() -> None:
    # German banks date year-end closings 30 February; svenstaro/mt940-rs refuses it too
    # (tests/integration_tests_mt940.rs, fail_februrary_30): no real day to book on.
    with pytest.raises(ContractError) as caught:
        parse(REAL / "bank-refused" / "mt940rs-february_30.sta")
    (v,) = caught.value.violations
    assert (v.row, v.column, v.value) == (6, ":61: value date", "160230")


# ---------------------------------------------------------------- MT940


def test_mt940_truncated_statement(tmp_path: Path) -> None:
    (v,) = rejected(tmp_path, "cut.sta", lines(MT940, 0, 6))
    assert v.column == ":62F:" and v.row == 6 and "cut off" in v.rule


def test_mt940_bad_amount_names_the_line(tmp_path: Path) -> None:
    bad = replace_line(MT940, 5, "C500,", "C5X0,")
    (v,) = rejected(tmp_path, "amount.sta", bad)
    assert (v.row, v.column) == (5, ":61:") and "not a statement line" in v.rule


def test_mt940_too_many_decimals_and_bad_date(tmp_path: Path) -> None:
    bad = replace_line(MT940, 5, "C500,", "C500,123")
    bad = replace_line(bad, 14, ":61:1407290729D", ":61:1413290729D")
    found = {(v.row, v.column): v.rule for v in rejected(tmp_path, "x.sta", bad)}
    assert "more decimals than EUR" in found[(5, ":61: amount")]
    assert "not a date" in found[(14, ":61: value date")]


def test_mt940_unknown_tag(tmp_path: Path) -> None:
    bad = replace_line(MT940, 6, ":86:", ":87X:")
    (v,) = rejected(tmp_path, "tag.sta", bad)
    assert v.row == 6 and v.rule == "unknown MT940/MT942 tag :87X:"


def test_mt940_missing_currency(tmp_path: Path) -> None:
    bad = "\n".join(line for line in MT940.splitlines()[:9] if not line.startswith(":60F:"))
    violations = rejected(tmp_path, "noccy.sta", bad + "\n")
    assert (violations[0].row, violations[0].column) == (4, ":61:")
    assert "missing currency" in violations[0].rule


def test_wrong_encoding_names_the_line_and_can_be_overridden(tmp_path: Path) -> None:
    text = mt940(
        [
            Payment(
                amount=__import__("decimal").Decimal("12.34"),
                currency="EUR",
                text="Überweisung RE 4711",
            )
        ]
    )
    data = text.encode("latin-1")
    (v,) = rejected(tmp_path, "latin.sta", data)
    assert v.row == 6 and "not utf-8 text (byte 0xdc)" in v.rule
    path = tmp_path / "latin.sta"
    row = parse(path, encoding="latin-1").frame.row(0, named=True)
    assert row["remittance_text"] == "Überweisung RE 4711" and row["invoice_refs"] == ["4711"]


# ---------------------------------------------------------------- CSV and the rest


def test_csv_problems_each_on_their_line(tmp_path: Path) -> None:
    text = (
        "payer,date,currency,amount,invoice_refs\n"
        "ACME,2024-03-01,EUR,1250.00,INV-1;INV-2\n"
        'ACME,2024-03-01,EUR,"1,250.00",INV-3\n'
        "ACME,2024-02-30,EUR,10.00,\n"
        "ACME,2024-03-01,,10.00,\n"
        "ACME,2024-03-01,EUR,10.001,\n"
        "ACME,2024-03-01,JPY,10.5,\n"
    )
    found = {(v.row, v.column): v.rule for v in rejected(tmp_path, "advice.csv", text)}
    assert set(found) == {(3, "amount"), (4, "date"), (5, "currency"), (6, "amount"), (7, "amount")}
    assert "missing currency" in found[(5, "currency")]
    assert "more decimals than JPY" in found[(7, "amount")]


def test_csv_missing_column(tmp_path: Path) -> None:
    (v,) = rejected(tmp_path, "advice.csv", "payer,date,amount\nACME,2024-03-01,1.00\n", fmt="csv")
    assert (v.row, v.column) == (1, "currency") and v.rule == "required column is missing"


def test_unknown_and_empty_files(tmp_path: Path) -> None:
    (v,) = rejected(tmp_path, "notes.txt", "hello\nworld\n")
    assert v.row == 1 and "not a bank file" in v.rule
    (v,) = rejected(tmp_path, "empty.sta", "")
    assert "empty" in v.rule
