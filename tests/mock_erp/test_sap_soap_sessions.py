"""SOAP-for-RFC keeps no state by default (docs/specs/sap.md §8), and the kit's self-committing
modules carry a whole LUW in one POST. Through zeep against the mock on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from mockerp_helpers import posting_params, rows, soap_service, soapify


@pytest.fixture(params=[False, True], ids=["stateless", "soap_sessions"])
def soap_sessions(request: pytest.FixtureRequest, admin: httpx.Client) -> Iterator[bool]:
    admin.put("/_mock/settings", json={"sap": {"soap_sessions": request.param}}).raise_for_status()
    yield bool(request.param)
    admin.put("/_mock/settings", json={"sap": {"soap_sessions": False}}).raise_for_status()


def _bkpf(admin: httpx.Client, open_item: dict[str, Any], ref: str) -> list[dict[str, Any]]:
    return rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref)


def test_default_is_stateless(admin: httpx.Client) -> None:
    assert admin.get("/_mock/settings").json()["sap"]["soap_sessions"] is False


def test_session_open_is_ignored_so_a_later_commit_commits_nothing(
    erp: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    """The field note: sap-sessioncmd=open ignored, CREATE answered, a COMMIT in a later POST
    answered 200, and the table had no row."""
    ref = "N" + uuid.uuid4().hex[:12].upper()
    session = requests.Session()
    post = soap_service(erp.url, "BAPI_ACC_DOCUMENT_POST", session=session, sessioncmd="open")
    res = post.BAPI_ACC_DOCUMENT_POST(
        **soapify(posting_params(open_item, accounts, ref)), RETURN={"item": []}
    )
    assert res["RETURN"]["item"][0]["NUMBER"] == "605" and res["OBJ_KEY"] != "$"
    assert not session.cookies.get("sap-contextid")  # no stateful session was opened
    commit = soap_service(erp.url, "BAPI_TRANSACTION_COMMIT", session=session)
    answer = commit.BAPI_TRANSACTION_COMMIT(WAIT="X")
    assert not (answer["TYPE"] if isinstance(answer, dict) else answer.TYPE)  # a blank "success"
    assert _bkpf(admin, open_item, ref) == []


def test_on_account_wrapper_commits_in_one_post(
    erp: Any,
    admin: httpx.Client,
    open_item: dict[str, Any],
    accounts: dict[str, Any],
    soap_sessions: bool,
) -> None:
    ref = "W" + uuid.uuid4().hex[:12].upper()
    params = soapify(posting_params(open_item, accounts, ref))
    wrapper = soap_service(erp.url, "Z_OTC_AR_ON_ACCOUNT")
    test = wrapper.Z_OTC_AR_ON_ACCOUNT(**params, I_TESTRUN="X", RETURN={"item": []})
    assert [r["NUMBER"] for r in test["RETURN"]["item"]] == ["614"]
    assert _bkpf(admin, open_item, ref) == []  # a test run stores nothing
    res = wrapper.Z_OTC_AR_ON_ACCOUNT(**params, RETURN={"item": []})
    assert res["RETURN"]["item"][0]["NUMBER"] == "605"
    (doc,) = _bkpf(admin, open_item, ref)
    assert res["OBJ_KEY"] == doc["BELNR"] + doc["BUKRS"] + doc["GJAHR"]


def test_on_account_wrapper_error_posts_nothing(
    erp: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "X" + uuid.uuid4().hex[:12].upper()
    params = posting_params(open_item, accounts, ref)
    params["CURRENCYAMOUNT"][0]["AMT_DOCCUR"] += 1  # unbalanced: F5 702
    res = soap_service(erp.url, "Z_OTC_AR_ON_ACCOUNT").Z_OTC_AR_ON_ACCOUNT(
        **soapify(params), RETURN={"item": []}
    )
    assert res["RETURN"]["item"][0]["TYPE"] == "E" and not res["OBJ_KEY"]
    assert _bkpf(admin, open_item, ref) == []
