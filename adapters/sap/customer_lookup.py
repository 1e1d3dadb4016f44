"""Reading one customer before a write: found, not found, or an error (never a guess).

BAPI_CUSTOMER_GETDETAIL2 answers every problem in RETURN. Only its not-found message means
"no such customer" (F2 502, the customer existence check's documented message:
https://www.stechno.net/referentiel/fonctions-sap.html?id=BAPI_CUSTOMER_EXISTENCECHECK);
an authorization error (F2 543, F2 500/501) or anything else is an error: taking it for
"not found" would create a duplicate customer. S/4HANA is refused before any write: its
customer master data is the Business Partner (docs/specs/sap.md §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.errors import ConfigError
from adapters.sap.errors import errors_in, message_code, raise_for_return
from adapters.sap.system import read_system_kind

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

NOT_FOUND = {("F2", "502")}


def customer_detail(adapter: SapAdapter, kunnr: str, key: str) -> Mapping[str, Any] | None:
    """GETDETAIL2's answer for `kunnr`, None when SAP says it does not exist."""
    detail = adapter.transport.call("BAPI_CUSTOMER_GETDETAIL2", CUSTOMERNO=kunnr)
    errors = errors_in(detail)
    if not errors:
        return detail
    if all(message_code(row) in NOT_FOUND for row in errors):
        return None
    raise_for_return(adapter.name, key, detail)  # an authorization error is not "not found"
    return None  # pragma: no cover - raise_for_return raised


def refuse_on_s4(adapter: SapAdapter) -> None:
    """ConfigError on S/4HANA: the customer BAPIs must not be used there; nothing is sent."""
    kind = adapter.system_kind()
    if kind.is_s4:
        raise ConfigError(
            f"[systems.{adapter.name}] is S/4HANA ({kind.describe()}): customer master data "
            "is the Business Partner there and the customer BAPIs are not for it; this build "
            "does not write customers to S/4HANA (no customer was sent). Pull and post cash "
            "still work; maintain customers in SAP (BP) or through API_BUSINESS_PARTNER."
        )


__all__ = ["customer_detail", "read_system_kind", "refuse_on_s4"]
