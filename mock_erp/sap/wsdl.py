"""WSDL of SOAP-for-RFC, generated from the DDIC registry (docs/specs/sap.md §4).

Why generated: the real ``/sap/bc/soap/wsdl11?services=FM`` is built by SAP from the function
module's interface, so the mock builds it from the same registry the wire layer validates
against; a client that loads it (zeep) gets typed requests that the server accepts.

Layout (real wsdl11 as docs/specs/sap.md §4 describes it): targetNamespace ``s0`` =
``urn:sap-com:document:sap:rfc:functions``; element ``FM`` (xsd:all of import, changing, table
params) and ``FM.Response`` (export, changing, tables); messages ``FMInput``/``FMOutput`` (part
``parameters``); portType ``FMPortType``; binding ``FMBinding`` (document/literal, soapAction
``http://www.sap.com/FM``); service ``FMService`` with address ``.../sap/bc/soap/rfc`` WITHOUT
sap-client. Structures are named complexTypes, tables a sequence of ``item``, optional params
``minOccurs="0"`` [unconfirmed], dates/times custom simpleTypes, decimals ``xsd:decimal`` with
totalDigits/fractionDigits, CHAR ``xsd:string`` with maxLength.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from mock_erp.sap.ddic import Field, FunctionModule, Parameter, Structure

RFC_NS = "urn:sap-com:document:sap:rfc:functions"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BIND_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
HTTP_NS = "http://schemas.xmlsoap.org/wsdl/http/"
NSMAP = {"wsdl": WSDL_NS, "soap": SOAP_BIND_NS, "http": HTTP_NS, "xsd": XSD_NS, "s0": RFC_NS}


def _w(tag: str) -> str:
    return f"{{{WSDL_NS}}}{tag}"


def _x(tag: str) -> str:
    return f"{{{XSD_NS}}}{tag}"


def _field_type(parent: etree._Element, f: Field) -> None:
    """Attach the field's XSD type to ``parent`` (an xsd:element): attribute or inline type."""
    kind = f.kind
    if kind == "date":
        parent.set("type", "s0:date")
        return
    if kind == "time":
        parent.set("type", "s0:time")
        return
    if kind == "int":
        parent.set("type", "xsd:int")
        return
    simple = etree.SubElement(parent, _x("simpleType"))
    if kind == "bcd":
        r = etree.SubElement(simple, _x("restriction"), base="xsd:decimal")
        etree.SubElement(r, _x("totalDigits"), value=str(f.length))
        etree.SubElement(r, _x("fractionDigits"), value=str(f.decimals))
    elif kind == "raw":
        r = etree.SubElement(simple, _x("restriction"), base="xsd:base64Binary")
        etree.SubElement(r, _x("maxLength"), value=str(f.length))
    elif kind == "numc":
        r = etree.SubElement(simple, _x("restriction"), base="xsd:string")
        etree.SubElement(r, _x("maxLength"), value=str(f.length))
        etree.SubElement(r, _x("pattern"), value=r"\d*")
    else:
        r = etree.SubElement(simple, _x("restriction"), base="xsd:string")
        etree.SubElement(r, _x("maxLength"), value=str(f.length))


def _structure_type(schema: etree._Element, s: Structure) -> None:
    ctype = etree.SubElement(schema, _x("complexType"), name=s.name)
    seq = etree.SubElement(ctype, _x("sequence"))
    for f in s.fields:
        # Fields optional so a client may send only what it sets [unconfirmed] (specs/sap.md §4).
        el = etree.SubElement(seq, _x("element"), name=f.name, minOccurs="0")
        _field_type(el, f)


def _table_type(schema: etree._Element, s: Structure) -> None:
    ctype = etree.SubElement(schema, _x("complexType"), name=f"TABLE_OF_{s.name}")
    seq = etree.SubElement(ctype, _x("sequence"))
    etree.SubElement(
        seq, _x("element"), name="item", type=f"s0:{s.name}", minOccurs="0", maxOccurs="unbounded"
    )


def _param_element(parent: etree._Element, p: Parameter, *, optional: bool) -> None:
    el = etree.SubElement(parent, _x("element"), name=p.name)
    if optional:
        el.set("minOccurs", "0")
    if p.structure is not None:
        prefix = "TABLE_OF_" if p.is_table else ""
        el.set("type", f"s0:{prefix}{p.structure.name}")
    else:
        assert p.field is not None
        _field_type(el, p.field)


def build_wsdl(functions: Iterable[FunctionModule], address: str) -> bytes:
    """The WSDL document for ``functions``; ``address`` is ``http://host:port/sap/bc/soap/rfc``."""
    fms = list(functions)
    defs = etree.Element(_w("definitions"), nsmap=NSMAP, targetNamespace=RFC_NS)
    types = etree.SubElement(defs, _w("types"))
    schema = etree.SubElement(
        types,
        _x("schema"),
        targetNamespace=RFC_NS,
        elementFormDefault="unqualified",
        attributeFormDefault="qualified",
    )
    for name, pattern in (("date", r"\d\d\d\d-\d\d-\d\d"), ("time", r"\d\d:\d\d:\d\d")):
        simple = etree.SubElement(schema, _x("simpleType"), name=name)
        r = etree.SubElement(simple, _x("restriction"), base="xsd:string")
        etree.SubElement(r, _x("pattern"), value=pattern)

    structs: dict[str, Structure] = {}
    tables: dict[str, Structure] = {}
    for fm in fms:
        for p in fm.parameters:
            if p.structure is not None:
                structs[p.structure.name] = p.structure
                if p.is_table:
                    tables[p.structure.name] = p.structure
    for s in sorted(structs.values(), key=lambda s: s.name):
        _structure_type(schema, s)
    for s in sorted(tables.values(), key=lambda s: s.name):
        _table_type(schema, s)

    for fm in fms:
        req = etree.SubElement(schema, _x("element"), name=fm.name)
        req_all = etree.SubElement(etree.SubElement(req, _x("complexType")), _x("all"))
        for p in fm.inputs:
            _param_element(req_all, p, optional=not p.required or p.is_table)
        resp = etree.SubElement(schema, _x("element"), name=f"{fm.name}.Response")
        resp_all = etree.SubElement(etree.SubElement(resp, _x("complexType")), _x("all"))
        for p in fm.outputs:
            # Tables come back only if sent (docs/specs/sap.md §4), hence optional in the response.
            _param_element(resp_all, p, optional=p.is_table)

    for fm in fms:
        for suffix, element in (("Input", fm.name), ("Output", f"{fm.name}.Response")):
            msg = etree.SubElement(defs, _w("message"), name=f"{fm.name}{suffix}")
            etree.SubElement(msg, _w("part"), name="parameters", element=f"s0:{element}")
    for fm in fms:
        pt = etree.SubElement(defs, _w("portType"), name=f"{fm.name}PortType")
        op = etree.SubElement(pt, _w("operation"), name=fm.name)
        etree.SubElement(op, _w("input"), message=f"s0:{fm.name}Input")
        etree.SubElement(op, _w("output"), message=f"s0:{fm.name}Output")
    for fm in fms:
        b = etree.SubElement(
            defs, _w("binding"), name=f"{fm.name}Binding", type=f"s0:{fm.name}PortType"
        )
        etree.SubElement(
            b,
            f"{{{SOAP_BIND_NS}}}binding",
            style="document",
            transport="http://schemas.xmlsoap.org/soap/http",
        )
        op = etree.SubElement(b, _w("operation"), name=fm.name)
        etree.SubElement(
            op, f"{{{SOAP_BIND_NS}}}operation", soapAction=f"http://www.sap.com/{fm.name}"
        )
        for io in ("input", "output"):
            body = etree.SubElement(etree.SubElement(op, _w(io)), f"{{{SOAP_BIND_NS}}}body")
            body.set("use", "literal")
    for fm in fms:
        svc = etree.SubElement(defs, _w("service"), name=f"{fm.name}Service")
        port = etree.SubElement(
            svc, _w("port"), name=f"{fm.name}PortType", binding=f"s0:{fm.name}Binding"
        )
        etree.SubElement(port, f"{{{SOAP_BIND_NS}}}address", location=address)
    return bytes(etree.tostring(defs, xml_declaration=True, encoding="utf-8", pretty_print=True))
