"""The Oracle EBS adapter against the mock ERP over ORDS REST-Enabled SQL (httpx on
127.0.0.1) and over the oracledb transport (the mock's oracledb-compatible connection): the
same cases for both transports. Plus the error classification with oracledb's real classes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import oracledb
import polars as pl
import pytest
from oracledb import errors as ora_errors

from adapters.errors import ErpRejected, OutcomeUnknown, TransientError, TransportError
from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.errors import api_outcome, classify, oracledb_error
from adapters.oracle.keys import receipt_number_for
from adapters.oracle.settings import OracleSettings
from adapters.retry import transient_policy
from contracts.io import schema_of
from tests.e2e.conftest import payment as e2e_payment

TODAY = dt.date(2026, 11, 28)
COMPANIES = ["US", "DE", "JP", "KW"]
UNITS = {"US": 204, "DE": 301, "JP": 401, "KW": 501}
KEY = ["company", "document_id", "fiscal_year", "line"]
Maker = Callable[..., OracleAdapter]


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    """The whole mock ERP app (both personas), as users get it, on 127.0.0.1."""
    from mock_erp.server import start

    server = start(companies=4, customers=80, open_items=700, today=TODAY, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(erp: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp.url, timeout=60) as client:
        yield client
        client.delete("/_mock/faults")


def section(erp: Any, transport: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "transport": transport,
        "user": "otc",
        "companies": COMPANIES,
        "operating_units": UNITS,
        "receipt_method": "Manual Check",
        "apps_user_id": 1318,
        "page_size": 37,  # small pages: keyset paging is exercised
        **extra,
    }
    if transport == "ords":
        out["url"] = erp.url
    else:
        out.update(
            connection_factory="mock_erp.clients.oracle:connect",
            connect_args={"mock_url": erp.url},
            arraysize=16,
        )
    return out


@pytest.fixture(params=["ords", "oracledb"])
def make(request: pytest.FixtureRequest, erp: Any, admin: httpx.Client) -> Iterator[Maker]:
    made: list[OracleAdapter] = []

    def build(**extra: Any) -> OracleAdapter:
        settings = OracleSettings.from_section(
            "ebs", section(erp, request.param, **extra), {"password": "otc-mock"}
        )
        adapter = OracleAdapter(settings)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()


def table(admin: httpx.Client, name: str, **filters: Any) -> list[dict[str, Any]]:
    answer = admin.get(
        f"/_mock/tables/{name}", params={**{k: str(v) for k, v in filters.items()}, "limit": 1000}
    )
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def open_items(adapter: OracleAdapter, companies: list[str], **kw: Any) -> pl.DataFrame:
    return pl.concat(list(adapter.pull_open_items(companies, **kw)))


_used: set[str] = set()


def invoices(items: pl.DataFrame, company: str, count: int, used: set[str] = _used) -> pl.DataFrame:
    """`count` open, undisputed invoices of one customer no other test used yet (`used`: the
    customers taken so far, one set per mock)."""
    pool = items.filter(
        (pl.col("company") == company)
        & (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 100)
        & (pl.col("disputed_amount") == 0)
        & ~pl.col("customer_id").is_in(list(used))
    )
    counts = pool.group_by("customer_id").len().filter(pl.col("len") >= count)
    assert counts.height, f"seed has no fresh customer with {count} invoices in {company}"
    customer = counts.sort("customer_id")["customer_id"][0]
    used.add(customer)
    return pool.filter(pl.col("customer_id") == customer).sort(KEY).head(count)


payment = partial(e2e_payment, when=TODAY)


def schedule(admin: httpx.Client, trx_id: str) -> dict[str, Any]:
    return table(admin, "AR_PAYMENT_SCHEDULES_ALL", CUSTOMER_TRX_ID=trx_id)[0]


# ---------------------------------------------------------------- pulls


def test_pulls_agree_row_for_row_over_both_transports(erp: Any, admin: httpx.Client) -> None:
    frames = {}
    for transport in ("ords", "oracledb"):
        adapter = OracleAdapter(
            OracleSettings.from_section("ebs", section(erp, transport), {"password": "otc-mock"})
        )
        items = open_items(adapter, COMPANIES)
        customers = pl.concat(list(adapter.pull_customers(COMPANIES)))
        frames[transport] = (items.sort(KEY), customers.sort("customer_id"))
        adapter.close()
    (ords_items, ords_customers), (db_items, db_customers) = frames["ords"], frames["oracledb"]
    assert ords_items.height > 300 and ords_items.equals(db_items)
    assert ords_customers.height >= 30 and ords_customers.equals(db_customers)
    assert set(ords_items["currency"]) == {"USD", "EUR", "JPY", "KWD"}
    assert set(ords_items["company"]) == set(COMPANIES)
    assert ords_items.schema["amount"] == pl.Decimal(38, 4)
    assert {"invoice", "credit_memo", "payment"} <= set(ords_items["document_type"])
    assert ords_items.filter(pl.col("disputed_amount") > 0).height > 0  # disputes pulled
    # exact money: the pulled amounts are the stored text, digit for digit
    sample = ords_items.filter(pl.col("document_type") == "invoice").row(0, named=True)
    stored = schedule(admin, sample["document_id"])
    assert Decimal(str(stored["AMOUNT_DUE_REMAINING"])) == sample["amount"]


def test_pull_one_customer_and_as_of(make: Maker) -> None:
    ebs = make()
    items = open_items(ebs, ["US"])
    customer = items["customer_id"][0]
    mine = open_items(ebs, ["US"], customers=[customer])
    assert mine.sort(KEY).equals(items.filter(pl.col("customer_id") == customer).sort(KEY))
    old = open_items(ebs, ["US"], as_of=TODAY - dt.timedelta(days=400))
    assert 0 < old.height < items.height


# ---------------------------------------------------------------- cash applications


def discount_terms(erp: Any, trx_id: str, trx_date: dt.date) -> Decimal:
    """Give a seeded invoice the mock's 2/10 NET 30 terms (term 1001) and a transaction date;
    returns the 2 % discount it then earns. Done in SQL over ORDS, as a clerk's change."""
    when = trx_date.isoformat()
    for statement in (
        "UPDATE ra_customer_trx_all SET term_id = 1001, trx_date = TO_DATE(:d, 'YYYY-MM-DD') "
        "WHERE customer_trx_id = :id",
        "UPDATE ar_payment_schedules_all SET term_id = 1001, trx_date = TO_DATE(:d, "
        "'YYYY-MM-DD'), discount_original = ROUND(amount_due_original * 2 / 100, 2), "
        "discount_remaining = ROUND(amount_due_original * 2 / 100, 2) WHERE customer_trx_id = :id",
    ):
        answer = httpx.post(
            f"{erp.url}/ords/otc/_/sql",
            json={
                "statementText": statement,
                "binds": [
                    {"name": "d", "data_type": "VARCHAR2", "value": when},
                    {"name": "id", "data_type": "NUMBER", "value": int(trx_id)},
                ],
            },
            auth=("OTC", "otc-mock"),
            timeout=30,
        )
        answer.raise_for_status()
        assert "errorCode" not in answer.json()["items"][0], answer.text
    rows = httpx.get(
        f"{erp.url}/_mock/tables/AR_PAYMENT_SCHEDULES_ALL", params={"CUSTOMER_TRX_ID": trx_id}
    ).json()["rows"]
    return Decimal(str(rows[0]["DISCOUNT_ORIGINAL"]))


def test_receipt_applied_to_two_invoices_with_discount(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    ebs = make()
    two = invoices(open_items(ebs, ["US"]), "US", 2)
    # EBS grants only the discount the terms allow by the apply date (AR_RW_VAL_DISCOUNT):
    # the first invoice gets 2/10 NET 30 terms, dated two days ago
    earned = discount_terms(erp, two["document_id"][0], TODAY - dt.timedelta(days=2))
    discounts = [min(Decimal("12.34"), earned), Decimal("0.00")]
    paid = [a - d for a, d in zip(two["amount"].to_list(), discounts, strict=True)]
    key = f"PAY-DISC-{ebs.settings.transport}"
    result = ebs.post_cash_applications(payment(key, two, paid, discounts=discounts))
    row = result.row(0, named=True)
    assert row["status"] == "posted", row["message"]
    for trx in two["document_id"]:
        ps = schedule(admin, trx)
        assert ps["STATUS"] == "CL" and Decimal(str(ps["AMOUNT_DUE_REMAINING"])) == 0
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=row["erp_document"])[0]
    assert receipt["RECEIPT_NUMBER"] == key and receipt["STATUS"] == "APP"
    assert receipt["COMMENTS"] == f"otc:{key};"
    apps = table(
        admin, "AR_RECEIVABLE_APPLICATIONS_ALL", CASH_RECEIPT_ID=row["erp_document"], STATUS="APP"
    )
    assert sorted(Decimal(str(a["AMOUNT_APPLIED"])) for a in apps) == sorted(paid)
    found = ebs.find_posted("cash_application", [key, "PAY-NEVER"])
    assert found.rows() == [(key, row["erp_document"], "posted"), ("PAY-NEVER", None, None)]
    # posting the same key again finds the receipt (our own check), posts nothing new
    again = ebs.post_payment(payment(key, two, paid, discounts=discounts))
    assert again["status"] == "posted", again
    assert again["erp_document"] == row["erp_document"]
    assert "already posted" in again["message"]
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1


def test_partial_and_short_payments_leave_the_rest_open(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    two = invoices(open_items(ebs, ["DE"]), "DE", 2)
    part = (two["amount"][0] / 2).quantize(Decimal("0.01"))
    short = two["amount"][1] - Decimal("10.00")
    suffix = ebs.settings.transport
    partial = ebs.post_cash_applications(payment(f"PAY-PART-{suffix}", two.head(1), [part]))
    assert partial["status"][0] == "posted", partial["message"][0]
    shorted = ebs.post_cash_applications(
        payment(f"PAY-SHORT-{suffix}", two.tail(1), [short], reason="SHORT")
    )
    assert shorted["status"][0] == "posted", shorted["message"][0]
    first, second = schedule(admin, two["document_id"][0]), schedule(admin, two["document_id"][1])
    assert first["STATUS"] == "OP"
    assert Decimal(str(first["AMOUNT_DUE_REMAINING"])) == two["amount"][0] - part
    assert Decimal(str(second["AMOUNT_DUE_REMAINING"])) == Decimal("10.00")
    app = table(
        admin,
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        CASH_RECEIPT_ID=shorted["erp_document"][0],
        STATUS="APP",
    )[0]
    assert app["COMMENTS"] == f"otc:PAY-SHORT-{suffix}; short:SHORT"
    after = open_items(ebs, ["DE"], customers=[two["customer_id"][0]])
    assert after.filter(pl.col("document_id") == two["document_id"][0])["amount"].to_list() == [
        two["amount"][0] - part
    ]


def test_money_on_account_and_receipt_write_off(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    suffix = ebs.settings.transport
    result = ebs.post_payment(
        payment(f"PAY-OA-{suffix}", item, [item["amount"][0]], on_account=Decimal("25.50"))
    )
    assert result["status"] == "posted" and "25.50 left unapplied" in result["message"]
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=result["erp_document"])[0]
    assert receipt["STATUS"] == "UNAPP"
    pmt = table(admin, "AR_PAYMENT_SCHEDULES_ALL", CASH_RECEIPT_ID=result["erp_document"])[0]
    assert Decimal(str(pmt["AMOUNT_DUE_REMAINING"])) == Decimal("-25.50")
    # a small remainder with a write-off reason goes to the WRITEOFF activity (PS -3)
    item2 = invoices(open_items(ebs, ["US"]), "US", 1)
    wo = ebs.post_payment(
        payment(
            f"PAY-RWO-{suffix}",
            item2,
            [item2["amount"][0]],
            on_account=Decimal("3.21"),
            on_account_reason="SMALL",
        )
    )
    assert wo["status"] == "posted", wo["message"]
    activity = table(
        admin,
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        CASH_RECEIPT_ID=wo["erp_document"],
        STATUS="ACTIVITY",
    )
    assert [
        (a["APPLIED_PAYMENT_SCHEDULE_ID"], Decimal(str(a["AMOUNT_APPLIED"]))) for a in activity
    ] == [(-3, Decimal("3.21"))]
    assert (
        table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=wo["erp_document"])[0]["STATUS"]
        == "APP"
    )


@pytest.mark.parametrize(("company", "unit"), [("JP", Decimal(1)), ("KW", Decimal("0.001"))])
def test_jpy_and_kwd_amounts_are_exact(
    make: Maker, admin: httpx.Client, company: str, unit: Decimal
) -> None:
    ebs = make()
    item = invoices(open_items(ebs, [company]), company, 1)
    assert item["currency"][0] == {"JP": "JPY", "KW": "KWD"}[company]
    part = item["amount"][0] - 7 * unit
    key = f"PAY-{company}-{ebs.settings.transport}"
    result = ebs.post_payment(payment(key, item, [part]))
    assert result["status"] == "posted", result["message"]
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)[0]
    assert Decimal(str(receipt["AMOUNT"])) == part
    left = open_items(ebs, [company], customers=[item["customer_id"][0]])
    assert left.filter(pl.col("document_id") == item["document_id"][0])["amount"].to_list() == [
        7 * unit
    ]


# ---------------------------------------------------------------- write-offs


def test_adjustment_write_offs_full_and_partial(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    two = invoices(open_items(ebs, ["DE"]), "DE", 2)
    suffix = ebs.settings.transport
    rows = [
        {
            "writeoff_id": f"WO-{suffix}-{i}",
            "company": "DE",
            "customer_id": r["customer_id"],
            "document_id": r["document_id"],
            "fiscal_year": r["fiscal_year"],
            "line": r["line"],
            "currency": r["currency"],
            "amount": amount,
            "reason_code": "SMALL",
            "posting_date": TODAY,
            "memo": "e2e",
        }
        for i, (r, amount) in enumerate(
            zip(two.iter_rows(named=True), [Decimal("999.00"), Decimal("1.00")], strict=True), 1
        )
    ]
    rows[0]["amount"] = min(two["amount"][0], Decimal("999.00"))  # within the ADJ limit
    frame = pl.DataFrame(rows, schema=schema_of("write_offs"))
    result = ebs.post_write_offs(frame)
    assert result["status"].to_list() == ["posted", "posted"], result["message"].to_list()
    adjustments = table(admin, "AR_ADJUSTMENTS_ALL", CREATED_FROM="OTC_ADAPTERS")
    mine = [a for a in adjustments if str(a["COMMENTS"]).startswith(f"otc:WO-{suffix}-")]
    assert {a["REASON_CODE"] for a in mine} == {"SMALL AMT REMAINING"}
    assert {Decimal(str(a["AMOUNT"])) for a in mine} == {-rows[0]["amount"], Decimal("-1.00")}
    second = schedule(admin, two["document_id"][1])
    assert Decimal(str(second["AMOUNT_DUE_REMAINING"])) == two["amount"][1] - Decimal("1.00")
    found = ebs.find_posted("write_off", [f"WO-{suffix}-1", f"WO-{suffix}-2", "WO-NEVER"])
    assert found["erp_document"].null_count() == 1
    assert found["state"].to_list() == ["posted", "posted", None]


# ---------------------------------------------------------------- customers


def test_customer_create_change_and_quotes(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    current = pl.concat(list(ebs.pull_customers(["US"])))
    existing = current.filter(pl.col("street").is_not_null()).head(1)
    suffix = ebs.settings.transport
    changed = existing.with_columns(pl.lit(f"City {suffix}").alias("city"))
    nasty = "O'Brien'); DROP TABLE hz_parties; --"
    new = existing.with_columns(
        pl.lit(f"NEW-{suffix}").alias("customer_id"),
        pl.lit(nasty).alias("name"),
        pl.lit(None, pl.String).alias("tax_id"),
    )
    result = ebs.upsert_customers(pl.concat([changed, new]))
    first, second = result.rows(named=True)
    assert first["status"] == "posted" and first["message"] == "changed: city", first
    assert second["status"] == "posted", second["message"]
    assert second["message"] == "created"
    party = table(admin, "HZ_PARTIES", ORIG_SYSTEM_REFERENCE=f"NEW-{suffix}")
    assert [p["PARTY_NAME"] for p in party] == [nasty]
    assert table(admin, "HZ_PARTIES", PARTY_ID=1000)  # the table is still there
    again = pl.concat(list(ebs.pull_customers(["US"])))
    assert (
        again.filter(pl.col("customer_id") == existing["customer_id"][0])["city"][0]
        == f"City {suffix}"
    )
    assert again.filter(pl.col("customer_id") == second["erp_document"])["name"][0] == nasty
    found = ebs.find_posted("customer", [f"NEW-{suffix}"])
    assert found.rows() == [(f"NEW-{suffix}", second["erp_document"], "posted")]


# ---------------------------------------------------------------- errors


def test_rejections_carry_the_ebs_message(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    items = open_items(ebs, ["US"])
    item = invoices(items, "US", 1)
    frame = payment(f"PAY-OLD-{ebs.settings.transport}", item, [item["amount"][0]]).with_columns(
        pl.lit(dt.date(2020, 1, 15)).alias("payment_date")  # a closed period
    )
    result = ebs.post_payment(frame)
    assert result["status"] == "rejected" and "AR_INVALID_APP_GL_DATE" in result["message"]
    assert not table(
        admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=f"PAY-OLD-{ebs.settings.transport}"
    )
    wrong = payment(f"PAY-CUR-{ebs.settings.transport}", item, [item["amount"][0]]).with_columns(
        pl.lit("EUR").alias("currency")
    )
    result = ebs.post_payment(wrong)
    assert (
        result["status"] == "rejected"
        and "is in currency USD, the payment in EUR" in result["message"]
    )


def test_transient_faults_succeed_under_the_retry_policy(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    key = f"PAY-RETRY-{ebs.settings.transport}"
    frame = payment(key, item, [item["amount"][0]])
    fault = {"persona": "oracle", "operation": "AR_RECEIPT_API_PUB.CREATE_CASH"}
    admin.post("/_mock/faults", json={**fault, "kind": "deadlock", "nth": 1})
    with pytest.raises(TransientError):
        ebs.post_payment(frame)
    for kind in ("deadlock", "package_state_lost", "lock_conflict"):
        admin.post("/_mock/faults", json={**fault, "kind": kind, "nth": 1})
    result = transient_policy(attempts=5, sleep=lambda _: None)(ebs.post_payment, frame)
    assert result["status"] == "posted", result
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)) == 1


def test_drop_after_commit_is_unknown_then_found(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    key = f"PAY-DROP-{ebs.settings.transport}"
    admin.post(
        "/_mock/faults",
        json={"persona": "oracle", "operation": "AR_RECEIPT_API_PUB.CREATE_CASH",
              "kind": "drop_after_commit", "nth": 1},
    )  # fmt: skip
    with pytest.raises(OutcomeUnknown):
        ebs.post_payment(payment(key, item, [item["amount"][0]]))
    found = ebs.find_posted("cash_application", [key]).row(0, named=True)
    assert found["erp_document"] is not None
    assert schedule(admin, item["document_id"][0])["STATUS"] == "CL"


def test_dry_run_rolls_back(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    item = invoices(open_items(ebs, ["US"]), "US", 1)
    key = f"PAY-DRY-{ebs.settings.transport}"
    result = ebs.post_payment(payment(key, item, [item["amount"][0]]), dry_run=True)
    assert result["status"] == "posted" and result["erp_document"] == "DRY-RUN"
    assert not table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)
    assert schedule(admin, item["document_id"][0])["STATUS"] == "OP"


# ---------------------------------------------------------------- classification (unit)


def _ora(code: int, text: str) -> Exception:
    err = ora_errors._Error(f"ORA-{code:05d}: {text}", code=code)
    exc: Exception = err.exc_type(err)
    return exc


def _dpy(num: int, **args: Any) -> Exception:
    exc: Exception = ora_errors._create_exception(num, **args)  # type: ignore[arg-type]
    return exc


@pytest.mark.parametrize(
    ("exc", "writes", "expected"),
    [
        (_dpy(ora_errors.ERR_CONNECTION_FAILED, cause=OSError("refused"), connection_id="x"),
         True, TransientError),
        (_dpy(ora_errors.ERR_CONNECTION_CLOSED), False, TransientError),
        (_dpy(ora_errors.ERR_CONNECTION_CLOSED), True, OutcomeUnknown),
        (_dpy(ora_errors.ERR_CALL_TIMEOUT_EXCEEDED, timeout=5), True, OutcomeUnknown),
        (_dpy(ora_errors.ERR_CALL_TIMEOUT_EXCEEDED, timeout=5), False, TransientError),
        (_ora(60, "deadlock detected"), True, TransientError),
        (_ora(54, "resource busy"), True, TransientError),
        (_ora(4068, "existing state of packages has been discarded"), True, TransientError),
        (_ora(3113, "end-of-file on communication channel"), True, OutcomeUnknown),
        (_ora(3113, "end-of-file on communication channel"), False, TransientError),
        (_ora(20001, "customer on credit hold"), True, ErpRejected),
        (_ora(942, "table or view does not exist"), False, TransportError),
    ],
)  # fmt: skip
def test_classification_by_full_code(exc: Exception, writes: bool, expected: type) -> None:
    assert isinstance(exc, oracledb.Error)
    mapped = oracledb_error("ebs", exc, writes=writes)
    assert type(mapped) is expected, mapped
    if expected is TransportError:
        assert "docs/oracle-setup.md" in str(mapped)


def test_refused_connection_is_not_recoverable_yet_transient() -> None:
    exc = _dpy(ora_errors.ERR_CONNECTION_FAILED, cause=OSError("refused"), connection_id="x")
    assert exc.args[0].full_code == "DPY-6005" and not exc.args[0].isrecoverable
    assert isinstance(oracledb_error("ebs", exc, writes=True), TransientError)


def test_api_statuses() -> None:
    ok = api_outcome("ebs", "k", {"status": "S", "messages": None})
    assert ok == []
    msg = "AR|AR_RW_APP_NEG_UNAPP\x1fThe amount exceeds the unapplied amount\x1e"
    with pytest.raises(ErpRejected) as info:
        api_outcome("ebs", "k", {"status": "E", "messages": msg})
    assert info.value.code == "AR_RW_APP_NEG_UNAPP" and "unapplied amount" in info.value.text
    with pytest.raises(TransientError):
        api_outcome("ebs", "k", {"status": "U", "error": "ORA-00060: deadlock detected"})
    with pytest.raises(ErpRejected):
        api_outcome("ebs", "k", {"status": "U", "error": "ORA-01476: divisor is equal to zero"})
    assert isinstance(classify("ebs", "ORA-00001", "unique", writes=True), TransportError)


def test_receipt_numbers_fit_thirty_characters() -> None:
    assert receipt_number_for("PAY-1") == "PAY-1"
    long = receipt_number_for("A" * 31)
    assert len(long) == 30 and long == receipt_number_for("A" * 31) and long.startswith("OTC")


def test_dropped_connection_on_a_read_is_transient_and_retried(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make()
    fault = {"persona": "oracle", "operation": "query", "kind": "drop_before"}
    admin.post("/_mock/faults", json={**fault, "nth": 1})
    # every read retries in the transport (issue 13): the caller sees no error at all
    rows = pl.concat(list(ebs.pull_open_items(["US"])))
    assert rows.height > 0 and set(rows["company"]) == {"US"}
    assert [f["kind"] for f in admin.get("/_mock/faults").json()["fired"]] == ["drop_before"]
