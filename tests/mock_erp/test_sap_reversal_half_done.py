"""The half-done reversal of the SAP persona (no HTTP): Z_OTC_AR_REVERSE commits the tag and
FBRA's reset, then FB08 fails (fault `fb08_fails_after_reset`). As the kit: ZOTC 027 first,
then FB08's message; the payment is on account, its items are open; the next call of the
same key finishes it; a call under another key or of a payment that cleared nothing is not
"half done" (docs/mock-erp-sap-reversal.md, adapters/sap/abap/.../z_otc_ar_reverse.abap)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mock_erp.sap.models import SapBackend
from mock_erp.sap.responses import HANDLERS
from mock_erp.sap.seed import seed_sap
from mock_erp.store import Store

TODAY = date(2025, 3, 15)
BUDAT = "20250310"
FAULT = frozenset({"fb08_fails_after_reset"})


@pytest.fixture
def sap() -> SapBackend:
    store = Store(":memory:")
    backend = SapBackend(store, today=TODAY)
    seed_sap(store, seed=42, customers=60, open_items=600, today=TODAY)
    return backend


def call(b: SapBackend, fm: str, faults: frozenset[str] = frozenset(), **p: Any) -> dict[str, Any]:
    b.call_faults = faults  # as the persona sets it for one call (mock_erp/sap/routes.py)
    try:
        return HANDLERS[fm](b, b.open_session(), p)
    finally:
        b.call_faults = frozenset()


def ids(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["TYPE"], r["ID"], r["NUMBER"]) for r in rows]


def one(b: SapBackend, sql: str, *args: Any) -> Any:
    return b.store.query_one(sql, args)


def paid_invoice(b: SapBackend) -> tuple[dict[str, Any], str]:
    """An open invoice of an unblocked customer, cleared in full by Z_OTC_AR_CLEAR."""
    row = one(
        b,
        "SELECT BELNR, GJAHR, BUZEI, KUNNR, WRBTR, WAERS FROM BSID JOIN KNA1 USING (KUNNR) "
        "JOIN KNB1 USING (KUNNR, BUKRS) WHERE BUKRS = '1000' AND BLART = 'DR' "
        "AND KNA1.SPERR = '' AND KNB1.SPERR = '' ORDER BY BELNR",
    )
    inv = dict(zip(("BELNR", "GJAHR", "BUZEI", "KUNNR", "WRBTR", "WAERS"), row, strict=True))
    out = call(
        b, "Z_OTC_AR_CLEAR", I_COMP_CODE="1000", I_CUSTOMER=inv["KUNNR"], I_DOC_DATE=BUDAT,
        I_PSTNG_DATE=BUDAT, I_CURRENCY=inv["WAERS"], I_REF_DOC_NO="PAY-HALF",
        I_BANK_GL="0000113100", I_AMOUNT=Decimal(inv["WRBTR"]),
        T_ITEMS=[{"FISC_YEAR": inv["GJAHR"], "DOC_NO": inv["BELNR"], "ITEM_NUM": inv["BUZEI"],
                  "CLR_MODE": "F", "AMT_PAID": Decimal(inv["WRBTR"]), "DISC_AMT": Decimal(0)}],
    )  # fmt: skip
    assert ids(out["RETURN"])[0] == ("S", "ZOTC", "000")
    return inv, str(out["E_DOC_NO"])


def reverse(b: SapBackend, belnr: str, ref: str = "otc:REV-H;", faults: frozenset[str] = frozenset(),
            **extra: Any) -> dict[str, Any]:  # fmt: skip
    params = {"I_COMP_CODE": "1000", "I_DOC_NO": belnr, "I_FISC_YEAR": "2025",
              "I_REASON": "01", "I_PSTNG_DATE": BUDAT, "I_REF_KEY": ref, **extra}  # fmt: skip
    return call(b, "Z_OTC_AR_REVERSE", faults, **params)


def invoice_open(b: SapBackend, inv: dict[str, Any]) -> bool:
    return bool(
        one(b, "SELECT COUNT(*) FROM BSID WHERE BUKRS = '1000' AND BELNR = ? AND GJAHR = ? "
            "AND BUZEI = ?", inv["BELNR"], inv["GJAHR"], inv["BUZEI"])[0]
    )  # fmt: skip


def on_account(b: SapBackend, belnr: str) -> list[tuple[str, str, str]]:
    """The payment's open customer lines: (SHKZG, AUGBL in BSEG, AUGBL in BSID)."""
    return list(
        b.store.query(
            "SELECT BSID.SHKZG, BSEG.AUGBL, BSID.AUGBL FROM BSID JOIN BSEG USING (BUKRS, BELNR, "
            "GJAHR, BUZEI) WHERE BSID.BUKRS = '1000' AND BSID.BELNR = ? AND BSID.GJAHR = '2025'",
            (belnr,),
        )
    )


def reversal_documents(b: SapBackend, belnr: str) -> int:
    return int(
        one(b, "SELECT COUNT(*) FROM BKPF WHERE BUKRS = '1000' AND STBLG = ? "
            "AND XREVERSAL = '2'", belnr)[0]
    )  # fmt: skip


def test_fb08_failing_after_the_reset_leaves_it_half_done_and_the_same_key_finishes_it(
    sap: SapBackend,
) -> None:
    inv, belnr = paid_invoice(sap)
    assert not invoice_open(sap, inv) and on_account(sap, belnr) == []

    half = reverse(sap, belnr, faults=FAULT)
    assert ids(half["RETURN"]) == [("E", "ZOTC", "027"), ("E", "F5", "201")]
    assert half["RETURN"][0]["MESSAGE_V1"] == belnr and "call again" in half["RETURN"][0]["MESSAGE"]
    assert [half["RETURN"][1][f"MESSAGE_V{i}"] for i in (1, 2, 3)] == ["003", "2025", "D"]
    assert half["E_OBJ_KEY"] == "" and half["E_DOC_NO"] == ""
    # committed: the tag, the reset (items open, the payment on account); no reversal
    assert one(sap, "SELECT XREF2_HD, STBLG, XREVERSAL FROM BKPF WHERE BUKRS = '1000' "
               "AND BELNR = ? AND GJAHR = '2025'", belnr) == ("otc:REV-H;", "", "")  # fmt: skip
    assert invoice_open(sap, inv)
    assert on_account(sap, belnr) == [("H", "", "")]
    assert reversal_documents(sap, belnr) == 0

    # the next call of the key: its checks pass (nothing is cleared later), FB08 alone runs
    assert ids(reverse(sap, belnr, I_TESTRUN="X")["RETURN"]) == [("S", "ZOTC", "009")]
    done = reverse(sap, belnr)
    assert ids(done["RETURN"]) == [("S", "ZOTC", "026"), ("S", "ZOTC", "000")]
    rev = done["E_DOC_NO"]
    assert one(sap, "SELECT XREF2_HD, STBLG, XREVERSAL FROM BKPF WHERE BUKRS = '1000' "
               "AND BELNR = ? AND GJAHR = '2025'", belnr) == ("otc:REV-H;", rev, "1")  # fmt: skip
    assert reversal_documents(sap, belnr) == 1
    assert invoice_open(sap, inv), "the invoice stays open"
    assert on_account(sap, belnr) == [], "the payment's line is cleared by the reversal"
    assert one(sap, "SELECT AUGBL FROM BSAD WHERE BUKRS = '1000' AND BELNR = ? AND GJAHR = '2025' "
               "AND KUNNR = ?", belnr, inv["KUNNR"]) == (rev,)  # fmt: skip
    # and once more: reversed already, not half done
    assert ids(reverse(sap, belnr)["RETURN"]) == [("E", "F5", "361")]
    assert reversal_documents(sap, belnr) == 1


def test_a_refusal_of_a_half_done_key_says_so_another_key_gets_the_plain_refusal(
    sap: SapBackend,
) -> None:
    inv, belnr = paid_invoice(sap)
    half = reverse(sap, belnr, faults=FAULT)
    assert ids(half["RETURN"])[0] == ("E", "ZOTC", "027")
    sap.set_lock("1000", inv["KUNNR"], "JSMITH")
    for testrun in ("X", ""):
        locked = reverse(sap, belnr, I_TESTRUN=testrun)
        assert ids(locked["RETURN"]) == [("E", "ZOTC", "027"), ("E", "ZOTC", "010")]
    other = reverse(sap, belnr, ref="otc:REV-OTHER;", I_TESTRUN="X")
    assert ids(other["RETURN"]) == [("E", "ZOTC", "010")]
    sap.clear_locks()
    assert ids(reverse(sap, belnr)["RETURN"])[0] == ("S", "ZOTC", "026")


def test_fb08_failing_for_a_payment_that_cleared_nothing_is_a_plain_refusal(
    sap: SapBackend,
) -> None:
    """A payment on account (the accounting BAPI) has nothing to reset: FB08's message alone,
    and only the tag changed (a tag without STBLG means "not reversed")."""
    kunnr = one(sap, "SELECT KUNNR FROM KNB1 JOIN KNA1 USING (KUNNR) WHERE BUKRS = '1000' "
                "AND KNB1.SPERR = '' AND KNA1.SPERR = '' AND KUNNR >= '0000001000' "
                "ORDER BY KUNNR")[0]  # fmt: skip
    sid = sap.open_session()
    posted = HANDLERS["BAPI_ACC_DOCUMENT_POST"](sap, sid, {
        "DOCUMENTHEADER": {"COMP_CODE": "1000", "DOC_DATE": BUDAT, "PSTNG_DATE": BUDAT,
                           "DOC_TYPE": "DZ", "REF_DOC_NO": "PAY-OA", "HEADER_TXT": "otc:PAY-OA;",
                           "USERNAME": "TESTER"},
        "ACCOUNTRECEIVABLE": [{"ITEMNO_ACC": "0000000001", "CUSTOMER": kunnr}],
        "ACCOUNTGL": [{"ITEMNO_ACC": "0000000002", "GL_ACCOUNT": "0000113100"}],
        "CURRENCYAMOUNT": [
            {"ITEMNO_ACC": "0000000001", "CURRENCY": "EUR", "AMT_DOCCUR": Decimal("-50.00")},
            {"ITEMNO_ACC": "0000000002", "CURRENCY": "EUR", "AMT_DOCCUR": Decimal("50.00")},
        ],
    })  # fmt: skip
    HANDLERS["BAPI_TRANSACTION_COMMIT"](sap, sid, {})
    belnr = str(posted["OBJ_KEY"])[:10]
    before = on_account(sap, belnr)
    assert before == [("H", "", "")]
    failed = reverse(sap, belnr, ref="otc:REV-OA;", faults=FAULT)
    assert ids(failed["RETURN"]) == [("E", "F5", "201")]
    assert on_account(sap, belnr) == before and reversal_documents(sap, belnr) == 0


def test_a_tag_on_a_payment_that_still_clears_its_items_is_not_half_done(
    sap: SapBackend,
) -> None:
    """The kit's test for "an earlier call reset it" is the tag *and* nothing left to reset
    (no BSE_CLR row): a tag alone (an earlier call whose FBRA failed) changed no balance."""
    inv, belnr = paid_invoice(sap)
    with sap.store.transaction() as conn:
        conn.execute(
            "UPDATE BKPF SET XREF2_HD = ? WHERE BUKRS = '1000' AND BELNR = ? AND GJAHR = '2025'",
            ("otc:REV-H;", belnr),
        )
    sap.set_lock("1000", inv["KUNNR"], "JSMITH")
    assert ids(reverse(sap, belnr, I_TESTRUN="X")["RETURN"]) == [("E", "ZOTC", "010")]
    sap.clear_locks()
    assert not invoice_open(sap, inv)
    assert ids(reverse(sap, belnr)["RETURN"])[0] == ("S", "ZOTC", "026")
    assert invoice_open(sap, inv) and reversal_documents(sap, belnr) == 1
