"""`[systems.NAME]` with `adapter = "sap"`, `transport = "s4api"`: checked once, frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from adapters.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class S4Settings:
    name: str
    url: str  # https://host:port of the S/4HANA system (the communication arrangement's host)
    user: str  # the communication user
    password: str = field(repr=False)
    client: str | None = None  # sap-client; S/4HANA Cloud has one client and needs none
    companies: tuple[str, ...] = ()
    value_maps: str | None = None
    timeout_s: float = 120.0
    page_size: int = 5000  # $top asked per request; the server may page smaller (__next)
    odata_root: str = "/sap/opu/odata/sap"
    # customer creates (Business Partner): company code data copied from this customer, and
    # the BP grouping (number range) when the system has no default grouping
    reference_customer: str | None = None
    bp_grouping: str | None = None
    soap_root: str = "/sap/bc/srt/scs_ext/sap"  # Journal Entry – Post / Clear (SAP_COM_0002)
    # Journal Entry – Clear is asynchronous: how long a posting reads the ledger back for the
    # clearing before it reports the key `unknown` (settled by the lookup on a later run)
    clear_wait_s: float = 30.0
    clear_poll_s: float = 0.5

    @classmethod
    def from_section(
        cls, name: str, section: Mapping[str, Any], secrets: Mapping[str, str]
    ) -> S4Settings:
        where = f"[systems.{name}]"
        options = {k: v for k, v in section.items() if k not in ("adapter", "transport")}
        known = {f.name for f in fields(cls)} - {"name", "password"}
        if unknown := set(options) - known:
            raise ConfigError(f"{where} unknown keys {sorted(unknown)}; known: {sorted(known)}")
        if "password" not in secrets:
            raise ConfigError(
                f'{where} needs password_env = "OTC_..." naming the communication user\'s '
                "password variable"
            )
        for required in ("url", "user"):
            if not options.get(required):
                raise ConfigError(f'{where} transport "s4api" needs {required} = ...')
        page_size = options.get("page_size", 5000)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ConfigError(f"{where} page_size must be a positive integer, not {page_size!r}")
        for seconds in ("clear_wait_s", "clear_poll_s"):
            value = options.get(seconds, 0)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(
                    f"{where} {seconds} must be a number of seconds >= 0, not {value!r}"
                )
        companies = options.pop("companies", ())
        if not isinstance(companies, list | tuple) or not all(
            isinstance(c, str) for c in companies
        ):
            raise ConfigError(f'{where} companies must be a list of company codes: ["1010"]')
        return cls(
            name=name,
            password=secrets["password"],
            companies=tuple(companies),
            **{k: v for k, v in options.items() if k in known},
        )
