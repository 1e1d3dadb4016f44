"""`[systems.NAME]` for `adapter = "oracle"`: checked once, frozen (style.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from adapters.errors import ConfigError

TRANSPORTS = ("ords", "oracledb")
NUMBERING = ("auto", "key")


@dataclass(frozen=True, kw_only=True)
class OracleSettings:
    name: str
    transport: str
    user: str
    password: str = field(repr=False)
    # ORDS REST-Enabled SQL: POST {url}/ords/{schema}/_/sql
    url: str | None = None
    # the schema's URL mapping; unset: the user, lower case (with database authentication
    # ORDS lets a user call only its own schema's URL, docs/oracle-setup.md)
    schema: str | None = None
    # oracledb: an EZConnect or TNS dsn; thin mode unless thick = true
    dsn: str | None = None
    thick: bool = False
    thick_lib_dir: str | None = None
    connection_factory: str | None = None  # "module:function" with oracledb.connect's shape
    connect_args: Mapping[str, Any] = field(default_factory=dict)  # extra connect keywords
    pool_min: int = 1
    pool_max: int = 4
    arraysize: int = 5000
    # apps context (docs/specs/oracle.md §4): ids, not names
    apps_user_id: int = 0
    resp_id: int = 20678
    resp_appl_id: int = 222
    # company (canonical) -> operating unit org_id; empty: the org id is the company
    operating_units: Mapping[str, int] = field(default_factory=dict)
    companies: tuple[str, ...] = ()
    value_maps: str | None = None
    receipt_method_id: int | None = None
    receipt_method: str | None = None  # name, resolved to an id once
    # receipts in a currency other than the ledger's: the GL rate type (e.g. "Corporate") sent
    # as p_exchange_rate_type, with the daily rate of the receipt date; unset, EBS takes the
    # profile AR_DEFAULT_EXCHANGE_RATE_TYPE (docs/oracle-setup.md)
    exchange_rate_type: str | None = None
    # reversals (issue 18): the REVERSAL_CATEGORY_TYPE code a reversal row without its own
    # category is sent with (REV: a standard payment reversal; NSF and STOP set that status)
    reversal_category: str = "REV"
    # refunds: the receivables activity (type CM_REFUND, "Refund") a refund is applied with,
    # by name; the value map `refund_activity` (payment method -> name) overrides it
    refund_activity: str = "Refund"
    account_numbering: str = "auto"  # "key": the canonical customer id is the account number
    created_by_module: str = "TCA_V2_API"
    page_size: int = 5000
    timeout_s: float = 120.0
    connect_timeout_s: float = 10.0

    @classmethod
    def from_section(
        cls, name: str, section: Mapping[str, Any], secrets: Mapping[str, str]
    ) -> OracleSettings:
        where = f"[systems.{name}]"
        transport = section.get("transport", "ords")
        if transport not in TRANSPORTS:
            raise ConfigError(f"{where} transport must be one of {TRANSPORTS}, not {transport!r}")
        known = {f.name for f in fields(cls)} - {"name", "password", "transport"}
        options = {k: v for k, v in section.items() if k not in ("adapter", "transport")}
        if unknown := set(options) - known:
            raise ConfigError(f"{where} unknown keys {sorted(unknown)}; known: {sorted(known)}")
        if "password" not in secrets:
            raise ConfigError(
                f'{where} needs password_env = "OTC_..." naming the password variable'
            )
        if not options.get("user"):
            raise ConfigError(f"{where} needs user = ... (the database user)")
        if transport == "ords" and not options.get("url"):
            raise ConfigError(f'{where} transport "ords" needs url = "https://host:port"')
        if transport == "oracledb" and not (
            options.get("dsn") or options.get("connection_factory")
        ):
            raise ConfigError(f'{where} transport "oracledb" needs dsn = "host:port/service"')
        if options.get("account_numbering", "auto") not in NUMBERING:
            raise ConfigError(f"{where} account_numbering must be one of {NUMBERING}")
        units = options.get("operating_units", {})
        if not isinstance(units, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in units.values()
        ):
            raise ConfigError(f'{where} operating_units = {{ "COMPANY" = ORG_ID, ... }} (integers)')
        options["operating_units"] = {str(k): int(v) for k, v in units.items()}
        if "companies" in options:
            options["companies"] = tuple(str(c) for c in options["companies"])
        for number in ("page_size", "arraysize", "pool_min", "pool_max"):
            if number in options and int(options[number]) < 1:
                raise ConfigError(f"{where} {number} must be at least 1")
        return cls(name=name, transport=transport, password=secrets["password"], **options)

    def org_id(self, company: str) -> int:
        """The operating unit of a canonical company."""
        if company in self.operating_units:
            return self.operating_units[company]
        if not self.operating_units and company.isdigit():
            return int(company)
        raise ConfigError(
            f"[systems.{self.name}] company {company!r} has no operating unit: add it to "
            f'operating_units = {{ "{company}" = ORG_ID }}'
        )

    def company(self, org_id: int) -> str:
        for company, org in self.operating_units.items():
            if org == org_id:
                return company
        return str(org_id)
