"""Injected faults: the failures an adapter must survive, reproducible by seed.

Why: exactly-once posting is only proven if the client can be made to lose the answer AFTER the
ERP committed (``drop_after_commit``), and retries only if the ERP can be slow, unavailable or
locked on demand (docs/architecture.md "The mock ERP"; docs/specs/sap.md §7 item 16).

A rule: ``{"persona": "sap"|"oracle"|"*", "operation": FM | PL/SQL API | "query" | "*",
"kind": ..., "rate": 0..1 | "nth": n, "ms": latency, "status": 502|504}``. ``nth`` fires once, on
the nth matching call (1-based); ``rate`` fires with that probability, drawn from
``random.Random(seed)`` of the rule set, so the same seed and call sequence give the same faults.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "latency",  # sleep `ms` before the ERP acts
        "unavailable",  # HTTP 503, nothing happens
        "drop_before",  # connection closed before the ERP acts: nothing happens
        "drop_after_commit",  # the ERP acts (and commits), then the connection closes unanswered
        "malformed",  # the ERP acts, the answer is cut off
        # the ERP acts and commits, then a gateway (Web Dispatcher, proxy, load balancer)
        # answers 502/504 (`status`, default 504) instead of the ERP's answer
        "gateway_timeout_after_commit",
        # the ICM (SAP) or the servlet container (ORDS) gives up waiting and answers an HTML
        # 500 after `ms` (0: at once) while the ERP works on and commits in the background
        "icm_timeout",
        "lock_conflict",  # the FM's own "object locked" answer (SAP: ZOTC 010)
        "deadlock",  # Oracle persona: ORA-00060 (stored, applied by that persona)
        "package_state_lost",  # Oracle persona: ORA-04068 (stored, applied by that persona)
        # SAP persona, Z_OTC_AR_REVERSE: the kit's tag and the FBRA reset commit, then FB08
        # fails (applied inside the call by mock_erp/sap/reversal.py): the half-done reversal
        "fb08_fails_after_reset",
    }
)
#: Kinds a persona applies inside the function module's own work (not around the call).
IN_CALL = frozenset({"fb08_fails_after_reset"})
PERSONAS = frozenset({"sap", "oracle", "s4", "*"})
_FIELDS = {"persona", "operation", "kind", "rate", "nth", "ms", "status"}
GATEWAY_STATUSES = (502, 504)


class FaultRuleError(ValueError):
    """A rule body the admin API refuses with HTTP 400; ``field`` names the culprit."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


@dataclass
class FaultRule:
    persona: str
    operation: str
    kind: str
    rate: float | None = None
    nth: int | None = None
    ms: int = 0
    status: int | None = None  # gateway_timeout_after_commit: 502 or 504 (None = 504)
    matched: int = 0  # calls that matched persona/operation so far
    fired: int = 0

    @classmethod
    def parse(cls, body: Any) -> FaultRule:
        """Validate one rule body (a JSON object)."""
        if not isinstance(body, Mapping):
            raise FaultRuleError("rule", "must be a JSON object")
        if unknown := set(body) - _FIELDS:
            raise FaultRuleError(sorted(unknown)[0], f"unknown field; known: {sorted(_FIELDS)}")
        persona = body.get("persona", "*")
        if persona not in PERSONAS:
            raise FaultRuleError("persona", f"{persona!r} not in {sorted(PERSONAS)}")
        operation = body.get("operation", "*")
        if not isinstance(operation, str) or not operation:
            raise FaultRuleError(
                "operation", "must be a non-empty string (FM, API, 'query' or '*')"
            )
        kind = body.get("kind")
        if kind not in KINDS:
            raise FaultRuleError("kind", f"{kind!r} not in {sorted(KINDS)}")
        rate, nth = body.get("rate"), body.get("nth")
        if (rate is None) == (nth is None):
            raise FaultRuleError("rate", "give exactly one of 'rate' (0..1) or 'nth' (1-based)")
        if rate is not None and (
            isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1
        ):
            raise FaultRuleError("rate", f"{rate!r} is not a number in 0..1")
        if nth is not None and (isinstance(nth, bool) or not isinstance(nth, int) or nth < 1):
            raise FaultRuleError("nth", f"{nth!r} is not an integer >= 1")
        ms = body.get("ms", 0)
        if isinstance(ms, bool) or not isinstance(ms, int | float) or ms < 0:
            raise FaultRuleError("ms", f"{ms!r} is not a number of milliseconds >= 0")
        if kind == "latency" and not ms:
            raise FaultRuleError("ms", "latency needs 'ms' > 0")
        status = body.get("status")
        if status is not None and kind != "gateway_timeout_after_commit":
            raise FaultRuleError("status", "only gateway_timeout_after_commit takes a status")
        if status is not None and status not in GATEWAY_STATUSES:
            raise FaultRuleError("status", f"{status!r} not in {list(GATEWAY_STATUSES)}")
        rate_value = None if rate is None else float(rate)
        return cls(persona, operation, kind, rate_value, nth, int(ms), status)

    def matches(self, persona: str, operation: str) -> bool:
        return self.persona in {"*", persona} and self.operation in {"*", operation}

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class FaultSet:
    """The active rules and their random stream (thread-safe: handlers run in a threadpool)."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def add(self, bodies: list[Any], seed: int | None = None) -> list[FaultRule]:
        """Validate all bodies first (all or nothing), then append; a seed restarts the stream."""
        parsed = [FaultRule.parse(b) for b in bodies]
        with self._lock:
            if seed is not None:
                self.seed, self._rng = seed, random.Random(seed)
            self.rules.extend(parsed)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.log.clear()
            self._rng = random.Random(self.seed)

    def draw(self, persona: str, operation: str) -> list[FaultRule]:
        """The rules that fire for this call, in rule order (each matching rule draws once)."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self.rules:
                if not rule.matches(persona, operation):
                    continue
                rule.matched += 1
                hit = (
                    rule.nth == rule.matched
                    if rule.nth is not None
                    else (self._rng.random() < (rule.rate or 0.0))
                )
                if hit:
                    rule.fired += 1
                    fired.append(rule)
                    self.log.append(
                        {
                            "persona": persona,
                            "operation": operation,
                            "kind": rule.kind,
                            "call": rule.matched,
                        }
                    )
        return fired

    def public(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [r.public() for r in self.rules],
                "fired": list(self.log),
            }


def gateway_page(status: int) -> str:
    """A gateway's own error page (HTML, not the ERP's answer) for 502/504."""
    title = {502: "502 Bad Gateway", 504: "504 Gateway Time-out"}.get(status, f"{status} Error")
    return (
        f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
        "<hr><center>gateway</center></body></html>"
    )


def pick(fired: list[FaultRule], kind: str) -> FaultRule | None:
    """The first fired rule of ``kind``."""
    return next((r for r in fired if r.kind == kind), None)


async def drop_connection(scope: Mapping[str, Any]) -> None:
    """Close the client's TCP connection WITHOUT an HTTP response (uvicorn).

    ASGI has no "hang up" message, and an app that returns without responding makes uvicorn
    send a 500. So :func:`mock_erp.app.build_app` wraps the app in a raw ASGI layer that keeps
    uvicorn's own ``send`` in ``scope["mock_erp.raw_send"]``; that bound method's owner is
    uvicorn's ``RequestResponseCycle``, which holds the asyncio ``transport``. Closing it and
    yielding once lets uvicorn's ``connection_lost`` mark the cycle disconnected, after which
    every ``send`` is a no-op. The client sees the socket closed with no status line:
    httpx ``RemoteProtocolError: Server disconnected without sending a response``, requests/zeep
    ``ConnectionError(RemoteDisconnected(...))``.
    """
    import asyncio

    raw_send = scope.get("mock_erp.raw_send")
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:  # not under uvicorn (e.g. TestClient): nothing to close
        raise RuntimeError("drop_connection needs uvicorn's transport (serve the app with uvicorn)")
    transport.close()
    for _ in range(50):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)
    cycle.disconnected = True  # type: ignore[union-attr]
