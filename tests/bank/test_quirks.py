"""Bank files as banks really write them: each quirk read as the bank meant it, with a warning,
every reference kept; what cannot be read safely is refused, naming the line or element.

The files are real (tests/fixtures/real/SOURCES.md). Where no public file shows a quirk, the
case is a real file changed in the one place the quirk needs, and the test says so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.errors import ContractError
from jobs.bank import parse

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
MT940 = REAL / "bank-mt940"
CAMT = REAL / "bank-camt"


def total(rows: list[dict[str, object]], direction: str) -> Decimal:
    return sum((Decimal(str(r["amount"])) for r in rows if r["direction"] == direction), Decimal(0))


def derived(tmp_path: Path, source: Path, old: str, new: str, count: int = 1) -> Path:
    """`source` with `old` replaced by `new` (exactly `count` times): one quirk added."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {source.name}"
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def balance_warnings(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "opening balance" in w]


# ---------------------------------------------------------------- MT940 :61:


def test_mt940_no_type_code_zenith_bank() -> None:
    parsed = parse(MT940 / "php-mt940-zetb.sta")  # :61:2011301130CN220000,00//19239782213
    rows = parsed.frame.to_dicts()
    assert len(rows) == 8 and {r["currency"] for r in rows} == {"NGN"}
    first = rows[0]
    assert (first["amount"], first["direction"]) == (Decimal("220000.00"), "credit")
    assert first["booking_date"] == first["value_date"] == date(2020, 11, 30)
    assert first["bank_reference"] == "19239782213" and first["customer_reference"] is None
    assert rows[-1]["amount"] == Decimal("240.23") and rows[-1]["direction"] == "debit"
    # every line: amount, direction, date and the bank's reference after `//`
    assert [(r["amount"], r["direction"], r["bank_reference"]) for r in rows] == [
        (Decimal("220000.00"), "credit", "19239782213"),
        (Decimal("43000.00"), "debit", "19239810200"),
        (Decimal("38926.67"), "debit", "19239817156"),
        (Decimal("38926.67"), "debit", "19239826062"),
        (Decimal("38926.67"), "debit", "19239841715"),
        (Decimal("29486.67"), "debit", "19239848565"),
        (Decimal("34237.00"), "debit", "19239854701"),
        (Decimal("240.23"), "debit", "19245574932"),
    ]
    for r in rows:
        assert r["booking_date"] == r["value_date"] == date(2020, 11, 30)
        assert (r["customer_reference"], r["end_to_end_id"], r["entry_reference"]) == (
            None,
            None,
            None,
        )  # nothing before `//`, no SEPA keys in :86:
    assert rows[1]["remittance_text"] == "1001-NOVEMBER-WAGES// TRF TO FRANK JOHN"
    assert total(rows, "credit") == Decimal("220000.00")
    assert total(rows, "debit") == Decimal("223743.91")
    # 6213.05 + 220000.00 - 223743.91 = 2469.14, the closing balance: nothing lost
    assert balance_warnings(parsed.warnings) == []
    (note,) = [w for w in parsed.warnings if "no transaction type code" in w]
    assert "8x" in note and "line 6, 8, 10" in note


def test_mt940_bank_specific_type_code() -> None:
    parsed = parse(MT940 / "mt940rs-mt942-bank-code.sta")  # D0,42MCI0NONREF//0550...
    (row,) = parsed.frame.to_dicts()
    assert parsed.format == "MT942"
    assert (row["amount"], row["currency"], row["direction"]) == (Decimal("0.42"), "EUR", "debit")
    assert (row["value_date"], row["booking_date"]) == (date(2016, 10, 30), date(2016, 10, 31))
    assert row["bank_reference"] == "055001022000001" and row["customer_reference"] is None
    assert (row["end_to_end_id"], row["entry_reference"]) == (None, None)
    assert row["remittance_text"] == "REMIT:Costs to MT940 Parsing. This is Somuchfun."
    assert any(":7: " in w and "bank-specific transaction type code" in w for w in parsed.warnings)


def test_mt940_blank_before_type_code(tmp_path: Path) -> None:
    # No public file found with it; the knab file with the blank the issue describes.
    path = derived(tmp_path, MT940 / "jejik-knab.sta", "0,NTRFNONREF//", "0, NTRFNONREF//", 2)
    parsed = parse(path)
    original = parse(MT940 / "jejik-knab.sta").frame
    assert parsed.frame.equals(original)
    (note,) = [w for w in parsed.warnings if "blank inside the line" in w]
    assert "2x" in note


def test_mt940_blank_before_type_code_deutsche_bank() -> None:
    # :61:2006080608D12,35 NRTIKREF+//2016021783252833 and /OCMT/EUR11,85//CHGS/EUR0,50/
    parsed = parse(MT940 / "jejik-deutschebank.txt")
    (row,) = parsed.frame.to_dicts()
    assert (row["amount"], row["direction"]) == (Decimal("12.35"), "debit")
    assert row["booking_date"] == row["value_date"] == date(2020, 6, 8)
    assert row["bank_reference"] == "2016021783252833"
    # `KREF+` in :61: points to the :86: KREF+; EREF+ runs on across ?20/?21 to ` KREF+`
    assert row["customer_reference"] == "SEPA-DA20200601221740-34972000-P1"
    assert row["end_to_end_id"] == "A1.200080779.400143254.4961336"
    assert (row["payer_name"], row["payer_account"]) == ("TESTEREL", "DE50712345600200691329")
    assert any(":5: " in w and "blank inside the line" in w for w in parsed.warnings)


def test_mt940_colon_line_inside_86_and_blank_before_type_code() -> None:
    # ?20EREF+NOTPROVIDED SVWZ+VERTR?21 / :KO:NR:401113172APRIL 2021 (a line starting ':KO:')
    (row,) = parse(MT940 / "jejik-deutschebank-bug-core-5401.txt").frame.to_dicts()
    assert (row["amount"], row["direction"]) == (Decimal("50.00"), "credit")
    assert row["bank_reference"] == "2109025460313532" and row["end_to_end_id"] is None
    assert str(row["remittance_text"]).endswith("SVWZ+VERTR:KO:NR:401113172APRIL 2021")
    assert row["payer_account"] == "DE93230707000621787100"


def test_mt940_volksbank_statement_adds_up() -> None:
    parsed = parse(MT940 / "jejik-volksbankenraiffeisenbanken.txt")  # :61:200219C65,00NMSC
    rows = parsed.frame.to_dicts()
    assert parsed.warnings == []  # 3085.00 + 745.00 = 3830.00, the closing balance
    assert total(rows, "credit") == Decimal("745.00") and total(rows, "debit") == 0
    assert (rows[0]["payer_name"], rows[0]["payer_account"]) == (
        "Olivia Dorn",
        "DE40500105174675974588",
    )


def test_mt940_garbled_amount_is_still_refused(tmp_path: Path) -> None:
    # tolerance must not turn `500,00XYZ` into a line: what follows is no type code or reference
    path = derived(tmp_path, MT940 / "jejik-knab.sta", "0,NTRFNONREF//", "0,XYZ//", 2)
    with pytest.raises(ContractError) as caught:
        parse(path)
    assert [(v.row, v.column) for v in caught.value.violations] == [(5, ":61:"), (14, ":61:")]


def test_mt940_customer_reference_kept_beside_bank_reference() -> None:
    (row,) = parse(MT940 / "zilverline-ing_dash_in_customer_reference.txt").frame.to_dicts()
    assert row["customer_reference"] == "AMS987654321-2"  # before the //
    assert row["booking_date"] == row["value_date"] == date(2015, 1, 28)
    assert (row["end_to_end_id"], row["entry_reference"]) == (None, None)
    assert row["bank_reference"] == "45674567456745"  # after it
    assert (row["payer_name"], row["payer_account"]) == ("BELASTINGDIENST", "NL86INGB0002445588")
    assert (row["amount"], row["direction"]) == (Decimal("100.00"), "debit")


def test_mt940_danske_bank_references_and_balances() -> None:
    parsed = parse(MT940 / "mt940rs-danskebank-dk.sta")
    rows = parsed.frame.to_dicts()
    assert {r["currency"] for r in rows} == {"DKK"}  # funds code K (DKK) before each amount
    fee = rows[1]  # :61:0910010930DK2214,00NCHGGebyrer ifolge//nota
    assert (fee["customer_reference"], fee["bank_reference"]) == ("Gebyrer ifolge", "nota")
    assert (fee["value_date"], fee["booking_date"]) == (date(2009, 10, 1), date(2009, 9, 30))
    assert fee["amount"] == Decimal("2214.00") and fee["direction"] == "debit"
    assert total(rows, "credit") == Decimal("3910886.35")
    assert total(rows, "debit") == Decimal("2538433.58")
    assert balance_warnings(parsed.warnings) == []  # every statement adds up to its :62F:


def test_mt940_decimal_point_instead_of_comma() -> None:
    parsed = parse(MT940 / "php-mt940-rabo.sta")  # :61:030109C000000000300.00NMSC170059286
    rows = parsed.frame.to_dicts()
    assert {r["currency"] for r in rows} == {"EUR", "USD", "JPY"}
    first = rows[0]
    assert (first["amount"], first["direction"], first["currency"]) == (
        Decimal("300.00"),
        "credit",
        "EUR",
    )
    assert first["payer_account"] == "170059286"
    assert first["remittance_text"] == "Demo gebruiker Spaarpot kantine"
    assert total(rows, "credit") == Decimal("1943308.78")
    assert total(rows, "debit") == Decimal("592206.96")
    assert any("decimal point instead of a comma" in w for w in parsed.warnings)
    # the php library's sample carries balances made up apart from its lines: said aloud
    assert balance_warnings(parsed.warnings)


def test_mt940_balance_check_catches_a_changed_line(tmp_path: Path) -> None:
    path = derived(tmp_path, MT940 / "php-mt940-zetb.sta", "DN240,23//", "DN250,23//")
    (warning,) = balance_warnings(parse(path).warnings)
    assert ":22: " in warning and "2459.14" in warning and "2469.14" in warning


# ---------------------------------------------------------------- MT940 text and balances


def test_mt940_lone_dash_inside_86_is_text() -> None:
    parsed = parse(MT940 / "zilverline-rabobank-dash_as_start_of_line.txt")
    (row,) = parsed.frame.to_dicts()
    assert (row["amount"], row["direction"]) == (Decimal("1000.00"), "credit")
    assert row["payer_name"] == "Delta Lloyd Zorgverzekeringen"
    assert row["end_to_end_id"] == "3434343434343"
    assert row["booking_date"] == row["value_date"] == date(2017, 6, 6)
    # `N541EREF`: type N541, the customer reference `EREF` points to the :86: /EREF/; no `//`
    assert (row["bank_reference"], row["customer_reference"], row["entry_reference"]) == (
        None,
        None,
        None,
    )
    # the :61: second line is the counterparty's IBAN (zilverline/mt940 reads it so)
    assert row["payer_account"] == "NL55RABO044444444"
    # `Rel.nr. 8888888` + `900` glued across the 65-character cut; taken by the NR invoice word
    # (a relation number, really)
    assert row["invoice_refs"] == ["8888888900"]
    assert str(row["remittance_text"]).startswith("kenmerk 4082412175836145 Rel.nr.")
    assert str(row["remittance_text"]).endswith("-")
    assert any(":11: " in w and "lone '-'" in w for w in parsed.warnings)


def test_mt940_dash_between_messages_still_ends_them() -> None:
    # betterplace: 26 '-' lines, each the end of a message before the next :20:
    assert parse(MT940 / "betterplace-sepa_mt9401.sta").warnings == []


def test_mt940_time_split_across_86_lines() -> None:
    parsed = parse(MT940 / "zilverline-ing_00_00.txt")  # `... 00` then `:00:00/`
    (row,) = parsed.frame.to_dicts()
    assert (row["amount"], row["direction"], row["currency"]) == (Decimal("100.00"), "debit", "EUR")
    assert row["booking_date"] == date(2017, 6, 1)
    assert str(row["remittance_text"]).endswith("2017 00:00:00")
    assert row["end_to_end_id"] == "0000008668-0000000000-001"
    assert row["bank_reference"] == "6666666666666"
    assert (row["payer_name"], row["payer_account"]) == ("RAAMEN NV", "NL88INGB0999999999")


def test_mt940_balances_without_currency() -> None:
    parsed = parse(MT940 / "mt940rs-raphaelm.sta")  # :62M:C020315105000,00 (DEM statements)
    assert parsed.frame.height == 0
    (note,) = [w for w in parsed.warnings if "balance without a currency" in w]
    assert "3x" in note and "line 27, 35, 47" in note
    assert sum("DEM" in w for w in parsed.warnings) == 3


def test_mt940_balance_without_currency_in_euro(tmp_path: Path) -> None:
    # the same quirk in a euro statement: the knab file's closing balances without `EUR`
    path = derived(tmp_path, MT940 / "jejik-knab.sta", ":62F:C140508EUR500,", ":62F:C140508500,")
    parsed = parse(path)
    assert parsed.frame.equals(parse(MT940 / "jejik-knab.sta").frame)
    assert any(":8: " in w and "balance without a currency" in w for w in parsed.warnings)


def test_mt940_end_to_end_id_from_zka_fields() -> None:
    rows = parse(MT940 / "betterplace-sepa_mt9401.sta").frame.to_dicts()
    ids = [r["end_to_end_id"] for r in rows]
    assert "TFNR 40005 00005" in ids  # ?20EREF+TFNR 40005 00005?21MTLG:... (short field ends)
    assert "EndToEndIdTFNR2000400001" in ids  # ?20EREF+EndToEndIdTFNR20004000?2101 (full field)


def test_mt940_dutch_structured_creditor_reference() -> None:
    # Rabobank: /REMI//CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/1234567899874563
    (row,) = parse(MT940 / "zilverline-rabobank_structured_dutch_tax.txt").frame.to_dicts()
    assert row["invoice_refs"] == ["1234567899874563"] and row["remittance_text"] is None
    assert (row["payer_name"], row["end_to_end_id"]) == ("Belastingdienst", "123456789")
    assert row["payer_account"] == "NL86INGB0002445588"  # the :61: second line
    assert (row["amount"], row["direction"]) == (Decimal("2000.00"), "debit")


def test_mt940_abn_labelled_text_and_betalingskenmerk() -> None:
    ideal, transfer = parse(
        MT940 / "zilverline-abn_sepa_overboeking_belastingdienst.txt"
    ).frame.to_dicts()
    assert ideal["invoice_refs"] == ["E-02315467"]  # FACTUURNUMMER E-02315467
    assert ideal["end_to_end_id"] == "01-05-2020 13:21 6546546678787"
    assert (transfer["payer_name"], transfer["payer_account"]) == (
        "BELASTINGDIENST APELDOORN",
        "NL86INGB0002445588",
    )
    assert transfer["invoice_refs"] == ["1234123412345678"]  # BETALINGSKENM.: structured
    assert transfer["remittance_text"] == "SEPA OVERBOEKING"
    assert (transfer["amount"], transfer["direction"]) == (Decimal("500"), "debit")


# ---------------------------------------------------------------- camt


def test_camt_version_01_message_names_and_proprietary_account() -> None:
    parsed = parse(CAMT / "genkgo-camt052.v1.xml")  # BkToCstmrAcctRptV01, PrtryAcct/Id
    (row,) = parsed.frame.to_dicts()
    assert parsed.format == "camt.052.001.01"
    assert row["account"] == "CH2801234000123456789"
    assert (row["amount"], row["currency"], row["direction"]) == (Decimal("200000"), "SEK", "debit")
    assert row["booking_date"] == date(2007, 10, 18)  # DtTm 2007-10-18T10:15:00+01:00
    assert row["bank_reference"] == row["entry_reference"] == "AAAASESS-FP-ACCR-01"


@pytest.mark.parametrize(
    ("stamp", "day"),
    [
        ("2014-12-31T23:30:00-05:00", date(2014, 12, 31)),  # 1 January in UTC
        ("2015-01-01T00:30:00+02:00", date(2015, 1, 1)),  # 31 December in UTC
        ("2014-12-31T23:59:59.123456789+01:00", date(2014, 12, 31)),  # nine decimals
        ("2014-12-31T22:00:00Z", date(2014, 12, 31)),
    ],
)
def test_camt_booking_datetime_is_the_local_day(tmp_path: Path, stamp: str, day: date) -> None:
    path = derived(tmp_path, CAMT / "genkgo-camt053.v8.xml", "2014-12-31T13:15:00+01:00", stamp)
    assert parse(path).frame["booking_date"].to_list() == [day]


def test_camt_bad_datetime_names_the_element(tmp_path: Path) -> None:
    path = derived(
        tmp_path, CAMT / "genkgo-camt053.v8.xml", "2014-12-31T13:15:00+01:00", "2014-12-31T25:00"
    )
    with pytest.raises(ContractError) as caught:
        parse(path)
    (v,) = caught.value.violations
    assert v.column is not None and v.column.endswith("/Ntry/BookgDt/DtTm") and v.row == 117


def test_camt_transaction_servicer_reference_beats_the_entry(tmp_path: Path) -> None:
    # genkgo's camt.053 v8 with a transaction AcctSvcrRef added beside its entry's (the
    # Goldman Sachs sample below has the transaction's alone).
    path = derived(
        tmp_path,
        CAMT / "genkgo-camt053.v8.xml",
        "<EndToEndId>MUELL/FINP/RA12345</EndToEndId>",
        "<AcctSvcrRef>TX-SVC-0001</AcctSvcrRef><EndToEndId>MUELL/FINP/RA12345</EndToEndId>",
    )
    (row,) = parse(path).frame.to_dicts()
    (plain,) = parse(CAMT / "genkgo-camt053.v8.xml").frame.to_dicts()
    assert row["bank_reference"] == "TX-SVC-0001"
    assert row["entry_reference"] == plain["bank_reference"] == plain["entry_reference"]
    assert row["end_to_end_id"] == plain["end_to_end_id"] == "MUELL/FINP/RA12345"


def test_camt_goldman_sachs_transaction_references() -> None:
    # GS sample: entries carry NtryRef only; each TxDtls has its own Refs/AcctSvcrRef
    parsed = parse(CAMT / "newinnovations-example-camt053-b.xml")
    rows = parsed.frame.to_dicts()
    first = rows[0]
    assert first["bank_reference"] == "B20092800002225"  # not lost to the entry's NtryRef
    assert first["entry_reference"] == "52198201"
    assert first["end_to_end_id"] == "GSGWGDNCTAHQM8"
    assert (first["amount"], first["direction"]) == (Decimal("10.00"), "credit")
    assert rows[17]["customer_reference"] == "GS0E5LKNE7LSV59"  # Refs/InstrId
    assert len({r["bank_reference"] for r in rows}) == 19
    usd = [r for r in rows if r["currency"] == "USD"]
    assert total(usd, "credit") == Decimal("145.53") and total(usd, "debit") == Decimal("41.00")
    assert [r["amount"] for r in rows if r["currency"] == "EUR"] == [Decimal("29.06")]


def test_camt_nine_digit_fractions_and_balances_that_add_up() -> None:
    parsed = parse(CAMT / "newinnovations-example-camt053-a.xml")  # CreDtTm ...56.478733084+02:00
    rows = parsed.frame.to_dicts()
    assert parsed.warnings == []  # both statements: OPBD + booked entries = CLBD
    assert total(rows, "credit") == Decimal("801.74") and total(rows, "debit") == Decimal("542.00")
    assert rows[2]["payer_name"] == "GreatExample BV" and rows[2]["amount"] == Decimal("500.00")


def test_camt_balance_check() -> None:
    good = parse(CAMT / "newinnovations-test-camt053.xml")
    assert good.warnings == []
    assert good.frame["invoice_refs"].to_list() == [["123"], ["RF123456"]]
    assert good.frame["amount"].to_list() == [Decimal("100.00"), Decimal("50.00")]
    assert good.frame["direction"].to_list() == ["debit", "credit"]
    assert good.frame["booking_date"].to_list()[0] == date(2026, 3, 5)  # DtTm ...+01:00
    # the same file with a closing balance 50.00 off: said aloud, the rows still read
    bad = parse(CAMT / "newinnovations-error-camt053.xml")
    assert bad.frame.equals(good.frame)
    (warning,) = bad.warnings
    assert "950.00" in warning and "CLBD says 900.00" in warning


def test_camt_balance_check_on_a_bank_month(tmp_path: Path) -> None:
    month = CAMT / "subite-camt053-BE68793230773034-202411.xml"
    assert parse(month).warnings == []  # 268 entries reconcile OPBD to CLBD
    first = parse(month).frame.to_dicts()[0]
    assert first["amount"] == Decimal("50000")
    path = derived(
        tmp_path, month, '<Amt Ccy="EUR">59370.37</Amt>', '<Amt Ccy="EUR">59370.73</Amt>'
    )
    (warning,) = parse(path).warnings
    assert "an entry may be missing" in warning


def test_camt_split_batch_keeps_entry_and_transaction_references() -> None:
    rows = parse(CAMT / "genkgo-camt054.v4.xml").frame.to_dicts()
    assert len({r["entry_reference"] for r in rows}) == 1 and rows[0]["entry_reference"]
    assert rows[0]["invoice_refs"] == ["ISR ref number V1"]  # Strd/CdtrRefInf/Ref, first


# ---------------------------------------------------------------- BAI2


BAI2 = REAL / "bank-bai2"


def test_bai2_svb_summary_continued_after_a_trailing_comma() -> None:
    # `03,...,015,35217175,,,/` then `88,040,...`: the stray empty field must not shift the
    # continued groups, or the control total (which counts the 88 amounts) cannot agree
    parsed = parse(BAI2 / "moj-svb_us_example.bai2")
    assert parsed.warnings == []
    rows = parsed.frame.to_dicts()
    assert [(r["amount"], r["currency"], r["direction"]) for r in rows] == [
        (Decimal("4901.96"), "USD", "credit"),
        (Decimal("9058.00"), "USD", "credit"),
    ]
    assert [r["booking_date"] for r in rows] == [date(2022, 2, 1), date(2022, 2, 2)]
    assert [r["bank_reference"] for r in rows] == ["172629", "150675"]
    assert rows[0]["remittance_text"] == "SOME PAYMENT ACH OFFSET"


def test_bai2_citi_keyed_continuations_all_kept() -> None:
    parsed = parse(BAI2 / "moj-citi_example.bai2")
    assert parsed.warnings == []  # 49 control total 20001 = 10000 + 10000 + 1
    (row,) = parsed.frame.to_dicts()
    assert (row["amount"], row["currency"], row["direction"]) == (Decimal("0.01"), "GBP", "credit")
    assert row["value_date"] == date(2015, 7, 15)  # funds type V
    assert (row["bank_reference"], row["customer_reference"]) == ("1234567890", "RP12312312312312")
    text = str(row["remittance_text"])
    for kept in ("PY:RP1231231231231200", "OB:111111 BUCKINGHAM PALACE", "TRID: RP12312312312312"):
        assert kept in text  # keyed lines without a column stay in the text


def test_bai2_natwest_text_continuations() -> None:
    parsed = parse(BAI2 / "moj-nwb_example.bai2")
    assert parsed.warnings == []  # control total 143764 and 14 records agree
    rows = parsed.frame.to_dicts()
    assert {r["currency"] for r in rows} == {"GBP"}
    assert total(rows, "debit") == Decimal("27.65") and total(rows, "credit") == Decimal("0.89")
    assert str(rows[4]["remittance_text"]).endswith("INTERNATIONAL-5373 CLIE NT SECCY AC TFR")


def test_bai2_account_trailer_without_control_total() -> None:
    parsed = parse(BAI2 / "moj-account_trailer_amount_blank_example.bai2")  # `49,,2/`
    assert parsed.frame.height == 0
    (note,) = parsed.warnings
    assert "without a control total" in note and "line 4, 6" in note


def test_bai2_customer_reference_and_end_to_end_id_kept() -> None:
    rows = {
        r["bank_reference"]: r
        for r in parse(REAL / "bank-bai2" / "moov-sample5-issue113.bai2").frame.to_dicts()
    }
    wire = rows["GI2323300007089"]
    assert wire["customer_reference"] == "20230821J1Q5040C000707"  # 16 customer reference
    assert wire["end_to_end_id"] == "20230821J1Q5040C000707"  # 88,EREF:
    check = rows["SC2134800001999"]
    assert check["customer_reference"] is None and check["end_to_end_id"] == "07370568132"


def test_cli_shows_deviations_and_writes_every_reference(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from contracts.io import read_frame
    from jobs.cli import app

    out = tmp_path / "bank.csv"
    result = CliRunner().invoke(
        app, ["bank", "parse", str(MT940 / "php-mt940-zetb.sta"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "no transaction type code" in result.output and "8x" in result.output
    frame = read_frame(out, "bank_transactions")
    assert frame["bank_reference"].to_list()[0] == "19239782213"
    danske = tmp_path / "danske.parquet"
    result = CliRunner().invoke(
        app, ["bank", "parse", str(MT940 / "mt940rs-danskebank-dk.sta"), "--out", str(danske)]
    )
    assert result.exit_code == 0, result.output
    row = read_frame(danske, "bank_transactions").row(1, named=True)
    assert (row["customer_reference"], row["bank_reference"]) == ("Gebyrer ifolge", "nota")


def test_camt_balance_without_indicator_reads_as_credit(tmp_path: Path) -> None:
    # the Lithuanian TARGET statement's balances carry no CdtDbtInd; read as credit they
    # reconcile to the cent (21463830.35 - 4269179.77 = 17194650.59)
    statement = CAMT / "subite-camt053-2024-04-11.xml"
    assert parse(statement).warnings == []
    path = derived(
        tmp_path, statement, '"EUR">891017.25</Amt><CdtDbtInd>', '"EUR">891017.26</Amt><CdtDbtInd>'
    )
    (warning,) = parse(path).warnings
    assert "17194650.60" in warning and "CLBD says 17194650.59" in warning


def test_csv_reference_columns(tmp_path: Path) -> None:
    path = tmp_path / "advice.csv"
    path.write_text(
        "date,currency,amount,reference,end_to_end_id,customer_reference,text\n"
        "2026-03-02,EUR,1128.00,PAY-77,E2E-2026-0001,OUR-REF-9,Invoice 4711 less 6 % damaged\n",
        encoding="utf-8",
    )
    (row,) = parse(path).frame.to_dicts()
    assert (row["bank_reference"], row["end_to_end_id"], row["customer_reference"]) == (
        "PAY-77",
        "E2E-2026-0001",
        "OUR-REF-9",
    )
    assert row["amount"] == Decimal("1128.00") and row["invoice_refs"] == ["4711"]


def test_camt_referred_documents_before_creditor_reference(tmp_path: Path) -> None:
    # No public camt statement found with Strd/RfrdDocInf; genkgo's v8 with two invoices
    # (a payer's "invoice X and Y") added before its SCOR creditor reference.
    path = derived(
        tmp_path,
        CAMT / "genkgo-camt053.v8.xml",
        "<RmtInf>",
        "<RmtInf><Strd><RfrdDocInf><Nb>RE-2014-0042</Nb></RfrdDocInf>"
        "<RfrdDocInf><Nb>RE-2014-0043</Nb></RfrdDocInf></Strd>",
    )
    (row,) = parse(path).frame.to_dicts()
    assert row["invoice_refs"] == ["RE-2014-0042", "RE-2014-0043", "4654654654654654"]


def test_mt940_amount_on_the_next_line(tmp_path: Path) -> None:
    # No public file found; WoLpH/mt940 reads it for Sparkassen. The Volksbank file with the
    # first :61: broken after its D/C mark.
    source = MT940 / "jejik-volksbankenraiffeisenbanken.txt"
    path = derived(tmp_path, source, ":61:200219C65,00NMSC", ":61:200219C\n65,00NMSC")
    parsed = parse(path)
    assert parsed.frame.equals(parse(source).frame)
    assert any(":5: " in w and "amount on the next line" in w for w in parsed.warnings)


def test_camt_split_batch_must_net_to_its_entry(tmp_path: Path) -> None:
    batch = CAMT / "subite-camt054-2024-03-18.xml"
    assert parse(batch).warnings == []  # 41 transactions net to the 194672.25 DBIT entry
    path = derived(tmp_path, batch, '<Amt Ccy="EUR">920.76</Amt>', '<Amt Ccy="EUR">920.67</Amt>')
    (warning,) = parse(path).warnings
    assert "41 transactions net 194672.16" in warning and "194672.25 EUR" in warning


def test_cli_refuses_a_camt_without_statement(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jobs.cli import app

    out = tmp_path / "bank.csv"
    refused = REAL / "bank-refused" / "genkgo-camt053.v2.wrong.xml"
    result = CliRunner().invoke(
        app, ["bank", "parse", str(refused), "--out", str(out)], env={"COLUMNS": "300"}
    )  # wide enough that the table does not wrap the rule
    assert result.exit_code == 1, result.output
    assert "/Document/BkToCstmrStmt" in result.output and "no Stmt element" in result.output
    assert not out.exists()  # nothing written: zero rows would have looked like a quiet day


def test_mt940_blanks_in_place_of_the_entry_date_asn() -> None:
    # wolph/mt940's copy of the ASN statement with `:61:200101    D65,00...`: four blanks where
    # the entry date belongs (lines 6 and 271). It must read exactly as the bank's own file,
    # whose entry dates on those two lines equal their value dates.
    parsed = parse(MT940 / "wolph-asnb-blank-entry-date.txt")
    (note,) = [w for w in parsed.warnings if "blanks in place of the entry date" in w]
    assert "2x" in note and "line 6, 271" in note
    assert balance_warnings(parsed.warnings) == []  # 404.81 + lines = 501.23
    original = parse(MT940 / "ASNB-0708271685_09022020_164516.940.txt").frame
    assert parsed.frame.equals(original)
    first, last = parsed.frame.row(0, named=True), parsed.frame.row(-1, named=True)
    assert (first["amount"], first["direction"], first["booking_date"]) == (
        Decimal("65.00"),
        "debit",
        date(2020, 1, 1),
    )
    assert (first["customer_reference"], first["bank_reference"]) == (
        "NL47INGB9999999999",
        "NL47INGB9999999999",
    )  # ASN writes the counter IBAN as the customer reference; there is no `//`
    assert first["end_to_end_id"] is None and first["payer_name"] == "hr gjlm paulissen"
    assert (last["amount"], last["direction"], last["booking_date"]) == (
        Decimal("903.76"),
        "debit",
        date(2020, 1, 31),
    )


def test_mt940_blanks_for_entry_date_and_funds_code_citi() -> None:
    # wolph/mt940's Citi sample: `:61:240312    DD212,39NMSCNONREF//` (no entry date, funds code
    # D of USD), zero-amount lines carrying BAI summary figures, :86: lines indented by blanks.
    parsed = parse(MT940 / "wolph-citi-blank-entry-date.txt")
    rows = parsed.frame.to_dicts()
    assert [(r["amount"], r["direction"]) for r in rows] == [
        (Decimal("212.39"), "debit"),
        (Decimal("369.28"), "debit"),
        (Decimal("0.00"), "credit"),
        (Decimal("0.00"), "credit"),
        (Decimal("561.08"), "debit"),
    ]  # wolph/mt940 reads 5 transactions too (mt940_tests/test_processors.py)
    assert balance_warnings(parsed.warnings) == []  # 17376.67 - 1142.75 = 16233.92
    for row in rows:
        assert (row["currency"], row["account"]) == ("USD", "123456789")
        assert row["booking_date"] == row["value_date"] == date(2024, 3, 12)
        # NONREF and nothing after `//`: the file carries no reference for any line
        assert (row["bank_reference"], row["customer_reference"], row["end_to_end_id"]) == (
            None,
            None,
            None,
        )
    assert rows[0]["remittance_text"] == "/PT/FT/PY/SOMETHING FOO BAR 112233 123456789"
    assert [r["transaction_id"] for r in rows] == [f"asdfsdfdsf:{n}" for n in range(1, 6)]


def test_camt_uetr_is_kept_as_the_end_to_end_reference() -> None:
    # genkgo/camt's camt.054.001.08 whose only transaction reference is the SWIFT gpi UETR
    # (`TxDtls/Refs/UETR`); it was dropped, leaving the line with no reference at all.
    parsed = parse(CAMT / "genkgo-camt054.v8-with-UETR.xml")
    (row,) = parsed.frame.to_dicts()
    assert parsed.warnings == []
    uetr = "255ae394-9965-4438-ac86-f406feada396"
    assert (row["end_to_end_id"], row["bank_reference"]) == (uetr, uetr)
    assert (row["customer_reference"], row["entry_reference"]) == (None, None)
    assert (row["amount"], row["currency"], row["direction"]) == (Decimal("200000"), "SEK", "debit")
    assert row["booking_date"] == date(2007, 10, 18) and row["value_date"] is None  # CreDtTm
    # an EndToEndId beside it still wins: the UETR is the fallback
    (genkgo,) = parse(CAMT / "genkgo-camt053.v8.xml").frame.to_dicts()
    assert genkgo["end_to_end_id"] == "MUELL/FINP/RA12345"


def test_camt_goldman_sachs_every_row_against_the_xml() -> None:
    """Each of the 19 entries, read straight from the XML with lxml (not through the parser):
    amount, currency, direction, booking and value day, and every reference of its TxDtls."""
    from lxml import etree

    path = CAMT / "newinnovations-example-camt053-b.xml"
    ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}

    def text(node: etree._Element, xpath: str) -> str | None:
        found = node.xpath(xpath, namespaces=ns)
        return str(found[0]).strip() if found else None

    expected = []
    for entry in etree.parse(str(path)).getroot().iterfind(".//c:Ntry", ns):
        stamp, day = text(entry, "c:BookgDt/c:DtTm/text()"), text(entry, "c:ValDt/c:Dt/text()")
        assert stamp is not None and stamp.endswith("Z")  # UTC: the day is the stamp's
        refs = "c:NtryDtls/c:TxDtls/c:Refs/c:"
        expected.append(
            (
                Decimal(str(text(entry, "c:Amt/text()"))),
                text(entry, "c:Amt/@Ccy"),
                {"CRDT": "credit", "DBIT": "debit"}[str(text(entry, "c:CdtDbtInd/text()"))],
                date.fromisoformat(stamp[:10]),
                date.fromisoformat(str(day)) if day else None,
                text(entry, refs + "AcctSvcrRef/text()"),
                text(entry, refs + "InstrId/text()"),
                text(entry, refs + "EndToEndId/text()"),
                text(entry, "c:NtryRef/text()"),
            )
        )
    got = [
        (r["amount"], r["currency"], r["direction"], r["booking_date"], r["value_date"],
         r["bank_reference"], r["customer_reference"], r["end_to_end_id"], r["entry_reference"])
        for r in parse(path).frame.to_dicts()
    ]  # fmt: skip
    assert len(expected) == 19 and all(e[5] for e in expected)  # each has its own AcctSvcrRef
    assert got == expected


def test_mt940_lone_dash_followed_by_more_86_text(tmp_path: Path) -> None:
    # No public file found; the zilverline Rabobank file with a text line after its lone '-':
    # the message still goes on (its :62F: follows), so the '-' cannot be its end.
    source = MT940 / "zilverline-rabobank-dash_as_start_of_line.txt"
    path = derived(tmp_path, source, "yyyy -\n-\n", "yyyy -\n-\nmore text\n")
    parsed = parse(path)
    (row,) = parsed.frame.to_dicts()
    (plain,) = parse(source).frame.to_dicts()
    assert str(row["remittance_text"]) == f"{plain['remittance_text']}more text"
    assert {k: v for k, v in row.items() if k != "remittance_text"} == {
        k: v for k, v in plain.items() if k != "remittance_text"
    }
    assert balance_warnings(parsed.warnings) == []
    assert any(":11: " in w and "lone '-'" in w for w in parsed.warnings)


def test_mt940_dash_before_a_bank_header_still_ends_the_message() -> None:
    # ABN AMRO: `-` then `ABNANL2A` / `940` / `ABNANL2A` lines, then the next :20:
    parsed = parse(MT940 / "jejik-abnamro.sta")
    assert not any("lone '-'" in w for w in parsed.warnings)
    assert parsed.frame.height == 10
