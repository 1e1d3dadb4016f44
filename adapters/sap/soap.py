"""SOAP-for-RFC transport: `/sap/bc/soap/rfc` with zeep for the WSDL and typed requests.

zeep reads the WSDL (fetched from the system once and cached on disk per system, client
and function) and renders typed requests; the request goes out over httpx with explicit
timeouts (zeep's own `timeout` covers WSDL loading only) and the answer is parsed with
lxml straight into pyrfc-typed values: zeep's deserializer needs ~9x the time and ~3x the
memory on large tables (measured in issue 6), and large reads are the common case.

Sessions: `/sap/bc/soap/rfc` keeps no state across POSTs on a real system (docs/specs/sap.md
§8, measured on a live system), so every POST is its own LUW. No write relies on a session
over SOAP: each goes through one of the kit's self-committing function modules
(Z_OTC_AR_CLEAR, Z_OTC_AR_ON_ACCOUNT, Z_OTC_CUSTOMER_CREATE/_CHANGE; docs/sap-setup.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown, TransientError, TransportError
from adapters.gateway import ICM_NOT_STARTED, gateway_error
from adapters.retry import read_policy
from adapters.sap.errors import is_read_only

RFC_NS = "urn:sap-com:document:sap:rfc:functions"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_PATH = "/sap/bc/soap/rfc"
WSDL_PATH = "/sap/bc/soap/wsdl11"

Kind = str  # "string" | "decimal" | "int" | "date" | "time"
Shape = dict[str, Any]  # parameter -> ("table"|"struct", {field: Kind}) | Kind


def _kind_of(xsd_type: Any) -> Kind:
    qname = getattr(xsd_type, "qname", None)
    local = qname.localname if qname is not None else ""
    if local in ("date", "time"):
        return local
    bases = {cls.__name__ for cls in type(xsd_type).__mro__}
    if "Decimal" in bases or local == "decimal":
        return "decimal"
    if bases & {"Integer", "Int", "Long", "Short", "Byte"} or local in ("int", "integer"):
        return "int"
    return "string"


def _fields(complex_type: Any) -> dict[str, Kind]:
    return {name: _kind_of(el.type) for name, el in complex_type.elements}


def _shape(client: Any, element_name: str) -> Shape:
    """The parameters of one WSDL element: tables, structures (with field kinds) or scalars."""
    element = client.get_element(f"{{{RFC_NS}}}{element_name}")
    shape: Shape = {}
    for name, el in element.type.elements:
        sub = getattr(el.type, "elements", None)
        if sub:
            items = [(n, e) for n, e in el.type.elements if n == "item"]
            if items and (items[0][1].max_occurs == "unbounded" or items[0][1].max_occurs > 1):
                shape[name] = ("table", _fields(items[0][1].type))
            else:
                shape[name] = ("struct", _fields(el.type))
        else:
            shape[name] = _kind_of(el.type)
    return shape


def response_shape(client: Any, function: str) -> Shape:
    """From the WSDL: which response parameters are tables, structures or scalars."""
    return _shape(client, f"{function}.Response")


class UnreadableValue(TransportError):
    """A value in an answer that is not of its WSDL type: never read as 0 or blank."""


def _number(raw: str, kind: Kind) -> Decimal | int:
    """`123.45` or SAP's trailing-minus `123.45-` (an ABAP WRITE image); nothing else."""
    body, negative = (raw[:-1].rstrip(), True) if raw.endswith("-") else (raw, False)
    if body.startswith(("-", "+")) and negative:
        body = "?"  # two signs
    try:
        value: Decimal | int = int(body) if kind == "int" else Decimal(body)
    except (InvalidOperation, ValueError):
        raise UnreadableValue("sap", f"{raw!r} is not a {kind} (the WSDL's type)") from None
    if isinstance(value, Decimal) and not value.is_finite():
        raise UnreadableValue("sap", f"{raw!r} is not a {kind} (the WSDL's type)")
    return -value if negative else value


def _value(text: str | None, kind: Kind) -> Any:
    """SOAP text to the value pyrfc would give (docs/specs/sap.md §3, §5).

    Numbers: blank is the initial value 0; `123.45-` is -123.45; anything else that is not a
    number raises `UnreadableValue` (a silent 0 would be a wrong amount).
    """
    if kind == "string":  # CHAR as pyrfc gives it: trailing blanks go, leading ones stay
        return (text or "").rstrip()  # (a RFC_READ_TABLE row may start with a blank field)
    raw = (text or "").strip()
    if kind == "decimal":
        if not raw:
            return Decimal(0)
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return _number(raw, kind)
        if not number.is_finite():
            raise UnreadableValue("sap", f"{raw!r} is not a {kind} (the WSDL's type)")
        return number
    if kind == "int":
        return int(raw) if raw.isdigit() else (_number(raw, kind) if raw else 0)
    if kind == "date":
        digits = raw.replace("-", "")
        return "" if digits in ("", "00000000") else digits
    if kind == "time":
        return raw.replace(":", "")
    return raw  # pragma: no cover - every kind is handled above


def _to_wsdl(value: Any, kind: Kind) -> Any:
    """A pyrfc-style value in the WSDL's own lexical form (docs/specs/sap.md §4).

    The WSDL types dates by the pattern `dddd-dd-dd` and times `dd:dd:dd` (d a digit), amounts
    as xsd:decimal (leading minus, no exponent): `20261207` goes out as `2026-12-07`, Decimal
    `-1E+3` as `-1000`. What real SAP makes of other forms is unconfirmed; this never asks.
    """
    if kind == "date":
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        text = str(value or "").strip()
        if len(text) == 8 and text.isdigit():
            return "0000-00-00" if text == "00000000" else f"{text[:4]}-{text[4:6]}-{text[6:]}"
        return text or None
    if kind == "time":
        text = str(value or "").strip()
        return f"{text[:2]}:{text[2:4]}:{text[4:]}" if len(text) == 6 and text.isdigit() else text
    if kind == "decimal" and isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format(Decimal(value), "f")
    return value


def request_shape(client: Any, function: str) -> Shape:
    """From the WSDL: the kinds of the request's parameters (tables, structures, scalars)."""
    return _shape(client, function)


def to_wsdl_params(params: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """Every date, time and amount of a call's parameters in the WSDL's lexical form."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        spec = shape.get(name, "string")
        if isinstance(spec, tuple) and isinstance(value, list):
            fields = spec[1]
            out[name] = [
                {k: _to_wsdl(v, fields.get(k, "string")) for k, v in row.items()}
                if isinstance(row, dict)
                else row
                for row in value
            ]
        elif isinstance(spec, tuple) and isinstance(value, dict):
            fields = spec[1]
            out[name] = {k: _to_wsdl(v, fields.get(k, "string")) for k, v in value.items()}
        elif isinstance(spec, str):
            out[name] = _to_wsdl(value, spec)
        else:
            out[name] = value
    return out


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: Any) -> str:
    """Local name of an element tag ('' for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = etree.QName(tag).localname
        if len(_LOCAL_NAMES) < 10_000:  # tags come from the WSDL's names: a small set
            _LOCAL_NAMES[tag] = name
    return name


def _table(rows: Any, fields: dict[str, Kind]) -> list[dict[str, Any]]:
    """The `item` rows of a table parameter, each field typed by its kind."""
    local, value = _local, _value
    out: list[dict[str, Any]] = []
    for item in rows:
        if local(item.tag) != "item":
            continue
        row: dict[str, Any] = {}
        for f in item:
            name = local(f.tag)
            row[name] = value(f.text, fields.get(name, "string"))
        out.append(row)
    return out


def parse_response(body: bytes, function: str, shape: Shape) -> dict[str, Any]:
    """`<FM.Response>` -> dict of exports and tables, typed as pyrfc types them."""
    root = etree.fromstring(body, parser=etree.XMLParser(huge_tree=True, resolve_entities=False))
    response = next((el for el in root.iter() if _local(el.tag) == f"{function}.Response"), None)
    if response is None:
        raise TransportError("sap", f"{function}: answer has no {function}.Response element")
    try:
        return _parse_parameters(response, shape)
    except UnreadableValue as exc:
        raise UnreadableValue("sap", f"{function}: {exc.detail}") from None


def _parse_parameters(response: Any, shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in response:
        name = _local(child.tag)
        spec = shape.get(name, "string")
        if isinstance(spec, tuple) and spec[0] == "table":
            fields = spec[1]
            out[name] = _table(child, fields)
        elif isinstance(spec, tuple):
            fields = spec[1]
            out[name] = {
                _local(f.tag): _value(f.text, fields.get(_local(f.tag), "string")) for f in child
            }
        else:
            out[name] = _value(child.text, spec)
    return out


def is_soap_fault(body: bytes) -> bool:
    """A SOAP envelope with a Fault: the ABAP side answered (not a gateway's HTML page)."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return False
    return _local(root.tag) == "Envelope" and any(_local(el.tag) == "Fault" for el in root.iter())


def parse_fault(body: bytes) -> tuple[str, str, str]:
    """(faultcode, faultstring, ABAP exception name or '') of a SOAP fault."""
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError:
        return "", body[:200].decode("utf-8", "replace"), ""
    code = next((el.text or "" for el in root.iter() if _local(el.tag) == "faultcode"), "")
    text = next((el.text or "" for el in root.iter() if _local(el.tag) == "faultstring"), "")
    name = next((el.text or "" for el in root.iter() if _local(el.tag) == "Name"), "")
    return code, text, name


class SoapTransport:
    """Calls over SOAP-for-RFC; one httpx client per thread, cookies only inside `session()`."""

    def __init__(
        self,
        system: str,
        *,
        url: str,
        client: str,
        user: str,
        password: str,
        cache_dir: Path | str = ".otc/wsdl",
        timeout_s: float = 120.0,
        connect_timeout_s: float = 10.0,
        language: str | None = None,
    ) -> None:
        self.system = system
        self.base = url.rstrip("/")
        self.sap_client = str(client)
        self.language = language
        self._auth = httpx.BasicAuth(user, password)
        self._timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self._cache = Path(cache_dir) / system / self.sap_client
        self._local = threading.local()
        self._zeep: dict[str, tuple[Any, Any, Shape, Shape]] = {}
        self._zeep_lock = threading.Lock()

    # ------------------------------------------------------------------ WSDL and zeep

    def _wsdl_file(self, function: str) -> Path:
        path = self._cache / f"{function}.wsdl"
        if path.is_file():
            return path
        params = {"services": function, "sap-client": self.sap_client}
        try:
            answer = httpx.get(
                self.base + WSDL_PATH, params=params, auth=self._auth, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise TransientError(self.system, f"WSDL for {function}: {exc}") from exc
        self._check_http(answer.status_code, answer.content, function, writes=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(answer.content)
        tmp.replace(path)
        return path

    def _zeep_for(self, function: str) -> tuple[Any, Any, Shape, Shape]:
        with self._zeep_lock:
            if function not in self._zeep:
                import zeep

                make_client: Any = zeep.Client
                path = self._wsdl_file(function)
                try:
                    client = make_client(str(path))
                except Exception as exc:
                    path.unlink(missing_ok=True)
                    raise TransportError(
                        self.system, f"WSDL for {function} unusable: {exc}"
                    ) from exc
                service = client.create_service(
                    f"{{{RFC_NS}}}{function}Binding", self.base + SOAP_PATH
                )
                self._zeep[function] = (
                    client,
                    service,
                    response_shape(client, function),
                    request_shape(client, function),
                )
            return self._zeep[function]

    def _render(self, function: str, params: dict[str, Any]) -> tuple[bytes, Shape]:
        client, service, shape, wanted = self._zeep_for(function)
        typed = to_wsdl_params(params, wanted)
        prepared = {k: ({"item": v} if isinstance(v, list) else v) for k, v in typed.items()}
        try:
            envelope = client.create_message(service, function, **prepared)
        except (TypeError, ValueError) as exc:
            raise TransportError(self.system, f"{function}: bad parameters: {exc}") from exc
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), shape

    # ------------------------------------------------------------------ HTTP

    def _http(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "http", None)
        if client is None:
            client = httpx.Client(auth=self._auth, timeout=self._timeout)
            self._local.http = client
        return client

    def _check_http(self, status: int, content: bytes, function: str, *, writes: bool) -> None:
        """Map a non-200 answer; `writes` says whether a lost outcome may mean a posting."""
        if status == 200:
            return
        if status == 401:
            raise TransportError(
                self.system, "logon failed (HTTP 401): check user, client and password_env"
            )
        if status == 403:
            raise ConfigError(
                f"[systems.{self.system}] HTTP 403 for {function}: the ICF node "
                "/sap/bc/soap/rfc is inactive or the user lacks S_RFC (docs/sap-setup.md)"
            )
        if status == 500 and is_soap_fault(content):
            # the ABAP side answered: an exception or a dump, both rolled back
            code, text, name = parse_fault(content)
            if name:
                raise ErpRejected(self.system, function, name, text or name)
            raise ErpRejected(self.system, function, code or "SOAP fault", text)
        if status in (500, 502, 503, 504):
            # a gateway's page (ICM timeout as HTML 500, Web Dispatcher/proxy 502/504): the
            # call may have run; only an ICM "not started" 503 proves it did not (gateway.py)
            raise gateway_error(
                self.system, function, status, content, writes=writes, signatures=ICM_NOT_STARTED
            )
        text = content[:400].decode("utf-8", errors="replace")
        raise TransportError(self.system, f"{function}: HTTP {status}: {text[:200]}")

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        """One call; reads (adapters.sap.errors.READ_ONLY) retry every transient error here."""
        if is_read_only(function, params):
            return dict(read_policy()(self._call_once, function, params, False))
        return self._call_once(function, params, True)

    def _call_once(self, function: str, params: dict[str, Any], writes: bool) -> dict[str, Any]:
        body, shape = self._render(function, params)
        query = {"sap-client": self.sap_client}
        if self.language:
            query["sap-language"] = self.language
        if getattr(self._local, "open_session", False):
            query["sap-sessioncmd"] = "open"
            self._local.open_session = False
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f"http://www.sap.com/{function}",
        }
        try:
            # The body is kept in a local, not on the response: httpx (0.28) keeps every
            # Response in a reference cycle (Response <-> BoundSyncStream), so `.content` would
            # live until the cyclic GC runs; a long paged pull grew by a third of a MiB a page.
            with self._http().stream(
                "POST", self.base + SOAP_PATH, params=query, content=body, headers=headers
            ) as answer:
                status = answer.status_code
                content = b"".join(answer.iter_bytes())
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # no connection was made: nothing was sent (connection refused, pool exhausted)
            raise TransientError(self.system, f"{function}: cannot connect: {exc}") from exc
        except httpx.HTTPError as exc:  # sent, then the answer was lost (timeout, reset)
            if not writes:
                raise TransientError(
                    self.system, f"{function}: {type(exc).__name__}: {exc}"
                ) from exc
            raise OutcomeUnknown(
                self.system, f"{function}: {type(exc).__name__} after sending: {exc}"
            ) from exc
        self._check_http(status, content, function, writes=writes)
        try:
            return parse_response(content, function, shape)
        except (etree.XMLSyntaxError, TransportError) as exc:
            if not writes:
                raise TransientError(self.system, f"{function}: malformed answer: {exc}") from exc
            raise OutcomeUnknown(self.system, f"{function}: malformed answer: {exc}") from exc

    @contextmanager
    def session(self) -> Iterator[SoapTransport]:
        """A stateful ICF session on this thread: opened on the first call, logged off after."""
        if getattr(self._local, "in_session", False):
            yield self
            return
        previous = getattr(self._local, "http", None)
        self._local.http = httpx.Client(auth=self._auth, timeout=self._timeout)
        self._local.in_session, self._local.open_session = True, True
        try:
            yield self
        finally:
            client = self._local.http
            # a failed logoff is harmless: the session times out on the server
            with suppress(httpx.HTTPError):
                client.post(
                    self.base + SOAP_PATH,
                    params={"sap-client": self.sap_client, "sap-sessioncmd": "logoff"},
                    content=b"",
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
            client.close()
            self._local.http = previous
            self._local.in_session = False

    def close(self) -> None:
        client = getattr(self._local, "http", None)
        if client is not None:
            client.close()
            self._local.http = None
