"""`otc doctor --deep` for transport ``s4api``: what the released APIs show of a real system.

Why these checks: over released APIs the adapter depends on three things it cannot install or
configure itself: the communication user's access to each service (one communication
arrangement per scenario; a 403 means the arrangement or its scenario is missing), the services
having the entity sets and properties this build reads and writes (checked against SAP's EDMX
shipped in mock_erp/s4/edmx, the one the mock and the tests use), and the company codes'
currencies with the decimals amounts arrive in. Read-only: only GETs, each named in its
finding (no CSRF token is fetched, nothing is posted). docs/s4hana-setup.md explains each one.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from lxml import etree

from adapters.doctor import Finding
from adapters.errors import ConfigError, OtcError
from adapters.s4.odata import any_of, literal
from contracts.money import MINOR_UNITS
from mappings.compile import load_spec, load_value_maps

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter

EDM = "http://schemas.microsoft.com/ado/2008/09/edm"
SAP = "http://www.sap.com/Protocols/SAPData"
#: service -> (communication scenario that grants it, what this build uses it for)
SERVICES: dict[str, tuple[str, str]] = {
    "API_OPLACCTGDOCITEMCUBE_SRV": ("SAP_COM_0303", "open items"),
    "API_BUSINESS_PARTNER": ("SAP_COM_0008", "customers: pull, create, change"),
    "API_JOURNALENTRYITEMBASIC_SRV": ("SAP_COM_0087", "company code currencies"),
}
#: the schema version of SAP's EDMX this build was written and tested against
EXPECTED_SCHEMA_VERSION = "1"
#: amounts read per currency to see the decimals they arrive with
SAMPLE = 200


def _needed() -> dict[str, dict[str, tuple[str, ...]]]:
    """service -> entity set -> the properties this build names (reads and writes)."""
    from adapters.s4.adapter import (
        ADDRESS_FIELDS,
        COMPANY_FIELDS,
        CUBE_FIELDS,
        CUBE_SET,
        CUSTOMER_FIELDS,
    )

    return {
        "API_OPLACCTGDOCITEMCUBE_SRV": {
            CUBE_SET: (
                *CUBE_FIELDS,
                "FinancialAccountType",
                "AccountingDocumentCategory",
                "IsCleared",
                "ClearingDate",
            ),
        },
        "API_BUSINESS_PARTNER": {
            "A_BusinessPartner": (
                "BusinessPartner",
                "BusinessPartnerCategory",
                "OrganizationBPName1",
                "SearchTerm1",
                "SearchTerm2",
                "BusinessPartnerIDByExtSystem",
                "BusinessPartnerGrouping",
                "LastChangeDate",
                "CreationDate",
                "ETag",
            ),
            "A_Customer": CUSTOMER_FIELDS,
            "A_CustomerCompany": (*COMPANY_FIELDS, "ReconciliationAccount"),
            "A_BusinessPartnerAddress": (*ADDRESS_FIELDS, "AddressID"),
            "A_BusinessPartnerTaxNumber": ("BusinessPartner", "BPTaxType", "BPTaxNumber"),
            "A_BusinessPartnerRole": ("BusinessPartner", "BusinessPartnerRole"),
        },
        "API_JOURNALENTRYITEMBASIC_SRV": {"A_CompanyCode": ("CompanyCode", "Currency")},
    }


def deep_check(adapter: S4Adapter) -> list[Finding]:
    metadata: dict[str, bytes] = {}
    findings = _access(adapter, metadata)
    checks: list[Callable[[S4Adapter], list[Finding]]] = [
        _currencies,
        _customer_writes,
        _residual_reasons,
    ]
    findings += _versions(metadata)
    for check in checks:
        try:
            findings += check(adapter)
        except OtcError as exc:  # one unreadable setting must not hide the others
            name = check.__name__.strip("_").replace("_", " ")
            findings.append(
                Finding(name, f"could not be read: {exc}", "fix the access, then rerun", "fail")
            )
    return findings


def _access(adapter: S4Adapter, metadata: dict[str, bytes]) -> list[Finding]:
    findings = []
    for name, (scenario, used_for) in SERVICES.items():
        read = (f"GET {adapter.reader.root}/{name}/$metadata",)
        try:
            metadata[name] = adapter.reader.metadata(name)
        except ConfigError as exc:
            findings.append(
                Finding(
                    f"access {name}",
                    f"refused: {exc}",
                    f"{used_for} cannot run: add the communication arrangement for scenario "
                    f"{scenario} with this communication user (on-premise: activate the "
                    "service in /IWFND/MAINT_SERVICE and grant its role)",
                    "fail",
                    read,
                )
            )
            continue
        except OtcError as exc:
            findings.append(
                Finding(
                    f"access {name}",
                    f"not available: {exc}",
                    f"{used_for} cannot run: is the service active on this system?",
                    "fail",
                    read,
                )
            )
            continue
        findings.append(
            Finding(
                f"access {name}",
                f"granted ({len(metadata[name]):,} bytes of $metadata)",
                f"used for {used_for} (scenario {scenario}); reading proves read access, "
                "the same arrangement grants the writes",
                "ok",
                read,
            )
        )
    return findings


def _versions(metadata: dict[str, bytes]) -> list[Finding]:
    findings = []
    for name, wanted in _needed().items():
        raw = metadata.get(name)
        if raw is None:
            continue  # its access finding already failed
        read = (f"$metadata of {name} (read above)",)
        try:
            root = etree.fromstring(raw)
        except etree.XMLSyntaxError as exc:
            findings.append(
                Finding(
                    f"version {name}",
                    f"unreadable $metadata: {exc}",
                    "cannot check the service",
                    "fail",
                    read,
                )
            )
            continue
        schema = root.find(f".//{{{EDM}}}Schema")
        version = schema.get(f"{{{SAP}}}schema-version", "?") if schema is not None else "?"
        types = {t.get("Name", ""): t for t in root.iter(f"{{{EDM}}}EntityType")}
        sets = {
            s.get("Name", ""): s.get("EntityType", "").rsplit(".", 1)[-1]
            for s in root.iter(f"{{{EDM}}}EntitySet")
        }
        missing: list[str] = []
        for entity_set, properties in wanted.items():
            entity_type = types.get(sets.get(entity_set, ""))
            if entity_type is None:
                missing.append(entity_set)
                continue
            have = {p.get("Name") for p in entity_type.iter(f"{{{EDM}}}Property")}
            missing += [f"{entity_set}.{p}" for p in properties if p not in have]
        found = f"service version 0001, schema-version {version}"
        if missing:
            findings.append(
                Finding(
                    f"version {name}",
                    f"{found}; missing: {', '.join(missing)}",
                    "this build reads or writes what is missing: it fails there; "
                    "check the release of the service",
                    "fail",
                    read,
                )
            )
        elif version != EXPECTED_SCHEMA_VERSION:
            findings.append(
                Finding(
                    f"version {name}",
                    found,
                    f"built against schema-version {EXPECTED_SCHEMA_VERSION}; "
                    "every entity set and property used is there",
                    "warn",
                    read,
                )
            )
        else:
            findings.append(
                Finding(
                    f"version {name}",
                    found,
                    "every entity set and property this build uses is there",
                    "ok",
                    read,
                )
            )
    return findings


def _decimals(text: str) -> int:
    """Significant decimals of an Edm.Decimal as Gateway writes it (``-12.340`` -> 2)."""
    try:
        value = Decimal(text).normalize()
    except InvalidOperation:
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _currencies(adapter: S4Adapter) -> list[Finding]:
    """Company code currencies, and the decimals their open items arrive with."""
    companies = list(adapter.settings.companies)
    reads = ["GET API_JOURNALENTRYITEMBASIC_SRV/A_CompanyCode (CompanyCode, Currency)"]
    filter_ = any_of("CompanyCode", companies) if companies else "CompanyCode ne ''"
    rows = [
        r
        for page in adapter.reader.pages(
            "API_JOURNALENTRYITEMBASIC_SRV",
            "A_CompanyCode",
            select=["CompanyCode", "Currency"],
            filter_=filter_,
            top=adapter.settings.page_size,
            order_by=["CompanyCode"],
        )
        for r in page
    ]
    currency = {str(r["CompanyCode"]): str(r["Currency"]) for r in rows}
    findings = []
    if unknown := [c for c in companies if c not in currency]:
        findings.append(
            Finding(
                "company codes",
                f"not found: {', '.join(unknown)}",
                "pulls and postings for them fail: fix companies in otc.toml",
                "fail",
                tuple(reads),
            )
        )
    for company, waers in sorted(currency.items()):
        iso = MINOR_UNITS.get(waers)
        read = f"GET {SAMPLE} open items of {company} in {waers} (AmountInTransactionCurrency)"
        amounts = [
            str(r["AmountInTransactionCurrency"])
            for page in adapter.reader.pages(
                "API_OPLACCTGDOCITEMCUBE_SRV",
                "A_OperationalAcctgDocItemCube",
                select=["CompanyCode", "AmountInTransactionCurrency"],
                filter_=f"CompanyCode eq {literal(company)} and TransactionCurrency eq "
                f"{literal(waers)} and FinancialAccountType eq 'D'",
                top=SAMPLE,
                order_by=["CompanyCode"],
            )
            for r in page
        ][:SAMPLE]
        found = f"{company}: {waers} (ISO 4217: {iso if iso is not None else '?'} decimals)"
        check = (f"company code {company}", (*reads, read))
        if iso is None:
            findings.append(
                Finding(
                    check[0],
                    f"{found}; not in ISO 4217",
                    "amounts in it cannot be checked against minor units",
                    "warn",
                    check[1],
                )
            )
            continue
        if not amounts:
            findings.append(
                Finding(
                    check[0],
                    f"{found}; no open items to sample",
                    "decimals unchecked: compare one item with Manage Customer "
                    "Line Items before the first run",
                    "info",
                    check[1],
                )
            )
            continue
        most = max(_decimals(a) for a in amounts)
        if most > iso:
            findings.append(
                Finding(
                    check[0],
                    f"{found}; {len(amounts)} amounts read, some with {most} decimals",
                    "amounts arrive in SAP's internal "
                    "format, not shifted to the currency's decimals: the pull "
                    "would be wrong by a power of ten; do not run it",
                    "fail",
                    check[1],
                )
            )
        else:
            findings.append(
                Finding(
                    check[0],
                    f"{found}; {len(amounts)} amounts read, at most {most} decimals",
                    "amounts are read as the real amount in "
                    "the currency (no shift applied by this build)",
                    "ok",
                    check[1],
                )
            )
    return findings


def _customer_writes(adapter: S4Adapter) -> list[Finding]:
    """Customer creates copy the reference customer's company code data: is it there?"""
    settings = adapter.settings
    reference = settings.reference_customer
    if not reference:
        return [
            Finding(
                "customer creates",
                "reference_customer not set",
                "customer sync can change customers but creates are refused (no "
                "company code data to copy)",
                "warn",
            )
        ]
    from mappings.convert import alpha_in

    read = (f"GET API_BUSINESS_PARTNER/A_CustomerCompany (Customer eq '{reference}')",)
    rows = [
        r
        for page in adapter.reader.pages(
            "API_BUSINESS_PARTNER",
            "A_CustomerCompany",
            select=["Customer", "CompanyCode", "ReconciliationAccount", "PaymentTerms"],
            filter_=f"Customer eq {literal(alpha_in(reference))}",
            top=settings.page_size,
            order_by=["Customer", "CompanyCode"],
        )
        for r in page
    ]
    have = {str(r["CompanyCode"]): r for r in rows}
    missing = [c for c in settings.companies if c not in have]
    shown = "; ".join(
        f"{c}: reconciliation account {r['ReconciliationAccount']}, terms "
        f"{r['PaymentTerms'] or '-'}"
        for c, r in sorted(have.items())
    )
    if not have or missing:
        return [
            Finding(
                "customer creates",
                f"reference {reference}: {shown or 'no company data'}"
                + (f"; missing {', '.join(missing)}" if missing else ""),
                "creates are refused until the reference customer has company code "
                "data in every configured company",
                "fail",
                read,
            )
        ]
    return [
        Finding(
            "customer creates",
            f"reference {reference}: {shown}",
            "new business partners get roles FLCU00 + FLCU01 and these company code "
            "data; our key goes in BusinessPartnerIDByExtSystem",
            "ok",
            read,
        )
    ]


def _residual_reasons(adapter: S4Adapter) -> list[Finding]:
    """Not checked: the reason codes per company code (T053R) are customizing that none of the
    released services this build uses exposes (SERVICES); said so, with what would be needed."""
    from adapters.sap.doctor_reasons import MAP, sent_codes

    table = dict(load_spec("s4", "posting")["value_maps"].get(MAP, {}))
    table.update(load_value_maps(adapter.settings.value_maps).get(MAP, {}))
    sends = sent_codes(table)
    shown = ", ".join(f"{code} ({', '.join(names)})" for code, names in sends.items())
    return [
        Finding(
            "residual reason codes",
            "not checked: none of the released services this build uses reads the reason "
            "codes per company code (T053R)",
            f"short payments send {shown}: confirm each exists in every company code "
            "(configuration 'Define Reason Codes', OBBE) before go-live, or map residual_reason "
            "to codes that do; a code a company code lacks gets the posting rejected",
            "info",
        )
    ]
