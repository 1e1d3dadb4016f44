"""SAP answers mapped to the error hierarchy: pyrfc's real exception classes (pyrfcx), RETURN
rows, the missing SDK, SOAP faults."""

from __future__ import annotations

import pyrfc
import pytest

from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown, TransientError, TransportError
from adapters.sap.errors import raise_for_return
from adapters.sap.rfc import RfcTransport, map_rfc_error
from adapters.sap.soap import parse_fault


def rfc_error(cls: type, **kw: object) -> Exception:
    return cls(message=kw.pop("message", "boom"), **kw)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("exc", "function", "params", "expected"),
    [
        (
            rfc_error(pyrfc.CommunicationError, code=1, key="RFC_COMMUNICATION_FAILURE"),
            "RFC_READ_TABLE",
            {},
            TransientError,
        ),
        (
            rfc_error(pyrfc.CommunicationError, code=1, key="RFC_COMMUNICATION_FAILURE"),
            "Z_OTC_AR_CLEAR",
            {},
            OutcomeUnknown,
        ),
        (
            rfc_error(pyrfc.CommunicationError, code=1),
            "Z_OTC_AR_CLEAR",
            {"I_TESTRUN": "X"},
            TransientError,
        ),
        (
            rfc_error(pyrfc.CommunicationError, code=1),
            "BAPI_TRANSACTION_COMMIT",
            {},
            OutcomeUnknown,
        ),
        (
            rfc_error(pyrfc.ExternalRuntimeError, code=7, key="RFC_CANCELED"),
            "BAPI_ACC_DOCUMENT_POST",
            {},
            OutcomeUnknown,
        ),
        (
            rfc_error(pyrfc.LogonError, code=2, key="RFC_LOGON_FAILURE"),
            "RFC_READ_TABLE",
            {},
            TransportError,
        ),
        (
            rfc_error(
                pyrfc.ABAPApplicationError,
                code=5,
                key="TABLE_NOT_AVAILABLE",
                msg_class="SV",
                msg_number="029",
            ),
            "RFC_READ_TABLE",
            {},
            ErpRejected,
        ),
        (
            rfc_error(pyrfc.ABAPRuntimeError, code=3, key="CONVT_NO_NUMBER"),
            "Z_OTC_AR_CLEAR",
            {},
            ErpRejected,
        ),
        (
            rfc_error(
                pyrfc.ExternalRuntimeError, code=20, message="max no of 200 conversations exceeded"
            ),
            "Z_OTC_AR_CLEAR",
            {},
            TransientError,
        ),
        (
            rfc_error(pyrfc.ExternalRuntimeError, code=20, key="RFC_INVALID_PARAMETER"),
            "RFC_READ_TABLE",
            {},
            TransportError,
        ),
    ],
)
def test_pyrfc_classes_map_by_class_and_code(
    exc: Exception, function: str, params: dict[str, str], expected: type
) -> None:
    mapped = map_rfc_error("sap", function, params, exc)
    assert type(mapped) is expected, (mapped, exc)


def test_abap_exception_keeps_message_class_and_number() -> None:
    exc = rfc_error(
        pyrfc.ABAPApplicationError,
        code=5,
        key="TABLE_NOT_AVAILABLE",
        msg_class="SV",
        msg_number="029",
    )
    mapped = map_rfc_error("sap", "RFC_READ_TABLE", {}, exc)
    assert isinstance(mapped, ErpRejected) and mapped.code == "SV 029"


def test_missing_sdk_is_a_config_error_naming_what_to_do() -> None:
    transport = RfcTransport(
        "sap_rfc",
        {"ashost": "127.0.0.1", "sysnr": "00", "client": "100", "user": "u"},
        password="p",
    )
    with pytest.raises(ConfigError, match=r"NW RFC SDK.*SAPNWRFC_HOME.*LD_LIBRARY_PATH"):
        transport.call("RFC_PING")


def test_return_rows() -> None:
    ok = {"RETURN": [{"TYPE": "S", "ID": "RW", "NUMBER": "605", "MESSAGE": "Document posted"}]}
    raise_for_return("sap", "K1", ok)
    lock = {
        "RETURN": [
            {
                "TYPE": "E",
                "ID": "ZOTC",
                "NUMBER": "010",
                "MESSAGE": "Customer 1000 is locked by user BATCH",
            }
        ]
    }
    with pytest.raises(TransientError, match="locked"):
        raise_for_return("sap", "K1", lock)
    period = {
        "RETURN": [
            {"TYPE": "E", "ID": "RW", "NUMBER": "609", "MESSAGE": "Error in document: BKPFF $"},
            {
                "TYPE": "E",
                "ID": "F5",
                "NUMBER": "201",
                "MESSAGE": "Posting period 001 2025 is not open",
            },
        ]
    }
    with pytest.raises(ErpRejected) as info:
        raise_for_return("sap", "K1", period)
    assert info.value.code == "F5 201" and "Posting period 001 2025 is not open" in info.value.text
    bapireturn = {"RETURN": {"TYPE": "E", "CODE": "FN502", "MESSAGE": "Customer 1 does not exist"}}
    with pytest.raises(ErpRejected) as info:
        raise_for_return("sap", "K1", bapireturn)
    assert info.value.code == "FN 502"


def test_soap_fault_parsing() -> None:
    body = (
        b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        b"<SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>TABLE_NOT_AVAILABLE</faultstring>"
        b'<detail><rfc:RFC_READ_TABLE.Exception xmlns:rfc="urn:sap-com:document:sap:rfc:functions">'
        b"<Name>TABLE_NOT_AVAILABLE</Name></rfc:RFC_READ_TABLE.Exception></detail></SOAP-ENV:Fault>"
        b"</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    assert parse_fault(body) == ("SOAP-ENV:Server", "TABLE_NOT_AVAILABLE", "TABLE_NOT_AVAILABLE")
