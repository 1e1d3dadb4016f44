"""The EBS seed: deterministic, §2 sign and status rules, every aging bucket, customers shared with SAP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from mock_erp.oracle.seed import NEGATIVE_TARGETS, seed_oracle
from mock_erp.oracle.session import OracleSession
from mock_erp.oracle.sql import OracleSql
from mock_erp.store import Store

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def seeded() -> tuple[OracleSql, dict[str, int]]:
    store = Store()
    counts = seed_oracle(
        store, seed=42, operating_units=4, customers=60, open_items=600, today=TODAY
    )
    return OracleSql(store), counts


def q(eng: OracleSql, sql: str) -> list[tuple[Any, ...]]:
    return eng.query(sql, {}, OracleSession())[1]


def test_same_seed_same_data() -> None:
    a, b = Store(), Store()
    ca = seed_oracle(a, seed=7, customers=20, open_items=100, today=TODAY)
    cb = seed_oracle(b, seed=7, customers=20, open_items=100, today=TODAY)
    assert ca == cb
    sql = "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL ORDER BY PAYMENT_SCHEDULE_ID"
    assert a.query(sql) == b.query(sql)
    c = Store()
    seed_oracle(c, seed=8, customers=20, open_items=100, today=TODAY)
    assert c.query(sql) != a.query(sql)


def test_signs_by_class(seeded: Any) -> None:
    eng, _ = seeded
    rows = q(
        eng,
        "SELECT class, MIN(amount_due_original), MAX(amount_due_original) FROM ar_payment_schedules_all "
        "WHERE payment_schedule_id > 0 GROUP BY class",
    )
    by = {r[0]: (r[1], r[2]) for r in rows}
    assert by["INV"][0] > 0 and by["DM"][0] > 0
    assert by["CM"][1] < 0 and by["PMT"][1] < 0


def test_status_closed_exactly_at_zero_and_far_future_while_open(seeded: Any) -> None:
    eng, _ = seeded
    assert q(
        eng,
        "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE payment_schedule_id > 0 AND "
        "((status = 'CL' AND amount_due_remaining <> 0) OR (status = 'OP' AND amount_due_remaining = 0))",
    ) == [(0,)]
    assert q(
        eng,
        "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE status = 'OP' "
        "AND gl_date_closed <> TO_DATE('4712-12-31', 'YYYY-MM-DD')",
    ) == [(0,)]
    closed = q(
        eng,
        "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE status = 'CL' "
        "AND gl_date_closed < TO_DATE('4712-12-31', 'YYYY-MM-DD')",
    )[0][0]
    assert closed > 0


def test_every_aging_bucket_and_disputes(seeded: Any) -> None:
    eng, counts = seeded
    rows = q(
        eng,
        "SELECT TRUNC(SYSDATE) - due_date FROM ar_payment_schedules_all WHERE class = 'INV' AND status = 'OP'",
    )
    days = [r[0] for r in rows]
    for lo, hi in ((-10_000, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, 10_000)):
        assert any(lo <= d <= hi for d in days), (lo, hi)
    assert counts["DISPUTES"] > 0
    assert q(
        eng,
        "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE amount_in_dispute <> 0 AND dispute_date IS NULL",
    ) == [(0,)]


def test_receipt_rows_follow_spec_pattern(seeded: Any) -> None:
    eng, _ = seeded
    # unapplied receipt: PMT ADR = -amount, UNAPP RA of +amount with display N
    rows = q(
        eng,
        "SELECT cr.amount, ps.amount_due_remaining, ra.amount_applied, ra.display FROM ar_cash_receipts_all cr "
        "JOIN ar_payment_schedules_all ps ON ps.cash_receipt_id = cr.cash_receipt_id "
        "JOIN ar_receivable_applications_all ra ON ra.cash_receipt_id = cr.cash_receipt_id "
        "WHERE cr.status = 'UNAPP'",
    )
    assert rows
    for amount, adr, applied, display in rows:
        assert adr == -amount and applied == amount and display == "N"
    # applied receipts: APP rows (+X, Y) balanced by UNAPP (-X, N); unapplied sum 0
    bad = q(
        eng,
        "SELECT ra.cash_receipt_id FROM ar_receivable_applications_all ra JOIN ar_cash_receipts_all cr "
        "ON cr.cash_receipt_id = ra.cash_receipt_id WHERE cr.status = 'APP' AND ra.status = 'UNAPP' "
        "GROUP BY ra.cash_receipt_id HAVING SUM(ra.amount_applied) <> 0",
    )
    assert bad == []


def test_negative_application_targets(seeded: Any) -> None:
    eng, _ = seeded
    rows = q(
        eng,
        "SELECT payment_schedule_id, trx_number FROM ar_payment_schedules_all WHERE payment_schedule_id < 0 "
        "ORDER BY payment_schedule_id DESC",
    )
    assert rows == [(i, n) for i, n in NEGATIVE_TARGETS]
    assert (-3, "Receipt Write-off") in rows


def test_currency_precision_respected(seeded: Any) -> None:
    eng, _ = seeded
    rows = q(
        eng,
        "SELECT ps.amount_due_original, c.precision FROM ar_payment_schedules_all ps "
        "JOIN fnd_currencies c ON c.currency_code = ps.invoice_currency_code",
    )
    assert {r[1] for r in rows} >= {0, 2, 3}  # JPY, USD/EUR, KWD operating units
    for amount, precision in rows:
        assert amount == round(amount, precision)


def test_customers_shared_with_sap_by_tax_id() -> None:
    from stdnum.de import vat as de_vat
    from stdnum.us import ein as us_ein

    from mock_erp.sap.seed import seed_sap

    store = Store()
    seed_sap(store, seed=42, companies=4, customers=60, open_items=10, today=TODAY)
    seed_oracle(store, seed=42, customers=60, open_items=10, today=TODAY)
    sap = {
        r[0] or r[1]: r[2]
        for r in store.query(
            "SELECT STCEG, STCD1, NAME1 FROM KNA1 WHERE STCEG <> '' OR STCD1 <> ''"
        )
    }
    ebs = store.query(
        "SELECT TAX_REFERENCE, PARTY_NAME, COUNTRY FROM HZ_PARTIES WHERE TAX_REFERENCE IS NOT NULL"
    )
    shared = [(tax, name) for tax, name, _ in ebs if tax in sap]
    assert len(shared) >= 5
    assert all(sap[tax] == name for tax, name in shared)
    for tax, _name, country in ebs:
        if country == "DE":
            assert de_vat.is_valid(tax)
        elif country == "US":
            assert us_ein.is_valid(tax)


def test_setup_rows_for_apps_context(seeded: Any) -> None:
    eng, _ = seeded
    assert q(eng, "SELECT user_id FROM fnd_user WHERE user_name = 'SYSADMIN'") == [(0,)]
    assert q(
        eng,
        "SELECT responsibility_id, application_id FROM fnd_responsibility_vl "
        "WHERE responsibility_key = 'RECEIVABLES_MANAGER'",
    ) == [(20678, 222)]
    assert q(eng, "SELECT COUNT(*) FROM per_organization_list") == [(4,)]
    statuses = {
        r[0]
        for r in q(eng, "SELECT closing_status FROM gl_period_statuses WHERE application_id = 222")
    }
    assert statuses == {"O", "F", "C", "N"}
    assert q(eng, "SELECT COUNT(*) FROM ar_receivables_trx_all WHERE type = 'WRITEOFF'") == [(4,)]
    (limit,) = q(
        eng,
        "SELECT amount_to FROM ar_approval_user_limits WHERE user_id = 1318 AND currency_code = 'KWD' "
        "AND document_type = 'ADJ'",
    )
    assert limit == (Decimal("1000"),)
