"""Ambiguous transport outcomes (issue 13): what may have reached the ERP is never retried.

Through the real transports (zeep/httpx SOAP, the pyrfc-compatible client, httpx ORDS) to the
mock on 127.0.0.1: a gateway's 502/504 or an ICM timeout (HTML 500) after the ERP committed is
`OutcomeUnknown`, and the lookup finds the one document; only the "not started" 503 is
transient on a write. The mock keeps working after the client has gone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import OutcomeUnknown, TransientError
from adapters.gateway import ICM_NOT_STARTED, ORDS_NOT_STARTED, gateway_error
from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.settings import OracleSettings
from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from tests.e2e.conftest import payment as e2e_payment
from tests.e2e.conftest import table

TODAY = date.today()
KEY = ["company", "document_id", "fiscal_year", "line"]
payment = partial(e2e_payment, when=TODAY)
Maker = Callable[..., SapAdapter]

GATEWAY_FAULTS = [
    pytest.param({"kind": "gateway_timeout_after_commit", "status": 502}, id="502"),
    pytest.param({"kind": "gateway_timeout_after_commit", "status": 504}, id="504"),
    pytest.param({"kind": "icm_timeout"}, id="html-500"),
]


def sap_invoices(sap: SapAdapter, company: str, count: int, skip: int = 0) -> pl.DataFrame:
    """`count` open invoices of one unblocked customer (the `skip`-th customer in order)."""
    items = pl.concat(list(sap.pull_open_items([company])))
    blocked = {c for c in items["customer_id"].unique() if posting_blocked(sap, company, c)}
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(blocked))
    )
    counts = pool.group_by("customer_id").len().filter(pl.col("len") >= count)
    customer = counts.sort("customer_id")["customer_id"][skip]
    return pool.filter(pl.col("customer_id") == customer).sort(KEY).head(count)


def posting_blocked(sap: SapAdapter, company: str, customer: str) -> bool:
    """KNA1/KNB1-SPERR as the ERP has it (the seed blocks a few customers)."""
    from adapters.sap.table_reader import quote, read_table
    from mappings.convert import alpha_in

    kunnr = quote(alpha_in(customer))
    for name, where in (("KNA1", [f"KUNNR = {kunnr}"]),
                        ("KNB1", [f"KUNNR = {kunnr}", f"BUKRS = {quote(company)}"])):  # fmt: skip
        for page in read_table(sap.transport, name, ["KUNNR", "SPERR"], key=["KUNNR"], where=where):
            if any(s.strip() for s in page["SPERR"].to_list()):
                return True
    return False


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


# ---------------------------------------------------------------- classification (no server)


@pytest.mark.parametrize(
    ("status", "body", "writes", "expected"),
    [
        (503, b"<html>503 Service Unavailable ... Error: ENOTAVAIL</html>", True, TransientError),
        (503, b"<html>503 Service Unavailable</html>", True, OutcomeUnknown),  # a proxy's own
        (502, b"<html>502 Bad Gateway</html>", True, OutcomeUnknown),
        (504, b"<html>504 Gateway Time-out</html>", True, OutcomeUnknown),
        (500, b"<html>ICM timeout (ETIMEOUT)</html>", True, OutcomeUnknown),
        (504, b"<html>504 Gateway Time-out</html>", False, TransientError),
        (500, b"<html>ICM timeout</html>", False, TransientError),
    ],
)
def test_sap_gateway_answers(status: int, body: bytes, writes: bool, expected: type) -> None:
    error = gateway_error("sap", "Z_OTC_AR_CLEAR", status, body, writes=writes,
                          signatures=ICM_NOT_STARTED)  # fmt: skip
    assert type(error) is expected


def test_ords_503_is_transient_only_with_the_no_connection_signature() -> None:
    pool = b'{"code":"ServiceUnavailable","message":"ORDS was unable to make a connection to the database"}'
    assert type(gateway_error("ebs", "ORDS", 503, pool, writes=True,
                              signatures=ORDS_NOT_STARTED)) is TransientError  # fmt: skip
    bare = b"<html>503 Service Temporarily Unavailable</html>"
    assert type(gateway_error("ebs", "ORDS", 503, bare, writes=True,
                              signatures=ORDS_NOT_STARTED)) is OutcomeUnknown  # fmt: skip


# ---------------------------------------------------------------- SAP, both transports


@pytest.mark.parametrize("fault", GATEWAY_FAULTS)
def test_sap_gateway_answer_after_commit_is_unknown_then_found_once(
    make_sap: Maker, admin: httpx.Client, fault: dict[str, Any]
) -> None:
    sap = make_sap()
    item = sap_invoices(sap, "1000", 1)
    key = f"GW-{fault['kind'][:3].upper()}-{fault.get('status', 500)}"
    # call 1 is the test run, call 2 the posting: the ERP commits, a gateway answers
    rule = {"persona": "sap", "operation": "Z_OTC_AR_CLEAR", "nth": 2, **fault}
    assert admin.post("/_mock/faults", json=rule).status_code == 201
    with pytest.raises(OutcomeUnknown):
        sap.post_payment(payment(key, item, [item["amount"][0]]))
    found = lambda: sap.find_posted("cash_application", [key])["erp_document"][0] is not None  # noqa: E731
    assert eventually(found)
    assert len(table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key))) == 1


def test_sap_commit_delayed_by_latency_lands_after_the_client_gave_up(
    make_sap: Maker, admin: httpx.Client
) -> None:
    warm = make_sap()  # WSDLs cached first: their fetch must not be what times out
    item = sap_invoices(warm, "1000", 1, skip=1)
    key = "GW-LATE-1"
    dry = warm.post_payment(payment(key, item, [item["amount"][0]]), dry_run=True)
    assert dry["status"] == "posted", dry
    sap = make_sap(timeout_s=1)
    rule = {"persona": "sap", "operation": "Z_OTC_AR_CLEAR", "nth": 2, "kind": "latency",
            "ms": 2500}  # fmt: skip
    admin.post("/_mock/faults", json=rule)
    with pytest.raises(OutcomeUnknown):
        sap.post_payment(payment(key, item, [item["amount"][0]]))
    assert table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key)) == []  # not yet
    assert eventually(lambda: len(table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key))) == 1)


@pytest.mark.parametrize("enqueue", [True, False])
def test_sap_postings_for_one_customer_collide_on_its_lock(
    make_sap: Maker, admin: httpx.Client, enqueue: bool
) -> None:
    admin.put("/_mock/settings", json={"sap": {"enqueue_during_call": enqueue}})
    sap = make_sap()
    items = sap_invoices(sap, "2000", 2)
    admin.post("/_mock/faults", json={"persona": "sap", "operation": "Z_OTC_AR_CLEAR",
                                      "kind": "latency", "ms": 800, "rate": 1})  # fmt: skip
    outcomes: dict[str, Any] = {}

    def post(key: str, row: int, wait: float) -> None:
        time.sleep(wait)
        one = items.slice(row, 1)
        try:
            outcomes[key] = sap.post_payment(payment(key, one, [one["amount"][0]]))["status"]
        except TransientError as exc:
            outcomes[key] = exc

    threads = [threading.Thread(target=post, args=(f"ENQ-{enqueue}-{i}", i, 0.3 * i))
               for i in range(2)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if enqueue:  # the second ran into the first's lock: ZOTC 010, transient, nothing posted
        first, second = outcomes[f"ENQ-{enqueue}-0"], outcomes[f"ENQ-{enqueue}-1"]
        assert first == "posted" and isinstance(second, TransientError), outcomes
        assert "ZOTC 010" in str(second) and "locked" in str(second)
        assert table(admin, "BKPF", BUKRS="2000", XBLNR=xblnr_for(f"ENQ-{enqueue}-1")) == []
    else:
        assert set(outcomes.values()) == {"posted"}, outcomes


# ---------------------------------------------------------------- Oracle over ORDS


@pytest.fixture
def ebs(erp: Any) -> Any:
    section = {"transport": "ords", "url": erp.url, "user": "otc", "companies": ["US"],
               "operating_units": {"US": 204}, "receipt_method": "Manual Check",
               "apps_user_id": 1318}  # fmt: skip
    adapter = OracleAdapter(OracleSettings.from_section("ebs", section, {"password": "otc-mock"}))
    yield adapter
    adapter.close()


_ORACLE_USED: set[str] = set()


def oracle_invoice(ebs: OracleAdapter) -> pl.DataFrame:
    items = pl.concat(list(ebs.pull_open_items(["US"])))
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 100)
        & (pl.col("disputed_amount") == 0)
        & ~pl.col("customer_id").is_in(list(_ORACLE_USED))
    )
    one = pool.sort(KEY).head(1)
    _ORACLE_USED.add(one["customer_id"][0])
    return one


@pytest.mark.parametrize("fault", GATEWAY_FAULTS)
def test_ords_gateway_answer_after_commit_is_unknown_then_found_once(
    ebs: OracleAdapter, admin: httpx.Client, fault: dict[str, Any]
) -> None:
    item = oracle_invoice(ebs)
    key = f"OGW-{fault['kind'][:3].upper()}-{fault.get('status', 500)}"
    rule = {"persona": "oracle", "operation": "AR_RECEIPT_API_PUB.CREATE_CASH", "nth": 1, **fault}
    assert admin.post("/_mock/faults", json=rule).status_code == 201
    try:
        with pytest.raises(OutcomeUnknown):
            ebs.post_payment(payment(key, item, [item["amount"][0]]))
        found = lambda: ebs.find_posted("cash_application", [key])["erp_document"][0] is not None  # noqa: E731
        assert eventually(found)
        assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1
    finally:
        admin.delete("/_mock/faults")


def test_ords_unavailable_on_a_write_is_transient_and_nothing_ran(
    ebs: OracleAdapter, admin: httpx.Client
) -> None:
    item = oracle_invoice(ebs)
    key = "OGW-UNAVAILABLE"
    admin.post("/_mock/faults", json={"persona": "oracle", "operation":
                                      "AR_RECEIPT_API_PUB.CREATE_CASH", "kind": "unavailable",
                                      "nth": 1})  # fmt: skip
    try:
        with pytest.raises(TransientError):
            ebs.post_payment(payment(key, item, [item["amount"][0]]))
        assert table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key) == []
    finally:
        admin.delete("/_mock/faults")


def test_the_accounting_bapis_lock_answer_is_transient() -> None:
    """RW 609 + the lock cause row (the mock's F5 283, as for a customer held in FB05):
    nothing was posted, so it is retried, never reported as a rejection."""
    from adapters.sap.errors import raise_for_return

    answer = {"RETURN": [
        {"TYPE": "E", "ID": "RW", "NUMBER": "609", "MESSAGE": "Error in document: BKPFF $"},
        {"TYPE": "E", "ID": "F5", "NUMBER": "283",
         "MESSAGE": "Account 0000001001 is currently locked by user RFC_OTC"},
    ]}  # fmt: skip
    with pytest.raises(TransientError, match="locked"):
        raise_for_return("sap", "PAY-1", answer)
