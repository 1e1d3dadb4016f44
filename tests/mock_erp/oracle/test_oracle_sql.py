"""The Oracle SQL engine: each construct against the answer Oracle gives (hand-computed rows).

A hand-made data set (not the seed) so every expected row is computed by reading the test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.sql import OracleSql
from mock_erp.store import Store

NOW = dt.datetime(2026, 11, 28, 15, 30, 45)
PS = (
    "INSERT INTO AR_PAYMENT_SCHEDULES_ALL (PAYMENT_SCHEDULE_ID, CUSTOMER_ID, CLASS, STATUS, "
    "AMOUNT_DUE_REMAINING, DUE_DATE, TRX_NUMBER, ORG_ID, INVOICE_CURRENCY_CODE) VALUES (?,?,?,?,?,?,?,?,?)"
)
ROWS = [
    (1, 10, "INV", "OP", "10", "2026-11-01 00:00:00", "T1", 204, "USD"),
    (2, 10, "INV", "OP", "9", "2026-12-15 00:00:00", "T2", 204, "USD"),
    (3, 20, "CM", "OP", "-0.1", "2026-10-31 13:45:00", "T3", 301, "EUR"),
    (4, 20, "INV", "CL", "0", "2026-09-30 00:00:00", None, 301, "EUR"),
    (5, 30, "INV", "OP", "0.2", None, "T5", 204, "USD"),
]


@pytest.fixture
def eng() -> Any:
    store = Store()
    engine = OracleSql(store, clock=lambda: NOW)
    store.executemany(PS, ROWS)
    store.executemany(
        "INSERT INTO HZ_CUST_ACCOUNTS (CUST_ACCOUNT_ID, PARTY_ID, ACCOUNT_NUMBER) VALUES (?,?,?)",
        [(10, 100, "A10"), (20, 200, "A20")],
    )
    store.executemany(
        "INSERT INTO HZ_PARTIES (PARTY_ID, PARTY_NAME, TAX_REFERENCE) VALUES (?,?,?)",
        [(100, "Acme", "12-3456789"), (200, "Müller GmbH", "DE123456788")],
    )
    return engine


def q(
    eng: Any, sql: str, binds: Any = None, session: OracleSession | None = None
) -> list[tuple[Any, ...]]:
    return eng.query(sql, binds or {}, session or OracleSession())[1]


def err(eng: Any, sql: str, binds: Any = None) -> OraError:
    with pytest.raises(OraError) as info:
        head = sql.split(None, 1)[0].upper()
        if head in ("INSERT", "UPDATE", "DELETE"):
            eng.execute(sql, binds or {}, OracleSession())
        else:
            eng.query(sql, binds or {}, OracleSession())
    return info.value


# ---- SELECT constructs --------------------------------------------------------------------------
def test_inner_and_left_join_with_named_binds(eng: Any) -> None:
    rows = q(
        eng,
        "SELECT ps.payment_schedule_id, p.party_name FROM ar_payment_schedules_all ps "
        "JOIN hz_cust_accounts ca ON ca.cust_account_id = ps.customer_id "
        "JOIN hz_parties p ON p.party_id = ca.party_id WHERE ps.org_id = :org ORDER BY 1",
        {"org": 204},
    )
    assert rows == [(1, "Acme"), (2, "Acme")]
    rows = q(
        eng,
        "SELECT ps.payment_schedule_id, ca.account_number FROM ar_payment_schedules_all ps "
        "LEFT JOIN hz_cust_accounts ca ON ca.cust_account_id = ps.customer_id "
        "WHERE ps.customer_id = 30",
    )
    assert rows == [(5, None)]


def test_positional_binds(eng: Any) -> None:
    assert q(
        eng,
        "SELECT trx_number FROM ar_payment_schedules_all WHERE org_id = :1 AND class = :2 "
        "ORDER BY trx_number",
        [301, "CM"],
    ) == [("T3",)]


def test_nvl_decode_and_empty_string_is_null(eng: Any) -> None:
    rows = q(
        eng,
        "SELECT payment_schedule_id, NVL(trx_number, 'none'), DECODE(class, 'INV', 'I', 'CM', 'C', 'X'), "
        "DECODE(trx_number, NULL, 'null!', 'set') FROM ar_payment_schedules_all ORDER BY 1",
    )
    assert rows[3] == (4, "none", "I", "null!")
    assert rows[2] == (3, "T3", "C", "set")
    assert q(eng, "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE trx_number = ''") == [(0,)]


def test_trunc_to_date_to_char_sysdate(eng: Any) -> None:
    (row,) = q(
        eng,
        "SELECT TRUNC(due_date), TRUNC(due_date, 'MM'), TO_CHAR(due_date, 'DD-MON-YYYY HH24:MI'), "
        "TRUNC(SYSDATE), SYSDATE, TO_DATE('2026-01-31', 'YYYY-MM-DD') + 1 "
        "FROM ar_payment_schedules_all WHERE payment_schedule_id = 3",
    )
    assert row == (
        dt.datetime(2026, 10, 31),
        dt.datetime(2026, 10, 1),
        "31-OCT-2026 13:45",
        dt.datetime(2026, 11, 28),
        NOW,
        dt.datetime(2026, 2, 1),
    )
    assert q(
        eng,
        "SELECT payment_schedule_id FROM ar_payment_schedules_all "
        "WHERE due_date < TO_DATE(:d, 'YYYY-MM-DD') ORDER BY 1",
        {"d": "2026-11-01"},
    ) == [(3,), (4,)]


def test_number_functions_and_to_char_of_numbers(eng: Any) -> None:
    (row,) = q(
        eng,
        "SELECT TRUNC(12.789, 1), ROUND(2.5), ROUND(-2.5), MOD(7, 3), TO_CHAR(0.5), TO_CHAR(-0.5), "
        "TO_CHAR(1234.5, 'FM999,990.00'), 7 / 2, ABS(-3) FROM dual",
    )
    assert row == (
        Decimal("12.7"),
        Decimal("3"),
        Decimal("-3"),
        Decimal("1"),
        ".5",
        "-.5",
        "1,234.50",
        Decimal("3.5"),
        3,
    )


def test_fetch_first_and_offset(eng: Any) -> None:
    sql = "SELECT payment_schedule_id FROM ar_payment_schedules_all ORDER BY payment_schedule_id"
    assert q(eng, sql + " FETCH FIRST 2 ROWS ONLY") == [(1,), (2,)]
    assert q(eng, sql + " OFFSET 3 ROWS FETCH NEXT 5 ROWS ONLY") == [(4,), (5,)]


def test_rownum(eng: Any) -> None:
    base = "SELECT payment_schedule_id FROM ar_payment_schedules_all"
    assert len(q(eng, base + " WHERE ROWNUM <= 3")) == 3
    assert len(q(eng, base + " WHERE ROWNUM < 3 AND org_id = 204")) == 2
    assert len(q(eng, base + " WHERE ROWNUM = 1")) == 1
    assert (
        q(eng, base + " WHERE ROWNUM > 1") == []
    )  # Oracle: the first row fails, so every row does
    assert q(eng, base + " WHERE ROWNUM = 2") == []
    assert len(q(eng, base + " WHERE ROWNUM <= :n", {"n": 2})) == 2
    assert q(
        eng,
        "SELECT ROWNUM, payment_schedule_id FROM (" + base + " ORDER BY 1 DESC) WHERE ROWNUM <= 2",
    ) == [(1, 5), (2, 4)]
    assert (
        err(eng, base + " WHERE ROWNUM <= 2 ORDER BY 1").code == 900
    )  # numbered before sorting: refused


def test_dual_and_sequences(eng: Any) -> None:
    assert q(eng, "SELECT 'x' FROM dual") == [("x",)]
    first = q(eng, "SELECT ar_cash_receipts_s.NEXTVAL FROM dual")[0][0]
    session = OracleSession()
    second = q(eng, "SELECT ar_cash_receipts_s.NEXTVAL FROM dual", session=session)[0][0]
    assert second == first + 1
    assert q(eng, "SELECT ar_cash_receipts_s.CURRVAL FROM dual", session=session) == [(second,)]
    assert eng.next_id("AR_CASH_RECEIPTS_S") == second + 1
    assert (
        err(eng, "SELECT ar_cash_receipts_s.CURRVAL FROM dual").code == 8002
    )  # not yet in this session
    assert err(eng, "SELECT nope_s.NEXTVAL FROM dual").code == 2289


def test_money_is_exact_in_sum_arithmetic_and_comparisons(eng: Any) -> None:
    # 0.2 + (-0.1) + 10 + 9 + 0: exact, not 19.099999999999998
    assert q(eng, "SELECT SUM(amount_due_remaining) FROM ar_payment_schedules_all") == [
        (Decimal("19.1"),)
    ]
    assert q(
        eng,
        "SELECT amount_due_remaining + 0.1 FROM ar_payment_schedules_all WHERE payment_schedule_id = 5",
    ) == [(Decimal("0.3"),)]
    # numeric, not text comparison: '10' > '9' although '10' < '9' as text
    assert q(
        eng,
        "SELECT payment_schedule_id FROM ar_payment_schedules_all WHERE amount_due_remaining > 9",
    ) == [(1,)]
    assert q(
        eng,
        "SELECT payment_schedule_id FROM ar_payment_schedules_all ORDER BY amount_due_remaining DESC",
    ) == [(1,), (2,), (5,), (4,), (3,)]
    assert q(
        eng,
        "SELECT MAX(amount_due_remaining), MIN(amount_due_remaining) FROM ar_payment_schedules_all",
    ) == [(Decimal("10"), Decimal("-0.1"))]
    assert q(
        eng,
        "SELECT payment_schedule_id FROM ar_payment_schedules_all "
        "WHERE amount_due_remaining BETWEEN -1 AND 0.2 ORDER BY 1",
    ) == [(3,), (4,), (5,)]
    assert q(
        eng, "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE amount_due_remaining IN (9, 0.2)"
    ) == [(2,)]


def test_group_by_having(eng: Any) -> None:
    rows = q(
        eng,
        "SELECT org_id, COUNT(*), SUM(amount_due_remaining) FROM ar_payment_schedules_all "
        "GROUP BY org_id HAVING SUM(amount_due_remaining) > 0 ORDER BY org_id",
    )
    assert rows == [(204, 3, Decimal("19.2"))]


def test_insert_update_delete_rowcounts_and_storage(eng: Any) -> None:
    s = OracleSession()
    n = eng.execute(
        "INSERT INTO ar_payment_schedules_all (payment_schedule_id, amount_due_remaining, due_date, org_id) "
        "VALUES (:id, :amt, :due, 204)",
        {"id": 6, "amt": Decimal("1.50"), "due": dt.date(2027, 1, 1)},
        s,
    )
    assert n == 1
    assert eng.store.query(
        "SELECT AMOUNT_DUE_REMAINING, DUE_DATE FROM AR_PAYMENT_SCHEDULES_ALL WHERE "
        "PAYMENT_SCHEDULE_ID = 6"
    ) == [("1.5", "2027-01-01 00:00:00")]
    assert (
        eng.execute(
            "UPDATE ar_payment_schedules_all SET amount_due_remaining = amount_due_remaining - 0.5, "
            "status = DECODE(amount_due_remaining - 0.5, 0, 'CL', 'OP') WHERE org_id = :o",
            {"o": 204},
            s,
        )
        == 4
    )
    assert q(
        eng,
        "SELECT amount_due_remaining FROM ar_payment_schedules_all WHERE payment_schedule_id = 6",
    ) == [(Decimal("1"),)]
    assert (
        eng.execute("DELETE FROM ar_payment_schedules_all WHERE amount_due_remaining < 0", {}, s)
        == 2
    )  # ps 3 (-0.1), ps 5 (0.2 - 0.5)
    assert (
        err(
            eng, "INSERT INTO hz_parties (party_id, party_number) VALUES (1, :n)", {"n": "x" * 31}
        ).code
        == 12899
    )
    assert err(eng, "INSERT INTO hz_parties (party_id) VALUES (100)").code == 1
    assert err(eng, "INSERT INTO hz_parties (party_id, party_name) VALUES (1)").code == 947
    assert err(eng, "INSERT INTO hz_parties (party_id) VALUES (1, 2)").code == 913


def test_rollback_session_undoes_exactly_the_sessions_writes(eng: Any) -> None:
    a, b = OracleSession(), OracleSession()
    with eng.scope(a):
        eng.execute("UPDATE hz_parties SET party_name = 'A' WHERE party_id = 100", {}, a)
        eng.execute("INSERT INTO hz_parties (party_id, party_name) VALUES (300, 'new')", {}, a)
        eng.execute("DELETE FROM hz_parties WHERE party_id = 200", {}, a)
    with eng.scope(b):
        eng.execute("INSERT INTO hz_parties (party_id, party_name) VALUES (400, 'b')", {}, b)
    assert eng.rollback_session(a.id) == 3
    assert q(eng, "SELECT party_id, party_name FROM hz_parties ORDER BY 1") == [
        (100, "Acme"),
        (200, "Müller GmbH"),
        (400, "b"),
    ]


# ---- multi-org views ------------------------------------------------------------------------------
def test_mo_views_empty_without_policy_context(eng: Any) -> None:
    assert q(eng, "SELECT COUNT(*) FROM ar_payment_schedules") == [(0,)]
    assert q(eng, "SELECT COUNT(*) FROM ar_payment_schedules_all") == [(5,)]


def test_mo_views_single_and_multiple_org(eng: Any) -> None:
    s = OracleSession(
        access_mode="S", org_id=301
    )  # as MO_GLOBAL.SET_POLICY_CONTEXT('S', 301) leaves it
    assert q(eng, "SELECT payment_schedule_id FROM ar_payment_schedules ORDER BY 1", session=s) == [
        (3,),
        (4,),
    ]
    m = OracleSession(access_mode="M", org_ids={204, 301})
    assert q(eng, "SELECT COUNT(*) FROM ar_payment_schedules", session=m) == [(5,)]
    # DML through the view stays inside the policy
    assert eng.execute("UPDATE ar_payment_schedules SET status = 'XX'", {}, s) == 2
    assert q(eng, "SELECT COUNT(*) FROM ar_payment_schedules_all WHERE status = 'XX'") == [(2,)]


# ---- refused constructs: the ORA error, never a wrong answer --------------------------------------
@pytest.mark.parametrize(
    ("sql", "code", "words"),
    [
        (
            "SELECT ps.payment_schedule_id FROM ar_payment_schedules_all ps, hz_cust_accounts ca "
            "WHERE ca.cust_account_id(+) = ps.customer_id",
            900,
            "(+)",
        ),
        (
            "MERGE INTO hz_parties p USING dual ON (p.party_id = 1) WHEN MATCHED THEN UPDATE SET party_name = 'x'",
            900,
            "MERGE",
        ),
        (
            "SELECT party_id FROM hz_parties START WITH party_id = 100 CONNECT BY PRIOR party_id = party_id",
            900,
            "CONNECT BY",
        ),
        (
            "SELECT * FROM (SELECT org_id, class FROM ar_payment_schedules_all) PIVOT (COUNT(*) FOR class IN ('INV'))",
            900,
            "PIVOT",
        ),
        (
            "SELECT SUM(amount_due_remaining) OVER (PARTITION BY org_id) FROM ar_payment_schedules_all",
            900,
            "analytic",
        ),
        (
            "SELECT payment_schedule_id FROM ar_payment_schedules_all FETCH FIRST 10 PERCENT ROWS ONLY",
            900,
            "PERCENT",
        ),
        ("SELECT nope FROM dual", 904, '"NOPE"'),
        ("SELECT foo(1) FROM dual", 904, '"FOO"'),
        ("SELECT * FROM no_such_table", 942, "does not exist"),
        (
            "SELECT party_id FROM hz_parties p JOIN hz_cust_accounts a ON a.party_id = p.party_id",
            918,
            "ambiguously",
        ),
        ("SELECT :x FROM dual", 1008, "not all variables bound"),
        ("CREATE TABLE x (a NUMBER)", 1031, "insufficient privileges"),
        ("SELECT FROM dual", 936, "missing expression"),
        ("SELECT 1 / 0 FROM dual", 1476, "divisor is equal to zero"),
        ("SELECT TO_NUMBER('abc') FROM dual", 1722, "invalid number"),
        ("SELECT TO_DATE('2026-13-01', 'YYYY-MM-DD') FROM dual", 1843, "not a valid month"),
    ],
)
def test_unsupported_or_invalid_sql_raises_the_ora_error(
    eng: Any, sql: str, code: int, words: str
) -> None:
    e = err(eng, sql)
    assert e.code == code
    assert words in e.message


def test_extra_bind_is_ora_01036(eng: Any) -> None:
    assert err(eng, "SELECT 1 FROM dual", {"x": 1}).code == 1036


def test_translation_is_cached() -> None:
    from mock_erp.oracle.sql import compile_sql

    sql = "SELECT party_id FROM hz_parties WHERE party_id = :p"
    first = compile_sql(sql)
    assert compile_sql(sql) is first
