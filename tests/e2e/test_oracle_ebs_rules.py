"""The Oracle adapter against the mock's real-system rules (issue 15, issue 13 item 5): whole
tags, unused binds, adjustment approval, discounts, foreign currency, ORDS time zones. Both
transports (ORDS over httpx, the oracledb-compatible client) to the mock on 127.0.0.1; the
mock runs its harsher defaults unless a test flips a setting (PUT /_mock/settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import ContractError
from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.keys import MAX_KEY_LENGTH
from adapters.oracle.settings import OracleSettings
from contracts.io import schema_of
from tests.e2e import test_oracle_adapter as base
from tests.e2e.test_oracle_adapter import (
    KEY,
    TODAY,
    Maker,
    discount_terms,
    open_items,
    payment,
    schedule,
    section,
    table,
)

# the same fixtures as the adapter tests; module-scoped, so this module gets its own mock
erp = base.erp
make = base.make


@pytest.fixture
def admin(erp: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp.url, timeout=60) as client:
        defaults = client.get("/_mock/settings").json()
        yield client
        client.delete("/_mock/faults")
        client.put("/_mock/settings", json={"oracle": defaults["oracle"]}).raise_for_status()


# this module has its own mock, so its own set of customers taken
invoices = partial(base.invoices, used=set())


def settings(admin: httpx.Client, **oracle: Any) -> None:
    admin.put("/_mock/settings", json={"oracle": oracle}).raise_for_status()


def sql(erp: Any, statement: str, binds: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A statement over ORDS as the DB user would run it (an approver, a clerk typing)."""
    answer = httpx.post(
        f"{erp.url}/ords/otc/_/sql",
        json={"statementText": statement, "binds": binds or []},
        auth=("OTC", "otc-mock"),
        timeout=30,
    )
    answer.raise_for_status()
    item: dict[str, Any] = answer.json()["items"][0]
    assert "errorCode" not in item, item
    return item


def on_account_only(
    key: str, item: pl.DataFrame, amount: Decimal, currency: str | None = None
) -> pl.DataFrame:
    both = payment(key, item, [Decimal("0.01")], on_account=amount)
    money = both.schema["payment_amount"]
    return both.filter(pl.col("document_id").is_null()).with_columns(
        payment_amount=pl.lit(amount, dtype=money), currency=pl.lit(currency or both["currency"][0])
    )


def write_off(key: str, item: dict[str, Any], amount: Decimal) -> pl.DataFrame:
    row = {
        "writeoff_id": key,
        "company": item["company"],
        "customer_id": item["customer_id"],
        "document_id": item["document_id"],
        "fiscal_year": item["fiscal_year"],
        "line": item["line"],
        "currency": item["currency"],
        "amount": amount,
        "reason_code": "SMALL",
        "posting_date": TODAY,
        "memo": "e2e",
    }
    return pl.DataFrame([row], schema=schema_of("write_offs"))


# ---------------------------------------------------------------- tags (issue 13 item 5)


def test_a_key_never_finds_a_longer_keys_adjustment(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    t = ebs.settings.transport
    a, b = invoices(open_items(ebs, ["DE"]), "DE", 2).iter_rows(named=True)
    long_key, short_key = f"WO-{t}-P10", f"WO-{t}-P1"
    first = ebs.post_write_offs(write_off(long_key, a, Decimal("1.00"))).row(0, named=True)
    assert first["status"] == "posted", first["message"]
    fresh = make()  # another process: it has not seen the rows
    assert fresh.find_posted("write_off", [short_key]).rows() == [(short_key, None, None)]
    second = fresh.post_write_offs(write_off(short_key, b, Decimal("1.00"))).row(0, named=True)
    assert second["status"] == "posted", second["message"]
    assert second["erp_document"] != first["erp_document"]
    assert "already" not in (second["message"] or "")
    assert Decimal(str(schedule(admin, b["document_id"])["AMOUNT_DUE_REMAINING"])) == b[
        "amount"
    ] - Decimal("1.00")
    mine = table(admin, "AR_ADJUSTMENTS_ALL", CREATED_FROM="OTC_ADAPTERS")
    assert {m["COMMENTS"] for m in mine} >= {f"otc:{long_key}; e2e", f"otc:{short_key}; e2e"}
    # the same lookups through the indexed path (the adapter was told the rows)
    fresh.expect("write_off", write_off(short_key, b, Decimal("1.00")))
    assert fresh.find_posted("write_off", [short_key])["erp_document"][0] == second["erp_document"]


def test_a_manual_receipt_with_our_number_is_never_adopted(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    ebs = make()
    t = ebs.settings.transport
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    key = f"PAY-MANUAL-{t}"
    posted = ebs.post_cash_applications(payment(key, item, [Decimal("10.00")]))
    cr_id = posted["erp_document"][0]
    # the clerk's receipt: same number, typed by hand (no tag), another amount
    sql(
        erp,
        "UPDATE ar_cash_receipts_all SET comments = 'typed by hand', amount = 11 "
        "WHERE cash_receipt_id = :id",
        [{"name": "id", "data_type": "NUMBER", "value": int(cr_id)}],
    )
    assert ebs.find_posted("cash_application", [key]).rows() == [(key, None, None)]
    again = ebs.post_payment(payment(key, item, [Decimal("10.00")]))
    assert again["status"] == "posted", again
    assert again["erp_document"] != cr_id and "already" not in (again["message"] or "")
    receipts = table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)
    assert sorted(str(r["COMMENTS"]) for r in receipts) == [f"otc:{key};", "typed by hand"]


def test_a_key_longer_than_the_comments_hold_is_refused(make: Maker, admin: httpx.Client) -> None:
    """Every key the contract admits fits the comments with its tag; a longer one never
    reaches the adapter: the contract refuses it, naming the column and the limit."""
    from contracts.rules import KEY_MAX_LENGTH

    assert KEY_MAX_LENGTH <= MAX_KEY_LENGTH
    ebs = make()
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    key = "K" * (KEY_MAX_LENGTH + 1)
    with pytest.raises(ContractError, match="application_id"):
        ebs.post_cash_applications(payment(key, item, [Decimal("1.00")]))
    assert table(admin, "AR_CASH_RECEIPTS_ALL", COMMENTS=f"otc:{key};") == []


# ---------------------------------------------------------------- unused binds (item 3)


def test_an_on_account_only_payment_posts(make: Maker, admin: httpx.Client) -> None:
    """No APPLY in the block, so no `:key`: thin oracledb refuses an unused bind (DPY-4008)."""
    ebs = make()
    t = ebs.settings.transport
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    frame = on_account_only(f"PAY-ONLY-OA-{t}", item, Decimal("42.10"))
    result = ebs.post_cash_applications(frame).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=result["erp_document"])[0]
    assert (receipt["STATUS"], Decimal(str(receipt["AMOUNT"]))) == ("UNAPP", Decimal("42.10"))


# ---------------------------------------------------------------- approval (item 4)


def test_write_off_over_the_limit_waits_then_rejected_reposts_under_a_new_key(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    ebs = make()
    t = ebs.settings.transport
    a, b = invoices(open_items(ebs, ["DE"]), "DE", 2).iter_rows(named=True)
    settings(admin, approval_limits={"1318": {"EUR": ["-10", "10"]}})
    key = f"WO-LIMIT-{t}"
    first = ebs.post_write_offs(write_off(key, a, Decimal("50.00"))).row(0, named=True)
    assert first["status"] == "pending_approval", first
    assert "pending approval" in first["message"] and first["erp_document"]
    ps = schedule(admin, a["document_id"])
    assert Decimal(str(ps["AMOUNT_DUE_REMAINING"])) == a["amount"]  # W moves nothing
    waiting = (key, first["erp_document"], "awaiting_approval")
    assert ebs.find_posted("write_off", [key]).rows() == [waiting]
    again = ebs.post_write_off(write_off(key, a, Decimal("50.00")).row(0, named=True))
    assert again["status"] == "pending_approval" and "already posted" in again["message"]
    # an approver rejects it
    sql(
        erp,
        "UPDATE ar_adjustments_all SET status = 'R' WHERE adjustment_number = :no",
        [{"name": "no", "data_type": "VARCHAR2", "value": first["erp_document"]}],
    )
    # the job is told which one, and that nothing was written off (issue 15)
    rejected = (key, first["erp_document"], "rejected")
    assert ebs.find_posted("write_off", [key]).rows() == [rejected]
    old = make().post_write_off(write_off(key, a, Decimal("50.00")).row(0, named=True))
    assert old["status"] == "rejected" and "rejected by an approver" in old["message"], old
    settings(admin, approval_limits=None)  # back to the seeded limits (±1000)
    new = ebs.post_write_offs(write_off(f"{key}-2", a, Decimal("50.00"))).row(0, named=True)
    assert new["status"] == "posted", new
    assert Decimal(str(schedule(admin, a["document_id"])["AMOUNT_DUE_REMAINING"])) == a[
        "amount"
    ] - Decimal("50.00")
    mine = [
        m
        for m in table(admin, "AR_ADJUSTMENTS_ALL", CREATED_FROM="OTC_ADAPTERS")
        if str(m["COMMENTS"]).startswith(f"otc:{key};")
    ]
    assert [m["STATUS"] for m in mine] == ["R"]  # the old key never posted a second one
    # a user without any limit: EBS adds AR_VAL_USER_LIMIT and still creates it, status W
    settings(admin, approval_limits={"1318": {}})
    none = ebs.post_write_offs(write_off(f"WO-NOLIMIT-{t}", b, Decimal("1.00"))).row(0, named=True)
    assert none["status"] == "pending_approval", none


APPROVER = 0  # SYSADMIN in the seed: an apps user with a Receivables responsibility

APPROVE = """DECLARE
  l_adj ar_adjustments%ROWTYPE; l_id NUMBER; l_org NUMBER; l_st VARCHAR2(1); l_cnt NUMBER;
  l_data VARCHAR2(2000); l_m VARCHAR2(32000);
BEGIN
  SELECT adjustment_id, org_id INTO l_id, l_org FROM ar_adjustments_all
   WHERE adjustment_number = :no;
  fnd_global.apps_initialize(:user_id, 20678, 222);
  mo_global.init('AR');
  mo_global.set_policy_context('S', l_org);
  l_adj.status := :decision;
  ar_adjust_pub.approve_adjustment(p_api_name => 'AR_ADJUST_PUB', p_api_version => 1.0,
    p_init_msg_list => 'T', p_commit_flag => 'F', p_validation_level => 100,
    p_msg_count => l_cnt, p_msg_data => l_data, p_return_status => l_st, p_adj_rec => l_adj,
    p_chk_approval_limits => 'T', p_move_deferred_tax => 'Y', p_old_adjust_id => l_id,
    p_org_id => l_org);
  FOR i IN 1 .. fnd_msg_pub.count_msg LOOP
    l_m := l_m || fnd_msg_pub.get(p_msg_index => i, p_encoded => 'F') || ';';
  END LOOP;
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st;
  :messages := l_m;
END;"""


def approver(erp: Any, number: str, decision: str, user: int = APPROVER) -> dict[str, Any]:
    """An approver's decision over ORDS with AR_ADJUST_PUB.Approve_Adjustment, as another apps
    user: (status, messages)."""
    item = sql(
        erp,
        APPROVE,
        [
            {"name": "no", "data_type": "VARCHAR2", "value": number},
            {"name": "user_id", "data_type": "NUMBER", "value": user},
            {"name": "decision", "data_type": "VARCHAR2", "value": decision},
            {"name": "status", "data_type": "VARCHAR2", "mode": "out"},
            {"name": "messages", "data_type": "VARCHAR2", "mode": "out"},
        ],
    )
    return {b["name"]: b.get("result") for b in item["binds"] if b.get("mode") == "out"}


def test_find_posted_reports_awaiting_approval_then_posted_or_rejected(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    """All three states of issue 15 over one transport: W -> awaiting_approval; an approver
    within his limits approves -> posted (the balance moves); another is rejected ->
    rejected, naming the adjustment. The clerk himself cannot approve over his limit."""
    ebs = make()
    t = ebs.settings.transport
    a, b = invoices(open_items(ebs, ["DE"]), "DE", 2).iter_rows(named=True)
    settings(admin, approval_limits={"1318": {"EUR": ["-1", "1"]},
                                     str(APPROVER): {"EUR": ["-100000", "100000"]}})  # fmt: skip
    keys = [f"WO-APPROVE-{t}", f"WO-REJECT-{t}"]
    posted = [
        ebs.post_write_offs(write_off(k, item, Decimal("7.00"))).row(0, named=True)
        for k, item in zip(keys, (a, b), strict=True)
    ]
    assert [p["status"] for p in posted] == ["pending_approval"] * 2, posted
    numbers = [p["erp_document"] for p in posted]
    fresh = make()  # another process, told the rows as the job tells it
    fresh.expect("write_off", pl.concat([write_off(k, i, Decimal("7.00"))
                                         for k, i in zip(keys, (a, b), strict=True)]))  # fmt: skip
    assert fresh.find_posted("write_off", keys).rows() == [
        (keys[0], numbers[0], "awaiting_approval"),
        (keys[1], numbers[1], "awaiting_approval"),
    ]
    clerk = approver(erp, numbers[0], "A", user=1318)
    assert clerk["status"] == "E" and "approval limits" in clerk["messages"], clerk
    assert approver(erp, numbers[0], "A")["status"] == "S"
    assert approver(erp, numbers[1], "R")["status"] == "S"
    assert fresh.find_posted("write_off", keys).rows() == [
        (keys[0], numbers[0], "posted"),
        (keys[1], numbers[1], "rejected"),
    ]
    assert Decimal(str(schedule(admin, a["document_id"])["AMOUNT_DUE_REMAINING"])) == a[
        "amount"
    ] - Decimal("7.00")
    assert Decimal(str(schedule(admin, b["document_id"])["AMOUNT_DUE_REMAINING"])) == b["amount"]
    final = approver(erp, numbers[1], "A")
    assert final["status"] == "E" and "cannot be changed" in final["messages"], final


# ---------------------------------------------------------------- discounts (items 1, 10)


def hundred_with_two_percent_terms(erp: Any, admin: httpx.Client, item: dict[str, Any]) -> None:
    """The invoice becomes 100.00 (all lines) under 2/10 NET 30, dated two days ago."""
    trx = item["document_id"]
    sql(
        erp,
        "UPDATE ar_payment_schedules_all SET amount_due_original = 100, "
        "amount_due_remaining = 100, amount_line_items_original = 100, "
        "amount_line_items_remaining = 100, tax_original = 0, tax_remaining = 0, "
        "freight_original = 0, freight_remaining = 0, receivables_charges_remaining = 0 "
        "WHERE customer_trx_id = :id",
        [{"name": "id", "data_type": "NUMBER", "value": int(trx)}],
    )
    assert discount_terms(erp, trx, TODAY - dt.timedelta(days=2)) == Decimal("2.00")


def test_98_on_100_at_2_percent_leaves_2_open_unless_the_file_grants_the_discount(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    """A NULL p_discount would let EBS default the earned 2.00 and close the invoice."""
    ebs = make()
    t = ebs.settings.transport
    a, b = invoices(open_items(ebs, ["US"]), "US", 2).iter_rows(named=True)
    for row in (a, b):
        hundred_with_two_percent_terms(erp, admin, row)
    items = open_items(ebs, ["US"]).filter(pl.col("document_id").is_in([a["document_id"]]))
    no_discount = ebs.post_cash_applications(
        payment(f"PAY-98-{t}", items, [Decimal("98.00")], discounts=[Decimal(0)])
    ).row(0, named=True)
    assert no_discount["status"] == "posted", no_discount["message"]
    ps = schedule(admin, a["document_id"])
    assert (Decimal(str(ps["AMOUNT_DUE_REMAINING"])), ps["STATUS"]) == (Decimal("2"), "OP")
    assert Decimal(str(ps["DISCOUNT_TAKEN_EARNED"] or 0)) == 0
    items = open_items(ebs, ["US"]).filter(pl.col("document_id") == b["document_id"])
    with_discount = ebs.post_cash_applications(
        payment(f"PAY-98-2-{t}", items, [Decimal("98.00")], discounts=[Decimal("2.00")])
    ).row(0, named=True)
    assert with_discount["status"] == "posted", with_discount["message"]
    ps = schedule(admin, b["document_id"])
    assert (Decimal(str(ps["AMOUNT_DUE_REMAINING"])), ps["STATUS"]) == (Decimal("0"), "CL")
    assert Decimal(str(ps["DISCOUNT_TAKEN_EARNED"])) == Decimal("2")


def test_discounts_beyond_the_terms_are_refused(make: Maker, erp: Any, admin: httpx.Client) -> None:
    ebs = make()
    t = ebs.settings.transport
    (a,) = invoices(open_items(ebs, ["US"]), "US", 1).iter_rows(named=True)
    hundred_with_two_percent_terms(erp, admin, a)
    items = open_items(ebs, ["US"]).filter(pl.col("document_id") == a["document_id"])
    late = payment(f"PAY-LATE-{t}", items, [Decimal("98.00")], discounts=[Decimal("2.00")])
    late = late.with_columns(payment_date=pl.lit(TODAY + dt.timedelta(days=30)))
    refused = ebs.post_cash_applications(late).row(0, named=True)
    assert (
        refused["status"] == "rejected" and "AR_RW_VAL_UNEARNED_DISCOUNT" in (refused["message"])
    ), refused
    too_much = ebs.post_cash_applications(
        payment(f"PAY-3-{t}", items, [Decimal("97.00")], discounts=[Decimal("3.00")])
    ).row(0, named=True)
    assert too_much["status"] == "rejected" and "AR_RW_VAL_DISCOUNT" in too_much["message"]
    assert Decimal(str(schedule(admin, a["document_id"])["AMOUNT_DUE_REMAINING"])) == 100
    settings(admin, unearned_discounts=True)  # the AR system option, the gentler variant
    late = late.with_columns(application_id=pl.lit(f"PAY-LATE-OK-{t}"))
    taken = ebs.post_cash_applications(late).row(0, named=True)
    assert taken["status"] == "posted", taken["message"]
    ps = schedule(admin, a["document_id"])
    assert (ps["STATUS"], Decimal(str(ps["DISCOUNT_TAKEN_UNEARNED"]))) == ("CL", Decimal("2"))


def test_pulled_items_carry_the_discount_terms_of_the_ledger(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make()
    items = open_items(ebs, ["US", "DE", "JP", "KW"])
    with_terms = items.filter(pl.col("discount_amount").is_not_null())
    assert with_terms.height >= 20, with_terms.height
    tiers = {
        int(d["TERM_ID"]): (Decimal(str(d["DISCOUNT_PERCENT"])), int(d["DISCOUNT_DAYS"]))
        for d in table(admin, "RA_TERMS_LINES_DISCOUNTS")
    }
    digits = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
    for item in with_terms.head(40).iter_rows(named=True):
        ps = schedule(admin, item["document_id"])
        percent, days = tiers[int(ps["TERM_ID"])]
        trx_date = dt.date.fromisoformat(str(ps["TRX_DATE"])[:10])
        assert item["discount_date"] == trx_date + dt.timedelta(days=days)
        full = (Decimal(str(ps["AMOUNT_DUE_ORIGINAL"])) * percent / 100).quantize(
            Decimal(1).scaleb(-digits[item["currency"]]), ROUND_HALF_UP
        )
        taken = Decimal(str(ps["DISCOUNT_TAKEN_EARNED"] or 0)) + Decimal(
            str(ps["DISCOUNT_TAKEN_UNEARNED"] or 0)
        )
        assert item["discount_amount"] == max(full - taken, Decimal(0)), (item, ps)
    without = items.filter(
        pl.col("discount_amount").is_null() & (pl.col("document_type") == "invoice")
    )
    for item in without.head(10).iter_rows(named=True):
        term = schedule(admin, item["document_id"])["TERM_ID"]
        assert term is None or int(term) not in tiers


# ---------------------------------------------------------------- foreign currency (item 5)


def test_a_usd_receipt_in_an_eur_ledger_needs_a_rate_type(make: Maker, admin: httpx.Client) -> None:
    plain = make()
    t = plain.settings.transport
    item = invoices(open_items(plain, ["DE"]), "DE", 1)
    frame = on_account_only(f"PAY-USD-{t}", item, Decimal("100.00"), "USD")
    refused = plain.post_cash_applications(frame).row(0, named=True)
    assert refused["status"] == "rejected", refused
    assert "AR_RAPI_X_RATE_TYPE_NULL" in refused["message"]
    assert "exchange rate type" in refused["message"]
    spot = make(exchange_rate_type="Spot")  # a type without daily rates
    no_rate = spot.post_cash_applications(frame).row(0, named=True)
    assert no_rate["status"] == "rejected" and "AR_NO_RATE_DATA_FOUND" in no_rate["message"]
    assert table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=f"PAY-USD-{t}") == []
    corporate = make(exchange_rate_type="Corporate")
    posted = corporate.post_cash_applications(frame).row(0, named=True)
    assert posted["status"] == "posted", posted["message"]
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=posted["erp_document"])[0]
    assert (receipt["CURRENCY_CODE"], receipt["EXCHANGE_RATE_TYPE"]) == ("USD", "Corporate")
    assert Decimal(str(receipt["EXCHANGE_RATE"])) == Decimal("0.92")  # the seeded USD->EUR
    # the profile instead of the adapter's setting: EBS defaults the type
    settings(admin, rate_type_profile="Corporate")
    profiled = plain.post_cash_applications(
        frame.with_columns(application_id=pl.lit(f"PAY-USD-P-{t}"))
    ).row(0, named=True)
    assert profiled["status"] == "posted", profiled["message"]


# ---------------------------------------------------------------- ORDS time zone (item 2)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York"])
def test_ords_and_oracledb_pulls_agree_whatever_zone_ords_runs_in(
    erp: Any, admin: httpx.Client, zone: str
) -> None:
    settings(admin, ords_time_zone=zone)
    pulled = {}
    for transport in ("ords", "oracledb"):
        adapter = OracleAdapter(
            OracleSettings.from_section("ebs", section(erp, transport), {"password": "otc-mock"})
        )
        pulled[transport] = open_items(adapter, ["US", "DE"]).sort(KEY)
        adapter.close()
    assert pulled["ords"].height > 100
    assert pulled["ords"].equals(pulled["oracledb"])
    # what ORDS itself sends: a midnight DATE shifted by the zone, named in env
    item = pulled["ords"].row(0, named=True)
    answer = sql(
        erp,
        "SELECT ps.trx_date FROM ar_payment_schedules_all ps WHERE ps.customer_trx_id = :id",
        [{"name": "id", "data_type": "NUMBER", "value": int(item["document_id"])}],
    )
    sent = answer["resultSet"]["items"][0]["trx_date"]
    expected = {
        "Europe/Berlin": "T2",  # 22:00 or 23:00 the day before
        "UTC": "T00:00:00Z",
        "America/New_York": "T0",  # 04:00 or 05:00 the same day
    }[zone]
    assert expected in sent, sent
    if zone == "Europe/Berlin":
        assert sent[:10] == str(item["document_date"] - dt.timedelta(days=1))


# ---------------------------------------------------------------- --as-of (item 11)


def test_as_of_means_open_at_the_key_date_including_items_cleared_later(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make()
    t = ebs.settings.transport
    yesterday = TODAY - dt.timedelta(days=1)
    posted_before = open_items(ebs, ["US"]).filter(pl.col("posting_date") < yesterday)
    two = invoices(posted_before, "US", 2)
    first, second = two.row(0, named=True), two.row(1, named=True)
    part = Decimal("10.00")
    done = ebs.post_cash_applications(payment(f"PAY-ASOF-{t}", two, [first["amount"], part])).row(
        0, named=True
    )
    assert done["status"] == "posted", done["message"]
    today = open_items(ebs, ["US"], customers=[first["customer_id"]])
    assert first["document_id"] not in today["document_id"].to_list()  # paid today
    for customers in (None, [first["customer_id"]]):
        before = open_items(ebs, ["US"], as_of=yesterday, customers=customers)
        mine = before.filter(pl.col("document_id").is_in(two["document_id"].to_list()))
        assert mine.sort(KEY)["amount"].to_list() == [first["amount"], second["amount"]]
        assert before.filter(pl.col("posting_date") > yesterday).height == 0
    after = open_items(ebs, ["US"], as_of=TODAY, customers=[first["customer_id"]])
    assert after.filter(pl.col("document_id") == second["document_id"])["amount"][0] == (
        second["amount"] - part
    )
    assert first["document_id"] not in after["document_id"].to_list()


# ---------------------------------------------------------------- ORDS auth (item 8)


def test_ords_database_auth_allows_only_the_users_own_schema(erp: Any, admin: httpx.Client) -> None:
    from adapters.errors import ConfigError

    def ords(schema: str) -> OracleAdapter:
        return OracleAdapter(
            OracleSettings.from_section(
                "ebs", section(erp, "ords", schema=schema), {"password": "otc-mock"}
            )
        )

    own, other = ords("otc"), ords("apps")
    assert "operating units" in own.ping()
    with pytest.raises(ConfigError, match="HTTP 401"):
        other.ping()
    settings(admin, ords_auth="any")  # the old leniency, as a documented variant
    assert "operating units" in other.ping()
    own.close()
    other.close()
    default = OracleSettings.from_section("ebs", section(erp, "ords"), {"password": "otc-mock"})
    assert default.schema is None  # the transport then calls /ords/otc/: the user's own


# ---------------------------------------------------------------- doctor --deep


def findings(adapter: OracleAdapter) -> dict[str, Any]:
    return {f.check: f for f in adapter.deep_check()}


def test_doctor_deep_reads_each_setting_and_names_its_queries(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make()
    before = findings(ebs)
    assert all(f.reads for f in before.values())
    assert before["MOAC US"].verdict == "ok" and "204" in before["MOAC US"].found
    assert "(EUR)" in before["receipt method in 301"].found
    assert before["approval limits EUR"].found == "ADJ -1000 .. 1000 EUR"
    assert before["exchange rate type"].verdict == "warn"  # no profile, no setting
    assert before["unearned discounts 301"].found == "not allowed"
    assert before["GL period today 301"].verdict == "ok"
    assert before["database version"].found == "19.20.0.0.0"
    if ebs.settings.transport == "ords":
        assert before["ORDS time zone"].found == "env.defaultTimeZone = Europe/Berlin"
        # the mock user has no EXECUTE on the ORDS package, as a least-privilege user
        assert "ORA-00904" in before["ORDS version"].found
    else:
        assert "ORDS time zone" not in before
    settings(
        admin,
        unearned_discounts=True,
        approval_limits={"1318": {"EUR": ["-5", "5"]}},
        rate_type_profile="Corporate",
        ords_time_zone="UTC",
    )
    after = findings(ebs)
    assert after["unearned discounts 301"].found == "allowed"
    assert after["approval limits EUR"].found == "ADJ -5 .. 5 EUR"
    assert "approval limits USD" not in after or after["approval limits USD"].verdict == "warn"
    assert after["exchange rate type"].verdict == "ok"
    assert "Corporate" in after["exchange rate type"].found
    assert "USD 0.92" in after["today's Corporate rates into EUR"].found
    if ebs.settings.transport == "ords":
        assert after["ORDS time zone"].found == "env.defaultTimeZone = UTC"
    settings(admin, approval_limits={"1318": {}})
    assert findings(ebs)["approval limits EUR"].verdict == "warn"


def test_doctor_deep_through_the_cli(erp: Any, tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    config = tmp_path / "otc.toml"
    units = ", ".join(f'"{c}" = {o}' for c, o in {"US": 204, "DE": 301}.items())
    config.write_text(
        "[systems.ebs]\n"
        'adapter = "oracle"\ntransport = "ords"\n'
        f'url = "{erp.url}"\nuser = "otc"\npassword_env = "OTC_EBS_PASSWORD"\n'
        'companies = ["US", "DE"]\n'
        f"operating_units = {{ {units} }}\n"
        'receipt_method = "Manual Check"\napps_user_id = 1318\n'
    )
    run = subprocess.run(
        [str(Path(sys.executable).parent / "otc"), "--config", str(config), "doctor", "--deep",
         "--system", "ebs", "--format", "json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "OTC_EBS_PASSWORD": "otc-mock"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    checks = {f["check"]: f for f in json.loads(run.stdout)["findings"]}
    assert checks["MOAC DE"]["verdict"] == "ok"
    assert checks["MOAC DE"]["reads"] == ["sql/doctor_operating_unit.sql", "sql/doctor_moac.sql"]


# ---------------------------------------------------------------- TCA numbering (item 7)


@pytest.mark.parametrize("generate", [False, True])
def test_customers_are_created_whether_tca_numbers_them_or_not(
    make: Maker, admin: httpx.Client, generate: bool
) -> None:
    settings(admin, hz_generate_numbers=generate)
    ebs = make()  # reads the profiles fresh
    t = ebs.settings.transport
    template = pl.concat(list(ebs.pull_customers(["US"]))).filter(pl.col("street").is_not_null())
    key = f"TCA-{'GEN' if generate else 'OWN'}-{t}"
    new = template.head(1).with_columns(pl.lit(key).alias("customer_id"))
    result = ebs.upsert_customers(new).row(0, named=True)
    assert (result["status"], result["message"]) == ("posted", "created"), result
    party = table(admin, "HZ_PARTIES", ORIG_SYSTEM_REFERENCE=key)[0]
    account = table(admin, "HZ_CUST_ACCOUNTS", ORIG_SYSTEM_REFERENCE=key)[0]
    sites = table(admin, "HZ_CUST_ACCT_SITES_ALL", CUST_ACCOUNT_ID=account["CUST_ACCOUNT_ID"])
    use = table(admin, "HZ_CUST_SITE_USES_ALL", CUST_ACCT_SITE_ID=sites[0]["CUST_ACCT_SITE_ID"])[0]
    if generate:  # TCA's sequences
        assert party["PARTY_NUMBER"].isdigit() and use["LOCATION"] == str(use["SITE_USE_ID"])
    else:  # ours, since the profiles say N
        assert party["PARTY_NUMBER"] == key and use["LOCATION"] == f"{key}-204"


def test_a_posting_run_keeps_asking_until_the_approver_decides(
    make: Maker, erp: Any, admin: httpx.Client, tmp_path: Any
) -> None:
    """Through the job (issue 15): a W write-off is journaled awaiting_approval, not final;
    each run looks it up again (never sends it again) until the approver decides: approved
    -> posted with the adjustment; rejected -> rejected, naming the adjustment. One
    adjustment per key in EBS, whatever the number of runs."""
    import io

    from rich.console import Console

    from contracts.io import write_frame
    from jobs.journal import SqliteJournal, Status
    from jobs.post import PostJob, PostOptions
    from jobs.report import print_report, summary_text

    ebs = make()
    t = ebs.settings.transport
    a, b = invoices(open_items(ebs, ["DE"]), "DE", 2).iter_rows(named=True)
    settings(admin, approval_limits={"1318": {}, str(APPROVER): {"EUR": ["-1000", "1000"]}})
    keys = [f"WO-JOB-{t}", f"WO-JOB-NO-{t}"]
    rows = pl.concat(
        [write_off(k, item, Decimal("3.00")) for k, item in zip(keys, (a, b), strict=True)]
    )
    path = write_frame(rows, tmp_path / "wo.csv", "write_offs")
    journal = SqliteJournal(tmp_path / "journal.db")

    def run() -> Any:
        return PostJob(ebs, journal, "write_off", PostOptions(sleep=lambda _: None)).run(path)

    def entries() -> dict[str, Any]:
        return {e.key: e for e in journal.entries(ebs.name, "write_off")}

    first = run()
    assert first.counts() == {"pending_approval": 2} and first.exit_code == 0
    assert {e.status for e in entries().values()} == {Status.AWAITING}
    numbers = {k: e.erp_document for k, e in entries().items()}
    out = io.StringIO()
    print_report(Console(file=out, width=200), first)
    assert "pending_approval" in out.getvalue() and "2 pending_approval" in summary_text(first, "x")
    waiting = run()  # nobody decided: looked up, reported again, not sent
    assert waiting.counts() == {"pending_approval": 2} and waiting.exit_code == 0
    assert approver(erp, numbers[keys[0]], "A")["status"] == "S"
    assert approver(erp, numbers[keys[1]], "R")["status"] == "S"
    decided = run()
    assert entries()[keys[0]].status is Status.POSTED
    assert entries()[keys[0]].erp_document == numbers[keys[0]]
    rejected = entries()[keys[1]]
    assert rejected.status is Status.REJECTED and rejected.reached_erp
    assert numbers[keys[1]] in (rejected.message or "") and "rejected" in (rejected.message or "")
    assert decided.exit_code == 1  # a key rejected
    mine = [
        m
        for m in table(admin, "AR_ADJUSTMENTS_ALL", CREATED_FROM="OTC_ADAPTERS")
        if str(m["COMMENTS"]).split(";")[0] in {f"otc:{k}" for k in keys}
    ]
    assert sorted(m["STATUS"] for m in mine) == ["A", "R"]
