"""Customer create and change through the TCA V2 APIs (docs/specs/oracle.md §3.6).

A customer is found by our key (ORIG_SYSTEM_REFERENCE on party and account, §6) or by its
account number. Create: account + organization, location, party site, and an account site
with a primary BILL_TO in each configured operating unit. Change: only the fields that
differ, party fields through UPDATE_ORGANIZATION and address fields through UPDATE_LOCATION,
each with its object version number; a value set to nothing is cleared with G_MISS_CHAR (a
NULL would keep the old value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown
from adapters.oracle import plsql
from adapters.oracle.errors import api_outcome
from adapters.oracle.errors import reason as _reason
from adapters.oracle.keys import receipt_number_for

if TYPE_CHECKING:
    from adapters.oracle.adapter import OracleAdapter

#: canonical column -> column of customer_detail.sql
CURRENT = {
    "name": "PARTY_NAME",
    "tax_id": "TAX_REFERENCE",
    "street": "ADDRESS1",
    "city": "CITY",
    "postal_code": "POSTAL_CODE",
    "country": "COUNTRY",
}


def _norm(value: Any) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


def upsert_customer(
    adapter: OracleAdapter, row: Mapping[str, Any], dry_run: bool = False
) -> dict[str, Any]:
    key = str(row["customer_id"])
    base = {"key": key, "kind": "customer", "system": adapter.name}
    found = adapter._lookup("customer_detail", {"key": key})
    try:
        if found:
            return {**base, **_update(adapter, key, found[0], row, dry_run)}
        return {**base, **_create(adapter, key, row, dry_run)}
    except ErpRejected as exc:
        return {**base, "status": "rejected", "message": _reason(exc)}


def _orgs(adapter: OracleAdapter) -> list[int]:
    s = adapter.settings
    companies = list(s.companies) or list(s.operating_units)
    if not companies:
        raise ConfigError(
            f"[systems.{adapter.name}] creating customers needs the operating units their "
            'bill-to sites belong to: companies = ["204"] or operating_units = {...}'
        )
    return sorted({s.org_id(c) for c in companies})


def _create(
    adapter: OracleAdapter, key: str, row: Mapping[str, Any], dry_run: bool
) -> dict[str, Any]:
    orgs = _orgs(adapter)
    s = adapter.settings
    generated = _tca_numbering(adapter)
    party_no = not generated.get("HZ_GENERATE_PARTY_NUMBER", True)
    site_no = not generated.get("HZ_GENERATE_PARTY_SITE_NUMBER", True)
    locations = not all(generated.get(f"AUTO_SITE_NUMBERING {org}", True) for org in orgs)
    block = plsql.create_customer(
        len(orgs), dry_run=dry_run, party_number=party_no, site_number=site_no,
        locations=locations,
    )  # fmt: skip
    binds: dict[str, Any] = {
        "party_no": receipt_number_for(key),
        "psite_no": receipt_number_for(f"{key}/1"),
        **{f"loc_{i}": _location(key, org) for i, org in enumerate(orgs, 1)},
        **adapter._context(orgs[0]),
        "name": row["name"],
        "tax": _norm(row.get("tax_id")),
        "key": key,
        "module": s.created_by_module,
        "acct_no": key if s.account_numbering == "key" else None,
        "country": row["country"],
        "street": _norm(row.get("street")) or row["name"][:240],
        "city": _norm(row.get("city")),
        "postal": _norm(row.get("postal_code")),
        **{f"org_{i}": org for i, org in enumerate(orgs, 1)},
    }
    outs = adapter._run(block, binds, writes=not dry_run)
    api_outcome(adapter.name, key, outs)
    if dry_run:
        return {"status": "posted", "erp_document": "DRY-RUN", "message": "EBS accepts it"}
    number = outs.get("acct_no_out")
    if not number:
        raise OutcomeUnknown(adapter.name, "customer block answered without an account", key=key)
    message = "already created: found in EBS" if outs.get("already") == "Y" else "created"
    return {"status": "posted", "erp_document": str(number), "message": message}


def _tca_numbering(adapter: OracleAdapter) -> dict[str, bool]:
    """What TCA generates itself (tca_numbering.sql; read once per adapter): the HZ profiles
    at site level and AR's Automatic Site Numbering per operating unit. Unset means yes."""
    cached: dict[str, bool] | None = getattr(adapter, "_tca_numbers", None)
    if cached is None:
        cached = {}
        for row in adapter._lookup("tca_numbering", {}):
            name = str(row["SETTING"])
            if row["ORG_ID"] is not None:
                name = f"{name} {int(row['ORG_ID'])}"
            cached[name] = row["VALUE"] != "N"
        adapter._tca_numbers = cached  # type: ignore[attr-defined]
    return cached


def _location(key: str, org: int) -> str:
    """A site use's LOCATION (VARCHAR2(40)) when AR does not number sites: stable per key."""
    text = f"{key}-{org}"
    return text if len(text) <= 40 else receipt_number_for(text)


def _update(
    adapter: OracleAdapter,
    key: str,
    current: Mapping[str, Any],
    row: Mapping[str, Any],
    dry_run: bool,
) -> dict[str, Any]:
    set_fields: list[str] = []
    clear_fields: list[str] = []
    for field, column in CURRENT.items():
        wanted, now = _norm(row.get(field)), _norm(current.get(column))
        if wanted == now:
            continue
        if (
            column in ("ADDRESS1", "CITY", "POSTAL_CODE", "COUNTRY")
            and current.get("LOCATION_ID") is None
        ):
            continue  # no address to change
        (clear_fields if wanted is None else set_fields).append(field)
    number = str(current["ACCOUNT_NUMBER"])
    if not set_fields and not clear_fields:
        return {"status": "posted", "erp_document": number, "message": "unchanged"}
    block = plsql.update_customer(set_fields, clear_fields, dry_run=dry_run)
    binds: dict[str, Any] = {
        **adapter._context(_orgs(adapter)[0]),
        "party_ovn": int(current["PARTY_OVN"] or 1),
        "location_ovn": int(current["LOCATION_OVN"] or 1),
        **{f"f_{f}": _norm(row.get(f)) for f in set_fields},
    }
    if any(f in plsql.PARTY_FIELDS for f in (*set_fields, *clear_fields)):
        binds["party_id"] = int(current["PARTY_ID"])
    if any(f in plsql.LOCATION_FIELDS for f in (*set_fields, *clear_fields)):
        binds["location_id"] = int(current["LOCATION_ID"])
    outs = adapter._run(block, binds, writes=not dry_run)
    api_outcome(adapter.name, key, outs)
    changed = sorted([*set_fields, *clear_fields])
    return {"status": "posted", "erp_document": number, "message": "changed: " + ", ".join(changed)}
