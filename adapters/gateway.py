"""What an HTTP error answer proves about a call: did the ERP act, may it have, or surely not?

A gateway in front of the ERP (SAP Web Dispatcher, ICM, a proxy or load balancer; ORDS's
own servlet container) can answer 502, 504, or an HTML 500 after the ERP received the call
and while, or after, it committed (docs/specs/sap.md §8: an ICM timeout comes as an HTML 500;
none of these proves the call did not run). So on a write every such answer is an
`OutcomeUnknown`, settled by lookup. Only a 503 that carries the signature of "the request
never reached a work process / a database session" is provably before processing:

- SAP ICM / Web Dispatcher: the static error page names the ICM error; ENOTAVAIL
  ("a service is temporarily not available"), EOVERLOAD ("cannot accept any more
  requests") and EMAINTENANCE (maintenance mode) are raised by the ICM itself, before any
  work process runs the call ("Error Handling Using the ICM", error codes table:
  https://help.sap.com/saphelp_autoid2007/helpdata/EN/f6/3c0b0389cea34ba66f10d62b718a1a/content.htm).
- ORDS: 503 when no pooled database connection could be had, so no statement ran ("ORDS was
  unable to make a connection to the database ... all connections in the Universal
  Connection Pool are in use"):
  https://followthecoffee.com/503-service-unavailable-ords-all-pools-in-use
  https://www.thatjeffsmith.com/archive/2023/01/troubleshooting-ords-startup-errors-the-pool-is-invalid/

Any other 503 (a proxy's own, a bare one) is treated like 502/504 on a write. Reads may
always be retried: asking again changes nothing.
"""

from __future__ import annotations

from adapters.errors import OutcomeUnknown, TransientError, TransportError

#: Body markers of a SAP ICM / Web Dispatcher 503 raised before any work process ran the call.
ICM_NOT_STARTED = ("ENOTAVAIL", "EOVERLOAD", "EMAINTENANCE", "Service is not reachable")
#: Body markers of an ORDS 503 raised before a database session ran the statement.
ORDS_NOT_STARTED = (
    "unable to make a connection to the database",
    "Universal Connection Pool",
    "is invalid and will be ignored",
)
#: Status codes that may come from a gateway after the ERP acted.
GATEWAY_STATUSES = frozenset({500, 502, 503, 504})


def not_started(status: int, body: bytes, signatures: tuple[str, ...]) -> bool:
    """True for a 503 whose body carries one of the "never reached the ERP" signatures."""
    if status != 503:
        return False
    text = body[:4000].decode("utf-8", errors="replace").lower()
    return any(sig.lower() in text for sig in signatures)


def gateway_error(
    system: str,
    what: str,
    status: int,
    body: bytes,
    *,
    writes: bool,
    signatures: tuple[str, ...],
) -> TransportError:
    """The hierarchy's error for a gateway-level answer (5xx without the ERP's own reply)."""
    shown = " ".join(body[:300].decode("utf-8", errors="replace").split())[:160]
    if not_started(status, body, signatures):
        return TransientError(system, f"{what}: HTTP {status} before processing ({shown})")
    if not writes:
        return TransientError(system, f"{what}: HTTP {status} on a read ({shown}); asked again")
    return OutcomeUnknown(
        system, f"{what}: HTTP {status} from a gateway, the ERP may have acted ({shown})"
    )
