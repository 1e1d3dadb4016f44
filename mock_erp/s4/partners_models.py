"""Business Partner writes on the shared store: deep insert and change, as CVI keeps them.

Why over KNA1/KNB1 and a small BUT000: on S/4HANA a BP with a customer role has its customer
(KNA1, and KNB1 per company code) kept in step by customer/vendor integration, so a partner
created here is a customer the ECC persona's BAPIs and RFC_READ_TABLE see at once, and a change
made through the ECC persona shows in ``API_BUSINESS_PARTNER``. BUT000 holds what KNA1 has no
field for: the external BP number (``BusinessPartnerIDByExtSystem``, BUT000-BPEXT), grouping,
category and the change counter behind the ETag. Triggers bump the counter on every KNA1
change, whoever makes it, so a stale ETag is refused however the partner was changed.
Rules and message texts: docs/mock-erp-s4.md "Business Partner writes" (unconfirmed ones are
listed there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mock_erp.s4.odata import ODataError
from mock_erp.sap.formats import dats
from mock_erp.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS BUT000 (
    PARTNER TEXT PRIMARY KEY,
    BPEXT TEXT NOT NULL DEFAULT '',
    BU_GROUP TEXT NOT NULL DEFAULT '',
    BU_TYPE TEXT NOT NULL DEFAULT '2',
    VERSION INTEGER NOT NULL DEFAULT 1,
    CHANGED TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS BUT000_BPEXT ON BUT000 (BPEXT);
CREATE TRIGGER IF NOT EXISTS BUT000_ON_KNA1_UPDATE AFTER UPDATE ON KNA1 BEGIN
    INSERT INTO BUT000 (PARTNER, VERSION, CHANGED)
    VALUES (NEW.KUNNR, 2, strftime('%Y%m%d%H%M%S', 'now'))
    ON CONFLICT (PARTNER) DO UPDATE SET VERSION = VERSION + 1, CHANGED = excluded.CHANGED;
END;
CREATE TRIGGER IF NOT EXISTS BUT000_ON_KNA1_DELETE AFTER DELETE ON KNA1 BEGIN
    DELETE FROM BUT000 WHERE PARTNER = OLD.KUNNR;
END;
"""

#: the roles that make a BP a customer: FLCU01 customer (sales), FLCU00 financial accounting
#: customer (company code data). SAP Help "Business Partner Roles" / the BP role table TB003.
CUSTOMER_ROLES = frozenset({"FLCU00", "FLCU01"})
KNOWN_ROLES = CUSTOMER_ROLES | {"000000", "FLVN00", "FLVN01", "BUP001", "BUP002", "UKM000"}
CATEGORIES = {"1": "person", "2": "organization", "3": "group"}
#: A_BusinessPartnerTaxNumber.BPTaxType suffix -> KNA1 field (country + 0: VAT, 1: tax number 1)
TAX_FIELDS = {"0": "STCEG", "1": "STCD1", "2": "STCD2"}
#: (entity set, property) -> (table, column, length): what a PATCH may change
UPDATABLE: dict[tuple[str, str], tuple[str, str, int]] = {
    ("A_BusinessPartner", "OrganizationBPName1"): ("KNA1", "NAME1", 35),
    ("A_BusinessPartner", "OrganizationBPName2"): ("KNA1", "NAME2", 35),
    ("A_BusinessPartner", "SearchTerm1"): ("KNA1", "SORTL", 10),
    ("A_BusinessPartner", "BusinessPartnerIDByExtSystem"): ("BUT000", "BPEXT", 20),
    ("A_BusinessPartner", "BusinessPartnerGrouping"): ("BUT000", "BU_GROUP", 4),
    ("A_BusinessPartnerAddress", "CityName"): ("KNA1", "ORT01", 35),
    ("A_BusinessPartnerAddress", "PostalCode"): ("KNA1", "PSTLZ", 10),
    ("A_BusinessPartnerAddress", "StreetName"): ("KNA1", "STRAS", 35),
    ("A_BusinessPartnerAddress", "Country"): ("KNA1", "LAND1", 3),
    ("A_BusinessPartnerAddress", "Region"): ("KNA1", "REGIO", 3),
    ("A_Customer", "VATRegistration"): ("KNA1", "STCEG", 20),
    ("A_CustomerCompany", "PaymentTerms"): ("KNB1", "ZTERM", 4),
    ("A_CustomerCompany", "ReconciliationAccount"): ("KNB1", "AKONT", 10),
    ("A_CustomerCompany", "PhysicalInventoryBlockInd"): ("KNB1", "SPERR", 1),
}


#: fields with sap:display-format="UpperCase" in SAP's EDMX, kept in upper case
UPPER_CASE = frozenset({"BPEXT", "SORTL"})


def install(store: Store) -> None:
    """BUT000 and its triggers, re-applied by every store reset."""
    store.register_schema("s4", DDL)


def _bad(message: str, code: str = "ZMOCK/070") -> ODataError:
    return ODataError(400, code, message)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _many(value: Any) -> list[dict[str, Any]]:
    """A to-many navigation value: a JSON array, or V2's ``{"results": [...]}``."""
    if value is None:
        return []
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        value = value["results"]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _bad("Navigation property value must be a list of entries", "/IWBEP/CM_MGW_RT/000")
    return value


@dataclass
class NewPartner:
    """What a deep insert asks for, checked before anything is written."""

    number: str
    category: str
    grouping: str
    name1: str
    name2: str
    search_term: str
    external_id: str
    language: str
    roles: set[str]
    address: dict[str, str]
    taxes: dict[str, str]  # KNA1 column -> number
    companies: list[dict[str, str]] = field(default_factory=list)


def parse_deep_insert(body: Mapping[str, Any]) -> NewPartner:
    """The A_BusinessPartner deep insert as the BP API reads it; a bad entry is a 400."""
    category = _text(body.get("BusinessPartnerCategory"))
    if category not in CATEGORIES:
        raise _bad(f"Business partner category '{category}' is not valid (1, 2 or 3)")
    name1 = _text(body.get("OrganizationBPName1"))
    if category == "2" and not name1:
        raise _bad("Enter a name for the organization (OrganizationBPName1)")
    if category == "1" and not (_text(body.get("LastName")) or name1):
        raise _bad("Enter a last name for the person (LastName)")
    if category == "1" and not name1:
        name1 = f"{_text(body.get('FirstName'))} {_text(body.get('LastName'))}".strip()
    roles = {_text(r.get("BusinessPartnerRole")) for r in _many(body.get("to_BusinessPartnerRole"))}
    if unknown := sorted(roles - KNOWN_ROLES):
        raise _bad(f"BP role {unknown[0]} does not exist", "ZMOCK/071")
    if not roles & CUSTOMER_ROLES:
        raise _bad(
            "The mock's S/4 persona keeps business partners as customers: give the role "
            "FLCU01 (customer) and FLCU00 (financial accounting customer)",
            "ZMOCK/077",
        )
    addresses = _many(body.get("to_BusinessPartnerAddress"))
    if not addresses:
        raise _bad("Enter an address: a business partner needs a standard address")
    first = addresses[0]
    country = _text(first.get("Country"))
    if not country:
        raise _bad("Enter a country/region in the address (Country)", "ZMOCK/073")
    address = {
        "LAND1": country[:3],
        "ORT01": _text(first.get("CityName"))[:35],
        "PSTLZ": _text(first.get("PostalCode"))[:10],
        "STRAS": _text(first.get("StreetName"))[:35],
        "REGIO": _text(first.get("Region"))[:3],
    }
    taxes: dict[str, str] = {}
    for entry in _many(body.get("to_BusinessPartnerTax")):
        kind, number = _text(entry.get("BPTaxType")), _text(entry.get("BPTaxNumber"))
        column = TAX_FIELDS.get(kind[-1:]) if len(kind) == 3 else None
        if column is None:
            raise _bad(f"Tax number category {kind} does not exist", "ZMOCK/072")
        taxes[column] = number[:20]
    customer = body.get("to_Customer") or {}
    if not isinstance(customer, dict):
        raise _bad("to_Customer must be one entry", "/IWBEP/CM_MGW_RT/000")
    companies = []
    for entry in _many(customer.get("to_CustomerCompany")):
        companies.append({k: _text(v) for k, v in entry.items() if not isinstance(v, dict | list)})
    if companies and "FLCU00" not in roles:
        raise _bad("Company code data needs the role FLCU00 (financial accounting customer)")
    if _text(customer.get("VATRegistration")):
        taxes.setdefault("STCEG", _text(customer.get("VATRegistration"))[:20])
    return NewPartner(
        number=_text(body.get("BusinessPartner")),
        category=category,
        grouping=_text(body.get("BusinessPartnerGrouping")),
        name1=name1[:40],
        name2=_text(body.get("OrganizationBPName2"))[:40],
        search_term=_text(body.get("SearchTerm1"))[:20],
        # sap:display-format="UpperCase" in SAP's EDMX: the field is kept in upper case
        external_id=_text(body.get("BusinessPartnerIDByExtSystem")).upper()[:20],
        language=_text(body.get("Language") or body.get("CorrespondenceLanguage") or "E")[:1],
        roles=roles,
        address=address,
        taxes=taxes,
        companies=companies,
    )


def create_partner(backend: Any, new: NewPartner, user: str) -> str:
    """Writes BUT000, KNA1 and KNB1 in one transaction; returns the BP (= customer) number."""
    store: Store = backend.store
    known = {str(r[0]) for r in store.query("SELECT BUKRS FROM T001")}
    for company in new.companies:
        bukrs = company.get("CompanyCode", "")
        if bukrs not in known:
            raise _bad(f"Company code {bukrs} does not exist", "ZMOCK/074")
        if not company.get("ReconciliationAccount"):
            raise _bad(
                f"Company code {bukrs}: enter a reconciliation account (ReconciliationAccount)",
                "ZMOCK/075",
            )
    if new.number:
        if store.query_one("SELECT 1 FROM KNA1 WHERE KUNNR = ?", (new.number.zfill(10),)):
            raise _bad(f"Business partner {new.number} already exists", "ZMOCK/076")
        number = new.number.zfill(10)
    else:
        number = backend.draw_customer_number()
    today = dats(backend.today)
    now = datetime.now().strftime("%Y%m%d%H%M%S")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO KNA1 (KUNNR, LAND1, NAME1, NAME2, ORT01, PSTLZ, REGIO, SORTL, STRAS, "
            "KTOKD, ERDAT, ERNAM, SPRAS, STCD1, STCD2, STCEG) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                number,
                new.address["LAND1"],
                new.name1[:35],
                new.name2[:35],
                new.address["ORT01"],
                new.address["PSTLZ"],
                new.address["REGIO"],
                (new.search_term or new.name1)[:10].upper(),
                new.address["STRAS"],
                "CUST",
                today,
                user[:12],
                new.language,
                new.taxes.get("STCD1", "")[:16],
                new.taxes.get("STCD2", "")[:11],
                new.taxes.get("STCEG", ""),
            ),
        )
        for company in new.companies:
            conn.execute(
                "INSERT INTO KNB1 (KUNNR, BUKRS, ERDAT, AKONT, ZTERM, ZWELS, BUSAB) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    number,
                    company["CompanyCode"],
                    today,
                    company["ReconciliationAccount"][:10],
                    company.get("PaymentTerms", "")[:4],
                    company.get("PaymentMethodsList", "")[:10],
                    company.get("AccountingClerk", "")[:2],
                ),
            )
        conn.execute(
            "INSERT INTO BUT000 (PARTNER, BPEXT, BU_GROUP, BU_TYPE, VERSION, CHANGED) "
            "VALUES (?,?,?,?,1,?) ON CONFLICT (PARTNER) DO UPDATE SET BPEXT = excluded.BPEXT, "
            "BU_GROUP = excluded.BU_GROUP, BU_TYPE = excluded.BU_TYPE, VERSION = 1, "
            "CHANGED = excluded.CHANGED",
            (number, new.external_id, new.grouping, new.category, now),
        )
    return number


def change(
    backend: Any, entity_set: str, key: Mapping[str, str], values: Mapping[str, Any], user: str
) -> int:
    """A PATCH/MERGE: only the properties sent change; each KNA1/KNB1 change writes a change
    document (CDHDR/CDPOS, object class DEBI) as the ECC persona's customer change does, so
    `changed_since` pulls see it. Returns the number of fields changed."""
    store: Store = backend.store
    partner = (key.get("BusinessPartner") or key.get("Customer") or "").zfill(10)
    if store.query_one("SELECT 1 FROM KNA1 WHERE KUNNR = ?", (partner,)) is None:
        raise ODataError(
            404, "/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{entity_set}'"
        )
    sets: dict[tuple[str, str], str] = {}
    for prop, value in values.items():
        target = UPDATABLE.get((entity_set, prop))
        if target is None:
            continue  # read-only or not kept by the mock: Gateway ignores it [unconfirmed]
        table, column, length = target
        text = ("X" if value else "") if isinstance(value, bool) else _text(value)[:length]
        if column in UPPER_CASE:
            text = text.upper()
        sets[(table, column)] = text
    if entity_set == "A_BusinessPartnerTaxNumber" and "BPTaxNumber" in values:
        kind = key.get("BPTaxType", "")
        tax_column = TAX_FIELDS.get(kind[-1:]) if len(kind) == 3 else None
        if tax_column is None:
            raise _bad(f"Tax number category {kind} does not exist", "ZMOCK/072")
        sets[("KNA1", tax_column)] = _text(values["BPTaxNumber"])[:20]
    bukrs = key.get("CompanyCode", "")
    if any(t == "KNB1" for t, _ in sets) and (
        store.query_one("SELECT 1 FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?", (partner, bukrs))
        is None
    ):
        raise ODataError(
            404, "/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{entity_set}'"
        )
    changed = 0
    with store.transaction() as conn:
        for table in ("KNA1", "KNB1", "BUT000"):
            mine = {c: v for (t, c), v in sets.items() if t == table}
            if not mine:
                continue
            where, args = _row_of(table, partner, bukrs)
            cols = ", ".join(mine)
            old = conn.execute(f"SELECT {cols} FROM {table} WHERE {where}", args).fetchone()
            if old is None and table == "BUT000":
                conn.execute("INSERT INTO BUT000 (PARTNER) VALUES (?)", (partner,))
                old = tuple("" for _ in mine)
            diff = {c: v for (c, v), was in zip(mine.items(), old, strict=True) if v != was}
            if not diff:
                continue
            changed += len(diff)
            assignments = ", ".join(f'"{c}" = ?' for c in diff)
            conn.execute(f"UPDATE {table} SET {assignments} WHERE {where}", [*diff.values(), *args])
            if table == "BUT000":
                conn.execute(
                    "UPDATE BUT000 SET VERSION = VERSION + 1, CHANGED = ? WHERE PARTNER = ?",
                    (datetime.now().strftime("%Y%m%d%H%M%S"), partner),
                )
                continue
            _change_document(
                backend, conn, partner, table, bukrs, diff, dict(zip(mine, old, strict=True)), user
            )
    return changed


def _row_of(table: str, partner: str, bukrs: str) -> tuple[str, list[str]]:
    if table == "KNB1":
        return "KUNNR = ? AND BUKRS = ?", [partner, bukrs]
    if table == "BUT000":
        return "PARTNER = ?", [partner]
    return "KUNNR = ?", [partner]


def _change_document(
    backend: Any,
    conn: Any,
    partner: str,
    table: str,
    bukrs: str,
    diff: Mapping[str, str],
    old: Mapping[str, str],
    user: str,
) -> None:
    changenr = backend.draw_change_number()
    conn.execute(
        "INSERT INTO CDHDR (OBJECTCLAS, OBJECTID, CHANGENR, USERNAME, UDATE, UTIME, TCODE, "
        "CHANGE_IND) VALUES ('DEBI', ?, ?, ?, ?, ?, 'BP', 'U')",
        (partner, changenr, user[:12], dats(backend.today), datetime.now().strftime("%H%M%S")),
    )
    tabkey = "100" + partner + (bukrs if table == "KNB1" else "")
    conn.executemany(
        "INSERT INTO CDPOS (OBJECTCLAS, OBJECTID, CHANGENR, TABNAME, TABKEY, FNAME, CHNGIND, "
        "VALUE_NEW, VALUE_OLD) VALUES ('DEBI', ?, ?, ?, ?, ?, 'U', ?, ?)",
        [(partner, changenr, table, tabkey, c, v, old[c]) for c, v in diff.items()],
    )
