"""Single entities and writes of the S/4 persona: GET by key, POST (deep insert), PATCH/MERGE.

Why its own module: reads of collections are one generic path (routes.py); writes carry
Gateway's protocol rules, each of which a client must get right on a real system:
- CSRF on every modifying request (``mock_erp/s4/csrf.py``);
- optimistic locking where the entity type has an ETag (``A_BusinessPartner``): the entity is
  answered with ``ETag: W/"'<value>'"`` (Gateway's V2 form, e.g. ``W/"'0001'"``; SAP Community
  "Handling 412 Precondition Failed and 428 Precondition Required Errors in SAP APIs Using
  ETag"); a change without ``If-Match`` is ``428 Precondition Required`` (SAP KBA 3514624), one
  with a stale ETag ``412 Precondition Failed``;
- ``201 Created`` with the new entity for a POST, ``204 No Content`` for PATCH/MERGE/PUT
  (OData V2 operations; pyodata checks both codes);
- faults as for reads: persona ``s4``, operation = the entity set (``latency``,
  ``unavailable``, ``drop_before``, ``drop_after_commit``, ``malformed``).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from mock_erp.faults import drop_connection, pick
from mock_erp.s4 import odata, partners_models
from mock_erp.s4.csrf import CsrfGuard
from mock_erp.s4.metadata import EntitySet
from mock_erp.s4.source import Source, row_values

if TYPE_CHECKING:
    from mock_erp.s4.routes import S4Persona

JSON = "application/json"
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\((?P<key>.*)\)$")
_PART = re.compile(
    r"\s*(?:(?P<prop>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*)?(?P<value>'(?:[^']|'')*'|[^,]+)\s*(?:,|$)"
)


def parse_key(entity: EntitySet, text: str) -> dict[str, str]:
    """``('1')`` or ``(BusinessPartner='1',AddressID='2')`` as {key property: value}."""
    values: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None or match.end() == position:
            raise odata.ODataError(400, "/IWBEP/CM_MGW_RT/000", f"Invalid key predicate ({text})")
        raw = match["value"].strip()
        value = raw[1:-1].replace("''", "'") if raw.startswith("'") else raw
        prop = match["prop"] or (entity.keys[0] if len(entity.keys) == 1 and not values else "")
        values[prop] = value
        position = match.end()
    if sorted(values) != sorted(entity.keys):
        raise odata.ODataError(
            400, "/IWBEP/CM_MGW_RT/000", f"Key of {entity.name} is {', '.join(entity.keys)}"
        )
    return values


def etag_header(value: str) -> str:
    return f"W/\"'{value}'\""


class PartnerWrites:
    """The keyed and modifying requests of the persona's OData services."""

    def __init__(self, persona: S4Persona) -> None:
        self.persona = persona
        self.csrf = CsrfGuard()

    # -- reading one entity -----------------------------------------------------------------------

    def _resolve(self, request: Request) -> tuple[EntitySet, Source, dict[str, str] | None]:
        segment = request.path_params["entity_set"]
        match = _SEGMENT.match(segment)
        name = match["name"] if match else segment
        from mock_erp.s4.routes import entity_and_source  # routes imports this module

        entity, source = entity_and_source(request.path_params["service"], name, "GET_ENTITY")
        return entity, source, parse_key(entity, match["key"]) if match else None

    def read(self, entity: EntitySet, source: Source, key: dict[str, str]) -> dict[str, Any] | None:
        """The entity's values as stored and converted (amounts), or None."""
        columns = source.filter_columns()
        where = " AND ".join(f"({columns[k]} = ?)" for k in key)
        stored = [p for p in entity.properties if source.stored(p)]
        sql = source.select_sql(stored, f" AND {where}")
        store = self.persona.sap.backend.store
        with self.persona.lock:
            cursor = store.conn.execute(sql, list(key.values()))
            names = [d[0] for d in cursor.description]
            row = cursor.fetchone()
            tcurx = self.persona._tcurx()
        if row is None:
            return None
        scales = {
            n: entity.properties[n].scale or 0 for n in source.amounts if n in entity.properties
        }
        return row_values(dict(zip(names, row, strict=True)), tcurx, scales, source.amounts)

    def entity_json(
        self, request: Request, entity: EntitySet, values: dict[str, Any]
    ) -> dict[str, Any]:
        base = (
            str(request.base_url).rstrip("/")
            + f"/sap/opu/odata/sap/{request.path_params['service']}"
        )
        uri = f"{base}/{odata.key_predicate(entity, values)}"
        meta: dict[str, Any] = {"id": uri, "uri": uri, "type": entity.type_name}
        if "ETag" in entity.properties:
            meta["etag"] = etag_header(str(values.get("ETag", "")))
        item: dict[str, Any] = {"__metadata": meta}
        for name, prop in entity.properties.items():
            item[name] = odata.encode(values[name], prop) if name in values else odata.initial(prop)
        return item

    async def get(self, request: Request) -> Response:
        """GET ``Set(key)`` (the gate has been passed)."""
        try:
            entity, source, key = self._resolve(request)
            assert key is not None
            values = await run_in_threadpool(self.read, entity, source, key)
            if values is None:
                raise odata.ODataError(
                    404, "/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{entity.name}'"
                )
        except odata.ODataError as exc:
            return self.persona._error(exc)
        headers = self.persona._headers(request)
        if "ETag" in entity.properties:
            headers["etag"] = etag_header(str(values.get("ETag", "")))
        body = json.dumps({"d": self.entity_json(request, entity, values)}).encode()
        return Response(body, 200, headers, media_type=JSON)

    # -- writes -----------------------------------------------------------------------------------

    async def write(self, request: Request) -> Response:
        persona = self.persona
        if refused := persona._gate(request):
            return refused
        if refused := self.csrf.refused(request, persona.settings.csrf_session_bound):
            return refused
        segment = request.path_params["entity_set"]
        fired = persona.faults.draw("s4", segment.split("(", 1)[0])
        if rule := pick(fired, "latency"):
            await asyncio.sleep(rule.ms / 1000)
        if pick(fired, "unavailable"):
            return Response(
                "<html><body>503 Service Unavailable</body></html>", 503, media_type="text/html"
            )
        if pick(fired, "drop_before"):
            await drop_connection(request.scope)
            return Response(b"")
        try:
            entity, source, key = self._resolve(request)
            body = self._body(await request.body())
            if request.method == "POST":
                if key is not None:
                    raise odata.ODataError(
                        405, "/IWBEP/CM_MGW_RT/000", "POST is not allowed on a single entity"
                    )
                status, headers, answer = await run_in_threadpool(
                    self._create, request, entity, source, body
                )
            else:
                if key is None:
                    raise odata.ODataError(
                        405, "/IWBEP/CM_MGW_RT/000", f"{request.method} needs an entity key"
                    )
                status, headers, answer = await run_in_threadpool(
                    self._change, request, entity, source, key, body
                )
        except odata.ODataError as exc:
            return persona._error(exc)
        if pick(fired, "drop_after_commit"):
            await drop_connection(request.scope)
            return Response(b"")
        if pick(fired, "malformed"):
            answer = answer[: max(1, len(answer) // 2)]
        return Response(answer, status, headers, media_type=JSON if answer else None)

    @staticmethod
    def _body(raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise odata.ODataError(
                400, "/IWBEP/CM_MGW_RT/000", "The request body is not valid JSON"
            ) from None
        if not isinstance(body, dict):
            raise odata.ODataError(400, "/IWBEP/CM_MGW_RT/000", "The request body must be an entry")
        return body

    def _user(self) -> str:
        return str(self.persona.sap.config.user).upper()

    def _create(
        self, request: Request, entity: EntitySet, source: Source, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        backend = self.persona.sap.backend
        if entity.name == "A_BusinessPartner":
            new = partners_models.parse_deep_insert(body)
            with self.persona.lock:
                number = partners_models.create_partner(backend, new, self._user())
            key = {"BusinessPartner": number}
        elif entity.name == "A_BusinessPartnerTaxNumber":
            key = {k: str(body.get(k) or "") for k in entity.keys}
            with self.persona.lock:
                partners_models.change(backend, entity.name, key, body, self._user())
        else:
            raise odata.ODataError(
                501, "/IWBEP/CM_MGW_RT/004", f"Method '{entity.name}_CREATE_ENTITY' not implemented"
            )
        values = self.read(entity, source, key)
        if values is None:  # a tax number of a type the mock does not keep (empty)
            values = dict(key)
        item = self.entity_json(request, entity, values)
        headers = {"location": item["__metadata"]["uri"]}
        if "etag" in item["__metadata"]:
            headers["etag"] = item["__metadata"]["etag"]
        return 201, headers, json.dumps({"d": item}).encode()

    def _change(
        self,
        request: Request,
        entity: EntitySet,
        source: Source,
        key: dict[str, str],
        body: dict[str, Any],
    ) -> tuple[int, dict[str, str], bytes]:
        backend = self.persona.sap.backend
        with self.persona.lock:
            if "ETag" in entity.properties:
                self._check_etag(request, entity, source, key)
            partners_models.change(backend, entity.name, key, body, self._user())
        headers: dict[str, str] = {}
        if "ETag" in entity.properties:
            values = self.read(entity, source, key) or {}
            headers["etag"] = etag_header(str(values.get("ETag", "")))
        return 204, headers, b""

    def _check_etag(
        self, request: Request, entity: EntitySet, source: Source, key: dict[str, str]
    ) -> None:
        wanted = request.headers.get("if-match")
        if not wanted:
            raise odata.ODataError(
                428,
                "ZMOCK/078",
                f"Precondition required for {entity.name}: send If-Match with the entity's ETag",
            )
        store = self.persona.sap.backend.store
        columns = source.filter_columns()
        where = " AND ".join(f"({columns[k]} = ?)" for k in key)
        row = store.conn.execute(
            f"SELECT {columns['ETag']} FROM {source.from_sql} "
            f"WHERE {source.base_where} AND {where}",
            list(key.values()),
        ).fetchone()
        if row is None:
            raise odata.ODataError(
                404, "/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{entity.name}'"
            )
        if wanted.strip() != "*" and wanted.strip() != etag_header(str(row[0])):
            raise odata.ODataError(
                412,
                "ZMOCK/079",
                f"Precondition failed for {entity.name}: the entity was changed since its ETag "
                "was read; read it again",
            )
