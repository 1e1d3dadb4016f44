"""Helpers of the mock ERP tests (a uniquely named module: conftest names clash across dirs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx

USER, PASSWORD, CLIENT = "otc", "otc-mock", "100"


def rows(admin: httpx.Client, table: str, **filters: str) -> list[dict[str, Any]]:
    resp = admin.get(f"/_mock/tables/{table}", params={**filters, "limit": 1000})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["rows"])


def soap_service(
    url: str,
    fm: str,
    *,
    session: Any = None,
    password: str = PASSWORD,
    sessioncmd: str | None = None,
    plugins: list[Any] | None = None,
) -> Any:
    """A zeep service for ``fm`` from the mock's WSDL, address overridden to carry sap-client."""
    import requests
    import zeep
    from zeep.transports import Transport

    session = session or requests.Session()
    session.auth = (USER, password)
    wsdl = f"{url}/sap/bc/soap/wsdl11?services={fm}&sap-client={CLIENT}"
    client = zeep.Client(
        wsdl, transport=Transport(session=session, timeout=30), plugins=plugins or []
    )
    address = f"{url}/sap/bc/soap/rfc?sap-client={CLIENT}"
    if sessioncmd:
        address += f"&sap-sessioncmd={sessioncmd}"
    return client.create_service(f"{{urn:sap-com:document:sap:rfc:functions}}{fm}Binding", address)


def today() -> str:
    return dt.date.today().strftime("%Y%m%d")


def posting_params(
    open_item: dict[str, Any],
    accounts: dict[str, Any],
    ref: str,
    amount: Decimal = Decimal("10.00"),
) -> dict[str, Any]:
    """A balanced on-account payment: bank debit, customer credit (docs/specs/sap.md §2.4)."""
    waers = open_item["WAERS"]
    return {
        "DOCUMENTHEADER": {
            "BUS_ACT": "RFBU",
            "USERNAME": USER,
            "COMP_CODE": open_item["BUKRS"],
            "DOC_DATE": today(),
            "PSTNG_DATE": today(),
            "DOC_TYPE": "DZ",
            "REF_DOC_NO": ref,
            "HEADER_TXT": f"OTC:{ref}",
        },
        "ACCOUNTGL": [
            {"ITEMNO_ACC": "0000000001", "GL_ACCOUNT": accounts["BANK_GL"], "ITEM_TEXT": "bank"}
        ],
        "ACCOUNTRECEIVABLE": [
            {"ITEMNO_ACC": "0000000002", "CUSTOMER": open_item["KUNNR"], "ITEM_TEXT": "on account"}
        ],
        "CURRENCYAMOUNT": [
            {
                "ITEMNO_ACC": "0000000001",
                "CURR_TYPE": "00",
                "CURRENCY": waers,
                "AMT_DOCCUR": amount,
            },
            {
                "ITEMNO_ACC": "0000000002",
                "CURR_TYPE": "00",
                "CURRENCY": waers,
                "AMT_DOCCUR": -amount,
            },
        ],
    }


def clearing_params(
    open_item: dict[str, Any], accounts: dict[str, Any], ref: str
) -> dict[str, Any]:
    """Z_OTC_AR_CLEAR of one invoice in full, paid to the bank (docs/specs/sap.md §2.6)."""
    amount = Decimal(open_item["WRBTR"])
    return {
        "I_COMP_CODE": open_item["BUKRS"],
        "I_CUSTOMER": open_item["KUNNR"],
        "I_DOC_DATE": today(),
        "I_PSTNG_DATE": today(),
        "I_CURRENCY": open_item["WAERS"],
        "I_REF_DOC_NO": ref,
        "I_BANK_GL": accounts["BANK_GL"],
        "I_AMOUNT": amount,
        "T_ITEMS": [
            {
                "FISC_YEAR": open_item["GJAHR"],
                "DOC_NO": open_item["BELNR"],
                "ITEM_NUM": open_item["BUZEI"],
                "CLR_MODE": "F",
                "AMT_PAID": amount,
            }
        ],
    }


def soapify(params: dict[str, Any]) -> dict[str, Any]:
    """pyrfc-style params -> zeep kwargs: tables wrapped in {'item': [...]}, dates ISO."""

    def conv(v: Any) -> Any:
        if isinstance(v, str) and len(v) == 8 and v.isdigit() and v[:2] in {"19", "20"}:
            return f"{v[:4]}-{v[4:6]}-{v[6:]}"
        return v

    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, list):
            out[k] = {"item": [{fk: conv(fv) for fk, fv in row.items()} for row in v]}
        elif isinstance(v, dict):
            out[k] = {fk: conv(fv) for fk, fv in v.items()}
        else:
            out[k] = conv(v)
    return out
