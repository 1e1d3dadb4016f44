"""The oracledb-compatible shim against the real server: shapes, numbers, sessions, errors, data frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import oracledb
import polars as pl
import pyarrow as pa
import pytest
from oracle_helpers import PASSWORD, USER

OPEN_ITEMS = (
    "SELECT payment_schedule_id, amount_due_remaining, due_date, trx_number FROM ar_payment_schedules_all "
    "WHERE payment_schedule_id > 0 ORDER BY payment_schedule_id"
)


def test_description_is_oracledb_seven_tuples(shim: Any) -> None:
    cur = shim().cursor()
    cur.execute(OPEN_ITEMS)
    assert cur.description == [
        ("PAYMENT_SCHEDULE_ID", oracledb.DB_TYPE_NUMBER, 16, None, 15, 0, False),
        ("AMOUNT_DUE_REMAINING", oracledb.DB_TYPE_NUMBER, 127, None, 0, -127, True),
        ("DUE_DATE", oracledb.DB_TYPE_DATE, 23, None, None, None, True),
        ("TRX_NUMBER", oracledb.DB_TYPE_VARCHAR, 30, 30, None, None, True),
    ]


def test_default_number_types_like_oracledb(shim: Any, ora_server: Any) -> None:
    cur = shim().cursor()
    cur.execute(OPEN_ITEMS)
    rows = cur.fetchall()
    assert all(isinstance(r[0], int) for r in rows)  # NUMBER(15): int
    kinds = {type(r[1]) for r in rows}  # NUMBER: int when integral, float otherwise
    assert kinds <= {int, float} and float in kinds
    assert isinstance(rows[0][2], dt.datetime)
    count = ora_server.state.store.query(
        "SELECT COUNT(*) FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID > 0"
    )
    assert len(rows) == count[0][0]


def test_fetch_decimals_gives_exact_decimals(
    shim: Any, ora_server: Any, fetch_decimals: None
) -> None:
    cur = shim().cursor()
    cur.execute(
        "SELECT payment_schedule_id, amount_due_remaining FROM ar_payment_schedules_all "
        "WHERE payment_schedule_id = :id",
        {"id": 1002},
    )
    (row,) = cur.fetchall()
    stored = ora_server.state.store.query(
        "SELECT AMOUNT_DUE_REMAINING FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = 1002"
    )[0][0]
    assert row == (Decimal(1002), Decimal(stored))
    assert isinstance(row[1], Decimal)


def test_output_type_handler_decimal(shim: Any) -> None:
    conn = shim()

    def handler(cursor: Any, metadata: Any) -> Any:
        if metadata.type_code is oracledb.DB_TYPE_NUMBER:
            return cursor.var(Decimal, arraysize=cursor.arraysize)
        return None

    conn.outputtypehandler = handler
    cur = conn.cursor()
    cur.execute(
        "SELECT amount_due_remaining FROM ar_payment_schedules_all WHERE payment_schedule_id > 0"
    )
    assert {type(r[0]) for r in cur.fetchmany(50)} == {Decimal}


def test_fetchmany_arraysize_and_iteration(shim: Any) -> None:
    cur = shim().cursor()
    cur.arraysize, cur.prefetchrows = 7, 3
    cur.execute(OPEN_ITEMS)
    first = cur.fetchmany()
    assert len(first) == 7
    assert cur.fetchone()[0] > first[-1][0]
    rest = list(cur)
    assert len(rest) > 7 and rest[0][0] > first[-1][0]
    assert cur.fetchone() is None


def test_executemany_commit_and_rollback_across_sessions(shim: Any) -> None:
    a, b = shim(), shim()
    cur = a.cursor()
    cur.executemany(
        "UPDATE hz_parties SET party_name = :n WHERE party_id = :id",
        [{"n": "Shim One", "id": 1020}, {"n": "Shim Two", "id": 1021}],
    )
    assert cur.rowcount == 2
    a.rollback()
    check = b.cursor()
    check.execute(
        "SELECT party_name FROM hz_parties WHERE party_id IN (1020, 1021) ORDER BY party_id"
    )
    assert "Shim One" not in [r[0] for r in check.fetchall()]
    cur.execute("UPDATE hz_parties SET party_name = 'Kept' WHERE party_id = 1020")
    a.commit()
    a.rollback()  # nothing left to undo
    check.execute("SELECT party_name FROM hz_parties WHERE party_id = 1020")
    assert check.fetchall() == [("Kept",)]


def test_close_rolls_back_uncommitted_work(shim: Any) -> None:
    a = shim()
    a.cursor().execute("UPDATE hz_parties SET party_name = 'Uncommitted' WHERE party_id = 1022")
    a.close()
    cur = shim().cursor()
    cur.execute("SELECT party_name FROM hz_parties WHERE party_id = 1022")
    assert cur.fetchone()[0] != "Uncommitted"
    with pytest.raises(oracledb.InterfaceError) as info:
        a.cursor()
    assert info.value.args[0].full_code == "DPY-1001"


def test_ora_errors_are_oracledbs_own(shim: Any) -> None:
    cur = shim().cursor()
    with pytest.raises(oracledb.DatabaseError) as info:
        cur.execute("SELECT * FROM no_such_table")
    (err,) = info.value.args
    # pinned: the same object oracledb builds for a server ORA-00942
    from oracledb import errors

    ref = errors._Error("ORA-00942: table or view does not exist", code=942)
    assert type(err) is type(ref)
    assert (err.code, err.full_code, err.message, err.isrecoverable) == (
        ref.code,
        ref.full_code,
        ref.message,
        False,
    )
    assert type(info.value) is ref.exc_type is oracledb.DatabaseError
    with pytest.raises(
        oracledb.IntegrityError
    ) as dup:  # ORA-00001 -> IntegrityError, as oracledb maps it
        cur.execute("INSERT INTO hz_parties (party_id) VALUES (1001)")
    assert dup.value.args[0].full_code == "ORA-00001"


def test_logon_denied_and_refused_connection(ora_server: Any) -> None:
    from mock_erp.clients import oracle as ora

    with pytest.raises(oracledb.DatabaseError) as info:
        ora.connect(user=USER, password="wrong", mock_url=ora_server.url)
    assert info.value.args[0].full_code == "ORA-01017"
    with pytest.raises(oracledb.OperationalError) as refused:
        ora.connect(
            user=USER, password=PASSWORD, dsn="127.0.0.1:9/EBSDB"
        )  # nothing listens on port 9
    assert refused.value.args[0].full_code == "DPY-6005"


def test_dsn_form_and_pool(ora_server: Any) -> None:
    from mock_erp.clients import oracle as ora

    dsn = ora_server.url.removeprefix("http://") + "/EBSDB"
    pool = ora.create_pool(user=USER, password=PASSWORD, dsn=dsn, min=1, max=2)
    with pool.acquire() as conn:
        conn.cursor().execute("UPDATE hz_parties SET party_name = 'Pooled' WHERE party_id = 1023")
        assert pool.busy == 1
    assert pool.busy == 0 and pool.opened == 1  # released, uncommitted work rolled back
    conn = pool.acquire()
    cur = conn.cursor()
    cur.execute("SELECT party_name FROM hz_parties WHERE party_id = 1023")
    assert cur.fetchone()[0] != "Pooled"
    conn.ping()
    pool.release(conn)
    pool.close()


def test_fetch_df_batches_into_polars(shim: Any, ora_server: Any, fetch_decimals: None) -> None:
    conn = shim()
    sql = (
        "SELECT payment_schedule_id, amount_due_remaining, CAST(amount_due_remaining AS NUMBER(38, 3)) adr, due_date "
        "FROM ar_payment_schedules_all WHERE payment_schedule_id > 0 ORDER BY 1"
    )
    frames = [pl.DataFrame(df) for df in conn.fetch_df_batches(sql, size=100)]
    assert [len(f) for f in frames[:-1]] == [100] * (len(frames) - 1)
    frame = pl.concat(frames)
    assert frame.schema["PAYMENT_SCHEDULE_ID"] == pl.Decimal(15, 0)  # fetch_decimals: DECIMAL128
    assert frame.schema["ADR"] == pl.Decimal(38, 3)
    assert (
        frame.schema["AMOUNT_DUE_REMAINING"] == pl.Float64
    )  # NUMBER without precision: DOUBLE (oracledb docs)
    raw = ora_server.state.store.query(
        "SELECT AMOUNT_DUE_REMAINING FROM AR_PAYMENT_SCHEDULES_ALL WHERE "
        "PAYMENT_SCHEDULE_ID > 0 ORDER BY PAYMENT_SCHEDULE_ID"
    )
    assert frame["ADR"].to_list() == [Decimal(r[0]).quantize(Decimal("0.001")) for r in raw]


def test_fetch_df_requested_schema_keeps_money_exact(shim: Any) -> None:
    schema = pa.schema([("ID", pa.int64()), ("ADR", pa.decimal128(38, 3))])
    (df,) = list(
        shim().fetch_df_batches(
            "SELECT payment_schedule_id, amount_due_remaining FROM ar_payment_schedules_all "
            "WHERE payment_schedule_id = 1001",
            size=10,
            requested_schema=schema,
        )
    )
    assert isinstance(df, oracledb.DataFrame)
    table = pa.table(df)
    assert table.schema == schema
    assert isinstance(table["ADR"][0].as_py(), Decimal)


def test_plsql_out_bind_var(shim: Any) -> None:
    """Needs the PL/SQL interpreter (mock_erp.oracle.plsql.run_block, other helper) - skipped until it exists."""
    try:
        from mock_erp.oracle.plsql import run_block  # noqa: F401
    except ImportError:
        pytest.skip(
            "mock_erp.oracle.plsql.run_block not available yet: TO COMPLETE when the interpreter lands"
        )
    cur = shim().cursor()
    out = cur.var(str)
    cur.execute("BEGIN :x := 'a' || 'b'; END;", {"x": out})
    assert out.getvalue() == "ab"


def test_mo_context_lives_in_the_shim_session(shim: Any, ora_server: Any) -> None:
    """A shim connection keeps its session: the policy context set by one execute holds for the next."""
    pytest.importorskip(
        "mock_erp.oracle.plsql", reason="PL/SQL interpreter not there yet: TO COMPLETE"
    )
    conn = shim()
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM ar_payment_schedules")
    assert cur.fetchone() == (0,)
    cur.execute(
        "BEGIN fnd_global.apps_initialize(0, 20678, 222); mo_global.init('AR'); "
        "mo_global.set_policy_context('S', :org); END;",
        {"org": 301},
    )
    cur.execute("SELECT DISTINCT org_id FROM ar_payment_schedules")
    assert cur.fetchall() == [(301,)]
    assert shim().cursor().execute("SELECT COUNT(*) FROM ar_payment_schedules").fetchone() == (
        0,
    )  # other session


def test_callproc_callfunc_and_decimal_out_var(shim: Any) -> None:
    """callproc/callfunc render an anonymous block for the PL/SQL interpreter (other helper)."""
    pytest.importorskip(
        "mock_erp.oracle.plsql", reason="PL/SQL interpreter not there yet: TO COMPLETE"
    )
    cur = shim().cursor()
    assert cur.callproc("fnd_global.apps_initialize", [0, 20678, 222]) == [0, 20678, 222]
    cur.callproc("mo_global.set_policy_context", ["S", 204])
    cur.execute("SELECT DISTINCT org_id FROM ar_payment_schedules")
    assert cur.fetchall() == [(204,)]
    assert cur.callfunc("fnd_msg_pub.count_msg", int) == 0
    out = cur.var(Decimal)
    cur.execute("BEGIN :x := 10.1 + 0.2; END;", {"x": out})
    assert out.getvalue() == Decimal("10.3")  # exact: a float would give 10.299999999999999


def test_a_named_bind_the_statement_does_not_use_is_dpy_4008(shim: Any) -> None:
    """python-oracledb thin checks bind names against the statement's placeholders before
    sending anything; literals, comments and `:=` are not placeholders."""
    cur = shim().cursor()
    with pytest.raises(oracledb.DatabaseError) as caught:
        cur.execute("SELECT 1 FROM dual WHERE 1 = :a", {"a": 1, "key": "x"})
    (err,) = caught.value.args
    assert err.full_code == "DPY-4008"
    assert err.message == 'DPY-4008: no bind placeholder named ":key" was found in the SQL text'
    out = cur.var(str)
    cur.execute("BEGIN :out := ':lit' || :a; -- :b\nEND;", {"out": out, "A": "1"})
    assert out.getvalue() == ":lit1"
    with pytest.raises(oracledb.DatabaseError, match="DPY-4008"):
        cur.execute("BEGIN :out := 'x:b'; END;", {"out": out, "b": 1})
