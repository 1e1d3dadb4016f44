"""The Oracle persona's real-system variants (``PUT /_mock/settings {"oracle": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``
(section "Oracle settings") for the source of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mock_erp.faults import FaultRuleError


@dataclass
class OracleSettings:
    """Add a field per documented variant; a ``check_<field>`` method may validate values."""

    #: AR system option "Allow Unearned Discounts". Off (the harsher variant): APPLY refuses a
    #: discount beyond the earned one with AR_RW_VAL_UNEARNED_DISCOUNT.
    unearned_discounts: bool = False
    #: Per FND user id, per currency, the ADJ approval range [from, to] (exact decimal text),
    #: replacing that user's seeded AR_APPROVAL_USER_LIMITS rows; ``{}`` for a user = no limits
    #: at all (every adjustment then waits for approval, status W). None = the seeded rows.
    approval_limits: dict[str, dict[str, list[str]]] | None = None
    #: Profile AR_DEFAULT_EXCHANGE_RATE_TYPE. None (the harsher variant, and a common setup):
    #: a foreign-currency receipt without p_exchange_rate_type is AR_RAPI_X_RATE_TYPE_NULL.
    rate_type_profile: str | None = None
    #: The time zone ORDS runs in: it takes DATE values to be in this zone and renders them in
    #: UTC with a Z (env.defaultTimeZone tells which). A zone east of UTC moves midnight dates
    #: to the day before, the harsher variant.
    ords_time_zone: str = "Europe/Berlin"
    #: TCA numbering: profiles HZ_GENERATE_PARTY_NUMBER and HZ_GENERATE_PARTY_SITE_NUMBER and
    #: the AR system option AUTO_SITE_NUMBERING. Off (the harsher variant): party numbers,
    #: party-site numbers and site-use LOCATIONs must be supplied (HZ_API_MISSING_COLUMN).
    hz_generate_numbers: bool = False
    #: ORDS database authentication: "schema" (a user may only call its own schema's URL,
    #: as ORDS does) or "any" (the mock's old leniency).
    ords_auth: Literal["schema", "any"] = "schema"

    def check_approval_limits(self, value: dict[str, dict[str, list[str]]] | None) -> None:
        for user, ranges in (value or {}).items():
            if not user.lstrip("-").isdigit():
                raise FaultRuleError(f"oracle.approval_limits.{user}", "must be an FND user id")
            for currency, bounds in ranges.items():
                where = f"oracle.approval_limits.{user}.{currency}"
                if len(bounds) != 2:
                    raise FaultRuleError(where, 'must be ["from", "to"]')
                try:
                    low, high = (Decimal(b) for b in bounds)
                except InvalidOperation:
                    raise FaultRuleError(where, "bounds must be decimal text") from None
                if low > high:
                    raise FaultRuleError(where, "from must not exceed to")

    def check_ords_time_zone(self, value: str) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise FaultRuleError("oracle.ords_time_zone", f"unknown time zone {value!r}") from None
