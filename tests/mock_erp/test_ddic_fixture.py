"""The registry's BAPI_ACC_DOCUMENT_POST is the real one (fixture metadata from a live system),
and a field the real BAPI lacks is refused over RFC and SOAP (docs/specs/sap.md §7 item 1)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from mockerp_helpers import CLIENT, PASSWORD, USER, rows, soap_service

from mock_erp.sap import ddic

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "real" / "sap-rfc-metadata"
FM = "BAPI_ACC_DOCUMENT_POST"


def _fixture(kind: str) -> Any:
    path = FIXTURES / f"{FM}.{kind}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_package_copies_are_byte_identical() -> None:
    for kind in ("parameters", "fields", "alpha", "helps", "usage", "stat"):
        real = FIXTURES / f"{FM}.{kind}.yaml"
        packaged = REPO_ROOT / "mock_erp" / "sap" / "ddic" / real.name
        assert packaged.read_bytes() == real.read_bytes(), real.name


def test_post_parameters_match_fixture() -> None:
    params = _fixture("parameters")[FM]
    fm = ddic.get_function(FM)
    assert [p.name for p in fm.parameters] == list(params)
    for p in fm.parameters:
        meta = params[p.name]
        assert p.direction == meta["PARAMCLASS"], p.name
        assert p.required is bool(meta["required"]), p.name
        if meta["paramType"] == "var":
            assert p.structure is None and p.field is not None
            assert p.field.name == meta["FIELDNAME"]
        else:
            assert p.structure is not None and p.structure.name == meta["TABNAME"], p.name
            assert p.is_table is (meta["paramType"] == "table")
    stat = _fixture("stat")[FM]
    kinds = [
        ("var" if p.structure is None else "table" if p.is_table else "struct")
        for p in fm.parameters
    ]
    assert {k: kinds.count(k) for k in ("var", "struct", "table")} == {
        k: stat[k] for k in ("var", "struct", "table")
    }


def test_post_structures_match_fixture_field_for_field() -> None:
    fields = _fixture("fields")
    reg = ddic.registry()
    assert len(fields) == 17
    for sname, fmeta in fields.items():
        struct = reg.structures[sname]
        assert [f.name for f in struct.fields] == list(fmeta), sname
        for f in struct.fields:
            fmt = fmeta[f.name]["format"]
            got = (f.datatype, f.inttype, f.length, f.decimals)
            want = (fmt["DATATYPE"], fmt["INTTYPE"], fmt["LENG"], fmt.get("DECIMALS", 0))
            assert got == want, f"{sname}-{f.name}"


def test_check_has_post_signature_minus_exports() -> None:
    post, check = ddic.get_function(FM), ddic.get_function("BAPI_ACC_DOCUMENT_CHECK")
    assert [p.name for p in check.parameters] == [
        p.name for p in post.parameters if p.direction != "E"
    ]
    assert not check.of("E")


def test_bapiret2_from_fixture_and_bapiret1_is_its_prefix() -> None:
    reg = ddic.registry()
    ret2 = [(f.name, f.datatype, f.length) for f in reg.structures["BAPIRET2"].fields]
    assert ret2[:3] == [("TYPE", "CHAR", 1), ("ID", "CHAR", 20), ("NUMBER", "NUMC", 3)]
    assert ("ROW", "INT4", 10) in ret2
    ret1 = [(f.name, f.datatype, f.length) for f in reg.structures["BAPIRET1"].fields]
    assert ret1 == ret2[: len(ret1)] and ret1[-1][0] == "MESSAGE_V4"


def test_inputs_filled_and_checked_per_ddic() -> None:
    fm = ddic.get_function(FM)
    got = fm.coerce_inputs({"CURRENCYAMOUNT": [{"ITEMNO_ACC": "1", "AMT_DOCCUR": "-12.5"}]})
    row = got["CURRENCYAMOUNT"][0]
    assert row["ITEMNO_ACC"] == "0000000001"  # NUMC 10 zero-padded
    assert row["AMT_DOCCUR"] == Decimal("-12.5") and row["EXCH_RATE"] == Decimal(0)
    assert row["CURRENCY"] == "" and len(row) == 11  # every field of BAPIACCR09
    assert got["DOCUMENTHEADER"]["PSTNG_DATE"] == "00000000"
    with pytest.raises(ddic.ConversionError, match="5 decimals"):
        fm.coerce_inputs({"CURRENCYAMOUNT": [{"AMT_DOCCUR": "1.00001"}]})
    with pytest.raises(ddic.ConversionError, match="exceed CHAR 4"):
        fm.coerce_inputs({"DOCUMENTHEADER": {"COMP_CODE": "10000"}})
    with pytest.raises(ddic.ConversionError, match="digits only"):
        fm.coerce_inputs({"DOCUMENTHEADER": {"FISC_YEAR": "20a4"}})


def test_unknown_field_refused_over_rfc(rfc: Any, admin: httpx.Client) -> None:
    from pyrfc import ExternalRuntimeError

    before = len(rows(admin, "BKPF"))
    conn = rfc()
    with pytest.raises(ExternalRuntimeError) as info:
        conn.call(FM, DOCUMENTHEADER={"COMP_CODE": "1000", "DUE_DATE": "20250101"})
    assert info.value.key == "RFC_INVALID_PARAMETER" and info.value.code == 20
    assert "DUE_DATE" in info.value.message
    with pytest.raises(ExternalRuntimeError, match="RFC_INVALID_PARAMETER"):
        conn.call(FM, NO_SUCH_PARAM="X")
    assert conn.alive and len(rows(admin, "BKPF")) == before


def test_unknown_field_refused_over_soap(erp: Any, admin: httpx.Client) -> None:
    body = (
        '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:urn="urn:sap-com:document:sap:rfc:functions"><soapenv:Body><urn:BAPI_ACC_DOCUMENT_POST>'
        "<DOCUMENTHEADER><COMP_CODE>1000</COMP_CODE><DUE_DATE>2025-01-01</DUE_DATE></DOCUMENTHEADER>"
        "<RETURN/></urn:BAPI_ACC_DOCUMENT_POST></soapenv:Body></soapenv:Envelope>"
    )
    resp = admin.post(
        f"/sap/bc/soap/rfc?sap-client={CLIENT}",
        content=body,
        auth=(USER, PASSWORD),
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )
    assert resp.status_code == 500
    assert "<faultcode>SOAP-ENV:Client</faultcode>" in resp.text and "DUE_DATE" in resp.text
    # zeep refuses it even before sending: the WSDL has no such element
    import zeep.exceptions

    svc = soap_service(erp.url, FM)
    with pytest.raises(TypeError):
        svc.BAPI_ACC_DOCUMENT_POST(
            DOCUMENTHEADER={"COMP_CODE": "1000", "DUE_DATE": "2025-01-01"}, RETURN={"item": []}
        )
    assert zeep.exceptions.Fault  # the Client fault path is covered by the raw request above
