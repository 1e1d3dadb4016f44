"""Every fault kind on the Oracle persona, set through the admin API (``persona: oracle``), seen by
real clients: httpx against ORDS and the oracledb-compatible shim."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import oracledb
import pytest


def add_fault(url: str, **rule: Any) -> None:
    resp = httpx.post(url + "/_mock/faults", json={"persona": "oracle", "nth": 1, **rule})
    assert resp.status_code == 201, resp.text


def party_name(ora_server: Any, party_id: int) -> str:
    return str(
        ora_server.state.store.query(
            "SELECT PARTY_NAME FROM HZ_PARTIES WHERE PARTY_ID = ?", (party_id,)
        )[0][0]
    )


def update(ords: httpx.Client, url: str, party_id: int, name: str) -> httpx.Response:
    return ords.post(
        url,
        json={
            "statementText": "UPDATE hz_parties SET party_name = :n WHERE party_id = :id",
            "binds": [
                {"name": "n", "data_type": "VARCHAR2", "value": name},
                {"name": "id", "data_type": "NUMBER", "value": party_id},
            ],
        },
    )


def test_latency(ords: httpx.Client, ora_server: Any) -> None:
    add_fault(ora_server.url, operation="query", kind="latency", ms=300)
    started = time.perf_counter()
    assert (
        ords.post(ora_server.ords, json={"statementText": "SELECT 1 FROM dual"}).status_code == 200
    )
    assert time.perf_counter() - started >= 0.3


def test_unavailable_is_503_and_nothing_happens(ords: httpx.Client, ora_server: Any) -> None:
    add_fault(ora_server.url, operation="query", kind="unavailable")
    resp = update(ords, ora_server.ords, 1030, "Never")
    assert resp.status_code == 503
    assert party_name(ora_server, 1030) != "Never"
    assert update(ords, ora_server.ords, 1030, "Second try").status_code == 200  # nth=1: once


def test_drop_before_nothing_committed(ords: httpx.Client, ora_server: Any) -> None:
    add_fault(ora_server.url, operation="query", kind="drop_before")
    with pytest.raises(httpx.RemoteProtocolError):
        update(ords, ora_server.ords, 1031, "Dropped before")
    assert party_name(ora_server, 1031) != "Dropped before"


def test_drop_after_commit_insert_committed_client_saw_nothing(
    ords: httpx.Client, ora_server: Any
) -> None:
    add_fault(ora_server.url, operation="query", kind="drop_after_commit")
    with pytest.raises(httpx.RemoteProtocolError):
        ords.post(
            ora_server.ords,
            json={
                "statementText": "INSERT INTO hz_parties (party_id, party_name, "
                "orig_system_reference) VALUES (hz_parties_s.NEXTVAL, "
                "'Dropped After', 'otc:k-77')"
            },
        )
    rows = ora_server.state.store.query(
        "SELECT PARTY_NAME FROM HZ_PARTIES WHERE ORIG_SYSTEM_REFERENCE = 'otc:k-77'"
    )
    assert rows == [("Dropped After",)]


def test_malformed_answer_after_commit(ords: httpx.Client, ora_server: Any) -> None:
    add_fault(ora_server.url, operation="query", kind="malformed")
    resp = update(ords, ora_server.ords, 1032, "Malformed but done")
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)
    assert party_name(ora_server, 1032) == "Malformed but done"


@pytest.mark.parametrize(
    ("kind", "code"), [("lock_conflict", 54), ("deadlock", 60), ("package_state_lost", 4068)]
)
def test_ora_error_faults_roll_back(
    ords: httpx.Client, ora_server: Any, kind: str, code: int
) -> None:
    add_fault(ora_server.url, operation="query", kind=kind)
    item = update(ords, ora_server.ords, 1033, f"not by {kind}").json()["items"][0]
    assert item["errorCode"] == code and item["errorMessage"].startswith(f"ORA-{code:05d}")
    assert party_name(ora_server, 1033) != f"not by {kind}"
    again = update(ords, ora_server.ords, 1033, "retried").json()["items"][
        0
    ]  # once: a retry goes through
    assert "errorCode" not in again and party_name(ora_server, 1033) == "retried"


def test_fault_on_plsql_api_operation(ords: httpx.Client, ora_server: Any) -> None:
    add_fault(ora_server.url, operation="AR_RECEIPT_API_PUB.CREATE_CASH", kind="unavailable")
    block = "BEGIN ar_receipt_api_pub.create_cash(p_api_version => 1.0); END;"
    assert (
        ords.post(ora_server.ords, json={"statementText": "SELECT 1 FROM dual"}).status_code == 200
    )  # not matched
    assert ords.post(ora_server.ords, json={"statementText": block}).status_code == 503
    fired = httpx.get(ora_server.url + "/_mock/faults").json()["fired"]
    assert fired[-1]["operation"] == "AR_RECEIPT_API_PUB.CREATE_CASH"


# ---- the oracledb shim -------------------------------------------------------------------------
def test_shim_drop_after_commit_raises_dpy_4011_on_commit(shim: Any, ora_server: Any) -> None:
    conn = shim()
    add_fault(ora_server.url, operation="query", kind="drop_after_commit")
    conn.cursor().execute(
        "UPDATE hz_parties SET party_name = 'Shim committed' WHERE party_id = 1034"
    )
    with pytest.raises(oracledb.DatabaseError) as info:
        conn.commit()
    err = info.value.args[0]
    assert err.full_code == "DPY-4011" and err.isrecoverable
    assert party_name(ora_server, 1034) == "Shim committed"  # the commit happened
    with pytest.raises(oracledb.InterfaceError):
        conn.cursor()  # DPY-1001: the connection is gone


def test_shim_drop_before_loses_uncommitted_work(shim: Any, ora_server: Any) -> None:
    conn = shim()
    cur = conn.cursor()
    cur.execute("UPDATE hz_parties SET party_name = 'Shim pending' WHERE party_id = 1035")
    add_fault(ora_server.url, operation="query", kind="drop_before")
    with pytest.raises(oracledb.DatabaseError) as info:
        cur.execute("SELECT 1 FROM dual")
    assert info.value.args[0].full_code == "DPY-4011"
    assert party_name(ora_server, 1035) != "Shim pending"  # server session ended: rolled back


def test_shim_deadlock_and_malformed(shim: Any, ora_server: Any) -> None:
    conn = shim()
    add_fault(ora_server.url, operation="query", kind="deadlock")
    with pytest.raises(oracledb.DatabaseError) as info:
        conn.cursor().execute("SELECT 1 FROM dual")
    assert info.value.args[0].full_code == "ORA-00060"
    assert conn.cursor().execute("SELECT 1 FROM dual").fetchall() == [(1,)]
    add_fault(ora_server.url, operation="query", kind="malformed")
    with pytest.raises(oracledb.DatabaseError) as cut:
        conn.cursor().execute("SELECT 1 FROM dual")
    assert cut.value.args[0].full_code == "DPY-4011"
