"""TCA V2 APIs: parties, accounts, locations, party/account sites, site uses (specs/oracle.md §3.6).

Rules the mock keeps (§7 item 12): created_by_module from lookup HZ_CREATED_BY_MODULES; account
numbers generated when AR_SYSTEM_PARAMETERS.GENERATE_CUSTOMER_NUMBER = 'Y'; updates check the
object version number and return it + 1; in an update record NULL keeps a column and G_MISS_*
sets it to NULL; mandatory location columns. TCA V2 APIs take no version or commit parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis.context import ApiContext
from mock_erp.oracle.apis.registry import api
from mock_erp.oracle.plsql.values import G_MISS_CHAR, G_MISS_DATE, G_MISS_NUM, Record

STD = ("x_return_status", "x_msg_count", "x_msg_data")
CREATED_BY_LOOKUP = "HZ_CREATED_BY_MODULES"
SITE_USE_CODES = ("BILL_TO", "SHIP_TO", "DUN", "STMTS", "LEGAL", "MARKET")
# unconfirmed: docs/specs/oracle.md §3.6 names no message for a foreign key that does not exist.
FK_MESSAGE = "HZ_API_INVALID_FK"


def is_missing(value: Any) -> bool:
    """FND_API.G_MISS_* marker: 'set this column to NULL' in an update record."""
    return (
        (isinstance(value, str) and value == G_MISS_CHAR)
        or (isinstance(value, Decimal) and value == G_MISS_NUM)
        or (isinstance(value, dt.datetime) and value == G_MISS_DATE)
    )


def _clean(value: Any) -> Any:
    """Create semantics: G_MISS means 'not given' (NULL)."""
    return None if is_missing(value) else value


def _changes(rec: Record, mapping: dict[str, str]) -> dict[str, Any]:
    """Update semantics: NULL keeps the column, G_MISS_* clears it (§3.6)."""
    out: dict[str, Any] = {}
    for path, column in mapping.items():
        value: Any = rec
        for part in path.split("."):
            value = value.values.get(part) if isinstance(value, Record) else None
        if value is None:
            continue
        out[column] = None if is_missing(value) else value
    return out


def _created_by(ctx: ApiContext, rec: Record) -> str | None:
    module = _clean(rec.get("created_by_module"))
    if module is None:
        ctx.error("HZ_API_MISSING_COLUMN", COLUMN="created_by_module")
    elif not ctx.lookup_ok(CREATED_BY_LOOKUP, module):
        ctx.error(
            "HZ_API_INVALID_LOOKUP",
            COLUMN="created_by_module",
            VALUE=module,
            LOOKUP_TYPE=CREATED_BY_LOOKUP,
        )
    return module  # type: ignore[no-any-return]


def _require(ctx: ApiContext, rec: Record, *fields: str) -> None:
    for f in fields:
        if _clean(rec.get(f)) is None:
            ctx.error("HZ_API_MISSING_COLUMN", COLUMN=f)


def _frame(
    ctx: ApiContext, name: str, init: Any, body: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    return ctx.frame(name, body, init_msg_list=init)


def _version_check(
    ctx: ApiContext, table: str, key: str, key_value: Any, ovn: Any, record: str
) -> dict[str, Any]:
    """Lock-and-compare of TCA updates: HZ_API_NO_RECORD / HZ_API_RECORD_CHANGED (§3.6)."""
    row = (
        None
        if key_value is None
        else ctx.one(f'SELECT * FROM "{table}" WHERE "{key}" = ?', int(key_value))
    )
    if row is None:
        raise ctx.fail("HZ_API_NO_RECORD", RECORD=record, VALUE=key_value)
    if (
        ovn is None
        or row["OBJECT_VERSION_NUMBER"] is None
        or int(ovn) != int(row["OBJECT_VERSION_NUMBER"])
    ):
        raise ctx.fail("HZ_API_RECORD_CHANGED", TABLE=table)
    return row


def _nonupdateable(
    ctx: ApiContext, row: dict[str, Any], changes: dict[str, Any], *columns: str
) -> None:
    for col in columns:
        if col in changes and changes[col] != row[col]:
            ctx.error("HZ_API_NONUPDATEABLE_COLUMN", COLUMN=col.lower())


# ---- parties -------------------------------------------------------------------------------------
ORG_COLUMNS = {
    "organization_name": "PARTY_NAME",
    "tax_reference": "TAX_REFERENCE",
    "jgzz_fiscal_code": "JGZZ_FISCAL_CODE",
    "duns_number_c": "DUNS_NUMBER_C",
    "country": "COUNTRY",
    "party_rec.orig_system_reference": "ORIG_SYSTEM_REFERENCE",
    "party_rec.status": "STATUS",
    "party_rec.party_number": "PARTY_NUMBER",
}


def _create_party(ctx: ApiContext, org_rec: Record) -> tuple[int, str]:
    _created_by(ctx, org_rec)
    _require(ctx, org_rec, "organization_name")
    party: Record = org_rec.values["party_rec"]
    given = _numbered(
        ctx, party.get("party_number"), "HZ_GENERATE_PARTY_NUMBER", "party_number",
        "HZ_API_PARTY_NUMBER_AUTO_ON",
    )  # fmt: skip
    ctx.stop_if_errors()
    party_id = ctx.next_id("HZ_PARTIES_S")
    number = given or str(ctx.next_id("HZ_PARTY_NUMBER_S"))
    values = {col: _clean(_path(org_rec, path)) for path, col in ORG_COLUMNS.items()}
    values.update(
        {
            "PARTY_ID": party_id,
            "PARTY_NUMBER": number,
            "PARTY_TYPE": "ORGANIZATION",
            "STATUS": values.get("STATUS") or "A",
            "ORIG_SYSTEM_REFERENCE": values.get("ORIG_SYSTEM_REFERENCE") or str(party_id),
            "CREATED_BY_MODULE": org_rec.get("created_by_module"),
            "OBJECT_VERSION_NUMBER": 1,
        }
    )
    ctx.insert("HZ_PARTIES", values)
    return party_id, number


def _path(rec: Record, path: str) -> Any:
    value: Any = rec
    for part in path.split("."):
        value = value.values.get(part) if isinstance(value, Record) else None
    return value


@api(
    "HZ_PARTY_V2PUB.CREATE_ORGANIZATION", out=(*STD, "x_party_id", "x_party_number", "x_profile_id")
)
def create_organization(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_organization_rec: Any,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    x_party_id: Any = None,
    x_party_number: Any = None,
    x_profile_id: Any = None,
    p_party_usage_code: Any = None,
) -> dict[str, Any]:
    """Create an organization party (HZ_PARTIES; the mock keeps no HZ_ORGANIZATION_PROFILES).

    Positional order is EBS's: status, count and data come before the ids (§3.6).
    """

    def body() -> dict[str, Any]:
        party_id, number = _create_party(ctx, p_organization_rec)
        return {"x_party_id": Decimal(party_id), "x_party_number": number, "x_profile_id": None}

    return _frame(ctx, "HZ_PARTY_V2PUB.CREATE_ORGANIZATION", p_init_msg_list, body)


@api(
    "HZ_PARTY_V2PUB.UPDATE_ORGANIZATION",
    out=(*STD, "x_profile_id"),
    inout=("p_party_object_version_number",),
)
def update_organization(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_organization_rec: Any,
    p_party_object_version_number: Any,
    x_profile_id: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    def body() -> dict[str, Any]:
        party_id = _path(p_organization_rec, "party_rec.party_id")
        row = _version_check(
            ctx, "HZ_PARTIES", "PARTY_ID", party_id, p_party_object_version_number, "party"
        )
        changes = _changes(p_organization_rec, ORG_COLUMNS)
        _nonupdateable(ctx, row, changes, "PARTY_NUMBER")
        if "PARTY_NAME" in changes and changes["PARTY_NAME"] is None:
            ctx.error("HZ_API_MISSING_COLUMN", COLUMN="organization_name")
        ovn = _write_version(ctx, "HZ_PARTIES", "PARTY_ID", int(party_id), row, changes)
        return {"p_party_object_version_number": ovn, "x_profile_id": None}

    return _versioned_frame(
        ctx, "HZ_PARTY_V2PUB.UPDATE_ORGANIZATION", p_init_msg_list, body,
        "p_party_object_version_number", p_party_object_version_number,
    )  # fmt: skip


# ---- accounts ------------------------------------------------------------------------------------
ACCOUNT_COLUMNS = {
    "account_number": "ACCOUNT_NUMBER",
    "account_name": "ACCOUNT_NAME",
    "status": "STATUS",
    "customer_type": "CUSTOMER_TYPE",
    "customer_class_code": "CUSTOMER_CLASS_CODE",
    "orig_system_reference": "ORIG_SYSTEM_REFERENCE",
}


def _auto_account_number(ctx: ApiContext) -> bool:
    """GENERATE_CUSTOMER_NUMBER of the current org (any org without a policy context)."""
    org = ctx.session.org_id
    sql = "SELECT GENERATE_CUSTOMER_NUMBER FROM AR_SYSTEM_PARAMETERS_ALL"
    row = (
        ctx.one(sql + " WHERE ORG_ID = ?", org)
        if org is not None
        else ctx.one(sql + " ORDER BY ORG_ID")
    )
    return row is None or row["GENERATE_CUSTOMER_NUMBER"] != "N"


@api(
    "HZ_CUST_ACCOUNT_V2PUB.CREATE_CUST_ACCOUNT",
    out=(
        "x_cust_account_id",
        "x_account_number",
        "x_party_id",
        "x_party_number",
        "x_profile_id",
        *STD,
    ),
)
def create_cust_account(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_cust_account_rec: Any,
    p_organization_rec: Any,
    p_customer_profile_rec: Any = None,
    p_create_profile_amt: Any = "T",
    x_cust_account_id: Any = None,
    x_account_number: Any = None,
    x_party_id: Any = None,
    x_party_number: Any = None,
    x_profile_id: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    """Create an account and, unless party_rec.party_id names an existing party, its party."""

    def body() -> dict[str, Any]:
        rec: Record = p_cust_account_rec
        _created_by(ctx, rec)
        number = _clean(rec.get("account_number"))
        auto = _auto_account_number(ctx)
        if auto and number is not None:
            ctx.error("HZ_API_ACCOUNT_NUMBER_AUTO_ON")
        elif not auto and number is None:
            ctx.error("HZ_API_MISSING_COLUMN", COLUMN="account_number")
        elif number is not None and ctx.one(
            "SELECT 1 FROM HZ_CUST_ACCOUNTS WHERE ACCOUNT_NUMBER = ?", number
        ):
            ctx.error("HZ_API_DUPLICATE_COLUMN", COLUMN="account_number")
        ctx.stop_if_errors()
        party_id = _clean(_path(p_organization_rec, "party_rec.party_id"))
        if party_id is not None:
            party = ctx.one("SELECT PARTY_NUMBER FROM HZ_PARTIES WHERE PARTY_ID = ?", int(party_id))
            if party is None:
                raise ctx.fail(
                    FK_MESSAGE, FK="party_id", COLUMN="party_id", VALUE=party_id, TABLE="HZ_PARTIES"
                )
            party_id, party_number = int(party_id), party["PARTY_NUMBER"]
        else:
            party_id, party_number = _create_party(ctx, p_organization_rec)
        account_id = ctx.next_id("HZ_CUST_ACCOUNTS_S")
        if number is None:
            number = str(ctx.next_id("HZ_ACCOUNT_NUM_S"))  # TO_CHAR(HZ_ACCOUNT_NUM_S.NEXTVAL)
        values = {col: _clean(rec.get(f)) for f, col in ACCOUNT_COLUMNS.items()}
        values.update(
            {
                "CUST_ACCOUNT_ID": account_id,
                "PARTY_ID": party_id,
                "ACCOUNT_NUMBER": number,
                "STATUS": values["STATUS"] or "A",
                "CUSTOMER_TYPE": values["CUSTOMER_TYPE"] or "R",
                "ORIG_SYSTEM_REFERENCE": values["ORIG_SYSTEM_REFERENCE"] or str(account_id),
                "CREATED_BY_MODULE": rec.get("created_by_module"),
                "OBJECT_VERSION_NUMBER": 1,
            }
        )
        ctx.insert("HZ_CUST_ACCOUNTS", values)
        return {
            "x_cust_account_id": Decimal(account_id),
            "x_account_number": number,
            "x_party_id": Decimal(party_id),
            "x_party_number": party_number,
            "x_profile_id": None,
        }

    return _frame(ctx, "HZ_CUST_ACCOUNT_V2PUB.CREATE_CUST_ACCOUNT", p_init_msg_list, body)


@api("HZ_CUST_ACCOUNT_V2PUB.UPDATE_CUST_ACCOUNT", out=STD, inout=("p_object_version_number",))
def update_cust_account(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_cust_account_rec: Any,
    p_object_version_number: Any,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    def body() -> dict[str, Any]:
        rec: Record = p_cust_account_rec
        row = _version_check(
            ctx,
            "HZ_CUST_ACCOUNTS",
            "CUST_ACCOUNT_ID",
            rec.get("cust_account_id"),
            p_object_version_number,
            "account",
        )
        changes = _changes(rec, ACCOUNT_COLUMNS)
        _nonupdateable(ctx, row, changes, "ACCOUNT_NUMBER")
        if "STATUS" in changes and changes["STATUS"] not in ("A", "I"):
            ctx.error(
                "HZ_API_INVALID_LOOKUP",
                COLUMN="status",
                VALUE=changes["STATUS"],
                LOOKUP_TYPE="REGISTRY_STATUS",
            )
        ovn = _write_version(
            ctx, "HZ_CUST_ACCOUNTS", "CUST_ACCOUNT_ID", row["CUST_ACCOUNT_ID"], row, changes
        )
        return {"p_object_version_number": ovn}

    return _versioned_frame(
        ctx, "HZ_CUST_ACCOUNT_V2PUB.UPDATE_CUST_ACCOUNT", p_init_msg_list, body,
        "p_object_version_number", p_object_version_number,
    )  # fmt: skip


# ---- locations -----------------------------------------------------------------------------------
LOCATION_COLUMNS = {
    f: f.upper()
    for f in (
        "country",
        "address1",
        "address2",
        "address3",
        "address4",
        "city",
        "postal_code",
        "state",
        "province",
        "county",
        "orig_system_reference",
    )
}
MANDATORY_LOCATION = ("address1", "country")


@api("HZ_LOCATION_V2PUB.CREATE_LOCATION", out=("x_location_id", *STD))
def create_location(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_location_rec: Any,
    x_location_id: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    def body() -> dict[str, Any]:
        rec: Record = p_location_rec
        _created_by(ctx, rec)
        _require(ctx, rec, *MANDATORY_LOCATION)
        ctx.stop_if_errors()
        loc_id = ctx.next_id("HZ_LOCATIONS_S")
        values = {col: _clean(rec.get(f)) for f, col in LOCATION_COLUMNS.items()}
        values.update(
            {
                "LOCATION_ID": loc_id,
                "ORIG_SYSTEM_REFERENCE": values["ORIG_SYSTEM_REFERENCE"] or str(loc_id),
                "CREATED_BY_MODULE": rec.get("created_by_module"),
                "OBJECT_VERSION_NUMBER": 1,
            }
        )
        ctx.insert("HZ_LOCATIONS", values)
        return {"x_location_id": Decimal(loc_id)}

    return _frame(ctx, "HZ_LOCATION_V2PUB.CREATE_LOCATION", p_init_msg_list, body)


@api("HZ_LOCATION_V2PUB.UPDATE_LOCATION", out=STD, inout=("p_object_version_number",))
def update_location(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_location_rec: Any,
    p_object_version_number: Any,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    def body() -> dict[str, Any]:
        rec: Record = p_location_rec
        row = _version_check(
            ctx,
            "HZ_LOCATIONS",
            "LOCATION_ID",
            rec.get("location_id"),
            p_object_version_number,
            "location",
        )
        changes = _changes(rec, LOCATION_COLUMNS)
        for f in MANDATORY_LOCATION:
            if f.upper() in changes and changes[f.upper()] is None:
                ctx.error("HZ_API_MISSING_COLUMN", COLUMN=f)
        ovn = _write_version(ctx, "HZ_LOCATIONS", "LOCATION_ID", row["LOCATION_ID"], row, changes)
        return {"p_object_version_number": ovn}

    return _versioned_frame(
        ctx, "HZ_LOCATION_V2PUB.UPDATE_LOCATION", p_init_msg_list, body,
        "p_object_version_number", p_object_version_number,
    )  # fmt: skip


# ---- party sites, account sites, site uses -------------------------------------------------------
def _fk(ctx: ApiContext, rec: Record, field: str, table: str, column: str) -> Any:
    value = _clean(rec.get(field))
    if value is None:
        ctx.error("HZ_API_MISSING_COLUMN", COLUMN=field)
    elif ctx.one(f'SELECT 1 FROM "{table}" WHERE "{column}" = ?', int(value)) is None:
        ctx.error(FK_MESSAGE, FK=field, COLUMN=column.lower(), VALUE=value, TABLE=table)
    return value


@api("HZ_PARTY_SITE_V2PUB.CREATE_PARTY_SITE", out=("x_party_site_id", "x_party_site_number", *STD))
def create_party_site(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_party_site_rec: Any,
    x_party_site_id: Any = None,
    x_party_site_number: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    def body() -> dict[str, Any]:
        rec: Record = p_party_site_rec
        _created_by(ctx, rec)
        party_id = _fk(ctx, rec, "party_id", "HZ_PARTIES", "PARTY_ID")
        location_id = _fk(ctx, rec, "location_id", "HZ_LOCATIONS", "LOCATION_ID")
        given = _numbered(
            ctx, rec.get("party_site_number"), "HZ_GENERATE_PARTY_SITE_NUMBER",
            "party_site_number", "HZ_API_PARTY_SITE_NUM_AUTO_ON",
        )  # fmt: skip
        ctx.stop_if_errors()
        site_id = ctx.next_id("HZ_PARTY_SITES_S")
        number = given or str(ctx.next_id("HZ_PARTY_SITE_NUMBER_S"))
        first = ctx.one("SELECT 1 FROM HZ_PARTY_SITES WHERE PARTY_ID = ?", int(party_id)) is None
        ctx.insert(
            "HZ_PARTY_SITES",
            {
                "PARTY_SITE_ID": site_id,
                "PARTY_ID": party_id,
                "LOCATION_ID": location_id,
                "PARTY_SITE_NUMBER": number,
                "STATUS": _clean(rec.get("status")) or "A",
                "IDENTIFYING_ADDRESS_FLAG": _clean(rec.get("identifying_address_flag"))
                or ("Y" if first else "N"),
                "ORIG_SYSTEM_REFERENCE": _clean(rec.get("orig_system_reference")) or str(site_id),
                "CREATED_BY_MODULE": rec.get("created_by_module"),
                "OBJECT_VERSION_NUMBER": 1,
            },
        )
        return {"x_party_site_id": Decimal(site_id), "x_party_site_number": number}

    return _frame(ctx, "HZ_PARTY_SITE_V2PUB.CREATE_PARTY_SITE", p_init_msg_list, body)


@api("HZ_CUST_ACCOUNT_SITE_V2PUB.CREATE_CUST_ACCT_SITE", out=("x_cust_acct_site_id", *STD))
def create_cust_acct_site(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_cust_acct_site_rec: Any,
    x_cust_acct_site_id: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    """An account site in one operating unit (org_id in the record, else the policy org)."""

    def body() -> dict[str, Any]:
        rec: Record = p_cust_acct_site_rec
        org = ctx.check_org(_clean(rec.get("org_id")))
        _created_by(ctx, rec)
        account = _fk(ctx, rec, "cust_account_id", "HZ_CUST_ACCOUNTS", "CUST_ACCOUNT_ID")
        party_site = _fk(ctx, rec, "party_site_id", "HZ_PARTY_SITES", "PARTY_SITE_ID")
        ctx.stop_if_errors()
        site_id = ctx.next_id("HZ_CUST_ACCT_SITES_S")
        ctx.insert(
            "HZ_CUST_ACCT_SITES_ALL",
            {
                "CUST_ACCT_SITE_ID": site_id,
                "CUST_ACCOUNT_ID": account,
                "PARTY_SITE_ID": party_site,
                "STATUS": _clean(rec.get("status")) or "A",
                "ORIG_SYSTEM_REFERENCE": _clean(rec.get("orig_system_reference")) or str(site_id),
                "CREATED_BY_MODULE": rec.get("created_by_module"),
                "OBJECT_VERSION_NUMBER": 1,
                "ORG_ID": org,
            },
        )
        return {"x_cust_acct_site_id": Decimal(site_id)}

    return _frame(ctx, "HZ_CUST_ACCOUNT_SITE_V2PUB.CREATE_CUST_ACCT_SITE", p_init_msg_list, body)


@api("HZ_CUST_ACCOUNT_SITE_V2PUB.CREATE_CUST_SITE_USE", out=("x_site_use_id", *STD))
def create_cust_site_use(
    ctx: ApiContext,
    *,
    p_init_msg_list: Any = "F",
    p_cust_site_use_rec: Any,
    p_customer_profile_rec: Any = None,
    p_create_profile: Any = "T",
    p_create_profile_amt: Any = "T",
    x_site_use_id: Any = None,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
) -> dict[str, Any]:
    """A site use (BILL_TO, SHIP_TO...); LOCATION defaults to the id text (§2)."""

    def body() -> dict[str, Any]:
        rec: Record = p_cust_site_use_rec
        site_id = _clean(rec.get("cust_acct_site_id"))
        site = (
            None
            if site_id is None
            else ctx.one(
                "SELECT * FROM HZ_CUST_ACCT_SITES_ALL WHERE CUST_ACCT_SITE_ID = ?", int(site_id)
            )
        )
        if site is None:
            raise ctx.fail(
                FK_MESSAGE,
                FK="cust_acct_site_id",
                COLUMN="cust_acct_site_id",
                VALUE=site_id,
                TABLE="HZ_CUST_ACCT_SITES_ALL",
            )
        org = ctx.check_org(_clean(rec.get("org_id")) or site["ORG_ID"])
        _created_by(ctx, rec)
        code = _clean(rec.get("site_use_code"))
        if code is None:
            ctx.error("HZ_API_MISSING_COLUMN", COLUMN="site_use_code")
        elif code not in SITE_USE_CODES:
            ctx.error(
                "HZ_API_INVALID_LOOKUP",
                COLUMN="site_use_code",
                VALUE=code,
                LOOKUP_TYPE="SITE_USE_CODE",
            )
        location = _clean(rec.get("location"))
        if location is None and not _auto_site_numbering(ctx, org):
            ctx.error("HZ_API_MISSING_COLUMN", COLUMN="location")
        ctx.stop_if_errors()
        use_id = ctx.next_id("HZ_CUST_SITE_USES_S")
        primary = _clean(rec.get("primary_flag")) or "N"
        if primary == "Y":  # one primary per account, org and purpose
            ctx.store.conn.execute(
                "UPDATE HZ_CUST_SITE_USES_ALL SET PRIMARY_FLAG = 'N' WHERE SITE_USE_CODE = ? "
                "AND ORG_ID = ? AND "
                "CUST_ACCT_SITE_ID IN (SELECT CUST_ACCT_SITE_ID FROM HZ_CUST_ACCT_SITES_ALL "
                "WHERE CUST_ACCOUNT_ID = ?)",
                (code, org, site["CUST_ACCOUNT_ID"]),
            )
        ctx.insert(
            "HZ_CUST_SITE_USES_ALL",
            {
                "SITE_USE_ID": use_id,
                "CUST_ACCT_SITE_ID": int(site_id),
                "SITE_USE_CODE": code,
                "PRIMARY_FLAG": primary,
                "STATUS": _clean(rec.get("status")) or "A",
                "LOCATION": location or str(use_id),
                "BILL_TO_SITE_USE_ID": _clean(rec.get("bill_to_site_use_id")),
                "PAYMENT_TERM_ID": _clean(rec.get("payment_term_id")),
                "ORIG_SYSTEM_REFERENCE": _clean(rec.get("orig_system_reference")) or str(use_id),
                "CREATED_BY_MODULE": rec.get("created_by_module"),
                "OBJECT_VERSION_NUMBER": 1,
                "ORG_ID": org,
            },
        )
        return {"x_site_use_id": Decimal(use_id)}

    return _frame(ctx, "HZ_CUST_ACCOUNT_SITE_V2PUB.CREATE_CUST_SITE_USE", p_init_msg_list, body)


def _generates(ctx: ApiContext, profile: str) -> bool:
    """An HZ numbering profile at site level: 'N' = the caller supplies the number; unset or
    'Y' = TCA generates it (setting ``hz_generate_numbers`` writes these profiles)."""
    row = ctx.one(
        "SELECT v.PROFILE_OPTION_VALUE FROM FND_PROFILE_OPTION_VALUES v JOIN FND_PROFILE_OPTIONS o "
        "ON o.PROFILE_OPTION_ID = v.PROFILE_OPTION_ID AND o.APPLICATION_ID = v.APPLICATION_ID "
        "WHERE o.PROFILE_OPTION_NAME = ? AND v.LEVEL_ID = 10001",
        profile,
    )
    return row is None or row["PROFILE_OPTION_VALUE"] != "N"


def _numbered(ctx: ApiContext, value: Any, profile: str, column: str, auto_on: str) -> str | None:
    """The number a create takes: generated under the profile (passing one is ``auto_on``),
    else mandatory (HZ_API_MISSING_COLUMN), as the TCA V2 APIs do (docs/specs/oracle.md §3.6
    for the account number; the party and party-site profiles alike)."""
    given = _clean(value)
    if _generates(ctx, profile):
        if given is not None:
            ctx.error(auto_on)
        return None
    if given is None:
        ctx.error("HZ_API_MISSING_COLUMN", COLUMN=column)
    return None if given is None else str(given)


def _auto_site_numbering(ctx: ApiContext, org: int) -> bool:
    """AR system option Automatic Site Numbering: off, a site use needs its LOCATION."""
    row = ctx.one("SELECT AUTO_SITE_NUMBERING FROM AR_SYSTEM_PARAMETERS_ALL WHERE ORG_ID = ?", org)
    return row is None or row["AUTO_SITE_NUMBERING"] != "N"


def _write_version(
    ctx: ApiContext, table: str, key: str, value: Any, row: dict[str, Any], changes: dict[str, Any]
) -> Decimal:
    """An update's common end (§3.6): stop on any failed check, else write the changes with
    OBJECT_VERSION_NUMBER + 1 and return it for the IN OUT version parameter."""
    ctx.stop_if_errors()
    ovn = int(row["OBJECT_VERSION_NUMBER"]) + 1
    ctx.update(table, key, value, {**changes, "OBJECT_VERSION_NUMBER": ovn})
    return Decimal(ovn)


def _versioned_frame(
    ctx: ApiContext,
    name: str,
    init_msg_list: Any,
    body: Callable[[], dict[str, Any]],
    version_param: str,
    version_in: Any,
) -> dict[str, Any]:
    """The frame of an update: a failed one hands the IN OUT version back unchanged."""
    out = _frame(ctx, name, init_msg_list, body)
    out.setdefault(version_param, version_in)
    return out
