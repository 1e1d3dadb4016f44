"""References as payers write them, credit notes netted, small differences routed: issue 17 §3.

The ledger numbers invoices `RE-2026-NNNNN` (company 1000) and `FA/2026/NNNNN` (company 2000,
a prefix nobody configured): the index learns both layouts from the open items themselves.
"""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals

import polars as pl
import pytest
from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from contracts.validate import validate
from jobs.bank import parse_file
from jobs.bank.generate import Payment, bai2, camt053
from jobs.matching import MatchConfig, match
from jobs.matching.references import finnish_check_digit, join_rf
from tests.matching.conftest import bank, customers, items

IBAN = "DE89370400440532013000"
AMOUNTS = [D("1200.00"), D("830.40"), D("415.99"), D("2990.00"), D("77.70"), D("1010.10")]
LEDGER = pl.concat(
    [
        items(*(
            {"document_id": f"18000{781 + n:05d}", "reference": f"RE-2026-{10781 + n}",
             "amount": amount}
            for n, amount in enumerate(AMOUNTS)
        )),
        items(*(
            {"document_id": f"19000{n:05d}", "reference": f"FA/2026/{n:05d}", "company": "2000",
             "customer_id": "200", "amount": D("500.00") + n}
            for n in range(1, 6)
        )),
        items(
            {"document_id": "1700000031", "reference": "GS-2026-00031", "amount": D("-150.00"),
             "document_type": "credit_memo"},
            {"document_id": "1700000032", "reference": "GS-2026-00032", "amount": D("-99.00"),
             "document_type": "credit_memo"},
        ),
    ]
)  # fmt: skip
PEOPLE = customers(
    {"customer_id": "100", "name": "Brandt Maschinenbau GmbH", "iban": IBAN},
    {"customer_id": "200", "name": "Lumière Distribution SA"},
)


def docs(result: pl.DataFrame) -> list[tuple[str | None, D]]:
    rows = result.sort("document_id", nulls_last=True).select("document_id", "applied_amount")
    return [(d, a) for d, a in rows.iter_rows()]


@pytest.mark.parametrize(
    "text",
    ["Rechnung 10781", "RE 0010781", "10781/2026", "2026-10781", "Rg.Nr. 2026 10781",
     "INVOICE 010781 / 2026"],
)  # fmt: skip
def test_year_less_padded_reordered_and_prefix_less_references(text: str) -> None:
    confirmed = bank({"amount": D("1200.00"), "payer_account": IBAN, "remittance_text": text})
    assert docs(match(confirmed, LEDGER, PEOPLE).applications) == [("1800000781", D("1200.00"))]
    anonymous = bank({"amount": D("1200.00"), "remittance_text": text})  # the full amount
    assert docs(match(anonymous, LEDGER, PEOPLE).applications) == [("1800000781", D("1200.00"))]


def test_a_year_less_number_alone_needs_the_payer_or_the_full_amount() -> None:
    """`10781` is weak: an anonymous deduction on it is not taken, a confirmed one is."""
    text = "10781 damaged"
    anonymous = match(bank({"amount": D("1100.00"), "remittance_text": text}), LEDGER, PEOPLE)
    assert anonymous.applications.height == 0
    confirmed = bank({"amount": D("1100.00"), "payer_account": IBAN, "remittance_text": text})
    row = match(confirmed, LEDGER, PEOPLE).applications.row(0, named=True)
    assert (row["document_id"], row["reason_code"]) == ("1800000781", "DAMAGED")


def test_the_numbering_is_learned_per_company() -> None:
    """FA/2026/00003 is company 2000's layout: `3` is too short, `00003/2026` is not."""
    line = bank({"amount": D("503.00"), "remittance_text": "Facture 2026/00003"},
                {"amount": D("504.00"), "remittance_text": "FA 00004/2026"},
                {"amount": D("501.00"), "payer_name": "Lumiere Distribution",
                 "remittance_text": "fa-2026-1"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    assert docs(result.applications) == [
        ("1900000001", D("501.00")),
        ("1900000003", D("503.00")),
        ("1900000004", D("504.00")),
    ]
    assert set(result.applications["company"]) == {"2000"}


@pytest.mark.parametrize(
    "text",
    ["RE-2026-10781/10782", "10781, 10782", "Rg. 10781 u. 10782", "10781 and 10782",
     "10781+10782", "10781 10782", "RE-2026-10781 RE-2026-10782"],
)  # fmt: skip
def test_lists_of_references(text: str) -> None:
    line = bank({"amount": D("2030.40"), "remittance_text": text})
    assert docs(match(line, LEDGER, PEOPLE).applications) == [
        ("1800000781", D("1200.00")),
        ("1800000782", D("830.40")),
    ]


def rf(reference: str) -> str:
    """An ISO 11649 creditor reference for `reference` (check digits over ref + RF00)."""
    check = mod_97_10.calc_check_digits(reference + "RF")
    return f"RF{check}{reference}"


def test_structured_creditor_and_national_references() -> None:
    creditor = rf("1800000783")
    spaced = " ".join(creditor[i : i + 4] for i in range(0, len(creditor), 4))
    assert join_rf(f"Paid {spaced} thanks") == f"PAID {creditor} THANKS"
    finnish = "1800000784" + finnish_check_digit("1800000784")
    ocr = "1800000785" + str((len("1800000785") + 2) % 10)
    ocr += luhn.calc_check_digit(ocr)
    lines = bank(
        {"amount": D("415.99"), "remittance_text": f"Payment {spaced}"},
        {"amount": D("2990.00"), "invoice_refs": [finnish]},
        {"amount": D("77.70"), "remittance_text": f"OCR {ocr}"},
    )
    result = match(lines, LEDGER, PEOPLE)
    assert docs(result.applications) == [
        ("1800000783", D("415.99")),
        ("1800000784", D("2990.00")),
        ("1800000785", D("77.70")),
    ]
    wrong = bank({"amount": D("415.99"), "remittance_text": "Payment RF00 1800 0007 83"})
    assert match(wrong, LEDGER, PEOPLE).applications["match_rule"].to_list() != ["reference"]


def test_camt_referred_document_and_bai2_remittance() -> None:
    """camt `Strd/RfrdDocInf/Nb` and a BAI2 88 `REMI` ACH addenda (RMR*IV) name the invoices."""
    from pathlib import Path
    from tempfile import TemporaryDirectory

    payments = [
        Payment(D("1200.00"), "EUR", payer_name="Brandt Maschinenbau", refs=("2026/10781",)),
        Payment(D("830.40"), "EUR", payer_name="Brandt Maschinenbau", refs=("10782",)),
    ]
    xml = camt053(payments).replace("<CdtrRefInf><Ref>", "<RfrdDocInf><Nb>")
    xml = xml.replace("</Ref></CdtrRefInf>", "</Nb></RfrdDocInf>")
    assert xml.count("<RfrdDocInf>") == 2
    ach = [Payment(D("1010.10"), "EUR", payer_name="BRANDT MASCHINENBAU GMBH", reference="A1")]
    text = bai2(ach).replace("88,DBNM: BRANDT", "88,REMI: RMR*IV*10786*1010.10\\\n88,DBNM: BRANDT")
    with TemporaryDirectory() as tmp:
        camt_path = Path(tmp) / "stmt.xml"
        camt_path.write_text(xml, encoding="utf-8")
        bai_path = Path(tmp) / "lockbox.bai"
        bai_path.write_text(text, encoding="utf-8")
        lines = pl.concat([parse_file(camt_path), parse_file(bai_path)], how="vertical_relaxed")
    result = match(lines, LEDGER, PEOPLE)
    assert docs(result.applications) == [
        ("1800000781", D("1200.00")),
        ("1800000782", D("830.40")),
        ("1800000786", D("1010.10")),
    ]
    assert set(result.applications["match_rule"]) == {"reference"}


def test_a_credit_note_netted_against_two_invoices() -> None:
    """ "RE-2026-10781 + 10782 abzgl. Gutschrift GS-2026-00031": 1200 + 830.40 - 150."""
    line = bank({"amount": D("1880.40"), "payer_account": IBAN,
                 "remittance_text": "RE-2026-10781 + 10782 abzgl. Gutschrift GS-2026-00031"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    assert docs(result.applications) == [
        ("1700000031", D("-150.00")),
        ("1800000781", D("1200.00")),
        ("1800000782", D("830.40")),
    ]
    assert set(result.applications["match_rule"]) == {"reference"}
    assert result.applications["applied_amount"].sum() == D("1880.40")
    validate(result.applications, "cash_applications")
    # Unnamed credit notes are never taken by the amount rules.
    unnamed = bank({"amount": D("1101.00"), "payer_account": IBAN})  # 1200 - 99
    assert "1700000032" not in (match(unnamed, LEDGER, PEOPLE).applications["document_id"])


def test_credit_note_and_deduction_together() -> None:
    line = bank({"amount": D("1000.00"), "payer_account": IBAN,
                 "remittance_text": "Inv 10781 less CN GS-2026-00032, freight"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    rows = result.applications.sort("document_id").select(
        "document_id", "applied_amount", "reason_code"
    )
    assert rows.rows() == [
        ("1700000032", D("-99.00"), None),
        ("1800000781", D("1099.00"), "FREIGHT"),
    ]


@pytest.mark.parametrize(
    ("route", "under_reason", "over_rows"),
    [
        ("write_off", "SMALL", [(None, D("0.03"), "SMALL")]),
        ("on_account", "SMALL", [(None, D("0.03"), None)]),
        ("deduction", "PRICING", [(None, D("0.03"), None)]),
    ],
)
def test_small_differences_with_a_reference_are_routed_by_rule(
    route: str, under_reason: str, over_rows: list[tuple[str | None, D, str | None]]
) -> None:
    config = MatchConfig(small_difference=route)
    lines = bank(
        {"amount": D("1199.99"), "remittance_text": "RE-2026-10781 price rounding"},
        {"amount": D("830.43"), "remittance_text": "RE-2026-10782"},  # FX cents over
    )
    result = match(lines, LEDGER, PEOPLE, config)
    got = result.applications.sort("document_id", nulls_last=True).select(
        "document_id", "applied_amount", "reason_code"
    )
    assert got.rows() == [
        ("1800000781", D("1199.99"), under_reason),
        ("1800000782", D("830.40"), None),
        *over_rows,
    ]
    validate(result.applications, "cash_applications")


def test_a_discount_rounded_by_a_cent() -> None:
    from datetime import date

    ledger = items(
        {"document_id": "1800000901", "reference": "RE-2026-20901", "amount": D("1000.00"),
         "discount_date": date(2026, 11, 5), "discount_amount": D("20.00")},
    )  # fmt: skip
    line = bank({"amount": D("979.99"), "remittance_text": "RE-2026-20901 2% Skonto"})
    row = match(line, ledger, PEOPLE).applications.row(0, named=True)
    assert (row["applied_amount"], row["discount_amount"], row["reason_code"]) == (
        D("979.99"),
        D("20.00"),
        "SMALL",
    )


def test_payers_identified_by_the_whole_picture() -> None:
    """A parent paying from the group's shared IBAN, a payer clearing its whole balance, and
    an exact amount among the items of a payer whose name is only like a customer's."""
    group_iban = "FR7630006000011234567890189"
    ledger = pl.concat(
        [
            LEDGER,
            items(
                {"document_id": "1800000801", "reference": "RE-2026-10801", "amount": D("640.00"),
                 "customer_id": "301"},
                {"document_id": "1800000802", "reference": "RE-2026-10802", "amount": D("712.00"),
                 "customer_id": "302"},
            ),
        ]
    )  # fmt: skip
    people = pl.concat(
        [
            PEOPLE,
            customers(
                {"customer_id": "301", "name": "Nordwind Holding SE", "iban": group_iban},
                {"customer_id": "302", "name": "Nordwind Logistik Süd GmbH", "iban": group_iban},
            ),
        ]
    )
    balance = sum(AMOUNTS, D(0))  # all six open invoices of customer 100, no reference
    lines = bank(
        {"amount": D("712.00"), "payer_account": group_iban, "payer_name": "NORDWIND HOLDING"},
        {"amount": balance, "payer_account": IBAN},
        {"amount": D("503.00"), "payer_name": "Lumiere Distributeurs"},  # 83 % like 200
    )
    result = match(lines, ledger, people)
    by_line = result.applications.group_by("application_id").agg(
        pl.col("customer_id").first(), pl.col("match_rule").first(), pl.len()
    )
    got = sorted(by_line.select("customer_id", "match_rule", "len").rows())
    assert got == [("100", "whole_balance", 6), ("200", "exact_amount", 1),
                   ("302", "exact_amount", 1)]  # fmt: skip
    assert result.exceptions.height == 0
    # Not confirmed by the amount: nothing is applied on the name alone.
    off = bank({"amount": D("503.01"), "payer_name": "Lumiere Distributeurs"})
    assert match(off, ledger, people).applications.height == 0
