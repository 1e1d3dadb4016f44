"""The mock's Z_OTC_AR_CLEAR against the shared case table (tests/fixtures/clearing_cases.json).

The same table drives the ABAP Unit tests of the kit's line builder (tests/abap/), so the kit
and the mock cannot drift apart: residual lines for open - paid - discount, one discount line,
money left over on account, the G/L line's cost centre, and dates written in the logon user's
date format (USR01-DATFM; the setting ``user_date_format``, default "2" = MM/DD/YYYY).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mock_erp.sap.models import SapBackend, dats
from mock_erp.sap.responses import HANDLERS
from mock_erp.sap.seed import seed_sap
from mock_erp.sap.user_dates import GREGORIAN, read_user_date, write_user_date
from mock_erp.store import Store

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "clearing_cases.json").read_text())
TODAY = date(2025, 3, 5)  # day <= 12: a day/month swap gives another valid date, silently
WRITEOFF_GL = "0000289000"  # the seed's write-off account (not the discount account)


@pytest.fixture
def sap() -> SapBackend:
    store = Store(":memory:")
    backend = SapBackend(store, today=TODAY)
    seed_sap(store, seed=42, customers=40, open_items=100, today=TODAY)
    return backend


def call(b: SapBackend, fm: str, **params: Any) -> dict[str, Any]:
    return HANDLERS[fm](b, b.open_session(), params)


def customer_of(b: SapBackend, bukrs: str) -> str:
    row = b.store.query_one(
        "SELECT KUNNR FROM KNB1 JOIN KNA1 USING (KUNNR) WHERE BUKRS = ? AND KNB1.SPERR = '' "
        "AND KNA1.SPERR = '' AND KUNNR >= '0000001000' ORDER BY KUNNR",
        (bukrs,),
    )
    assert row
    return str(row[0])


def invoice(b: SapBackend, bukrs: str, kunnr: str, waers: str, amount: str, ref: str) -> str:
    """Post and commit an invoice of exactly `amount`; returns its document number."""
    sid = b.open_session()
    posted = HANDLERS["BAPI_ACC_DOCUMENT_POST"](
        b,
        sid,
        {
            "DOCUMENTHEADER": {
                "COMP_CODE": bukrs,
                "DOC_DATE": dats(TODAY),
                "PSTNG_DATE": dats(TODAY),
                "DOC_TYPE": "DR",
                "REF_DOC_NO": ref,
                "USERNAME": "TESTER",
            },
            "ACCOUNTRECEIVABLE": [{"ITEMNO_ACC": "0000000001", "CUSTOMER": kunnr}],
            "ACCOUNTGL": [{"ITEMNO_ACC": "0000000002", "GL_ACCOUNT": "0000800000"}],
            "CURRENCYAMOUNT": [
                {"ITEMNO_ACC": "0000000001", "CURRENCY": waers, "AMT_DOCCUR": Decimal(amount)},
                {"ITEMNO_ACC": "0000000002", "CURRENCY": waers, "AMT_DOCCUR": -Decimal(amount)},
            ],
        },
    )
    assert posted["RETURN"][0]["TYPE"] == "S", posted["RETURN"]
    assert b.commit(sid) is None
    return str(posted["OBJ_KEY"])[:10]


def clear_case(b: SapBackend, case: dict[str, Any], when: date = TODAY) -> dict[str, Any]:
    bukrs, waers = case["company"], case["currency"]
    kunnr = customer_of(b, bukrs)
    comp = b.company(bukrs)
    assert comp is not None
    docs = [
        invoice(b, bukrs, kunnr, waers, it["open"], f"{case['name'][:10]}-{n}")
        for n, it in enumerate(case["items"], start=1)
    ]
    answer = call(
        b,
        "Z_OTC_AR_CLEAR",
        I_COMP_CODE=bukrs,
        I_CUSTOMER=kunnr,
        I_DOC_DATE=dats(when),
        I_PSTNG_DATE=dats(when),
        I_CURRENCY=waers,
        I_REF_DOC_NO=f"OTC-{case['name'][:12]}",
        I_AUGLV=case["auglv"],
        I_BANK_GL=comp["BANK_GL"] if case["auglv"] == "EINGZAHL" else "",
        I_AMOUNT=Decimal(case["payment"]),
        T_ITEMS=[
            {
                "FISC_YEAR": str(TODAY.year),
                "DOC_NO": doc,
                "ITEM_NUM": "001",
                "CLR_MODE": it["mode"],
                "AMT_PAID": Decimal(it["paid"]),
                "DISC_AMT": Decimal(it["discount"]),
                "REASON_CDE": it["reason"],
            }
            for doc, it in zip(docs, case["items"], strict=True)
        ],
        T_GLLINES=[
            {
                "GL_ACCOUNT": WRITEOFF_GL,
                "AMT_DOCCUR": Decimal(g["amount"]),
                "COSTCENTER": g["costcenter"],
            }
            for g in case["gl"]
        ],
    )
    return {"answer": answer, "docs": docs, "comp": comp, "kunnr": kunnr}


def as_case_lines(run: dict[str, Any]) -> list[dict[str, Any]]:
    """T_LINES in the table's terms, without the clearing line FB05 adds itself."""
    comp, docs = run["comp"], run["docs"]
    names = {comp["BANK_GL"]: "bank", comp["DISC_GL"]: "discount", WRITEOFF_GL: "gl"}
    out = []
    for ln in run["answer"]["T_LINES"]:
        if ln["CLEARED"] == "X":
            continue
        account = "customer" if ln["ACCT_TYPE"] == "D" else names[ln["GL_ACCOUNT"]]
        out.append(
            {
                "key": ln["POST_KEY"],
                "account": account,
                "amount": Decimal(ln["AMT_DOCCUR"]),
                "costcenter": ln["COSTCENTER"],
                "reason": ln["REASON_CDE"],
                "item": docs.index(ln["INV_REF"]) + 1 if ln["INV_REF"] else 0,
            }
        )
    return out


@pytest.mark.parametrize("case", CASES["clearing"], ids=lambda c: c["name"])
def test_clearing_posts_the_case_lines(sap: SapBackend, case: dict[str, Any]) -> None:
    run = clear_case(sap, case)
    answer = run["answer"]
    first = answer["RETURN"][0]
    assert (first["TYPE"], first["ID"], first["NUMBER"]) == ("S", "ZOTC", "000")
    assert as_case_lines(run) == [{**ln, "amount": Decimal(ln["amount"])} for ln in case["lines"]]
    # T_LINES is the document as stored: one BSEG row per line, same keys and amounts
    bseg = sap.store.query(
        "SELECT BUZEI, BSCHL, KOSTL FROM BSEG WHERE BUKRS = ? AND BELNR = ? ORDER BY BUZEI",
        (case["company"], answer["E_DOC_NO"]),
    )
    assert [(r[0], r[1], r[2]) for r in bseg] == [
        (ln["ITEM_NUM"], ln["POST_KEY"], ln["COSTCENTER"]) for ln in answer["T_LINES"]
    ]


@pytest.mark.parametrize("row", CASES["date_texts"], ids=lambda r: f"{r['datfm']}-{r['date']}")
def test_user_date_text_matches_the_table(row: dict[str, str]) -> None:
    value = date.fromisoformat(row["date"])
    assert write_user_date(value, row["datfm"]) == row["text"]
    assert read_user_date(row["text"], row["datfm"]) == value


def test_a_day_first_text_read_by_a_us_user_is_another_date() -> None:
    """What the old kit did (WRITE ... DD/MM/YYYY): 5 March becomes 3 May for format 2."""
    assert read_user_date("05/03/2025", "2") == date(2025, 5, 3)
    with pytest.raises(ValueError):
        read_user_date("31/12/2024", "2")  # a day > 12: batch input stops instead


@pytest.mark.parametrize("datfm", sorted(GREGORIAN))
def test_clearing_posts_the_right_dates_for_every_user_format(sap: SapBackend, datfm: str) -> None:
    sap.settings.user_date_format = datfm
    when = date(2025, 3, 4)
    run = clear_case(sap, CASES["clearing"][1], when=when)
    assert run["answer"]["RETURN"][0]["NUMBER"] == "000", run["answer"]["RETURN"]
    row = sap.store.query_one(
        "SELECT BUDAT, BLDAT FROM BKPF WHERE BUKRS = '1000' AND BELNR = ?",
        (run["answer"]["E_DOC_NO"],),
    )
    assert row == (dats(when), dats(when))


def test_the_default_user_format_is_us(sap: SapBackend) -> None:
    assert sap.settings.user_date_format == "2"


@pytest.mark.parametrize("datfm", CASES["unsupported_datfm"])
def test_era_and_lunar_formats_are_refused_and_nothing_posts(sap: SapBackend, datfm: str) -> None:
    sap.settings.user_date_format = datfm
    run = clear_case(sap, CASES["clearing"][0])
    ret = run["answer"]["RETURN"]
    assert [(r["TYPE"], r["ID"], r["NUMBER"]) for r in ret] == [("E", "ZOTC", "011")]
    assert ret[0]["MESSAGE_V1"] == datfm and not run["answer"]["E_DOC_NO"]
    cleared = sap.store.query_one(
        "SELECT COUNT(*) FROM BSAD WHERE BUKRS = '1000' AND BELNR = ?", (run["docs"][0],)
    )
    assert cleared == (0,)


@pytest.mark.parametrize("case", CASES["errors"], ids=lambda c: c["name"])
def test_clearing_refuses_the_error_cases(sap: SapBackend, case: dict[str, Any]) -> None:
    run = clear_case(sap, case)
    ret = run["answer"]["RETURN"]
    assert [(r["TYPE"], r["ID"], r["NUMBER"]) for r in ret] == [("E", "ZOTC", case["error"])]
    if case["v1"]:
        assert ret[0]["MESSAGE_V1"] == case["v1"]
    assert not run["answer"]["E_DOC_NO"]


@pytest.mark.parametrize(
    "row", CASES["decimal_checks"], ids=lambda r: f"{r['amount']}-{r['currency']}"
)
def test_amounts_fit_the_currency_decimals_as_in_the_table(
    sap: SapBackend, row: dict[str, Any]
) -> None:
    assert sap.currdec(row["currency"]) == row["decimals"]
    assert (sap.to_minor(Decimal(row["amount"]), row["currency"]) is not None) is row["fits"]
