"""SOAP 1.1 wire shapes of SOAP-for-RFC: request parsing, ``FM.Response``, faults (specs/sap.md §4).

Why a module of its own: the business rules (responses.py) speak handler dicts, the HTTP layer
(routes.py) speaks requests; this module is the only place that knows the XML. Requests match by
local name + namespace (the prefix is free: ``urn``, ``rfc``, ``ns0`` ...), parameters are
unqualified children, and tables come back only if their element was sent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mock_erp.sap.abap import AbapException
from mock_erp.sap.ddic import FunctionModule, Parameter, get_function

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
RFC_NS = "urn:sap-com:document:sap:rfc:functions"
SOAP_FUNCTIONS_NS = "urn:sap-com:document:sap:soap:functions"  # system errors (specs/sap.md §4)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False
)


class SoapFault(Exception):
    """A request the SOAP runtime refuses: rendered as ``SOAP-ENV:Fault`` with HTTP 500."""

    def __init__(self, code: str, text: str, kind: str = "RFC_INVALID_PARAMETER") -> None:
        self.code, self.text, self.kind = code, text, kind
        super().__init__(text)


@dataclass
class SoapCall:
    """One parsed call: function module, raw parameter values, and which elements were sent."""

    function: FunctionModule
    params: dict[str, Any]
    sent: set[str] = field(default_factory=set)


def _local(el: etree._Element) -> str:
    return str(etree.QName(el).localname)


def _ns(el: etree._Element) -> str | None:
    ns = etree.QName(el).namespace
    return None if ns is None else str(ns)


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _scalar(el: etree._Element, p_field: Any) -> Any:
    text = el.text or ""
    if p_field is not None and p_field.kind == "raw":
        return base64.b64decode(text)
    return text


def _struct_value(el: etree._Element, p: Parameter, path: str) -> dict[str, Any]:
    assert p.structure is not None
    fields = p.structure.by_name
    out: dict[str, Any] = {}
    for child in _elements(el):
        name = _local(child)
        out[name] = _scalar(child, fields.get(name))  # unknown names: refused by ddic
    return out


def _param_value(el: etree._Element, p: Parameter) -> Any:
    if p.is_table:
        rows = []
        for item in _elements(el):
            if _local(item) != "item":
                raise SoapFault(
                    "SOAP-ENV:Client", f"table {p.name}: element '{_local(item)}' is not 'item'"
                )
            rows.append(_struct_value(item, p, p.name))
        return rows
    if p.structure is not None:
        return _struct_value(el, p, p.name)
    return _scalar(el, p.field)


def parse_request(body: bytes) -> SoapCall:
    """Envelope -> :class:`SoapCall`; raises :class:`SoapFault` for what SAP would refuse."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("SOAP-ENV:Client", f"XML parse error: {exc}", "XML_PARSE_ERROR") from None
    if _ns(root) != SOAP_ENV or _local(root) != "Envelope":
        raise SoapFault("SOAP-ENV:VersionMismatch", "not a SOAP 1.1 envelope", "SOAP_ENVELOPE")
    bodies = [c for c in _elements(root) if _ns(c) == SOAP_ENV and _local(c) == "Body"]
    calls = _elements(bodies[0]) if bodies else []
    if not calls:
        raise SoapFault("SOAP-ENV:Client", "SOAP body holds no function call", "SOAP_BODY")
    call = calls[0]
    if _ns(call) != RFC_NS:
        raise SoapFault(
            "SOAP-ENV:Client", f"element {call.tag} is not in namespace {RFC_NS}", "SOAP_BODY"
        )
    name = _local(call)
    try:
        fm = get_function(name)
    except KeyError:
        raise SoapFault(
            "SOAP-ENV:Client", f"Function module {name} not found", "FU_NOT_FOUND"
        ) from None
    by_name = fm.by_name
    params: dict[str, Any] = {}
    sent: set[str] = set()
    for child in _elements(call):
        pname = _local(child)
        p = by_name.get(pname)
        if p is None or p.direction == "E":
            # docs/specs/sap.md §7.1: unknown parameter -> Client fault [unconfirmed]
            raise SoapFault("SOAP-ENV:Client", f"field '{pname}' not found")
        sent.add(pname)
        params[pname] = _param_value(child, p)
    return SoapCall(fm, params, sent)


def _nsmap_env() -> dict[str | None, str]:
    return {"SOAP-ENV": SOAP_ENV}


def _envelope() -> tuple[etree._Element, etree._Element]:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_nsmap_env())
    etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    return env, body


def _add_struct(parent: etree._Element, p: Parameter, row: dict[str, Any]) -> None:
    assert p.structure is not None
    for f in p.structure.fields:
        etree.SubElement(parent, f.name).text = f.to_soap(row[f.name]) or None


def render_response(fm: FunctionModule, outputs: dict[str, Any], sent: set[str]) -> bytes:
    """``<rfc:FM.Response>``: exports and changing always, tables only if sent (§4)."""
    env, body = _envelope()
    resp = etree.SubElement(body, f"{{{RFC_NS}}}{fm.name}.Response", nsmap={"rfc": RFC_NS})
    for p in fm.outputs:
        if p.is_table and p.name not in sent:
            continue
        el = etree.SubElement(resp, p.name)
        value = outputs[p.name]
        if p.is_table:
            for row in value:
                _add_struct(etree.SubElement(el, "item"), p, row)
        elif p.structure is not None:
            _add_struct(el, p, value)
        else:
            assert p.field is not None
            el.text = p.field.to_soap(value) or None
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def render_fault(fault: SoapFault) -> bytes:
    """System fault: faultstring plus ``<rfc:Error><type/><message/>`` detail (§4)."""
    env, body = _envelope()
    f = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(f, "faultcode").text = fault.code
    etree.SubElement(f, "faultstring").text = fault.text
    detail = etree.SubElement(f, "detail")
    err = etree.SubElement(
        detail, f"{{{SOAP_FUNCTIONS_NS}}}Error", nsmap={"rfc": SOAP_FUNCTIONS_NS}
    )
    etree.SubElement(err, "type").text = fault.kind
    etree.SubElement(err, "message").text = fault.text
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def render_exception(fm: FunctionModule, exc: AbapException) -> bytes:
    """Classic ABAP exception: ``<detail><rfc:FM.Exception><Name/><Text/><Message><ID/><Number/>``.

    IFR-XML convention; nesting and ``SOAP-ENV:Server`` as faultcode [unconfirmed] (§4).
    """
    env, body = _envelope()
    f = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(f, "faultcode").text = "SOAP-ENV:Server"
    etree.SubElement(f, "faultstring").text = exc.name
    detail = etree.SubElement(f, "detail")
    ex = etree.SubElement(detail, f"{{{RFC_NS}}}{fm.name}.Exception", nsmap={"rfc": RFC_NS})
    etree.SubElement(ex, "Name").text = exc.name
    etree.SubElement(ex, "Text").text = exc.message or None
    msg = etree.SubElement(ex, "Message")
    etree.SubElement(msg, "ID").text = exc.msg_class or None
    etree.SubElement(msg, "Number").text = exc.number or None
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))
