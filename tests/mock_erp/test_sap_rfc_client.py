"""The pyrfc-compatible client against the mock: types, exceptions, sessions, reopen (§5)."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mockerp_helpers import posting_params, rows
from pyrfc import ABAPApplicationError, CommunicationError, ExternalRuntimeError, LogonError


def test_open_items_in_pyrfc_types(rfc: Any, open_item: dict[str, Any]) -> None:
    out = rfc().call(
        "BAPI_AR_ACC_GETOPENITEMS",
        COMPANYCODE=open_item["BUKRS"],
        CUSTOMER=open_item["KUNNR"],
        KEYDATE="99991231",
    )
    assert set(out) == {"RETURN", "LINEITEMS"}  # exports + tables, never imports
    assert out["RETURN"]["TYPE"] == ""  # BAPIRETURN blank on success
    (item,) = [
        i
        for i in out["LINEITEMS"]
        if i["DOC_NO"] == open_item["BELNR"] and i["ITEM_NUM"] == open_item["BUZEI"]
    ]
    assert isinstance(item["AMT_DOCCUR"], Decimal) and item["AMT_DOCCUR"] > 0
    assert item["FISC_YEAR"] == open_item["GJAHR"] and len(item["ITEM_NUM"]) == 3
    assert len(item["PSTNG_DATE"]) == 8 and item["PSTNG_DATE"].isdigit()
    assert item["CLEAR_DATE"] == ""  # empty DATS -> '' as pyrfc


def test_abap_exception_str_and_no_reopen(rfc: Any) -> None:
    conn = rfc()
    session = conn._session
    with pytest.raises(ABAPApplicationError) as info:
        conn.call("RFC_READ_TABLE", QUERY_TABLE="T008X")
    e = info.value
    assert (e.code, e.key, e.msg_class, e.msg_type, e.msg_number, e.msg_v1) == (
        5,
        "TABLE_NOT_AVAILABLE",
        "SV",
        "E",
        "029",
        "T008X",
    )
    assert str(e).startswith(
        "5 (rc=5): key=TABLE_NOT_AVAILABLE, message=ID:SV Type:E Number:029 T008X"
    )
    assert conn._session == session  # ABAPApplicationError does not reopen


def test_unknown_function_and_type_error(rfc: Any) -> None:
    conn = rfc()
    with pytest.raises(ABAPApplicationError) as info:
        conn.call("Z_DOES_NOT_EXIST")
    assert info.value.key == "FU_NOT_FOUND"
    with pytest.raises(TypeError):
        conn.call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE=1000)  # CHAR needs str
    with pytest.raises(ExternalRuntimeError) as err:
        conn.call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE="1000", KEYDATE="2024-13-45")
    assert err.value.key == "RFC_CONVERSION_FAILURE"


def test_wrong_password_is_logon_error(rfc: Any) -> None:
    with pytest.raises(LogonError) as info:
        rfc(passwd="wrong")
    assert info.value.code == 2 and info.value.key == "RFC_LOGON_FAILURE"


def test_connection_refused_is_communication_error() -> None:
    import socket

    from mock_erp.clients.rfc import Connection

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(CommunicationError) as info:
        Connection(
            ashost="127.0.0.1",
            sysnr="00",
            client="100",
            user="otc",
            passwd="x",
            mock_url=f"http://127.0.0.1:{port}",
        )
    assert info.value.code == 1


def test_commit_only_in_the_same_session(
    rfc: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "R" + uuid.uuid4().hex[:12].upper()
    a, b = rfc(), rfc()
    res = a.call("BAPI_ACC_DOCUMENT_POST", **posting_params(open_item, accounts, ref))
    assert res["RETURN"][0]["NUMBER"] == "605", res["RETURN"]
    assert b.call("BAPI_TRANSACTION_COMMIT", WAIT="X")["RETURN"]["TYPE"] == ""
    assert rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref) == []  # other session
    a.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    (doc,) = rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref)
    assert res["OBJ_KEY"] == doc["BELNR"] + doc["BUKRS"] + doc["GJAHR"]


def test_silent_reopen_loses_pending_luw(
    rfc: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "L" + uuid.uuid4().hex[:12].upper()
    conn = rfc()
    conn.call("BAPI_ACC_DOCUMENT_POST", **posting_params(open_item, accounts, ref))
    old = conn._session
    admin.post(
        "/_mock/faults",
        json={
            "persona": "sap",
            "operation": "BAPI_TRANSACTION_COMMIT",
            "kind": "drop_before",
            "nth": 1,
        },
    )
    with pytest.raises(CommunicationError):
        conn.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    assert conn.alive and conn._session != old  # reopened before raising: a NEW session
    conn.call("BAPI_TRANSACTION_COMMIT", WAIT="X")  # commits the new, empty LUW
    assert rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref) == []


def test_one_connection_per_thread(rfc: Any, open_item: dict[str, Any]) -> None:
    conns = [rfc() for _ in range(4)]
    assert len({c._session for c in conns}) == 4
    results: list[int] = []
    errors: list[BaseException] = []

    def work(conn: Any) -> None:
        try:
            for _ in range(5):
                out = conn.call(
                    "BAPI_AR_ACC_GETOPENITEMS",
                    COMPANYCODE=open_item["BUKRS"],
                    CUSTOMER=open_item["KUNNR"],
                    KEYDATE="99991231",
                )
                results.append(len(out["LINEITEMS"]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 20 and len(set(results)) == 1 and results[0] > 0


def test_close_ping_context_manager(rfc: Any) -> None:
    conn = rfc()
    conn.ping()
    with conn:
        assert conn.alive
    assert not conn.alive
    with pytest.raises(ExternalRuntimeError, match="RFC_INVALID_HANDLE"):
        conn.ping()
