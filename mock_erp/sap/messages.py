"""T100 message texts the SAP persona speaks, and the RETURN row shapes they travel in.

Why here: every rule raises ``SapMessage`` by class and number only; the text comes from this one
table with ``&1..&4`` (or bare ``&``, in order) replaced by V1-V4, as SAP's ``MESSAGE ... INTO``
does (specs/sap.md §2 head). Texts SAP's documentation or code confirm are in ``TEXTS``; texts we
could not confirm are in ``UNCONFIRMED`` so docs can list them (docs/specs/sap.md open questions).
"""

from __future__ import annotations

import re
from typing import Any

from mock_erp.sap.abap import SapMessage

# Confirmed wording (docs/specs/sap.md §2.4, §2.6: RW texts from SAP; ZOTC is our own class).
TEXTS: dict[tuple[str, str], str] = {
    ("RW", "605"): "Document posted successfully: &1 &2 &3",
    ("RW", "609"): "Error in document: &1 &2 &3",
    ("F5", "201"): "Posting period &1 &2 is not open",
    # class ZOTC is ours: Z_OTC_AR_CLEAR, docs/specs/sap.md §2.6 [project]
    ("ZOTC", "000"): "Document &1 posted in company code &2, year &3",
    ("ZOTC", "001"): "Item &1 &2 &3 is not open for customer &4",
    ("ZOTC", "002"): "Amounts for item &1 do not match open amount &2",
    ("ZOTC", "003"): "Amount &1 has more decimals than currency &2 allows",
    ("ZOTC", "004"): "Applied amounts exceed the payment by &1",
    ("ZOTC", "005"): "Item &1 is in currency &2, payment in &3",
    ("ZOTC", "009"): "Test run: document can be posted",
    ("ZOTC", "010"): "Customer &1 is locked by user &2",
    ("ZOTC", "011"): "Date format &1 of user &2 is not supported: set 1 to 6 in SU01",
    # FB08 / FBRA (docs/sap-setup.md "Reversal and refunds"): F5 361 for a document already
    # reversed (SAP wiki "Reversal and Reversed documents", note 1515670); F5 360 for a
    # clearing document (BSTAT A/B) sent to FB08 instead of FBRA (SAP's long text of F5 360)
    ("F5", "361"): "Document was already reversed",
    ("F5", "360"): "Special documents are not reversible",
    # class ZOTC 020-034: the checks Z_OTC_AR_REVERSE / Z_OTC_AR_REFUND make before they
    # call FBRA / FB05, so a refusal arrives with the cause and what to do [project]
    ("ZOTC", "020"): "Reversal reason &1 is not defined (T041C)",
    ("ZOTC", "021"): "Enter a reversal reason",
    ("ZOTC", "022"): "Reversal date &1 is before posting date &2 of document &3",
    ("ZOTC", "023"): "Line &1 of &2 was cleared later by &3: reset that clearing first",
    ("ZOTC", "024"): "Reason &1 allows no posting date other than &2 (T041C-XABWD)",
    ("ZOTC", "025"): "Document &1 does not exist in company code &2, year &3",
    ("ZOTC", "026"): "Clearing reset and document &1 reversed by &2",
    # the half-done reversal: the tag and FBRA's reset committed, FB08 posted nothing (this
    # call, or an earlier call of the same key); the next call of the key finishes it [project]
    ("ZOTC", "027"): "Clearing of &1 reset, reversal not posted: call again with the same key",
    ("ZOTC", "030"): "Payment method &1 is not allowed in company code &2 (T042E)",
    ("ZOTC", "031"): "Payment method &1 (&2) collects money: a refund must pay out (T042Z)",
    ("ZOTC", "032"): "Item &1 &2 &3 is not a credit: nothing to refund",
    ("ZOTC", "033"): "Refund &1 exceeds the open credit &2 of item &3",
    ("ZOTC", "034"): "Refund amount &1 is not the sum &2 of its items",
    # batch input ran out of data for a screen FB05 showed (type S; the kit treats it as failed)
    ("00", "344"): "No batch input data for screen &1 &2",
    # a value not in its field's check table (the kit's T053R check of a residual's reason code,
    # mock_erp/sap/reason_codes.py); wording as MESSAGE e058(00) writes it in the public ABAP
    # unit test alwinvandeput/zcx_return3:ZCA_ZCX_RETURN3_UNIT_TEST.abap
    ("00", "058"): "Entry &1 &2 &3 does not exist in &4 (check entry)",
}

# unconfirmed: docs/specs/sap.md §2.1, §2.4, §2.5, §2.7, §7.7 — numbers from SAP code where the spec
# says so, wording ours; numbers marked (mock) are our placeholders until SAP's are known.
UNCONFIRMED: dict[tuple[str, str], str] = {
    ("FN", "502"): "Customer &1 does not exist",
    ("FN", "503"): "Customer &1 is not defined in company code &2",
    ("FN", "506"): "No authorization for company code &1",
    ("FN", "510"): "Company code &1 does not exist",
    ("FN", "517"): "No line items found for customer &1 in company code &2",
    ("F5", "102"): "Customer &1 is not defined in company code &2",
    ("F5", "165"): "Company code &1 is not defined",  # (mock) number
    ("F5", "312"): "Document &1 was posted in company code &2",
    ("F5", "351"): "Customer &1 is blocked for posting",  # number [unconfirmed] §2.4
    ("F5", "702"): "Balance in transaction currency",
    ("F5", "703"): "Balance in local currency",
    ("F5", "283"): "Account &1 is currently locked by user &2",  # (mock) lock cause for POST
    ("RW", "614"): "Document check without errors",
    ("RW", "637"): "Document status &1 is not allowed",
    ("RW", "628"): "Line item &1: no currency amount",  # (mock) number
    ("S&", "101"): "Posting could not be carried out",
    ("S&", "026"): "Enter a valid sign in the selection range (I or E)",
    ("S&", "027"): "Enter a valid option in the selection range",
    ("F2", "718"): "No customers selected",
    ("F2", "543"): "No authorization for customer master data",
    ("F2", "153"): "Customer &1 does not exist",  # (mock) number for GETDETAIL2/CHANGE
    ("F2", "160"): "Reference customer &1 does not exist for sales area &2 &3 &4",  # (mock)
    ("F2", "161"): "Enter a value in field &1",  # (mock) mandatory field on create
    ("F2", "162"): "Customer &1 is not defined for sales organization &2",  # (mock)
    ("F2", "042"): "Customer &1 is currently being processed by user &2",  # (mock) lock
    ("SV", "029"): "Table &1 is not available",
    # F2 500/501/502/543: the customer existence check's documented messages
    # (https://www.stechno.net/referentiel/fonctions-sap.html?id=BAPI_CUSTOMER_EXISTENCECHECK);
    # GETDETAIL2 answering F2 502 for "not found" is [derived] from it
    ("F2", "502"): "Customer &1 does not exist",
    ("01", "124"): "User &1 does not exist",  # (mock) number for BAPI_USER_GET_DETAIL
    # [unconfirmed] the real S/4HANA answer to the customer BAPIs (docs/specs/sap.md §8)
    ("ZMOCK", "040"): "Customer master data is the business partner on S/4HANA (CVI): &1 "
    "is not available; use the business partner APIs",
    # docs/specs/sap.md §7.7: SAP's "too many decimals" message is unknown; placeholder class ZMOCK
    ("ZMOCK", "003"): "Amount &1 has more decimals than currency &2 allows",
    ("ZMOCK", "004"): "No exchange rate for &1 to &2",
    ("ZMOCK", "006"): "Required field &1 is initial",
    ("ZMOCK", "005"): "Parking (document status &1) is not supported by the mock",
    # ZOTC 006: malformed wrapper calls (the kit raises it for no items) [project]
    ("ZOTC", "006"): "Parameter &1 is invalid: &2",
}

ALL_TEXTS = {**TEXTS, **UNCONFIRMED}

# docs/specs/sap.md §7.7: one constant for the decimals message until SAP's is known.
TOO_MANY_DECIMALS = ("ZMOCK", "003")
ROW_BASE = 1  # unconfirmed: docs/specs/sap.md §2.4 — RETURN-ROW of the first table row

_VAR = re.compile(r"&([1-4]?)")


def text_of(msg_class: str, number: str, *variables: str) -> str:
    """The message text with ``&1..&4`` and bare ``&`` (taken in order) substituted."""
    template = ALL_TEXTS.get((msg_class, number), f"{msg_class} {number} &1 &2 &3 &4")
    values = [*variables, "", "", "", ""][:4]
    seq = iter(values)

    def sub(m: re.Match[str]) -> str:
        return values[int(m.group(1)) - 1] if m.group(1) else next(seq, "")

    return " ".join(_VAR.sub(sub, template).split())


def msg(
    msg_class: str,
    number: str,
    *variables: Any,
    type: str = "E",
    parameter: str = "",
    row: int = 0,
    field: str = "",
) -> SapMessage:
    """Build a SapMessage with its text; variables are stringified as ABAP would (C50)."""
    vs = [str(v)[:50] for v in variables] + [""] * (4 - len(variables))
    return SapMessage(
        msg_class=msg_class,
        number=number,
        text=text_of(msg_class, number, *vs),
        type=type,
        v1=vs[0],
        v2=vs[1],
        v3=vs[2],
        v4=vs[3],
        parameter=parameter,
        row=row,
        field=field,
    )


# -- RETURN row shapes (docs/specs/sap.md §2 head) ------------------------------------------------
def bapiret2(m: SapMessage) -> dict[str, Any]:
    """BAPIRET2: TYPE, ID, NUMBER, MESSAGE, MESSAGE_V1..V4, PARAMETER, ROW, FIELD, SYSTEM."""
    return {
        "TYPE": m.type,
        "ID": m.msg_class,
        "NUMBER": m.number,
        "MESSAGE": m.text[:220],
        "LOG_NO": "",
        "LOG_MSG_NO": "000000",
        "MESSAGE_V1": m.v1,
        "MESSAGE_V2": m.v2,
        "MESSAGE_V3": m.v3,
        "MESSAGE_V4": m.v4,
        "PARAMETER": m.parameter,
        "ROW": m.row,
        "FIELD": m.field,
        "SYSTEM": "",
    }


def bapiret1(m: SapMessage) -> dict[str, Any]:
    """BAPIRET1 / BAPIRETURN1: BAPIRET2 up to MESSAGE_V4."""
    row = bapiret2(m)
    return {k: row[k] for k in list(row)[:10]}


def bapireturn(m: SapMessage) -> dict[str, Any]:
    """BAPIRETURN: CODE = class(2) + number(3), e.g. ``FN517``."""
    return {
        "TYPE": m.type,
        "CODE": (m.msg_class + m.number)[:5],
        "MESSAGE": m.text[:220],
        "LOG_NO": "",
        "LOG_MSG_NO": "000000",
        "MESSAGE_V1": m.v1,
        "MESSAGE_V2": m.v2,
        "MESSAGE_V3": m.v3,
        "MESSAGE_V4": m.v4,
    }


def rows_of(m: SapMessage) -> list[SapMessage]:
    """The message followed by its cause rows (``extra``), as RETURN lists them."""
    return [m, *m.extra]
