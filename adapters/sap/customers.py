"""Customer master create and change through the customer BAPIs (docs/specs/sap.md §2.7).

Create copies account group and company/sales data from a reference customer (required by
BAPI_CUSTOMER_CREATEFROMDATA1); change sends only the fields that differ, each flagged
with 'X' in the X-structure. Both are committed before they are reported: over RFC in the
BAPI's session, over SOAP (stateless, docs/specs/sap.md §8) by the kit's self-committing
Z_OTC_CUSTOMER_CREATE / Z_OTC_CUSTOMER_CHANGE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.errors import ConfigError, OutcomeUnknown, TransientError
from adapters.sap.customer_lookup import customer_detail, refuse_on_s4
from adapters.sap.errors import errors_in, raise_for_return
from adapters.sap.posting import SELF_COMMITTING, commits_per_call
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

#: SAP's one-letter logon language by country (T002); English elsewhere.
LANGUAGE = {"DE": "D", "AT": "D", "CH": "D", "FR": "F", "ES": "S", "IT": "I", "JP": "J", "PT": "P"}
#: canonical column -> (BAPICUSTOMER_04 detail field, BAPIKNA106 field)
FIELDS = {
    "name": ("NAME", "NAME"),
    "city": ("CITY", "CITY"),
    "postal_code": ("POSTL_COD1", "POSTL_COD1"),
    "street": ("STREET", "STREET"),
    "country": ("COUNTRY", "COUNTRY"),
}


def _company_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "NAME": row["name"][:40],
        "CITY": (row["city"] or "")[:40],
        "POSTL_COD1": (row["postal_code"] or "")[:10],
        "STREET": (row["street"] or "")[:60],
        "COUNTRY": row["country"],
        "LANGU": LANGUAGE.get(row["country"], "E"),
        "CURRENCY": row["currency"],
    }


def upsert_customer(adapter: SapAdapter, row: Mapping[str, Any]) -> dict[str, Any]:
    base = {"key": row["customer_id"], "kind": "customer", "system": adapter.name}
    cid = row["customer_id"]
    # `<system>:<id>` comes from another system (a sync): never one of our numbers
    kunnr = alpha_in(cid) if ":" not in cid and len(cid) <= 10 else None
    refuse_on_s4(adapter)  # S/4HANA: customers are business partners (docs/specs/sap.md §8)
    detail = customer_detail(adapter, kunnr, cid) if kunnr else None  # errors raise
    exists = detail is not None
    settings = adapter.settings
    if exists:
        assert detail is not None and kunnr is not None
        current = detail.get("CUSTOMERADDRESS", {})
        wanted = _company_data(row)
        changed = {
            bapi: wanted[bapi]
            for _, (shown, bapi) in FIELDS.items()
            if str(current.get(shown, "")).strip() != str(wanted[bapi]).strip()
        }
        if not changed:
            return {**base, "status": "posted", "erp_document": kunnr, "message": "unchanged"}
        _save(
            adapter,
            row["customer_id"],
            "BAPI_CUSTOMER_CHANGEFROMDATA1",
            CUSTOMERNO=kunnr,
            PI_SALESORG=settings.sales_org,
            PI_DISTR_CHAN=settings.distr_chan,
            PI_DIVISION=settings.division,
            PI_COMPANYDATA=changed,
            PI_COMPANYDATAX={field: "X" for field in changed},
        )
        number, message = kunnr, "changed: " + ", ".join(sorted(changed))
    else:
        if not settings.reference_customer:
            raise ConfigError(
                f"[systems.{adapter.name}] creating customers needs reference_customer = "
                '"..." (BAPI_CUSTOMER_CREATEFROMDATA1 copies account group and company data)'
            )
        result = _save(
            adapter,
            row["customer_id"],
            "BAPI_CUSTOMER_CREATEFROMDATA1",
            PI_COMPANYDATA=_company_data(row),
            PI_COPYREFERENCE={
                "SALESORG": settings.sales_org,
                "DISTR_CHAN": settings.distr_chan,
                "DIVISION": settings.division,
                "REF_CUSTMR": alpha_in(settings.reference_customer),
            },
        )
        number, message = str(result.get("CUSTOMERNO", "")).strip(), "created"
        if not number:
            raise OutcomeUnknown(adapter.name, "customer create answered no number", key=cid)
    return {**base, "status": "posted", "erp_document": number, "message": message}


def _save(adapter: SapAdapter, key: str, function: str, **params: Any) -> dict[str, Any]:
    """One customer write, committed before it is reported: over SOAP the kit's module that
    commits its own work (each POST is its own LUW, docs/specs/sap.md §8); over RFC the BAPI
    and BAPI_TRANSACTION_COMMIT (WAIT) in one ABAP session."""
    if commits_per_call(adapter):
        result = adapter.transport.call(SELF_COMMITTING[function], **params)
        raise_for_return(adapter.name, key, result)  # an error: the module rolled back
        return result
    with adapter.transport.session() as session:
        result = session.call(function, **params)
        raise_for_return(adapter.name, key, result)
        try:
            commit = session.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
        except TransientError as exc:
            raise OutcomeUnknown(adapter.name, f"commit: {exc.detail}", key=key) from exc
        if errors_in(commit):
            raise OutcomeUnknown(adapter.name, "customer commit failed", key=key)
    return result
