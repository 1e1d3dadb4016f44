"""Routes of the S/4HANA persona: OData V2 services under ``/sap/opu/odata/sap/``.

Why the same logon and store as the ECC persona: one system, two faces. The communication user
logs on with HTTP Basic and ``sap-client`` (defaulting as ICF does); a ``GET`` with
``X-CSRF-Token: Fetch`` returns the token modifying requests must echo (Gateway's CSRF
protection: https://help.sap.com/docs/SAP_NETWEAVER_750/68bf513362174d54b58cddec28794093/ ,
"Cross-Site Request Forgery Protection").
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mock_erp.faults import FaultSet, drop_connection, pick
from mock_erp.s4 import cube, odata, partners, partners_models
from mock_erp.s4.filter import FilterError, column_of, to_sql
from mock_erp.s4.metadata import EntitySet, service
from mock_erp.s4.partners_http import PartnerWrites, etag_header
from mock_erp.s4.settings import S4Settings
from mock_erp.s4.source import Source, row_values

PERSONA = "s4"
ROOT = "/sap/opu/odata/sap"
JSON = "application/json"
#: (service, entity set) -> its rows in the shared store
SOURCES: dict[tuple[str, str], Source] = {
    ("API_OPLACCTGDOCITEMCUBE_SRV", cube.ENTITY_SET): cube.CUBE,
    ("API_BUSINESS_PARTNER", "A_BusinessPartner"): partners.BUSINESS_PARTNER,
    ("API_BUSINESS_PARTNER", "A_Customer"): partners.CUSTOMER,
    ("API_BUSINESS_PARTNER", "A_CustomerCompany"): partners.CUSTOMER_COMPANY,
    ("API_BUSINESS_PARTNER", "A_BusinessPartnerAddress"): partners.ADDRESS,
    ("API_BUSINESS_PARTNER", "A_BusinessPartnerTaxNumber"): partners.TAX_NUMBER,
    ("API_BUSINESS_PARTNER", "A_BusinessPartnerRole"): partners.ROLE,
    ("API_JOURNALENTRYITEMBASIC_SRV", "A_CompanyCode"): partners.COMPANY_CODE,
}
SERVICES = tuple(sorted({svc for svc, _ in SOURCES}))


def entity_and_source(service_name: str, name: str, method: str) -> tuple[EntitySet, Source]:
    """The entity set `name` of a service and the tables behind it, or the gateway's own
    errors: 404 for a set the service does not have, 501 for one the mock does not serve
    (`method`: GET_ENTITYSET for a collection, GET_ENTITY for one entity)."""
    svc = service(service_name)
    entity = svc.entity_sets.get(name)
    if entity is None:
        raise odata.ODataError(
            404, "/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{name}'"
        )
    source = SOURCES.get((svc.name, name))
    if source is None:
        raise odata.ODataError(
            501, "/IWBEP/CM_MGW_RT/004", f"Method '{name}_{method}' not implemented"
        )
    return entity, source


class S4Persona:
    """OData services over the shared store; ``sap`` is the ECC persona (logon, backend)."""

    def __init__(self, sap: Any, faults: FaultSet, lock: threading.Lock) -> None:
        self.sap, self.faults, self.lock = sap, faults, lock
        self.settings = S4Settings()  # build_app shares the app's MockSettings.s4 here
        self.writes = PartnerWrites(self)  # single entities, POST, PATCH/MERGE
        partners_models.install(sap.backend.store)
        self.calls = 0

    def routes(self) -> list[BaseRoute]:
        from mock_erp.s4.soap_routes import S4Soap  # journal entries over SOAP

        self.soap = S4Soap(self)
        return [
            *self.soap.routes(),
            Route(f"{ROOT}/{{service}}/$metadata", self.metadata, methods=["GET"]),
            Route(f"{ROOT}/{{service}}/", self.service_document, methods=["GET"]),
            Route(f"{ROOT}/{{service}}", self.service_document, methods=["GET"]),
            Route(f"{ROOT}/{{service}}/{{entity_set}}/$count", self.count, methods=["GET"]),
            Route(f"{ROOT}/{{service}}/{{entity_set}}", self.collection, methods=["GET"]),
            Route(
                f"{ROOT}/{{service}}/{{entity_set}}",
                self.writes.write,
                methods=["POST", "PUT", "PATCH", "MERGE"],
            ),
        ]

    # -- gate -------------------------------------------------------------------------------------

    def _gate(self, request: Request) -> Response | None:
        client = request.query_params.get("sap-client", self.sap.config.default_client)
        if client not in self.sap.config.clients or not self.sap._credentials_ok(request):
            refused: Response = self.sap._logon_refused(client)
            return refused
        if request.path_params["service"] not in SERVICES:
            return self._error(
                odata.ODataError(
                    404,
                    "/IWFND/MED/170",
                    f"No service found for namespace '', name '{request.path_params['service']}',"
                    " version '0001'",
                )
            )
        if request.path_params["service"] in self.settings.forbidden_services:
            svc = request.path_params["service"]
            return self._error(  # [unconfirmed message id]
                odata.ODataError(
                    403,
                    "/IWFND/CM_CONSUMER/101",
                    f"No authorization to access Service '{svc}_0001'",
                )
            )
        return None

    def _headers(self, request: Request) -> dict[str, str]:
        return self.writes.csrf.fetch_headers(request)

    @staticmethod
    def _error(exc: odata.ODataError) -> Response:
        return Response(exc.body(), exc.status, media_type=JSON)

    def _entity(self, request: Request) -> tuple[EntitySet, Source]:
        return entity_and_source(
            request.path_params["service"], request.path_params["entity_set"], "GET_ENTITYSET"
        )

    # -- documents --------------------------------------------------------------------------------

    async def metadata(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        raw = service(request.path_params["service"]).raw
        return Response(raw, 200, self._headers(request), media_type="application/xml")

    async def service_document(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        svc = service(request.path_params["service"])
        body = json.dumps({"d": {"EntitySets": sorted(svc.entity_sets)}}).encode()
        return Response(body, 200, self._headers(request), media_type=JSON)

    # -- collections ------------------------------------------------------------------------------

    def _where(
        self, query: odata.Query, entity: EntitySet, source: Source
    ) -> tuple[str, list[Any]]:
        if not query.filter:
            return "", []
        try:
            sql, params = to_sql(
                query.filter,
                column_of(source.filter_columns(), entity.type_name),
                odata.typed_literal,
            )
        except FilterError as exc:
            raise odata.ODataError(400, "/IWBEP/CM_MGW_RT/000", str(exc)) from None
        return f" AND {sql}", params

    def _tcurx(self) -> dict[str, int]:
        if self.settings.cube_amounts == "internal":
            return {}  # no shift: every amount as stored (two decimals)
        return {
            str(c): int(d)
            for c, d in self.sap.backend.store.query("SELECT CURRKEY, CURRDEC FROM TCURX")
        }

    def _page(
        self,
        entity: EntitySet,
        source: Source,
        query: odata.Query,
        base: str,
        params: dict[str, str],
    ) -> bytes:
        where, binds = self._where(query, entity, source)
        stored = [p for p in query.select if source.stored(p)]
        for key in (*entity.keys, *(["ETag"] if "ETag" in entity.properties else [])):
            if key not in stored:  # the key builds __metadata.uri, the ETag __metadata.etag
                stored.append(key)
        page_size = self.settings.odata_page_size
        offset = query.skip + query.skiptoken
        wanted = query.top if query.top is not None else None
        if query.top is not None:
            wanted = max(0, query.top - query.skiptoken)
        limit = wanted if wanted is not None else -1
        more = False
        if page_size and (limit < 0 or limit > page_size):
            limit, more = page_size, True
        for name, _ in query.orderby:
            if name not in source.filter_columns():
                raise odata.ODataError(
                    400, "/IWBEP/CM_MGW_RT/000", f"Property '{name}' cannot be sorted"
                )
        sql = source.select_sql(stored, where, query.orderby, paged=True)
        store = self.sap.backend.store
        with self.lock:
            self.calls += 1
            cursor = store.conn.execute(sql, [*binds, limit + (1 if more else 0), offset])
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            total = None
            if query.inlinecount:
                counted = store.conn.execute(source.count_sql(where), binds).fetchone()
                total = int(counted[0])
            tcurx = self._tcurx()
        if more and len(rows) > limit:
            rows = rows[:limit]
        else:
            more = False
        props = entity.properties
        scales = {n: props[n].scale or 0 for n in source.amounts if n in props}
        type_name = entity.type_name
        results = []
        for raw in rows:
            values = row_values(dict(zip(names, raw, strict=True)), tcurx, scales, source.amounts)
            uri = f"{base}/{odata.key_predicate(entity, values)}"
            item: dict[str, Any] = {"__metadata": {"id": uri, "uri": uri, "type": type_name}}
            if "ETag" in values:
                item["__metadata"]["etag"] = etag_header(str(values["ETag"]))
            for name in query.select:
                prop = props[name]
                item[name] = (
                    odata.encode(values[name], prop) if name in values else odata.initial(prop)
                )
            results.append(item)
        next_url = None
        if more:
            token = query.skiptoken + len(rows)
            following = {k: v for k, v in params.items() if k != "$skiptoken"}
            next_url = f"{base}/{entity.name}?{urlencode({**following, '$skiptoken': str(token)})}"
        return odata.envelope(results, total, next_url)

    async def collection(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        fired = self.faults.draw(PERSONA, request.path_params["entity_set"])
        if rule := pick(fired, "latency"):
            await asyncio.sleep(rule.ms / 1000)
        if pick(fired, "unavailable"):
            return Response(
                "<html><body>503 Service Unavailable</body></html>", 503, media_type="text/html"
            )
        if pick(fired, "drop_before"):
            await drop_connection(request.scope)
            return Response(b"")
        if "(" in request.path_params["entity_set"]:
            return await self.writes.get(request)
        try:
            entity, source = self._entity(request)
            params = dict(request.query_params)
            query = odata.parse_query(params, entity)
            base = str(request.base_url).rstrip("/") + f"{ROOT}/{request.path_params['service']}"
            body = await run_in_threadpool(self._page, entity, source, query, base, params)
        except odata.ODataError as exc:
            return self._error(exc)
        if pick(fired, "malformed"):
            body = body[: max(1, len(body) // 2)]
        return Response(body, 200, self._headers(request), media_type=JSON)

    async def count(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        try:
            entity, source = self._entity(request)
            query = odata.parse_query(dict(request.query_params), entity)
            where, binds = self._where(query, entity, source)
        except odata.ODataError as exc:
            return self._error(exc)
        with self.lock:
            row = self.sap.backend.store.conn.execute(source.count_sql(where), binds).fetchone()
        return Response(str(row[0]), 200, media_type="text/plain")
