"""Every real bank file in the shared fixtures parses into valid BankTransactions, exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from contracts.validate import validate
from jobs.bank import parse, parse_file

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
FILES = sorted(
    p for folder in ("bank-bai2", "bank-camt", "bank-mt940") for p in (REAL / folder).iterdir()
)
#: Rows each file yields: a change here is a change in what reaches the matcher.
ROWS = {
    "moov-sample1.bai2": 17,
    "moov-sample2.bai2": 4,
    "moov-sample3.bai2": 26,
    "moov-sample4-continuations-newline-delimited.bai2": 17,
    "moov-sample5-issue113.bai2": 20,
    "moj-account_trailer_amount_blank_example.bai2": 0,
    "moj-citi_example.bai2": 1,
    "moj-nwb_example.bai2": 5,
    "moj-svb_us_example.bai2": 2,
    "genkgo-camt052.v2.xml": 1,
    "genkgo-camt053.v2.minimal.xml": 1,
    "genkgo-camt053.v2.multi.statement.xml": 2,
    "genkgo-camt053.v4.xml": 1,
    "genkgo-camt053.v8.xml": 1,
    "genkgo-camt054.v2.xml": 1,
    "genkgo-camt054.v4.xml": 3,
    "genkgo-camt054.v8.xml": 3,
    "genkgo-camt054.v8-with-UETR.xml": 1,
    "subite-camt052-2024-04-27.xml": 0,
    "subite-camt053-2024-04-11.xml": 15,
    "subite-camt053-BE68793230773034-202411.xml": 268,
    "subite-camt053-account_statement.xml": 3,
    "subite-camt054-2024-03-18.xml": 41,
    "ASNB-0708271685_09022020_164516.940.txt": 8,
    "betterplace-sepa_mt9401.sta": 97,
    "cmxl-mt940.sta": 5,
    "jejik-abnamro.sta": 10,
    "jejik-ing.sta": 7,
    "jejik-knab.sta": 3,
    "jejik-postfinance.sta": 4,
    "jejik-rabobank.sta": 5,
    "jejik-triodos.sta": 2,
    "mBank-mt940.sta": 3,
    "mBank-mt942.sta": 3,
    "sberbank-171011_01234945.sta": 3,
    "genkgo-camt052.v1.xml": 1,
    "newinnovations-error-camt053.xml": 2,
    "newinnovations-example-camt053-a.xml": 11,
    "newinnovations-example-camt053-b.xml": 19,
    "newinnovations-test-camt053.xml": 2,
    "mt940rs-danskebank-dk.sta": 89,
    "mt940rs-mt942-bank-code.sta": 1,
    "mt940rs-raphaelm.sta": 0,  # every statement in DEM (skipped, said aloud)
    "php-mt940-rabo.sta": 39,
    "php-mt940-zetb.sta": 8,
    "jejik-deutschebank.txt": 1,
    "jejik-deutschebank-bug-core-5401.txt": 1,
    "jejik-volksbankenraiffeisenbanken.txt": 12,
    "zilverline-abn_sepa_overboeking_belastingdienst.txt": 2,
    "zilverline-ing_00_00.txt": 1,
    "zilverline-rabobank_structured_dutch_tax.txt": 1,
    "zilverline-ing_dash_in_customer_reference.txt": 1,
    "zilverline-rabobank-dash_as_start_of_line.txt": 1,
    "wolph-asnb-blank-entry-date.txt": 8,
    "wolph-citi-blank-entry-date.txt": 5,
    "libmt94x-ming-ing-provided-example-single-message.txt": 9,
    "libmt94x-ibp-structured-ing-provided-example.txt": 3,
}


def test_every_fixture_is_listed() -> None:
    assert FILES, f"no fixtures under {REAL}"
    assert sorted(p.name for p in FILES) == sorted(ROWS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_file_parses(path: Path) -> None:
    frame = parse_file(path)
    assert frame.height == ROWS[path.name]
    validate(frame, "bank_transactions")  # a second, independent look: still valid
    assert frame.schema["amount"] == pl.Decimal(38, 4)
    assert frame["transaction_id"].is_unique().all()
    assert (frame["amount"] >= 0).all()


def rows(name: str) -> list[dict[str, object]]:
    folder = {"bai2": "bank-bai2", "xml": "bank-camt"}.get(name.rsplit(".", 1)[-1], "bank-mt940")
    return parse_file(REAL / folder / name).to_dicts()


def total(found: list[dict[str, object]], direction: str) -> Decimal:
    return sum((Decimal(r["amount"]) for r in found if r["direction"] == direction), Decimal(0))  # type: ignore[arg-type]


# ---------------------------------------------------------------- BAI2


def test_bai2_sample1_amounts_exact_in_minor_units() -> None:
    found = rows("moov-sample1.bai2")
    first = found[0]
    assert first["amount"] == Decimal("25.00") and first["currency"] == "CAD"
    assert first["direction"] == "debit"  # type 409: debits 400-699
    assert first["booking_date"] == date(2006, 3, 17) and first["value_date"] == date(2006, 3, 16)
    assert first["remittance_text"] == "RETURNED CHEQUE"
    assert found[3]["direction"] == "credit" and found[3]["amount"] == Decimal("2035.00")
    # the bank's own 88 summaries (codes 100 and 400): 2085.00 + 1115.00 each way
    assert total(found, "credit") == Decimal("3200.00")
    assert total(found, "debit") == Decimal("3200.00")


def test_bai2_control_totals_agree_on_consistent_files() -> None:
    for name in ("moov-sample1.bai2", "moov-sample2.bai2", "moov-sample3.bai2"):
        assert parse(REAL / "bank-bai2" / name).warnings == [], name


def test_bai2_sample2_default_currency_value_date_and_continuation_text() -> None:
    found = rows("moov-sample2.bai2")
    assert [r["currency"] for r in found] == ["USD"] * 4  # the file names none: the default
    letter = found[2]
    assert letter["amount"] == Decimal("200000.00") and letter["bank_reference"] == "SP4738"
    assert letter["value_date"] == date(2004, 6, 22)  # funds type V
    assert letter["remittance_text"] == "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
    assert found[1]["remittance_text"] == "LOCK BOX NO.68751"
    other = parse(REAL / "bank-bai2" / "moov-sample2.bai2", bai2_currency="CAD").frame
    assert other["currency"].to_list() == ["CAD"] * 4


def test_bai2_sample3_several_records_on_one_line() -> None:
    found = rows("moov-sample3.bai2")
    assert found[0]["amount"] == Decimal("25.00") and found[0]["direction"] == "credit"
    assert found[0]["remittance_text"] == "TRANSFER PAYPAL PPD"
    assert found[1]["amount"] == Decimal("5.00")  # second 16 on the same physical line
    assert found[1]["remittance_text"] == "TRANSFER MSPBNA BANK PPD"


def test_bai2_goldman_keyed_continuations() -> None:
    found = {r["bank_reference"]: r for r in rows("moov-sample5-issue113.bai2")}
    wire = found["GI2229300000187"]
    assert wire["amount"] == Decimal("11.25") and wire["direction"] == "credit"
    assert wire["payer_account"] == "8348572423"
    rtp = found["GI2228400005800"]
    assert (rtp["payer_name"], rtp["payer_account"]) == ("SAMPLE INC", "02122056789012205")
    assert "Test Remittance" in str(rtp["remittance_text"])
    out = found["GI2321400000090"]  # outgoing wire: the counterparty is the creditor
    assert out["direction"] == "debit" and out["payer_name"] == "TEST COMPANY"
    assert found["GI2323300007089"]["amount"] == Decimal("37979996.24")
    assert "SC2134800001999" in found  # the record after `88:EREF` (colon typo) is still there


# ---------------------------------------------------------------- camt


def test_camt054_batch_split_into_transactions() -> None:
    found = rows("subite-camt054-2024-03-18.xml")
    assert found[0]["transaction_id"] == "1411966:1:1"
    assert found[0]["amount"] == Decimal("10") and found[0]["direction"] == "credit"
    assert found[0]["booking_date"] == date(2024, 3, 17)  # no BookgDt: IntrBkSttlmDt
    assert found[1]["amount"] == Decimal("920.76") and found[1]["direction"] == "debit"
    # the 41 details net to the entry: 194672.25 DBIT
    assert total(found, "debit") - total(found, "credit") == Decimal("194672.25")


def test_camt054_v4_party_iban_and_structured_refs() -> None:
    found = rows("genkgo-camt054.v4.xml")
    assert [r["amount"] for r in found] == [Decimal("3.1"), Decimal("3.2"), Decimal("3.2")]
    assert {r["currency"] for r in found} == {"CHF"}
    first = found[0]
    assert first["payer_name"] == "UNIFITS GmbH"
    assert first["payer_account"] == "CH2801234000123456789"
    assert first["invoice_refs"] == ["ISR ref number V1"]
    assert first["bank_reference"] == "UXC06170000006PI00001EE00001"
    assert found[2]["invoice_refs"] == ["Ref number V3 block 1", "Ref number V3 block 2"]


def test_camt053_versions_and_datetime_booking() -> None:
    minimal = rows("genkgo-camt053.v2.minimal.xml")[0]
    assert minimal["amount"] == Decimal("8.85") and minimal["payer_name"] == "NAME NAME"
    assert minimal["invoice_refs"] == ["4654654654654654"]
    v8 = rows("genkgo-camt053.v8.xml")[0]  # Dbtr/Pty/Nm and BookgDt/DtTm
    assert v8["payer_name"] == "NAME NAME" and v8["booking_date"] == date(2014, 12, 31)
    assert parse(REAL / "bank-camt" / "genkgo-camt053.v8.xml").format == "camt.053.001.08"


def test_camt053_belgian_month() -> None:
    found = rows("subite-camt053-BE68793230773034-202411.xml")
    first = found[0]
    assert first["account"] == "BE68793230773034"
    assert (first["amount"], first["direction"]) == (Decimal("50000"), "credit")
    assert (first["payer_name"], first["payer_account"]) == ("Stellar Ltd", "BE91516952884376")
    assert first["remittance_text"] == "Transfer ref HBAVHC9717"
    assert total(found, "credit") == Decimal("180000.00")
    assert total(found, "debit") == Decimal("151831.25")
    statement = rows("subite-camt053-account_statement.xml")[0]
    assert statement["remittance_text"] is None  # Ustrd NOTPROVIDED is no text


# ---------------------------------------------------------------- MT940 / MT942


def test_mt940_knab_counterparty_and_invoice_refs() -> None:
    row = rows("jejik-knab.sta")[1]
    assert (row["amount"], row["direction"], row["currency"]) == (Decimal("7260"), "debit", "EUR")
    assert (row["payer_name"], row["payer_account"]) == ("PICQER", "NL65INGB0123456789")
    assert row["invoice_refs"] == ["201403110", "201403113"]
    assert row["booking_date"] == date(2014, 7, 29)


def test_mt940_german_structured_86() -> None:
    found = rows("betterplace-sepa_mt9401.sta")
    renate = next(r for r in found if r["amount"] == Decimal("15000.05"))
    assert renate["payer_name"] == "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"
    assert renate["payer_account"] == "DE42100100100043921105"
    assert "SVWZ+TO 13 TFNr 20004" in str(renate["remittance_text"])
    reversal = next(r for r in found if r["transaction_id"] == "T089413946000001:6")
    assert (reversal["amount"], reversal["direction"]) == (Decimal("204.88"), "debit")  # RC
    assert total(found, "credit") == Decimal("5188474.94")
    assert total(found, "debit") == Decimal("14457610.84")


def test_mt940_legacy_currency_statement_skipped_with_warning() -> None:
    parsed = parse(REAL / "bank-mt940" / "cmxl-mt940.sta")
    assert any("DEM" in w and "11 line(s) skipped" in w for w in parsed.warnings)
    first = parsed.frame.row(0, named=True)
    assert (first["amount"], first["currency"], first["direction"]) == (
        Decimal("800"),
        "EUR",
        "debit",
    )
    assert (first["payer_name"], first["remittance_text"]) == ("MUELLER", "Miete November")


def test_mt940_dialects_asn_triodos_rabobank() -> None:
    asn = rows("ASNB-0708271685_09022020_164516.940.txt")[0]
    assert (asn["amount"], asn["direction"]) == (Decimal("65.00"), "debit")
    assert (asn["payer_name"], asn["payer_account"]) == ("hr gjlm paulissen", "NL47INGB9999999999")
    assert asn["remittance_text"] == "Betaling sieraden"
    triodos = rows("jejik-triodos.sta")[0]
    assert triodos["remittance_text"] == (
        "ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2010 TOT EN MET 31-12-2010"
    )
    assert triodos["payer_account"] == "0390123456"
    rabo = rows("jejik-rabobank.sta")[1]
    assert (rabo["payer_name"], rabo["payer_account"]) == ("T-MOBILE NETHERLANDS BV", "0733959555")
    assert rabo["invoice_refs"] == ["987654321"] and rabo["amount"] == Decimal("44.95")


def test_mt940_entry_date_and_mt942() -> None:
    abn = rows("jejik-abnamro.sta")[1]  # :61:1105210523D11,59
    assert (abn["value_date"], abn["booking_date"]) == (date(2011, 5, 21), date(2011, 5, 23))
    assert abn["amount"] == Decimal("11.59")
    parsed = parse(REAL / "bank-mt940" / "mBank-mt942.sta")
    assert parsed.format == "MT942"
    assert parsed.frame["amount"].to_list() == [Decimal("0.01")] * 3
    assert set(parsed.frame["currency"]) == {"PLN"}  # from :34F:, there is no :60F:
    huf = rows("sberbank-171011_01234945.sta")[0]
    assert (huf["amount"], huf["currency"], huf["direction"]) == (
        Decimal("2402.00"),
        "HUF",
        "debit",
    )


# ---------------------------------------------------------------- every reference kept


CAMT_REFS = {  # element (parent/child) -> the column it must reach (docs/bank-files.md)
    ("Refs", "AcctSvcrRef"): "bank_reference",
    ("Refs", "EndToEndId"): "end_to_end_id",
    ("Refs", "InstrId"): "customer_reference",
    ("Ntry", "AcctSvcrRef"): "entry_reference",
}
#: The columns that hold one reference each; any other reference is in `other_references`.
REFERENCE_COLUMNS = ("bank_reference", "customer_reference", "end_to_end_id", "entry_reference")
NO_REFERENCE = {"NOTPROVIDED", "NONREF", ""}


def camt_references(path: Path) -> list[tuple[str, str, str]]:
    """(parent, element, value) of every reference in a camt file, read apart with lxml: each
    child of `TxDtls/Refs` (`Refs/Prtry` as its `Ref`, kind `Prtry/<Tp>`), and the entry's
    `NtryRef` and `AcctSvcrRef`. NOTPROVIDED and NONREF are none."""
    from lxml import etree

    found: list[tuple[str, str, str]] = []
    for element in etree.parse(str(path)).iter():
        parent = element.getparent()
        if not isinstance(element.tag, str) or parent is None:
            continue
        up, name = etree.QName(parent).localname, etree.QName(element).localname
        if up == "Refs" and name == "Prtry":
            kind = "Prtry/" + "".join(element.findtext("{*}Tp") or "").strip()
            value = (element.findtext("{*}Ref") or "").strip()
        elif (up == "Refs" and len(element) == 0) or (
            up == "Ntry" and name in ("NtryRef", "AcctSvcrRef")
        ):
            kind, value = name, (element.text or "").strip()
        else:
            continue
        if value.upper() not in NO_REFERENCE:
            found.append((up, kind, value))
    return found


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".xml"], ids=lambda p: p.name)
def test_every_camt_reference_reaches_its_column(path: Path) -> None:
    """Read apart with lxml: each servicer, end-to-end, instruction and entry reference in the
    file is in its column of some row (NOTPROVIDED is none); every other reference (TxId,
    MsgId, PmtInfId, ClrSysRef, UETR, MndtId, the entry's NtryRef, Refs/Prtry, ...) is in
    `other_references` as `<kind>:<value>`, or its value is already in a reference column."""
    frame = parse_file(path)
    wanted: dict[str, set[str]] = {column: set() for column in CAMT_REFS.values()}
    others: set[tuple[str, str]] = set()
    for parent, kind, value in camt_references(path):
        if (parent, kind) in CAMT_REFS:
            wanted[CAMT_REFS[(parent, kind)]].add(value)
        else:
            others.add((f"Ntry/{kind}" if parent == "Ntry" and kind != "NtryRef" else kind, value))
    for column, values in wanted.items():
        assert values <= set(frame[column].drop_nulls()), (column, values - set(frame[column]))
    kept = {v for c in REFERENCE_COLUMNS for v in frame[c].drop_nulls()}
    listed = set(frame["other_references"].explode().drop_nulls())
    lost = {(k, v) for k, v in others if f"{k}:{v}" not in listed and v not in kept}
    assert not lost, lost


def test_camt_other_references_by_kind() -> None:
    """The Goldman Sachs statement: MsgId and PmtInfId beside the servicer and end-to-end
    references; its check return carries a TxId; the SNS entries an AcctSvcrRef and NtryRef."""
    found = {r["transaction_id"]: r for r in rows("newinnovations-example-camt053-b.xml")}
    first = found["258158850:1"]
    assert (first["bank_reference"], first["end_to_end_id"]) == (
        "B20092800002225",
        "GSGWGDNCTAHQM8",
    )
    assert first["entry_reference"] == "52198201"  # the entry has no AcctSvcrRef: its NtryRef
    assert first["other_references"] == [
        "MsgId:GSNULXSKMMJ479NMKS",
        "PmtInfId:RP/GS/CTFILERP0002/CTBA0003",
    ]
    assert found["258158850:19"]["other_references"] == ["TxId:2828994562"]
    uetr = rows("genkgo-camt054.v8-with-UETR.xml")[0]  # UETR alone is the end-to-end id
    assert uetr["end_to_end_id"] and uetr["other_references"] is None
    minimal = rows("genkgo-camt053.v2.minimal.xml")[0]
    assert minimal["other_references"] == ["Prtry/LegalSequenceNumber:100"]


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.parent.name == "bank-mt940"], ids=lambda p: p.name
)
def test_every_mt940_reference_reaches_its_column(path: Path) -> None:
    """Read apart with a plain regex: the bank reference after `//` of each standard `:61:`
    line is a row's bank_reference, the text before it (unless NONREF or a KREF+/EREF pointer
    into :86:) a row's customer_reference; the supplementary details on the lines after it
    are in `other_references` as `MT940-61-9:<text>`, unless read as the counterparty."""
    import re

    text = path.read_text(encoding="utf-8", errors="replace")
    frame = parse_file(path)
    banks = {m.strip() for m in re.findall(r"(?m)^:61:[^\n]*?//([^\n]*)$", text)}
    line = r"(?m)^:61:\d{6}(?:\d{4})?(?:RC|RD|C|D)[A-Z]?\d[\d,]*[NFS][A-Z0-9]{3}([^\n]*?)//"
    customers = {m.strip() for m in re.findall(line, text)}
    banks -= {"", "NONREF"}
    customers -= {"", "NONREF", "KREF", "KREF+", "EREF", "EREF+"}
    assert banks <= set(frame["bank_reference"].drop_nulls())
    assert customers <= set(frame["customer_reference"].drop_nulls())
    # the supplementary details (subfield 9): the lines after :61: up to the next tag
    lines = text.splitlines()
    supplementary = set()
    for number, line in enumerate(lines):
        if line.startswith(":61:") and not re.search(r"\d{6}(?:\d{4})?R?[CD]$", line):
            more = []
            for following in lines[number + 1 :]:
                if following.startswith((":", "-", "{")) or not following.strip():
                    break
                more.append(following.strip())
            if more:
                supplementary.add(" ".join(" ".join(more).split()))
    listed = set(frame["other_references"].explode().drop_nulls())
    parties = set(frame["payer_name"].drop_nulls()) | set(frame["payer_account"].drop_nulls())
    lost = {v for v in supplementary if f"MT940-61-9:{v}" not in listed and v not in parties}
    assert not lost, lost
