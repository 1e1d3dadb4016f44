"""`[systems.NAME]` for `adapter = "sap"`: checked once, frozen (style.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from adapters.errors import ConfigError

TRANSPORTS = ("soap", "rfc")
STRATEGIES = ("bulk", "bapi")
RFC_LOGON = (
    "ashost",
    "sysnr",
    "mshost",
    "msserv",
    "sysid",
    "group",
    "dest",
    "saprouter",
    "snc_mode",
    "snc_partnername",
    "snc_qop",
    "snc_myname",
    "snc_lib",
    "mock_url",
)


@dataclass(frozen=True, kw_only=True)
class SapSettings:
    name: str
    transport: str
    client: str
    user: str
    password: str = field(repr=False)
    url: str | None = None  # SOAP: http(s)://host:port
    language: str | None = None
    connection_class: str | None = None  # RFC: "module:Class" with pyrfc's shape
    rfc: Mapping[str, Any] = field(default_factory=dict)  # RFC logon parameters
    open_items_strategy: str = "bulk"
    page_size: int = 5000
    companies: tuple[str, ...] = ()
    value_maps: str | None = None
    timeout_s: float = 120.0
    wsdl_cache: str = ".otc/wsdl"
    sales_org: str = "1000"
    distr_chan: str = "10"
    division: str = "00"
    reference_customer: str | None = None
    #: How a refund becomes an SAP document (docs/sap-setup.md "Reversal and refunds"):
    #: "debit_posting" debits the customer against the credit items (Z_OTC_AR_REFUND clears
    #: them) and leaves one credit item with the payment method for F110 to pay out.
    refund_mode: str = "debit_posting"
    refund_doc_type: str = "DA"  # BLART of the refund document (customer document)
    #: T041C reason used when a Reversals row has none (the contract requires one today)
    reversal_reason: str | None = None

    @classmethod
    def from_section(
        cls, name: str, section: Mapping[str, Any], secrets: Mapping[str, str]
    ) -> SapSettings:
        where = f"[systems.{name}]"
        transport = section.get("transport", "soap")
        if transport not in TRANSPORTS:
            raise ConfigError(
                f"{where} transport must be one of {(*TRANSPORTS, 's4api')}, not {transport!r}"
            )
        if "soap_stateful_posting" in section:
            raise ConfigError(
                f"{where} soap_stateful_posting is withdrawn: /sap/bc/soap/rfc keeps no session "
                "across calls (docs/specs/sap.md §8), so every SOAP write goes through the kit's "
                "self-committing modules (Z_OTC_AR_ON_ACCOUNT, Z_OTC_CUSTOMER_CREATE/_CHANGE, "
                "docs/sap-setup.md); remove the key"
            )
        known = {f.name for f in fields(cls)} - {"name", "password", "rfc", "transport"}
        options = {k: v for k, v in section.items() if k not in ("adapter", "transport")}
        rfc = {k: options.pop(k) for k in list(options) if k in RFC_LOGON}
        if unknown := set(options) - known:
            raise ConfigError(
                f"{where} unknown keys {sorted(unknown)}; known: {sorted(known | set(RFC_LOGON))}"
            )
        if "password" not in secrets:
            raise ConfigError(
                f'{where} needs password_env = "OTC_..." naming the password variable'
            )
        for required in ("client", "user"):
            if required not in options:
                raise ConfigError(f"{where} needs {required} = ...")
        if transport == "soap" and not options.get("url"):
            raise ConfigError(f'{where} transport "soap" needs url = "https://host:port"')
        if transport == "rfc" and not (rfc.get("ashost") or rfc.get("mshost") or rfc.get("dest")):
            raise ConfigError(f'{where} transport "rfc" needs ashost (or mshost, or dest)')
        strategy = options.get("open_items_strategy", "bulk")
        if strategy not in STRATEGIES:
            raise ConfigError(f"{where} open_items_strategy must be one of {STRATEGIES}")
        mode = options.get("refund_mode", "debit_posting")
        if mode != "debit_posting":
            raise ConfigError(
                f'{where} refund_mode must be "debit_posting", not {mode!r}: a payment request '
                "(F111 / FIPAYM) has no documented remote-enabled interface the kit could call, "
                "so it is not supported (docs/sap-setup.md)"
            )
        if "companies" in options:
            options["companies"] = tuple(str(c) for c in options["companies"])
        options["client"] = str(options["client"])
        return cls(name=name, transport=transport, password=secrets["password"], rfc=rfc, **options)
