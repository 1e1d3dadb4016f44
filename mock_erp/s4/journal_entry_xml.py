"""SOAP envelopes of the S/4 journal-entry services: read a request, write a confirmation.

Why by local name: SAP's enterprise services put only the root element in the service
namespace (``http://sap.com/xi/SAPSCORE/SFIN``) and leave its children unqualified
(``elementFormDefault="unqualified"`` in the real WSDL, tests/fixtures/real/sap-s4-soap/), and
callers send SOAP 1.1 or 1.2 envelopes (the WSDL has both bindings); matching local names
reads all of them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

SFIN = "http://sap.com/xi/SAPSCORE/SFIN"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class RequestError(ValueError):
    """A request the SOAP runtime refuses before the application sees it (a SOAP fault)."""


def local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    return (c for c in el if local(c) == name)


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next(children(el, name), None)


def text(el: etree._Element, name: str) -> str:
    found = child(el, name)
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str


def amount(el: etree._Element, name: str) -> Amount | None:
    """An ``Amount`` element: decimal content with a ``currencyCode`` attribute."""
    found = child(el, name)
    if found is None:
        return None
    try:
        value = Decimal((found.text or "").strip())
    except InvalidOperation:
        raise RequestError(f"{name}: {found.text!r} is not a decimal") from None
    return Amount(value, found.get("currencyCode", ""))


def body_root(raw: bytes) -> tuple[etree._Element, str]:
    """The first element in the SOAP Body and the envelope's namespace (1.1 or 1.2)."""
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RequestError(f"the request is not well-formed XML: {exc}") from None
    envelope_ns = etree.QName(root.tag).namespace or ""
    if local(root) != "Envelope" or envelope_ns not in (SOAP11, SOAP12):
        raise RequestError("the request is not a SOAP envelope")
    body = child(root, "Body")
    first = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if first is None:
        raise RequestError("the SOAP body is empty")
    return first, envelope_ns


def envelope(payload: etree._Element, envelope_ns: str) -> bytes:
    env = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap={"soap-env": envelope_ns})
    etree.SubElement(env, f"{{{envelope_ns}}}Header")
    body = etree.SubElement(env, f"{{{envelope_ns}}}Body")
    body.append(payload)
    return bytes(etree.tostring(env, xml_declaration=False, encoding="utf-8"))


def fault(message: str, envelope_ns: str = SOAP11) -> bytes:
    """A SOAP fault of the SOAP runtime (the request never reached the application)."""
    env = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap={"soap-env": envelope_ns})
    body = etree.SubElement(env, f"{{{envelope_ns}}}Body")
    node = etree.SubElement(body, f"{{{envelope_ns}}}Fault")
    if envelope_ns == SOAP12:
        code = etree.SubElement(node, f"{{{envelope_ns}}}Code")
        etree.SubElement(code, f"{{{envelope_ns}}}Value").text = "soap-env:Sender"
        reason = etree.SubElement(node, f"{{{envelope_ns}}}Reason")
        etree.SubElement(reason, f"{{{envelope_ns}}}Text").text = message
    else:
        etree.SubElement(node, "faultcode").text = "soap-env:Client"
        etree.SubElement(node, "faultstring").text = message
    return bytes(etree.tostring(env, encoding="utf-8"))


def sub(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, name)
    if value is not None:
        el.text = value
    return el
