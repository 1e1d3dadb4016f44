"""A credit note netted against two invoices, from the bank line to the ERP (issue 17 §3).

The mock's open items are pulled through the real transports, a payment "invoice X and Y less
credit note Z" is matched, and the CashApplications (with the credit memo's negative row) go to
the adapters. SAP clears the credit memo with the invoices in one clearing. Oracle applies the
credit memo to the invoices (AR_CM_API_PUB.APPLY_ON_ACCOUNT) and the receipt applies the net, in
one block, over both transports; a lost answer is settled by lookup, a rerun never posts twice,
and a receipt whose credit memo application went missing is completed, not posted again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.settings import OracleSettings
from adapters.sap.adapter import SapAdapter
from jobs.matching import match
from mappings.convert import alpha_in
from tests.e2e.conftest import COMPANIES, table
from tests.e2e.test_oracle_adapter import section as oracle_section
from tests.matching.conftest import bank

KEY = ["company", "document_id", "fiscal_year", "line"]
UNITS = ["US", "DE", "JP", "KW"]


def netting_case(items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two invoices and a credit memo of one customer, and a bank line paying them net."""
    invoices = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & (pl.col("disputed_amount") == 0)
    )
    credits = items.filter((pl.col("document_type") == "credit_memo") & (pl.col("amount") < 0))
    both = (
        invoices.group_by("company", "customer_id", "currency")
        .len()
        .filter(pl.col("len") >= 2)
        .join(
            credits.select("company", "customer_id", "currency").unique(),
            on=["company", "customer_id", "currency"],
        )
        .sort("company", "customer_id")
    )
    assert both.height, "the seed has no customer with two invoices and a credit memo"
    company, customer, currency, _ = both.row(0)
    mine = pl.col("customer_id") == customer
    two = invoices.filter(mine & (pl.col("company") == company)).sort(KEY).head(2)
    memo = credits.filter(mine & (pl.col("company") == company)).sort(KEY).head(1)
    # The netted total must stay positive: take the smallest credit if the first is too big.
    if two["amount"].sum() + memo["amount"][0] <= 0:
        memo = credits.filter(mine).sort("amount", descending=True).head(1)
    picked = pl.concat([two, memo])
    refs = " ".join(str(r or d) for r, d in picked.select("reference", "document_id").iter_rows())
    amount = Decimal(picked["amount"].sum())
    line = bank(
        {"amount": amount, "currency": currency, "booking_date": date.today(),
         "remittance_text": f"Invoices less credit note: {refs}"}
    )  # fmt: skip
    return picked, line


def test_sap_clears_a_netted_credit_memo_with_the_invoices(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    """Z_OTC_AR_CLEAR clears the credit memo (mode F, nothing paid on it) together with the
    two invoices in one clearing document; the bank line is the net amount."""
    sap = make_sap()
    before = pl.concat(list(sap.pull_open_items(COMPANIES)))
    picked, line = netting_case(before)
    applications = match(line, before).applications
    assert (applications["applied_amount"] < 0).sum() == 1
    assert set(applications["document_id"]) == set(picked["document_id"])
    (row,) = sap.post_cash_applications(applications).iter_rows(named=True)
    assert row["status"] == "posted", row["message"]
    after = pl.concat(list(sap.pull_open_items(COMPANIES)))
    assert after.join(picked.select(KEY), on=KEY, how="semi").height == 0  # all three cleared
    cleared = {
        table(admin, "BSAD", BUKRS=r["company"], BELNR=alpha_in(r["document_id"]),
              GJAHR=str(r["fiscal_year"]), BUZEI=f"{r['line']:03d}")[0]["AUGBL"]
        for r in picked.iter_rows(named=True)
    }  # fmt: skip
    assert cleared == {row["erp_document"][:10]}
    key = applications["application_id"][0]
    assert sap.find_posted("cash_application", [key]).rows() == [
        (key, row["erp_document"], "posted")
    ]
    again = sap.post_cash_applications(applications).row(0, named=True)
    assert again["status"] == "rejected"  # the items are gone: a rerun posts nothing twice


@pytest.fixture(params=["ords", "oracledb"])
def ebs(request: pytest.FixtureRequest, erp: Any) -> Iterator[OracleAdapter]:
    settings = OracleSettings.from_section(
        "ebs", oracle_section(erp, request.param, page_size=1000), {"password": "otc-mock"}
    )
    adapter = OracleAdapter(settings)
    try:
        yield adapter
    finally:
        adapter.close()


def oracle_case(ebs: OracleAdapter) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(open items, the picked invoices and credit memo, the matched CashApplications); each
    call takes a customer whose items are still open."""
    before = pl.concat(list(ebs.pull_open_items(UNITS)))
    picked, line = netting_case(before)
    applications = match(line, before).applications
    assert (applications["applied_amount"] < 0).sum() == 1
    assert set(applications["document_id"]) == set(picked["document_id"])
    return before, picked, applications


def credit_applications(admin: httpx.Client, cm_trx: str, key: str) -> list[dict[str, Any]]:
    rows = table(admin, "AR_RECEIVABLE_APPLICATIONS_ALL", CUSTOMER_TRX_ID=cm_trx)
    return [r for r in rows if str(r["COMMENTS"] or "").startswith(f"otc:{key};")]


def still_open(ebs: OracleAdapter, picked: pl.DataFrame) -> pl.DataFrame:
    after = pl.concat(list(ebs.pull_open_items(UNITS)))
    return after.join(picked.select(KEY), on=KEY, how="semi")


def test_oracle_nets_a_credit_memo_against_two_invoices_exactly_once(
    ebs: OracleAdapter, admin: httpx.Client
) -> None:
    _, picked, applications = oracle_case(ebs)
    key = str(applications["application_id"][0])
    memo = picked.filter(pl.col("amount") < 0).row(0, named=True)
    (row,) = ebs.post_cash_applications(applications).iter_rows(named=True)
    assert row["status"] == "posted", row["message"]
    assert "credit memo application" in row["message"]
    assert still_open(ebs, picked).height == 0  # both invoices and the credit memo closed
    # as of yesterday all three were open, the credit memo with its whole amount
    then = pl.concat(list(ebs.pull_open_items(UNITS, as_of=date.today() - timedelta(days=1))))
    then = then.join(picked.select(KEY), on=KEY, how="semi")
    assert sorted(then["amount"].to_list()) == sorted(picked["amount"].to_list())
    (receipt,) = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=row["erp_document"])
    net = Decimal(applications["payment_amount"][0])
    assert Decimal(str(receipt["AMOUNT"])) == net and receipt["STATUS"] == "APP"
    paid = table(admin, "AR_RECEIVABLE_APPLICATIONS_ALL", CASH_RECEIPT_ID=row["erp_document"],
                 STATUS="APP", DISPLAY="Y")  # fmt: skip
    assert sum(Decimal(str(a["AMOUNT_APPLIED"])) for a in paid) == net
    credited = credit_applications(admin, memo["document_id"], key)
    assert {a["APPLICATION_TYPE"] for a in credited} == {"CM"}
    assert sum(Decimal(str(a["AMOUNT_APPLIED"])) for a in credited) == -memo["amount"]
    assert ebs.find_posted("cash_application", [key]).rows() == [
        (key, row["erp_document"], "posted")
    ]
    again = ebs.post_cash_applications(applications).row(0, named=True)
    assert again["status"] == "posted" and "already posted" in again["message"], again
    assert again["erp_document"] == row["erp_document"]
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1
    assert len(credit_applications(admin, memo["document_id"], key)) == len(credited)


def test_a_lost_answer_is_found_and_never_posted_twice(
    ebs: OracleAdapter, admin: httpx.Client
) -> None:
    """The block commits, the answer is lost: unknown; the lookup finds the receipt and the
    credit memo's applications (both tagged), the rerun posts nothing."""
    _, picked, applications = oracle_case(ebs)
    key = str(applications["application_id"][0])
    memo = picked.filter(pl.col("amount") < 0).row(0, named=True)
    admin.post("/_mock/faults", json={"persona": "oracle", "kind": "drop_after_commit", "nth": 1,
                                     "operation": "AR_CM_API_PUB.APPLY_ON_ACCOUNT"})  # fmt: skip
    (lost,) = ebs.post_cash_applications(applications).iter_rows(named=True)
    assert lost["status"] == "unknown", lost
    found = ebs.find_posted("cash_application", [key]).row(0, named=True)
    assert found["state"] == "posted" and found["erp_document"]
    again = ebs.post_cash_applications(applications).row(0, named=True)
    assert again["status"] == "posted" and "already posted" in again["message"], again
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1
    assert (
        sum(
            Decimal(str(a["AMOUNT_APPLIED"]))
            for a in credit_applications(admin, memo["document_id"], key)
        )
        == -memo["amount"]
    )
    assert still_open(ebs, picked).height == 0


def test_a_receipt_whose_credit_memo_application_went_missing_is_completed(
    ebs: OracleAdapter, erp: Any, admin: httpx.Client
) -> None:
    """Receipt there, credit memo application not (a clerk reversed it with
    AR_CM_API_PUB.UNAPPLY_ON_ACCOUNT): not found, so the job posts it again, and the block
    skips the receipt and applies only the missing credit memo application."""
    _, picked, applications = oracle_case(ebs)
    key = str(applications["application_id"][0])
    memo = picked.filter(pl.col("amount") < 0).row(0, named=True)
    (row,) = ebs.post_cash_applications(applications).iter_rows(named=True)
    assert row["status"] == "posted", row["message"]
    for app in credit_applications(admin, memo["document_id"], key):
        unapply(erp, app["RECEIVABLE_APPLICATION_ID"], app["ORG_ID"])
    assert still_open(ebs, picked).height == 2  # the credit memo and its invoice open again
    assert ebs.find_posted("cash_application", [key]).rows() == [(key, None, None)]
    done = ebs.post_cash_applications(applications).row(0, named=True)
    assert done["status"] == "posted", done["message"]
    assert done["erp_document"] == row["erp_document"]
    assert "missing credit memo application(s) applied now" in done["message"]
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1
    assert still_open(ebs, picked).height == 0
    assert ebs.find_posted("cash_application", [key])["state"][0] == "posted"


def unapply(erp: Any, ra_id: int, org: int) -> None:
    """A clerk reverses a credit memo application over ORDS, as the apps user."""
    block = """DECLARE
  l_un ar_cm_api_pub.cm_unapp_rec_type; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
BEGIN
  fnd_global.apps_initialize(1318, 20678, 222);
  mo_global.init('AR');
  mo_global.set_policy_context('S', :org_id);
  l_un.receivable_application_id := :ra;
  ar_cm_api_pub.unapply_on_account(p_api_version => 1.0, p_init_msg_list => 'T',
    p_commit => 'F', p_cm_unapp_rec => l_un, x_return_status => l_st, x_msg_count => l_cnt,
    x_msg_data => l_data, p_org_id => :org_id);
  :status := l_st;
END;"""
    binds = [
        {"name": "org_id", "data_type": "NUMBER", "value": org},
        {"name": "ra", "data_type": "NUMBER", "value": ra_id},
        {"name": "status", "data_type": "VARCHAR2", "mode": "out"},
    ]
    answer = httpx.post(f"{erp.url}/ords/otc/_/sql", auth=("OTC", "otc-mock"), timeout=30,
                        json={"statementText": block, "binds": binds})  # fmt: skip
    answer.raise_for_status()
    (item,) = answer.json()["items"]
    assert item["binds"][-1]["result"] == "S", item


def test_oracle_refuses_a_credit_memo_that_is_not_open_before_sending(
    ebs: OracleAdapter, admin: httpx.Client
) -> None:
    """EBS does not check the credit memo side (AR_CM_VAL_PVT): the adapter does, and sends
    nothing when the credit memo was applied elsewhere meanwhile or has less left."""
    _, picked, applications = oracle_case(ebs)
    memo = picked.filter(pl.col("amount") < 0).row(0, named=True)
    first_invoice = applications.filter(pl.col("applied_amount") > 0)["document_id"][0]
    one = pl.lit(Decimal(1), dtype=applications.schema["applied_amount"])
    more = applications.with_columns(  # one more netted, one more paid: the same total
        applied_amount=pl.when(pl.col("applied_amount") < 0)
        .then(pl.col("applied_amount") - one)
        .when(pl.col("document_id") == first_invoice)
        .then(pl.col("applied_amount") + one)
        .otherwise(pl.col("applied_amount"))
        .cast(applications.schema["applied_amount"])
    )
    (too_much,) = ebs.post_cash_applications(more).iter_rows(named=True)
    assert too_much["status"] == "rejected", too_much
    assert f"exceeds its remaining {-memo['amount']}" in too_much["message"]
    receipts = len(table(admin, "AR_CASH_RECEIPTS_ALL"))
    closed = applications.with_columns(
        application_id=pl.lit("NET-CLOSED-" + ebs.settings.transport)
    )
    ok = ebs.post_cash_applications(applications).row(0, named=True)
    assert ok["status"] == "posted", ok["message"]
    (row,) = ebs.post_cash_applications(closed).iter_rows(named=True)
    assert row["status"] == "rejected" and "is not open" in row["message"], row
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL")) == receipts + 1  # only the first


def ords_sql(erp: Any, statement: str) -> None:
    answer = httpx.post(f"{erp.url}/ords/otc/_/sql", auth=("OTC", "otc-mock"), timeout=30,
                        json={"statementText": statement})  # fmt: skip
    answer.raise_for_status()
    assert "errorCode" not in answer.json()["items"][0], answer.json()


def test_ebs_refusing_the_credit_memo_application_leaves_nothing(
    ebs: OracleAdapter, erp: Any, admin: httpx.Client
) -> None:
    """Closed GL periods: APPLY_ON_ACCOUNT answers AR_INVALID_APP_GL_DATE; the block rolls
    back, no receipt and no credit memo application stay, the key is rejected with EBS's
    message."""
    _, picked, applications = oracle_case(ebs)
    key = str(applications["application_id"][0])
    memo = picked.filter(pl.col("amount") < 0).row(0, named=True)
    marks = {"O": "X", "F": "Y"}  # open and future-enterable, closed under a mark each
    for was, mark in marks.items():
        ords_sql(erp, f"UPDATE gl_period_statuses SET closing_status = '{mark}' "
                      f"WHERE application_id = 222 AND closing_status = '{was}'")  # fmt: skip
    try:
        (row,) = ebs.post_cash_applications(applications).iter_rows(named=True)
    finally:
        for was, mark in marks.items():
            ords_sql(erp, f"UPDATE gl_period_statuses SET closing_status = '{was}' "
                          f"WHERE application_id = 222 AND closing_status = '{mark}'")  # fmt: skip
    assert row["status"] == "rejected", row
    assert row["message"].startswith("AR_INVALID_APP_GL_DATE"), row["message"]
    assert table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key) == []
    assert credit_applications(admin, memo["document_id"], key) == []
    assert still_open(ebs, picked).height == 3
