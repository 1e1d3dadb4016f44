"""Reversals keep their flag (column `reversal`) and every reference reaches a column.

Real files (tests/fixtures/real/SOURCES.md): the Goldman Sachs camt.053 with five `RvslInd`
entries and a return marked only by its bank transaction code (RRTN), the betterplace MT940 with
two `RC` lines and 17 returned transfers marked by GVC 159, Deutsche Bank's GVC 109, ING's
`/RTRN/` lines, the Goldman Sachs BAI2 with return codes,
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
    a CRDT entry with the indicator reverses a debit. A sixth line is a return by its bank
    transaction code alone (next test); the other 13 are not reversals."""
    expected = reversed_entries(GOLDMAN_CAMT)
    assert len(expected) == 5 and set(expected.values()) == {"CRDT"}
    frame = parse_file(GOLDMAN_CAMT)
    flagged = frame.filter(pl.col("reversal") & pl.col("entry_reference").is_in(list(expected)))
    assert sorted(flagged["entry_reference"]) == sorted(expected)
    assert set(flagged["direction"]) == {"credit"}  # CdtDbtInd stays the direction
    assert flagged["amount"].to_list() == [Decimal("10.00")] * 3 + [
        Decimal("29.12"),
        Decimal("15.41"),
    ]
    assert frame.filter(pl.col("reversal")).height == 6
    assert frame.filter(~pl.col("reversal")).height == 13  # no indicator, code or RtrInf
    assert frame["reversal"].null_count() == 0


def test_camt_return_code_without_rvslind_is_a_reversal() -> None:
    """Goldman Sachs books its "Interbranch Return" (a DBIT of 1.00 that sends back the
    "Interbranch Transfer" credited just before it) with `RvslInd` false and the bank transaction
    code PMNT/ICDT/RRTN, "Reversal due to Payment Return": the code names a return, so it is one.
    The credit it returns (PMNT/RCDT/BOOK) is not."""
    frame = parse_file(GOLDMAN_CAMT)
    rows = {r["entry_reference"]: r for r in frame.iter_rows(named=True)}
    back, transfer = rows["377138350"], rows["377138300"]
    assert (back["direction"], back["amount"], back["reversal"]) == (
        "debit",
        Decimal("1.00"),
        True,
    )
    assert (transfer["direction"], transfer["amount"], transfer["reversal"]) == (
        "credit",
        Decimal("1.00"),
        False,
    )
    assert "377138350" not in reversed_entries(GOLDMAN_CAMT)  # its RvslInd is false


def test_camt_return_information_alone_is_a_reversal(tmp_path: Path) -> None:
    """`TxDtls/RtrInf` (return reason R02) marks the ACH Credit Payment Return even without its
    `RvslInd`: the Goldman Sachs file with that one entry's indicator changed to false."""
    old = '52198451</NtryRef>\n                <Amt Ccy="USD">10.00</Amt>\n' + (
        "                <CdtDbtInd>CRDT</CdtDbtInd>\n                <RvslInd>true"
    )
    path = derived(tmp_path, GOLDMAN_CAMT, old, old.replace(">true", ">false"))
    assert "52198451" not in reversed_entries(path)
    frame = parse_file(path)
    row = frame.filter(pl.col("entry_reference") == "52198451").row(0, named=True)
    assert (row["direction"], row["amount"], row["reversal"]) == ("credit", Decimal("10.00"), True)
    assert frame.filter(pl.col("reversal")).height == 6  # the same six as the original


def test_camt_return_sub_family_marks_only_its_entry(tmp_path: Path) -> None:
    """The Belgian statement's credit PMNT/RCDT/ISCT with its sub-family changed to RRTN (one
    line): that entry becomes a reversal, the two others (ESCT, ISCT) stay plain."""
    source = REAL / "bank-camt" / "subite-camt053-account_statement.xml"
    assert not parse_file(source)["reversal"].any()
    path = derived(
        tmp_path,
        source,
        "<Cd>RCDT</Cd>\n              <SubFmlyCd>ISCT</SubFmlyCd>",
        "<Cd>RCDT</Cd>\n              <SubFmlyCd>RRTN</SubFmlyCd>",
    )
    frame = parse_file(path)
    assert frame["reversal"].to_list() == [False, False, True]
    assert frame["direction"].to_list()[2] == "credit"


@pytest.mark.parametrize(
    "marker",
    [
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn>"
        "</BkTxCd>",
        "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>",
    ],
    ids=["sub-family", "RtrInf"],
)
def test_camt_return_on_one_transaction_marks_only_it(tmp_path: Path, marker: str) -> None:
    """The Lithuanian notification's batch of 41, a return code or return information put into
    its third transaction only (TxId 492205, a credit of 300): that row alone is a reversal.
    An entry-level code would mark all 41, as `RvslInd` does."""
    source = REAL / "bank-camt" / "subite-camt054-2024-03-18.xml"
    old = '<TxId>492205</TxId></Refs><Amt Ccy="EUR">300</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
    frame = parse_file(derived(tmp_path, source, old, old + marker))
    assert frame["reversal"].to_list() == [False, False, True] + [False] * 38
    assert frame.row(2, named=True)["amount"] == Decimal("300")


def test_camt_ordinary_bank_transaction_codes_are_no_reversal() -> None:
    """A month of a Belgian account: 264 PMNT/ICDT/ISCT and 4 PMNT/RCDT/ESCT entries, no return
    code, no RtrInf, no RvslInd: all false."""
    frame = parse_file(REAL / "bank-camt" / "subite-camt053-BE68793230773034-202411.xml")
    assert frame.height == 268
    assert frame["reversal"].to_list() == [False] * 268


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
    flagged = frame.filter(pl.col("reversal") & (pl.col("direction") == "debit"))
    assert flagged["transaction_id"].to_list() == ["T089413946000001:6", "T089413986000001:19"]
    assert flagged["amount"].to_list() == [Decimal("204.88")] * 2
    assert flagged["bank_reference"].to_list() == [None, "R724710290656678"]


def test_mt940_gvc_159_returned_transfers_are_reversals() -> None:
    """betterplace: 17 credits with the German business transaction code 159 ("RETOURE", "Reject
    aus SEPA-Ueberweisungsauftrag": a SEPA transfer of ours come back) and a plain `C` mark are
    reversals; with the two RC lines that makes 19, and the other 78 lines (GVC 166, 116, 191,
    079, ...) are not."""
    path = REAL / "bank-mt940" / "betterplace-sepa_mt9401.sta"
    gvc = [line[4:7] for line in path.read_text(encoding="utf-8").splitlines()
           if line.startswith(":86:")]  # fmt: skip
    frame = parse_file(path)
    assert len(gvc) == frame.height == 97
    returned = [code == "159" for code in gvc]
    assert sum(returned) == 17
    credits = frame.with_columns(pl.Series("gvc159", returned)).filter(pl.col("gvc159"))
    assert set(credits["direction"]) == {"credit"} and credits["reversal"].all()
    assert frame["reversal"].sum() == 19
    assert frame.filter(~pl.col("reversal")).height == 78


def test_mt940_gvc_109_returned_direct_debit_is_a_reversal() -> None:
    """Deutsche Bank (jejik): `109?00SEPA-LASTSCHR. RETOURE CORE`, a SEPA core direct debit we
    collected, returned with its charges (`/OCMT/EUR11,85//CHGS/EUR0,50/`): a debit, reversal."""
    row = parse_file(REAL / "bank-mt940" / "jejik-deutschebank.txt").row(0, named=True)
    assert (row["direction"], row["amount"], row["reversal"]) == (
        "debit",
        Decimal("12.35"),
        True,
    )
    german = parse_file(REAL / "bank-mt940" / "jejik-volksbankenraiffeisenbanken.txt")
    assert german.height == 12 and not german["reversal"].any()  # GVC 152, 166: plain credits


def test_mt940_dutch_rtrn_is_a_reversal() -> None:
    """ING's example files (gingerpayments/python-libmt94x): `/RTRN/MD06/` on a direct debit
    refunded to its debtor (money out, type NRTI) and `/RTRN/AC04/` on a transfer of ours returned
    from a closed account (money in); the seven other lines carry no `/RTRN/`. The Inside
    Business Payments example: `/RTRN/MS03/` on its first line only."""
    ming = parse_file(REAL / "bank-mt940" / "libmt94x-ming-ing-provided-example-single-message.txt")
    assert ming["reversal"].to_list() == [False] * 3 + [True] + [False] * 4 + [True]
    flagged = ming.filter(pl.col("reversal"))
    assert flagged["direction"].to_list() == ["debit", "credit"]
    assert flagged["amount"].to_list() == [Decimal("300.00"), Decimal("20.00")]
    assert flagged["end_to_end_id"].to_list() == ["E2E20140103545", None]
    ibp = parse_file(REAL / "bank-mt940" / "libmt94x-ibp-structured-ing-provided-example.txt")
    assert ibp["reversal"].to_list() == [True, False, False]
    assert ibp["end_to_end_id"][0] == "EV45451REP170112T1106"


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
