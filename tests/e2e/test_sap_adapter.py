"""The SAP adapter against the mock ERP, over SOAP (zeep + HTTP) and RFC (the mock's
pyrfc-compatible client): the same cases for both transports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import OutcomeUnknown, TransientError
from adapters.retry import transient_policy
from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from contracts.io import schema_of
from mappings.convert import alpha_in
from tests.e2e.conftest import COMPANIES, table
from tests.e2e.conftest import payment as e2e_payment

KEY = ["company", "document_id", "fiscal_year", "line"]
BLOCKED = {"1003", "1004"}  # seeded posting blocks (KNA1, KNB1)
TODAY = date.today()

Maker = Callable[..., SapAdapter]


def open_items(adapter: SapAdapter, companies: list[str] | None = None, **kw: Any) -> pl.DataFrame:
    return pl.concat(list(adapter.pull_open_items(companies or COMPANIES, **kw)))


def holds(frame: pl.DataFrame, item: pl.DataFrame) -> int:
    """How many rows of `frame` are the item (by its full key)."""
    return frame.join(item.select(KEY), on=KEY, how="semi").height


def invoices(items: pl.DataFrame, company: str, count: int, discount: bool = False) -> pl.DataFrame:
    """`count` open, undisputed invoices of one unblocked customer in `company`."""
    pool = items.filter(
        (pl.col("company") == company)
        & (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(BLOCKED))
    )
    counts = pool.group_by("customer_id").agg(
        pl.len(), pl.col("discount_amount").is_not_null().any().alias("has_discount")
    )
    counts = counts.filter(pl.col("len") >= count)
    if discount:
        counts = counts.filter(pl.col("has_discount"))
    assert counts.height, f"seed has no customer with {count} invoices in {company}"
    customer = counts.sort("customer_id")["customer_id"][0]
    mine = pool.filter(pl.col("customer_id") == customer)
    order = [pl.col("discount_amount").is_null(), *KEY] if discount else KEY
    return mine.sort(order).head(count)


payment = partial(e2e_payment, when=TODAY)


def cleared_by(admin: httpx.Client, item: dict[str, Any]) -> str | None:
    rows = table(
        admin,
        "BSAD",
        BUKRS=item["company"],
        BELNR=alpha_in(item["document_id"]),
        GJAHR=str(item["fiscal_year"]),
        BUZEI=f"{item['line']:03d}",
    )
    return rows[0]["AUGBL"] if rows else None


def test_bulk_and_bapi_pulls_agree_row_for_row(make_sap: Maker) -> None:
    bulk = open_items(make_sap())
    bapi = open_items(make_sap(open_items_strategy="bapi"))
    assert bulk.height > 100
    assert bulk.sort(KEY).equals(bapi.sort(KEY))
    assert set(bulk["currency"]) >= {"EUR", "USD", "JPY", "KWD"}


def test_payment_clears_two_invoices_with_discount(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    items = open_items(sap, ["1000"])
    two = invoices(items, "1000", 2, discount=True)
    assert two["discount_amount"][0] is not None and two["discount_amount"][0] > 0
    discount = two["discount_amount"].fill_null(Decimal(0)).to_list()
    paid = [a - d for a, d in zip(two["amount"].to_list(), discount, strict=True)]
    result = sap.post_cash_applications(payment("PAY-E2E-0001", two, paid, discounts=discount))
    row = result.row(0, named=True)
    assert row["status"] == "posted", row["message"]
    belnr = row["erp_document"][:10]
    for item in two.iter_rows(named=True):
        assert cleared_by(admin, item) == belnr
        assert not table(
            admin,
            "BSID",
            BUKRS="1000",
            BELNR=alpha_in(item["document_id"]),
            GJAHR=str(item["fiscal_year"]),
            BUZEI=f"{item['line']:03d}",
        )
    found = sap.find_posted("cash_application", ["PAY-E2E-0001", "PAY-NEVER"])
    assert found.rows() == [
        ("PAY-E2E-0001", row["erp_document"], "posted"),
        ("PAY-NEVER", None, None),
    ]
    header = table(admin, "BKPF", BUKRS="1000", BELNR=belnr)[0]
    assert header["XBLNR"] == xblnr_for("PAY-E2E-0001") and header["BKTXT"] == "otc:PAY-E2E-0001;"


def test_partial_payment_leaves_the_invoice_open(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["2000"]), "2000", 1)
    part = (item["amount"][0] / 2).quantize(Decimal("0.01"))
    result = sap.post_cash_applications(payment("PAY-PART-1", item, [part])).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    after = open_items(sap, ["2000"], customers=[item["customer_id"][0]])
    assert holds(after, item) == 1  # the invoice stays open; the payment sits beside it
    credit = table(admin, "BSID", BUKRS="2000", XBLNR=xblnr_for("PAY-PART-1"))
    assert [Decimal(c["WRBTR"]) for c in credit] == [part] and credit[0]["REBZG"] == alpha_in(
        item["document_id"][0]
    )


def test_short_payment_leaves_a_deduction_with_reason(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    short = item["amount"][0] - Decimal("10.00")
    result = sap.post_cash_applications(payment("PAY-SHORT-1", item, [short], reason="SHORT"))
    assert result["status"][0] == "posted", result["message"][0]
    assert cleared_by(admin, item.row(0, named=True)) is not None
    residual = [
        r
        for r in table(admin, "BSID", BUKRS="1000", KUNNR=alpha_in(item["customer_id"][0]))
        if r["REBZG"] == alpha_in(item["document_id"][0])
    ]
    assert len(residual) == 1 and residual[0]["RSTGR"] == "001" and residual[0]["SHKZG"] == "S"
    assert Decimal(residual[0]["WRBTR"]) == Decimal("10.00")


def test_money_left_on_account(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    result = sap.post_cash_applications(
        payment("PAY-OA-1", item, [item["amount"][0]], on_account=Decimal("25.50"))
    ).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    credit = table(admin, "BSID", BUKRS="1000", XBLNR=xblnr_for("PAY-OA-1"))
    assert [(c["SHKZG"], Decimal(c["WRBTR"])) for c in credit] == [("H", Decimal("25.50"))]
    only = payment("PAY-OA-2", item, [Decimal("99.99")]).with_columns(
        pl.lit(None, pl.String).alias("document_id"),
        pl.lit(None, pl.Int64).alias("fiscal_year"),
        pl.lit(None, pl.Int64).alias("line"),
        pl.lit(None, pl.String).alias("reason_code"),
    )
    result = sap.post_cash_applications(only).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    credit = table(admin, "BSID", BUKRS="1000", XBLNR=xblnr_for("PAY-OA-2"))
    assert [(c["SHKZG"], Decimal(c["WRBTR"])) for c in credit] == [("H", Decimal("99.99"))]
    assert (
        sap.find_posted("cash_application", ["PAY-OA-2"])["erp_document"][0]
        == result["erp_document"]
    )
    (doc,) = table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-OA-2"))  # committed
    assert result["erp_document"] == doc["BELNR"] + doc["BUKRS"] + doc["GJAHR"]


@pytest.mark.parametrize(
    ("company", "currency", "internal_factor"),
    [("3000", "JPY", Decimal("0.01")), ("4000", "KWD", Decimal(10))],
)
def test_jpy_and_kwd_amounts_are_exact(
    make_sap: Maker, admin: httpx.Client, company: str, currency: str, internal_factor: Decimal
) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, [company]), company, 1)
    assert item["currency"][0] == currency
    unit = Decimal(1) if currency == "JPY" else Decimal("0.001")
    part = item["amount"][0] - 7 * unit
    result = sap.post_cash_applications(payment(f"PAY-{currency}-1", item, [part]))
    assert result["status"][0] == "posted", result["message"][0]
    credit = table(admin, "BSID", BUKRS=company, XBLNR=xblnr_for(f"PAY-{currency}-1"))
    assert Decimal(credit[0]["WRBTR"]) == part * internal_factor  # SAP's internal format (TCURX)
    after = open_items(sap, [company], customers=[item["customer_id"][0]])
    mine = after.filter(pl.col("reference") == xblnr_for(f"PAY-{currency}-1"))
    assert mine["amount"].to_list() == [-part]


def test_pull_as_of_includes_items_cleared_after_it(make_sap: Maker) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    assert (
        sap.post_cash_applications(payment("PAY-ASOF-1", item, [item["amount"][0]]))["status"][0]
        == "posted"
    )
    assert holds(open_items(sap, ["1000"]), item) == 0
    assert holds(open_items(sap, ["1000"], as_of=TODAY - timedelta(days=1)), item) == 1


def test_write_off_full_and_partial(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    two = invoices(open_items(sap, ["1000"]), "1000", 2)
    first, second = two.row(0, named=True), two.row(1, named=True)
    frame = pl.DataFrame(
        [
            {
                "writeoff_id": "WO-E2E-1",
                "company": "1000",
                "customer_id": first["customer_id"],
                "document_id": first["document_id"],
                "fiscal_year": first["fiscal_year"],
                "line": first["line"],
                "currency": "EUR",
                "amount": first["amount"],
                "reason_code": "SMALL",
                "posting_date": TODAY,
                "memo": "full",
            },
            {
                "writeoff_id": "WO-E2E-2",
                "company": "1000",
                "customer_id": second["customer_id"],
                "document_id": second["document_id"],
                "fiscal_year": second["fiscal_year"],
                "line": second["line"],
                "currency": "EUR",
                "amount": Decimal("1.00"),
                "reason_code": "SMALL",
                "posting_date": TODAY,
                "memo": None,
            },
        ],
        schema=schema_of("write_offs"),
    )
    result = sap.post_write_offs(frame)
    assert result["status"].to_list() == ["posted", "posted"], result["message"].to_list()
    assert cleared_by(admin, first) is not None
    rest = open_items(sap, ["1000"], customers=[first["customer_id"]])
    residual = rest.filter(pl.col("reference") == xblnr_for("WO-E2E-2"))
    assert residual["amount"].to_list() == [second["amount"] - Decimal("1.00")]
    assert sap.find_posted("write_off", ["WO-E2E-1", "WO-E2E-2"])["erp_document"].null_count() == 0


def test_erp_rejections_carry_sap_messages(make_sap: Maker) -> None:
    sap = make_sap()
    items = open_items(sap, ["1000"])
    item = invoices(items, "1000", 1)
    closed = date(TODAY.year - 1, 1, 15)  # period 001 of last year is closed for customers
    result = sap.post_cash_applications(
        payment("PAY-CLOSED", item, [item["amount"][0]], when=closed)
    )
    assert result["status"][0] == "rejected" and "F5 201" in result["message"][0]
    blocked = items.filter(
        (pl.col("customer_id") == "1004") & (pl.col("company") == "1000") & (pl.col("amount") > 0)
    ).head(1)
    if blocked.height:
        result = sap.post_cash_applications(payment("PAY-BLOCKED", blocked, [blocked["amount"][0]]))
        assert result["status"][0] == "rejected" and "F5 351" in result["message"][0]
    eur = invoices(items, "1000", 1)
    wrong = payment("PAY-CUR", eur, [eur["amount"][0]]).with_columns(
        pl.lit("USD").alias("currency")
    )
    result = sap.post_cash_applications(wrong)
    assert (
        result["status"][0] == "rejected"
        and "is in currency EUR, the payment in USD" in result["message"][0]
    )


def test_transient_faults_succeed_under_the_retry_policy(
    make_sap: Maker, admin: httpx.Client
) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    frame = payment("PAY-RETRY-1", item, [item["amount"][0]])
    # call 1 is the test run (a read: the transport asks again by itself), call 2 the posting:
    # the ICM's "not started" 503 on a write is transient, and nothing was posted
    admin.post(
        "/_mock/faults",
        json={"persona": "sap", "operation": "Z_OTC_AR_CLEAR", "kind": "unavailable", "nth": 2},
    )
    with pytest.raises(TransientError):
        sap.post_payment(frame)
    assert table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-RETRY-1")) == []
    admin.post(
        "/_mock/faults",
        json={"persona": "sap", "operation": "Z_OTC_AR_CLEAR", "kind": "lock_conflict", "nth": 2},
    )
    result = transient_policy(attempts=5, sleep=lambda _: None)(sap.post_payment, frame)
    assert result["status"] == "posted", result
    assert len(table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-RETRY-1"))) == 1


def test_drop_after_commit_is_unknown_then_found(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    frame = payment("PAY-DROP-1", item, [item["amount"][0]])
    # call 1 is the test run, call 2 the posting: the ERP commits and the answer is lost
    admin.post(
        "/_mock/faults",
        json={
            "persona": "sap",
            "operation": "Z_OTC_AR_CLEAR",
            "kind": "drop_after_commit",
            "nth": 2,
        },
    )
    with pytest.raises(OutcomeUnknown):
        sap.post_payment(frame)
    found = sap.find_posted("cash_application", ["PAY-DROP-1"]).row(0, named=True)
    assert found["erp_document"] is not None
    assert cleared_by(admin, item.row(0, named=True)) == found["erp_document"][:10]


def test_customer_create_and_change(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    current = pl.concat(list(sap.pull_customers(["1000"])))
    existing = (
        current.filter(~pl.col("customer_id").is_in(list(BLOCKED))).sort("customer_id").head(1)
    )
    changed = existing.with_columns(pl.lit("Changed City").alias("city"))
    new = existing.with_columns(
        pl.lit("NEW-CUST-1").alias("customer_id"), pl.lit("Neue Kunde GmbH").alias("name")
    )
    result = sap.upsert_customers(pl.concat([changed, new]))
    rows = result.rows(named=True)
    assert rows[0]["status"] == "posted" and rows[0]["message"] == "changed: CITY", rows[0]
    assert rows[1]["status"] == "posted" and rows[1]["message"] == "created", rows[1]
    kna1 = table(admin, "KNA1", KUNNR=alpha_in(existing["customer_id"][0]))[0]
    assert kna1["ORT01"] == "Changed City"
    assert table(admin, "KNA1", KUNNR=rows[1]["erp_document"])[0]["NAME1"] == "Neue Kunde GmbH"
    assert table(admin, "CDHDR", OBJECTCLAS="DEBI", OBJECTID=alpha_in(existing["customer_id"][0]))
