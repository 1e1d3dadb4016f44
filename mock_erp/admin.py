"""``/_mock`` admin API: health, reset, seed, state inspection, faults, locks (architecture.md).

Why JSON over HTTP and not Python calls: tests, the demo and a developer's curl all drive the
same server the adapters talk to, in-process or not.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from mock_erp.faults import FaultRuleError

if TYPE_CHECKING:
    from mock_erp.app import MockState

MAX_LIMIT = 10_000
_SEED_KEYS = {"seed", "companies", "customers", "open_items"}


def _state(request: Request) -> MockState:
    return request.app.state.mock  # type: ignore[no-any-return]


def _bad(message: str, field: str | None = None, status: int = 400) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status)


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return await request.json()
    except ValueError:
        raise FaultRuleError("body", "is not valid JSON") from None


async def health(request: Request) -> JSONResponse:
    st = _state(request)
    return JSONResponse(
        {"status": "ok", "personas": sorted(st.personas), "sap_calls": st.sap.calls}
    )


async def reset(request: Request) -> JSONResponse:
    """Empty the store, end sessions, clear faults and locks; re-seed as built unless told."""
    st = _state(request)
    try:
        body = await _json(request)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)
    reseed = bool(body.get("seed_data", st.seed_data)) if isinstance(body, dict) else st.seed_data
    started = time.perf_counter()
    counts = await run_in_threadpool(st.reset, reseed)
    return JSONResponse({"reset": True, "seeded": counts, "seconds": time.perf_counter() - started})


async def seed(request: Request) -> JSONResponse:
    st = _state(request)
    try:
        body = await _json(request)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)
    if not isinstance(body, dict):
        return _bad("body must be a JSON object", "body")
    if unknown := set(body) - _SEED_KEYS:
        return _bad(
            f"unknown field {sorted(unknown)[0]!r}; known: {sorted(_SEED_KEYS)}", sorted(unknown)[0]
        )
    for key, value in body.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return _bad(f"{key} must be an integer >= 0", key)
    sizes = {**st.sizes, **body}
    started = time.perf_counter()
    counts = await run_in_threadpool(st.seed, sizes)
    return JSONResponse({"counts": counts, "seconds": round(time.perf_counter() - started, 4)})


async def table(request: Request) -> JSONResponse:
    """Rows of one store table, filtered by ``COL=value`` query parameters (exact match)."""
    st = _state(request)
    name = request.path_params["name"]
    params = dict(request.query_params)
    try:
        limit = int(params.pop("limit", "100"))
        offset = int(params.pop("offset", "0"))
    except ValueError:
        return _bad("limit and offset must be integers", "limit")
    if not 0 <= limit <= MAX_LIMIT or offset < 0:
        return _bad(f"limit must be 0..{MAX_LIMIT} and offset >= 0", "limit")
    if name not in st.store.table_names():
        return _bad(f"no table {name!r}; tables: {', '.join(st.store.table_names())}", "name", 404)
    try:
        columns, rows = await run_in_threadpool(st.query_table, name, params, limit, offset)
    except KeyError as exc:
        return _bad(str(exc.args[0]), "column", 404)
    return JSONResponse(
        {
            "table": name,
            "columns": columns,
            "count": len(rows),
            "rows": [dict(zip(columns, r, strict=True)) for r in rows],
        },
    )


async def faults_add(request: Request) -> JSONResponse:
    """Body: a rule, a list of rules, or ``{"rules": [...], "seed": n}``."""
    st = _state(request)
    try:
        body = await _json(request)
        seed_value = None
        if isinstance(body, dict) and "rules" in body:
            if set(body) - {"rules", "seed"}:
                extra = sorted(set(body) - {"rules", "seed"})[0]
                raise FaultRuleError(extra, "unknown field; known: ['rules', 'seed']")
            seed_value, rules = body.get("seed"), body["rules"]
            if seed_value is not None and (
                isinstance(seed_value, bool) or not isinstance(seed_value, int)
            ):
                raise FaultRuleError("seed", "must be an integer")
        else:
            rules = body
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list) or not rules:
            raise FaultRuleError("rules", "give a rule object or a non-empty list of rules")
        added = st.faults.add(rules, seed_value)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)
    return JSONResponse({"added": [r.public() for r in added], **st.faults.public()}, 201)


async def faults_list(request: Request) -> JSONResponse:
    return JSONResponse(_state(request).faults.public())


async def faults_clear(request: Request) -> JSONResponse:
    _state(request).faults.clear()
    return JSONResponse({"cleared": True})


async def locks_set(request: Request) -> JSONResponse:
    """Hold an enqueue lock on a customer: ``{"bukrs", "kunnr", "user"}`` (ZOTC 010)."""
    st = _state(request)
    try:
        body = await _json(request)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)
    for key in ("bukrs", "kunnr", "user"):
        if not isinstance(body, dict) or not isinstance(body.get(key), str) or not body[key]:
            return _bad(f"{key} must be a non-empty string", key)
    with st.lock:
        st.sap_backend.set_lock(body["bukrs"], body["kunnr"], body["user"])
    return JSONResponse({"locked": {k: body[k] for k in ("bukrs", "kunnr", "user")}}, 201)


async def locks_clear(request: Request) -> JSONResponse:
    st = _state(request)
    with st.lock:
        st.sap_backend.clear_locks()
    return JSONResponse({"cleared": True})


async def sap_icf(request: Request) -> JSONResponse:
    """``{"active": false}`` deactivates the SOAP ICF node: 403 (docs/specs/sap.md §4)."""
    st = _state(request)
    body = await _json(request)
    if not isinstance(body, dict) or not isinstance(body.get("active"), bool):
        return _bad("active must be true or false", "active")
    st.sap.config.soap_active = body["active"]
    return JSONResponse({"active": st.sap.config.soap_active})


async def sap_open_items(request: Request) -> JSONResponse:
    """Seed one SAP open item: ``{"company", "customer", "currency", "amount", ...}``."""
    from mock_erp.sap.seed_items import SeedError, seed_open_item

    st = _state(request)
    try:
        body = await _json(request)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)

    def seed_one() -> dict[str, Any]:
        with st.lock:
            st.sap_backend.settings = st.settings.sap
            return seed_open_item(st.sap_backend, body)

    try:
        created = await run_in_threadpool(seed_one)
    except SeedError as exc:
        return _bad(str(exc), exc.field)
    return JSONResponse(created, 201)


async def settings_get(request: Request) -> JSONResponse:
    return JSONResponse(_state(request).settings.public())


async def settings_put(request: Request) -> JSONResponse:
    """``{"sap": {...}, "oracle": {...}}``: real-system variants (mock_erp/settings.py)."""
    st = _state(request)
    try:
        body = await _json(request)
        with st.lock:
            current = st.settings.update(body)
    except FaultRuleError as exc:
        return _bad(str(exc), exc.field)
    return JSONResponse(current)


def routes() -> list[BaseRoute]:
    return [
        Route("/_mock/health", health, methods=["GET"]),
        Route("/_mock/reset", reset, methods=["POST"]),
        Route("/_mock/seed", seed, methods=["POST"]),
        Route("/_mock/tables/{name}", table, methods=["GET"]),
        Route("/_mock/faults", faults_add, methods=["POST"]),
        Route("/_mock/faults", faults_list, methods=["GET"]),
        Route("/_mock/faults", faults_clear, methods=["DELETE"]),
        Route("/_mock/locks", locks_set, methods=["POST"]),
        Route("/_mock/locks", locks_clear, methods=["DELETE"]),
        Route("/_mock/sap/icf", sap_icf, methods=["PUT"]),
        Route("/_mock/sap/open-items", sap_open_items, methods=["POST"]),
        Route("/_mock/settings", settings_get, methods=["GET"]),
        Route("/_mock/settings", settings_put, methods=["PUT"]),
    ]
