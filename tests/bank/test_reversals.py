"""Reversals keep their flag (column `reversal`) and every reference reaches a column.

Real files (tests/fixtures/real/SOURCES.md): the Goldman Sachs camt.053 with five `RvslInd`
entries, the betterplace MT940 with two `RC` lines, the Goldman Sachs BAI2 with return codes,
PostFinance's and Deutsche Bank's :61: supplementary details. Where no public file shows a
case (an MT940 `RD`, an MT942 `EC`), a real file is changed in the one place it needs, and the
test says so.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from adapters.errors import ContractError
from contracts.io import read_frame, write_frame
from jobs.bank import parse, parse_file

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
GOLDMAN_CAMT = REAL / "bank-camt" / "newinnovations-example-camt053-b.xml"


def derived(tmp_path: Path, source: Path, old: str, new: str, count: int = 1) -> Path:
    """`source` with `old` replaced by `new` (exactly `count` times)."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {source.name}"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def reversed_entries(path: Path) -> dict[str, str]:
    """NtryRef -> CdtDbtInd of the entries with `RvslInd` true, read apart with lxml."""
    found = {}
    for entry in etree.parse(str(path)).iterfind(".//{*}Ntry"):
        if (entry.findtext("{*}RvslInd") or "").strip() == "true":
            found[entry.findtext("{*}NtryRef") or ""] = entry.findtext("{*}CdtDbtInd") or ""
    return found


# ---------------------------------------------------------------- camt


def test_camt_rvslind_entries_are_reversals() -> None:
    """Goldman Sachs: five CRDT entries with `RvslInd` true (ACH Credit Reject, Outgoing Wire
    Return, ACH Credit Payment Return, Check Return): money of ours coming back. ISO 20022:
    a CRDT entry with the indicator reverses a debit."""
    expected = reversed_entries(GOLDMAN_CAMT)
    assert len(expected) == 5 and set(expected.values()) == {"CRDT"}
    frame = parse_file(GOLDMAN_CAMT)
    flagged = frame.filter(pl.col("reversal"))
    assert sorted(flagged["entry_reference"]) == sorted(expected)
    assert set(flagged["direction"]) == {"credit"}  # CdtDbtInd stays the direction
    assert flagged["amount"].to_list() == [Decimal("10.00")] * 3 + [
        Decimal("29.12"),
        Decimal("15.41"),
    ]
    assert frame.filter(~pl.col("reversal")).height == 14  # RvslInd false or absent: false
    assert frame["reversal"].null_count() == 0


def test_camt_without_rvslind_is_no_reversal() -> None:
    frame = parse_file(REAL / "bank-camt" / "subite-camt054-2024-03-18.xml")
    assert frame["reversal"].to_list() == [False] * 41


def test_camt_rvslind_holds_for_a_split_batch(tmp_path: Path) -> None:
    """TxDtls has no RvslInd (ISO 20022 EntryTransaction): a reversed batch entry split into its
    41 transactions marks every one. The Lithuanian notification, one entry marked."""
    source = REAL / "bank-camt" / "subite-camt054-2024-03-18.xml"
    path = derived(
        tmp_path,
        source,
        "<CdtDbtInd>DBIT</CdtDbtInd><Sts>",
        "<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>",
    )
    frame = parse_file(path)
    assert frame["reversal"].to_list() == [True] * 41


def test_camt_bad_rvslind_names_the_element(tmp_path: Path) -> None:
    path = derived(
        tmp_path, GOLDMAN_CAMT, "<RvslInd>false</RvslInd>", "<RvslInd>maybe</RvslInd>", 14
    )
    with pytest.raises(ContractError) as err:
        parse(path)
    assert "RvslInd must be true or false" in str(err.value)
    assert "/Ntry[2]/RvslInd" in str(err.value)


# ---------------------------------------------------------------- MT940 / MT942


def test_mt940_rc_lines_are_reversals() -> None:
    """betterplace: two `RC` lines (reversal of a credit: money out, a debit)."""
    frame = parse_file(REAL / "bank-mt940" / "betterplace-sepa_mt9401.sta")
    flagged = frame.filter(pl.col("reversal"))
    assert flagged["transaction_id"].to_list() == ["T089413946000001:6", "T089413986000001:19"]
    assert set(flagged["direction"]) == {"debit"}
    assert flagged["amount"].to_list() == [Decimal("204.88")] * 2
    assert flagged["bank_reference"].to_list() == [None, "R724710290656678"]
    assert frame.filter(~pl.col("reversal")).height == 95


def test_mt940_rd_is_a_reversed_debit_money_in(tmp_path: Path) -> None:
    """No public file found with `RD`: the Zenith Bank statement (its balances add up) with its
    credit line marked RD instead of C, a credit either way: it still adds up."""
    source = REAL / "bank-mt940" / "php-mt940-zetb.sta"
    path = derived(tmp_path, source, ":61:2011301130CN220000,00", ":61:2011301130RDN220000,00")
    parsed = parse(path)
    assert not [w for w in parsed.warnings if "opening balance" in w]
    row = parsed.frame.row(0, named=True)
    assert (row["direction"], row["amount"], row["reversal"]) == (
        "credit",
        Decimal("220000.00"),
        True,
    )
    assert parsed.frame["reversal"].to_list() == [True] + [False] * 7
    assert not parse_file(source)["reversal"].any()


def test_mt942_expected_credit_is_no_reversal(tmp_path: Path) -> None:
    """EC/ED are an MT942's expected credit and debit (prowide-core Field61): not reversals.
    The mBank MT942 with its first line marked EC."""
    source = REAL / "bank-mt940" / "mBank-mt942.sta"
    text = source.read_text(encoding="utf-8")
    first = text.index(":61:1701190119CN0,01")
    path = tmp_path / source.name
    path.write_text(text[:first] + ":61:1701190119ECN0,01" + text[first + 20 :], encoding="utf-8")
    frame = parse_file(path)
    assert frame["direction"].to_list() == ["credit"] * 3
    assert frame["reversal"].to_list() == [False] * 3


def test_mt940_supplementary_details_kept() -> None:
    """:61: subfield 9: PostFinance's 32-digit transaction id, Deutsche Bank's original amount
    and charges; ASN's counterparty name there is the payer, not repeated."""
    post = parse_file(REAL / "bank-mt940" / "jejik-postfinance.sta")
    assert post["other_references"].to_list()[0] == ["MT940-61-9:20131209007602198765432000000012"]
    deutsche = parse_file(REAL / "bank-mt940" / "jejik-deutschebank.txt").row(0, named=True)
    assert deutsche["other_references"][0] == "MT940-61-9:/OCMT/EUR11,85//CHGS/EUR0,50/"
    asn = parse_file(REAL / "bank-mt940" / "ASNB-0708271685_09022020_164516.940.txt")
    assert asn["payer_name"][0] == "hr gjlm paulissen"
    assert asn["other_references"].null_count() == asn.height


def test_mt940_86_mandate_and_creditor_references_kept() -> None:
    """References in :86: text with no column of their own: ING's and Rabobank's Dutch keyed
    `/MARF/` (mandate) and `/CSID/` (creditor id), Deutsche Bank's SEPA `MREF+` and `CRED+`."""
    ing = parse_file(REAL / "bank-mt940" / "zilverline-ing_00_00.txt").row(0, named=True)
    assert ing["end_to_end_id"] == "0000008668-0000000000-001"
    assert ing["other_references"] == [
        "MT940-61-9:/TRCD/01018/",
        "MT940-86-MARF:00004444-001",
        "MT940-86-CSID:NL53ZZZ341191060000",  # cut across two :86: lines, glued
    ]
    rabo = parse_file(REAL / "bank-mt940" / "zilverline-rabobank-dash_as_start_of_line.txt")
    assert rabo["other_references"].to_list() == [["MT940-86-MARF:64646464646464646"]]
    deutsche = parse_file(REAL / "bank-mt940" / "jejik-deutschebank.txt").row(0, named=True)
    assert deutsche["other_references"][1:] == [
        "MT940-86-MREF:20852HW2723821",
        "MT940-86-CRED:DE41EON00000129793",
    ]


# ---------------------------------------------------------------- BAI2


def test_bai2_return_and_reversal_codes() -> None:
    """Goldman Sachs BAI2: 557 (ACH Credit Receipt Return), 257 (ACH Debit Payment Return),
    255 (Check Return) and its outgoing wire return are BAI2 Appendix A return codes; every
    other code leaves `reversal` empty (BAI2 has no flag)."""
    frame = parse_file(REAL / "bank-bai2" / "moov-sample5-issue113.bai2")
    flagged = frame.filter(pl.col("reversal"))
    assert sorted(flagged["bank_reference"]) == [
        "GI2118700002010",
        "SB2225800001203",
        "SB2322600000214",
        "SC2134800001999",
    ]
    assert flagged["remittance_text"].map_elements(
        lambda t: t.split(",")[0], return_dtype=pl.String
    ).sort().to_list() == [
        "ACH Credit Receipt Return",
        "ACH Debit Payment Return",
        "Check Return",
        "Outgoing Wire Return",
    ]
    assert frame["reversal"].null_count() == frame.height - 4
    plain = parse_file(REAL / "bank-bai2" / "moov-sample1.bai2")
    assert plain["reversal"].null_count() == plain.height  # 409 RETURNED CHEQUE: code says no


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_reversal_and_other_references_survive_a_file(tmp_path: Path, suffix: str) -> None:
    frame = parse_file(REAL / "bank-bai2" / "moov-sample5-issue113.bai2")
    camt = parse_file(GOLDMAN_CAMT)
    both = pl.concat([frame, camt])
    back = read_frame(write_frame(both, tmp_path / f"bank{suffix}", "bank_transactions"),
                      "bank_transactions")  # fmt: skip
    assert back["reversal"].to_list() == both["reversal"].to_list()  # true, false and empty
    assert back["other_references"].to_list() == both["other_references"].to_list()


def test_a_file_without_the_new_columns_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "transaction_id,account,booking_date,amount,currency,direction\n"
        "T1,DE02120300000000202051,2026-11-02,10.00,EUR,credit\n",
        encoding="utf-8",
    )
    frame = read_frame(path, "bank_transactions")
    assert frame["reversal"].to_list() == [None]
    assert frame["other_references"].to_list() == [None]
    assert frame.schema["reversal"] == pl.Boolean
