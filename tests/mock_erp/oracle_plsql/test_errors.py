"""Blocks outside the subset fail as Oracle's compiler fails: ORA-06550 with the line and
column, then PLS-00103 / PLS-00201 / PLS-00302 / PLS-00306 / PLS-00363 (docs/specs/oracle.md §3.7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fake_engine import FakeEngine

from mock_erp.oracle.plsql import run_block
from mock_erp.oracle.session import OracleSession, OraError


def fail(block: str, engine: Any = None, **binds: Any) -> OraError:
    with pytest.raises(OraError) as exc:
        run_block(block, binds, OracleSession(), engine or FakeEngine())
    return exc.value


def test_pls_00103_reports_line_column_symbol_and_expected() -> None:
    block = "DECLARE\n  l_x NUMBER;\nBEGIN\n  l_x := ;\nEND;"
    err = fail(block)
    assert err.code == 6550
    assert err.message.startswith(
        'line 4, column 10:\nPLS-00103: Encountered the symbol ";" when expecting one of'
    )
    assert "<an identifier>" in err.message and "<a number>" in err.message
    assert block[err.offset] == ";"
    assert str(err).startswith("ORA-06550: line 4, column 10:")


def test_pls_00103_at_end_of_file() -> None:
    err = fail("BEGIN\n  NULL;\nEND")
    assert err.message.startswith(
        'line 3, column 4:\nPLS-00103: Encountered the symbol "end-of-file"'
    )


@pytest.mark.parametrize(
    ("block", "symbol", "line", "column"),
    [
        ("BEGIN\n  GOTO done;\nEND;", "DONE", 2, 8),  # GOTO is not in the subset
        ("BEGIN\n  EXECUTE IMMEDIATE 'drop table x';\nEND;", "IMMEDIATE", 2, 11),
        (
            "DECLARE\n  TYPE t IS TABLE OF NUMBER;\nBEGIN NULL; END;",
            "IS",
            2,
            10,
        ),  # no collection types
        ("BEGIN\n  x := 1 @ 2;\nEND;", "@", 2, 10),
        ("CREATE TABLE t (a NUMBER)", "CREATE", 1, 1),
    ],
)
def test_constructs_outside_the_subset(block: str, symbol: str, line: int, column: int) -> None:
    err = fail(block)
    assert err.code == 6550
    assert err.message.startswith(
        f'line {line}, column {column}:\nPLS-00103: Encountered the symbol "{symbol}"'
    )


def test_pls_00201_unknown_identifier_with_statement_ignored() -> None:
    err = fail("DECLARE\n  l_a NUMBER;\nBEGIN\n  l_a := l_b + 1;\nEND;")
    assert err.message == (
        "line 4, column 10:\nPLS-00201: identifier 'L_B' must be declared\n"
        "ORA-06550: line 4, column 10:\nPL/SQL: Statement ignored"
    )


def test_pls_00201_unknown_package_type_and_function() -> None:
    assert (
        "PLS-00201: identifier 'AR_NOPE_PUB.CREATE_CASH' must be declared"
        in fail("BEGIN ar_nope_pub.create_cash(p_amount => 1); END;").message
    )
    assert (
        "PLS-00201: identifier 'FOO_REC_TYPE' must be declared"
        in fail("DECLARE l foo_rec_type; BEGIN NULL; END;").message
    )
    assert (
        "PLS-00201: identifier 'NO_SUCH_FN' must be declared"
        in fail("BEGIN :x := no_such_fn(1); END;", x=None).message
    )
    assert (
        "PLS-00201: identifier 'AR_NOPE' must be declared"
        in fail("DECLARE r ar_nope%ROWTYPE; BEGIN NULL; END;").message
    )


def test_pls_00302_unknown_member_or_field() -> None:
    err = fail("BEGIN\n  ar_receipt_api_pub.create_cashh(p_api_version => 1.0);\nEND;")
    assert err.message.startswith(
        "line 2, column 3:\nPLS-00302: component 'CREATE_CASHH' must be declared"
    )
    err = fail("DECLARE r hz_location_v2pub.location_rec_type;\nBEGIN\n  r.adress1 := 'x';\nEND;")
    assert err.message.startswith(
        "line 3, column 3:\nPLS-00302: component 'ADRESS1' must be declared"
    )
    assert (
        "PLS-00302: component 'NOPE_REC_TYPE'"
        in fail("DECLARE r hz_party_v2pub.nope_rec_type; BEGIN NULL; END;").message
    )


def test_pls_00306_wrong_arguments() -> None:
    err = fail("BEGIN ar_receipt_api_pub.create_cash(p_api_version => 1.0, p_amunt => 5); END;")
    assert "PLS-00306: wrong number or types of arguments in call to 'CREATE_CASH'" in err.message
    assert (
        "PLS-00306" in fail("BEGIN ar_receipt_api_pub.apply(p_init_msg_list => 'T'); END;").message
    )  # version missing
    assert "PLS-00306" in fail("BEGIN :x := NVL(1); END;", x=None).message


def test_pls_00363_out_parameter_needs_a_variable_and_constants_are_read_only() -> None:
    err = fail("DECLARE l NUMBER; BEGIN fnd_msg_pub.count_and_get(p_count => 5, p_data => l); END;")
    assert "PLS-00363: expression '5' cannot be used as an assignment target" in err.message
    err = fail("DECLARE c CONSTANT NUMBER := 1; BEGIN c := 2; END;")
    assert "PLS-00363: expression 'C' cannot be used as an assignment target" in err.message


def test_procedure_used_as_function_and_back() -> None:
    assert (
        "PLS-00222: no function with name 'INITIALIZE'"
        in fail("BEGIN :x := fnd_msg_pub.initialize; END;", x=None).message
    )
    assert (
        "PLS-00221: 'COUNT_MSG' is not a procedure"
        in fail("BEGIN fnd_msg_pub.count_msg; END;").message
    )


def test_embedded_sql_compile_error_is_reported_at_the_statement() -> None:
    err = fail("DECLARE n NUMBER;\nBEGIN\n  SELECT 1 INTO n FROM nosuch_table;\nEND;")
    assert err.message == (
        "line 3, column 3:\nPL/SQL: ORA-00942: table or view does not exist\n"
        "ORA-06550: line 3, column 3:\nPL/SQL: SQL Statement ignored"
    )


def test_unhandled_error_undoes_the_blocks_work_on_the_real_engine(engine, session, sql) -> None:
    block = """
BEGIN
  fnd_global.apps_initialize(1318, 20678, 222); mo_global.init('AR');
  INSERT INTO hz_locations (location_id, country, address1) VALUES (777001, 'US', 'x');
  raise_application_error(-20001, 'abort');
END;"""
    with pytest.raises(OraError) as exc:
        run_block(block, {}, session, engine)
    assert exc.value.code == 20001 and exc.value.message.endswith("ORA-06512: at line 5")
    assert sql("SELECT COUNT(*) AS N FROM HZ_LOCATIONS WHERE LOCATION_ID = 777001")[0]["N"] == 0
    ok = block.replace("raise_application_error(-20001, 'abort');", ":n := SQL%ROWCOUNT;")
    assert run_block(ok, {"n": None}, session, engine) == {"n": Decimal(1)}
    assert sql("SELECT COUNT(*) AS N FROM HZ_LOCATIONS WHERE LOCATION_ID = 777001")[0]["N"] == 1


def test_real_engine_cursor_loop_and_mo_views(engine, session) -> None:
    block = """
DECLARE l_n NUMBER := 0; l_all NUMBER;
BEGIN
  SELECT COUNT(*) INTO l_all FROM ar_payment_schedules_all WHERE org_id = :org_id;
  FOR r IN (SELECT payment_schedule_id id FROM ar_payment_schedules WHERE org_id = :org_id) LOOP
    l_n := l_n + 1;
  END LOOP;
  :before := l_n;
  mo_global.set_policy_context('S', :org_id);
  l_n := 0;
  FOR r IN (SELECT payment_schedule_id id FROM ar_payment_schedules WHERE org_id = :org_id) LOOP
    l_n := l_n + 1;
  END LOOP;
  :after := l_n; :total := l_all;
END;"""
    out = run_block(
        block, {"org_id": 204, "before": None, "after": None, "total": None}, session, engine
    )
    assert out["before"] == 0  # MO views are empty without a policy context (§7 item 1)
    assert out["after"] == out["total"] and out["total"] > 0
