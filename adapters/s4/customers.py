"""Customer create and change through the Business Partner API (``API_BUSINESS_PARTNER``).

Why the Business Partner: on S/4HANA the customer master is the BP; the customer BAPIs are
not the way in (docs/specs/sap.md §8), and S/4HANA Cloud has no RFC at all. A customer is a BP
with the roles FLCU01 (customer) and FLCU00 (financial accounting customer: company code
data); both are created in one deep insert with the address, the VAT number and the company
code data copied from ``reference_customer`` (reconciliation account, payment terms), as the
ECC path copies its reference customer.

Exactly once: a create carries our key in ``BusinessPartnerIDByExtSystem`` (BUT000-BPEXT,
"External BP Number", CHAR 20 in SAP's EDMX; SAP Help, API_BUSINESS_PARTNER, A_BusinessPartner).
Before a create the key is looked up; after a lost answer it is looked up again, and only a
partner found by it counts as created. SAP does not make that field unique, so the lookup is
ours to do. A change reads the partner first and sends only what differs, with the ETag it read
as If-Match; a 412 (someone changed it meanwhile) reads it again once and recomputes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown, TransientError
from adapters.s4.odata import any_of, literal
from adapters.s4.partners_writer import ODataWriter, StaleETag
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter

SERVICE = "API_BUSINESS_PARTNER"
EXTERNAL_ID_LENGTH = 20
KEYS_PER_FILTER = 40
#: our keys that fit BPEXT as they are: upper case only, since the field is upper case
#: (sap:display-format="UpperCase" in SAP's EDMX) and `oracle:1` would come back `ORACLE:1`,
#: the same as a key `ORACLE:1`; anything else goes in as a digest (upper-case base32)
_PLAIN = re.compile(r"^[A-Z0-9:_./#-]{1,20}$")
#: canonical column -> A_BusinessPartnerAddress property
ADDRESS = {
    "city": "CityName",
    "postal_code": "PostalCode",
    "street": "StreetName",
    "country": "Country",
}
#: SAP's field lengths in API_BUSINESS_PARTNER's EDMX
LENGTHS = {
    "OrganizationBPName1": 40,
    "CityName": 40,
    "PostalCode": 10,
    "StreetName": 60,
    "Country": 3,
    "SearchTerm1": 20,
    "SearchTerm2": 20,
    "BPTaxNumber": 20,
}
LANGUAGE = {"DE": "DE", "AT": "DE", "CH": "DE", "FR": "FR", "ES": "ES", "IT": "IT", "JP": "JA"}


def external_id(key: str) -> str:
    """What ``BusinessPartnerIDByExtSystem`` holds for our key: stable, at most 20 chars."""
    if _PLAIN.match(key):
        return key
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "OTC#" + digest[: EXTERNAL_ID_LENGTH - 4]


def _cut(prop: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    return text[: LENGTHS.get(prop, len(text))]


def find_customers(adapter: S4Adapter, keys: Sequence[str]) -> dict[str, str]:
    """key -> BP number of the partners carrying our keys (the lowest number if several)."""
    by_external: dict[str, list[str]] = {}
    for key in keys:
        by_external.setdefault(external_id(key), []).append(key)
    found: dict[str, str] = {}
    wanted = sorted(by_external)
    for start in range(0, len(wanted), KEYS_PER_FILTER):
        chunk = wanted[start : start + KEYS_PER_FILTER]
        for page in adapter.reader.pages(
            SERVICE,
            "A_BusinessPartner",
            select=["BusinessPartner", "BusinessPartnerIDByExtSystem"],
            filter_=any_of("BusinessPartnerIDByExtSystem", chunk),
            top=adapter.settings.page_size,
            order_by=["BusinessPartner"],
        ):
            for row in page:
                for key in by_external.get(str(row["BusinessPartnerIDByExtSystem"]), []):
                    found.setdefault(key, str(row["BusinessPartner"]))
    return found


def _display(number: str) -> str:
    return number.lstrip("0") or "0" if number.isdigit() else number


class CustomerWriter:
    """One adapter's customer writes; the reference customer's company data read once."""

    def __init__(self, adapter: S4Adapter) -> None:
        self.adapter = adapter
        self.writer = ODataWriter(adapter.reader)
        self._company_data: list[dict[str, str]] | None = None

    def upsert(self, row: Mapping[str, Any]) -> dict[str, Any]:
        key = str(row["customer_id"])
        base = {"key": key, "kind": "customer", "system": self.adapter.name}
        try:
            if ":" in key or len(key) > 10:  # another system's id (a sync): never one of ours
                return {**base, **self._create(key, row)}
            return {**base, **self._change(key, row)}
        except OutcomeUnknown as exc:
            return {**base, "status": "unknown", "message": str(exc)}
        except (TransientError, ErpRejected) as exc:
            return {**base, "status": "rejected", "message": f"not posted: {exc}"}

    # -- create -----------------------------------------------------------------------------------

    def _reference(self) -> list[dict[str, str]]:
        """Company code data of ``reference_customer`` for each configured company."""
        if self._company_data is not None:
            return self._company_data
        settings = self.adapter.settings
        if not settings.reference_customer:
            raise ConfigError(
                f"[systems.{self.adapter.name}] creating customers needs reference_customer = "
                '"..." (its company code data: reconciliation account, payment terms)'
            )
        reference = alpha_in(settings.reference_customer)
        rows = [
            row
            for page in self.adapter.reader.pages(
                SERVICE,
                "A_CustomerCompany",
                select=[
                    "Customer",
                    "CompanyCode",
                    "ReconciliationAccount",
                    "PaymentTerms",
                    "PaymentMethodsList",
                ],
                filter_=f"Customer eq {literal(reference)}",
                top=settings.page_size,
                order_by=["Customer", "CompanyCode"],
            )
            for row in page
        ]
        have = {str(r["CompanyCode"]): r for r in rows}
        companies = list(settings.companies) or sorted(have)
        if missing := [c for c in companies if c not in have]:
            raise ConfigError(
                f"[systems.{self.adapter.name}] reference_customer {settings.reference_customer} "
                f"has no company code data in {', '.join(missing)} (A_CustomerCompany)"
            )
        self._company_data = [
            {
                "CompanyCode": c,
                "ReconciliationAccount": str(have[c]["ReconciliationAccount"]),
                "PaymentTerms": str(have[c]["PaymentTerms"]),
                "PaymentMethodsList": str(have[c]["PaymentMethodsList"]),
            }
            for c in companies
        ]
        return self._company_data

    def deep_insert(self, key: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """The A_BusinessPartner deep insert of one canonical customer."""
        country = _cut("Country", row.get("country"))
        body: dict[str, Any] = {
            "BusinessPartnerCategory": "2",  # organization
            "OrganizationBPName1": _cut("OrganizationBPName1", row["name"]),
            "SearchTerm1": _cut("SearchTerm1", row["name"]).upper(),
            "SearchTerm2": _cut("SearchTerm2", key).upper(),  # our key, readable by people
            "BusinessPartnerIDByExtSystem": external_id(key),
            "Language": LANGUAGE.get(country, "EN"),
            "to_BusinessPartnerRole": {
                "results": [{"BusinessPartnerRole": "FLCU00"}, {"BusinessPartnerRole": "FLCU01"}]
            },
            "to_BusinessPartnerAddress": {
                "results": [
                    {prop: _cut(prop, row.get(col)) for col, prop in ADDRESS.items()}
                    | {"Language": LANGUAGE.get(country, "EN")}
                ]
            },
            "to_Customer": {"to_CustomerCompany": {"results": self._reference()}},
        }
        if grouping := self.adapter.settings.bp_grouping:
            body["BusinessPartnerGrouping"] = grouping
        if tax := _cut("BPTaxNumber", row.get("tax_id")):
            body["to_BusinessPartnerTax"] = {
                "results": [{"BPTaxType": f"{country}0", "BPTaxNumber": tax}]
            }
        return body

    def _create(self, key: str, row: Mapping[str, Any]) -> dict[str, Any]:
        found = find_customers(self.adapter, [key])
        if key in found:
            return {
                "status": "posted",
                "erp_document": _display(found[key]),
                "message": "already created: found by its key (BusinessPartnerIDByExtSystem)",
            }
        body = self.deep_insert(key, row)
        try:
            created = self.writer.post(SERVICE, "A_BusinessPartner", body, key)
        except OutcomeUnknown:
            try:
                found = find_customers(self.adapter, [key])
            except (TransientError, OutcomeUnknown, ErpRejected):
                raise  # the lookup failed too: still unknown, settled by the next run
            if key in found:
                return {
                    "status": "posted",
                    "erp_document": _display(found[key]),
                    "message": "created (the answer was lost; found by its key)",
                }
            raise
        number = str(created.get("BusinessPartner") or "")
        if not number:
            raise OutcomeUnknown(self.adapter.name, "created without a BP number", key=key)
        return {"status": "posted", "erp_document": _display(number), "message": "created"}

    # -- change -----------------------------------------------------------------------------------

    def _change(self, key: str, row: Mapping[str, Any]) -> dict[str, Any]:
        number = alpha_in(key)
        try:
            changed = self._apply_changes(number, key, row)
        except StaleETag:
            changed = self._apply_changes(number, key, row)  # read again, recompute, once
        if changed is None:  # not in this system: created, keyed by the id it was given
            return self._create(key, row)
        if not changed:
            return {"status": "posted", "erp_document": key, "message": "unchanged"}
        return {
            "status": "posted",
            "erp_document": key,
            "message": "changed: " + ", ".join(sorted(changed)),
        }

    def _apply_changes(self, number: str, key: str, row: Mapping[str, Any]) -> list[str] | None:
        """The fields changed; None when there is no such partner."""
        got = self.writer.get(SERVICE, f"A_BusinessPartner({literal(number)})", key)
        if got is None:
            return None
        partner, etag = got
        changed: list[str] = []
        name = _cut("OrganizationBPName1", row.get("name"))
        if name and name != str(partner.get("OrganizationBPName1") or "").strip():
            self.writer.patch(
                SERVICE,
                f"A_BusinessPartner({literal(number)})",
                {"OrganizationBPName1": name},
                key,
                etag,
            )
            changed.append("name")
        address = self._first(
            "A_BusinessPartnerAddress", number, ["BusinessPartner", "AddressID", *ADDRESS.values()]
        )
        if address is not None:
            diff = {
                prop: _cut(prop, row.get(col))
                for col, prop in ADDRESS.items()
                if row.get(col) is not None
                and _cut(prop, row.get(col)) != str(address.get(prop) or "").strip()
            }
            if diff:
                path = (
                    f"A_BusinessPartnerAddress(BusinessPartner={literal(number)},"
                    f"AddressID={literal(str(address['AddressID']))})"
                )
                self.writer.patch(SERVICE, path, diff, key, None)
                changed += [col for col, prop in ADDRESS.items() if prop in diff]
        changed += self._tax(number, key, row)
        return changed

    def _first(self, entity_set: str, number: str, select: list[str]) -> dict[str, Any] | None:
        for page in self.adapter.reader.pages(
            SERVICE,
            entity_set,
            select=select,
            filter_=f"BusinessPartner eq {literal(number)}",
            top=self.adapter.settings.page_size,
            order_by=select[:2],
        ):
            return page[0]
        return None

    def _tax(self, number: str, key: str, row: Mapping[str, Any]) -> list[str]:
        """The VAT number (tax type country + 0): changed in place, or added when missing."""
        tax = _cut("BPTaxNumber", row.get("tax_id"))
        country = _cut("Country", row.get("country"))
        if not tax or not country:
            return []
        kind = f"{country}0"
        rows = [
            r
            for page in self.adapter.reader.pages(
                SERVICE,
                "A_BusinessPartnerTaxNumber",
                select=["BusinessPartner", "BPTaxType", "BPTaxNumber"],
                filter_=f"BusinessPartner eq {literal(number)} and BPTaxType eq {literal(kind)}",
                top=self.adapter.settings.page_size,
                order_by=["BusinessPartner", "BPTaxType"],
            )
            for r in page
        ]
        if rows and str(rows[0].get("BPTaxNumber") or "").strip() == tax:
            return []
        if rows:
            path = (
                f"A_BusinessPartnerTaxNumber(BusinessPartner={literal(number)},"
                f"BPTaxType={literal(kind)})"
            )
            self.writer.patch(SERVICE, path, {"BPTaxNumber": tax}, key, None)
        else:
            self.writer.post(
                SERVICE,
                "A_BusinessPartnerTaxNumber",
                {"BusinessPartner": number, "BPTaxType": kind, "BPTaxNumber": tax},
                key,
            )
        return ["tax_id"]


def upsert_customers(adapter: S4Adapter, frame: pl.DataFrame) -> list[dict[str, Any]]:
    writer = CustomerWriter(adapter)
    return [writer.upsert(row) for row in frame.iter_rows(named=True)]
