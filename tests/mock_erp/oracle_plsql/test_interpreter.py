"""Each construct of the PL/SQL subset, run by the interpreter over a fake SQL engine
(docs/mock-erp-plsql.md; docs/specs/oracle.md §3.7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fake_engine import NOW, FakeEngine

from mock_erp.oracle.plsql import compile_block, run_block
from mock_erp.oracle.session import OracleSession, OraError


def run(
    block: str, engine: FakeEngine | None = None, session: OracleSession | None = None, **binds: Any
) -> dict[str, Any]:
    return run_block(block, binds, session or OracleSession(), engine or FakeEngine())


def test_number_arithmetic_is_exact_and_prints_like_oracle() -> None:
    out = run(
        "BEGIN :a := 0.1 + 0.2; :b := 10 / 4; :c := TO_CHAR(0.5) || '|' || -0.25; :d := 2 * 3 - -1; END;",
        a=None,
        b=None,
        c=None,
        d=None,
    )
    assert out == {"a": Decimal("0.3"), "b": Decimal("2.5"), "c": ".5|-.25", "d": Decimal("7")}


def test_null_rules_concat_empty_string_and_three_valued_logic() -> None:
    block = """
DECLARE l_s VARCHAR2(10); l_n NUMBER;
BEGIN
  l_s := l_s || 'x' || NULL;
  :concat := l_s;
  IF '' IS NULL THEN :empty := 'null'; END IF;
  IF l_n = 1 OR l_n <> 1 THEN :cmp := 'known'; ELSE :cmp := 'unknown'; END IF;
  :sum := l_n + 1;
  IF NOT (l_n > 0) THEN :neg := 'T'; ELSE :neg := 'F'; END IF;
  :nvl := NVL(l_n, 42);
END;"""
    out = run(block, concat=None, empty=None, cmp=None, sum=None, neg=None, nvl=None)
    assert out == {
        "concat": "x",
        "empty": "null",
        "cmp": "unknown",
        "sum": None,
        "neg": "F",
        "nvl": Decimal(42),
    }


def test_if_elsif_else_picks_the_first_true_branch() -> None:
    block = """
BEGIN
  IF :x < 0 THEN :r := 'neg'; ELSIF :x = 0 THEN :r := 'zero'; ELSIF :x < 10 THEN :r := 'small'; ELSE :r := 'big'; END IF;
END;"""
    assert [run(block, x=x, r=None)["r"] for x in (-1, 0, 5, 50)] == ["neg", "zero", "small", "big"]


def test_loops_for_reverse_while_exit() -> None:
    block = """
DECLARE l_s VARCHAR2(100); l_i PLS_INTEGER := 0;
BEGIN
  FOR i IN 1 .. 3 LOOP l_s := l_s || i; END LOOP;
  FOR i IN REVERSE 1 .. 3 LOOP l_s := l_s || i; END LOOP;
  FOR i IN 5 .. 4 LOOP l_s := l_s || 'never'; END LOOP;
  WHILE l_i < 3 LOOP l_i := l_i + 1; END LOOP;
  LOOP l_i := l_i + 10; EXIT WHEN l_i > 30; END LOOP;
  :s := l_s; :i := l_i;
END;"""
    assert run(block, s=None, i=None) == {"s": "123321", "i": Decimal(33)}


def test_declarations_defaults_constants_and_anchored_types() -> None:
    block = """
DECLARE
  c_limit CONSTANT NUMBER := 100;
  l_amt ar_cash_receipts_all.amount%TYPE := 12.345;
  l_copy l_amt%TYPE := l_amt * 2;
  l_flag BOOLEAN := TRUE;
  l_day DATE := DATE '2026-01-31';
  l_code VARCHAR2(3) DEFAULT 'USD';
  l_int PLS_INTEGER := 2.6;
BEGIN
  IF l_flag AND l_copy < c_limit THEN :r := l_copy; END IF;
  :day := l_day + 1; :code := l_code; :int := l_int;
END;"""
    out = run(block, r=None, day=None, code=None, int=None)
    assert out == {
        "r": Decimal("24.690"),
        "day": dt.datetime(2026, 2, 1),
        "code": "USD",
        "int": Decimal(3),
    }


def test_varchar2_overflow_and_bad_number_are_ora_06502_with_line() -> None:
    with pytest.raises(OraError) as exc:
        run("DECLARE l VARCHAR2(3);\nBEGIN\n  l := 'abcd';\nEND;")
    assert exc.value.code == 6502 and "character string buffer too small" in exc.value.message
    assert exc.value.message.endswith("ORA-06512: at line 3")
    with pytest.raises(OraError) as exc:
        run("DECLARE n NUMBER; BEGIN n := 'abc'; END;")
    assert exc.value.code == 6502


def test_record_types_fields_nested_fields_and_rowtype() -> None:
    block = """
DECLARE
  l_org hz_party_v2pub.organization_rec_type;
  l_adj ar_adjustments%ROWTYPE;
  l_attr ar_receipt_api_pub.attribute_rec_type;
BEGIN
  l_org.organization_name := 'Acme';
  l_org.party_rec.orig_system_reference := 'otc:' || 7;
  l_adj.amount := -12.5; l_adj.type := 'INVOICE';
  l_attr.attribute1 := 'a1';
  :r := l_org.organization_name || '/' || l_org.party_rec.orig_system_reference || '/' || l_adj.amount
        || '/' || l_adj.type || '/' || l_attr.attribute1 || '/' || NVL(l_org.tax_reference, '-');
END;"""
    assert run(block, r=None) == {"r": "Acme/otc:7/-12.5/INVOICE/a1/-"}


def test_builtin_functions() -> None:
    block = """
BEGIN
  :a := SUBSTR('receivables', 3, 4) || INSTR('abcabc', 'c', 4) || UPPER('x') || LOWER('Y') || LENGTH('four');
  :b := TO_CHAR(TRUNC(SYSDATE), 'YYYY-MM-DD HH24:MI:SS');
  :c := TO_DATE('2026-03-04', 'YYYY-MM-DD');
  :d := TRUNC(12.789, 1) || ' ' || ROUND(12.345, 2) || ' ' || TO_CHAR(1234.5, 'FM999990.00');
  :e := REPLACE('a|b', '|', CHR(44)) || LPAD('7', 3, '0') || RTRIM('xx  ') || GREATEST(1, 5, 3);
  :f := DECODE(:code, 'A', 'alpha', 'B', 'beta', 'other') || CASE WHEN 1 = 2 THEN 'no' ELSE 'yes' END;
  :g := NVL2(NULL, 'x', 'y') || COALESCE(NULL, NULL, 'z') || TO_NUMBER('12.50');
END;"""
    out = run(block, a=None, b=None, c=None, d=None, e=None, f=None, g=None, code="B")
    assert out["a"] == "ceiv6Xy4"
    assert out["b"] == NOW.strftime("%Y-%m-%d 00:00:00")
    assert out["c"] == dt.datetime(2026, 3, 4)
    assert out["d"] == "12.7 12.35 1234.50"
    assert out["e"] == "a,b007xx5"
    assert out["f"] == "betayes"
    assert out["g"] == "yz12.5"


def test_fnd_api_constants() -> None:
    block = """
BEGIN
  :t := fnd_api.g_true || fnd_api.g_false || fnd_api.g_ret_sts_success || fnd_api.g_ret_sts_error
        || fnd_api.g_ret_sts_unexp_error;
  IF fnd_api.g_miss_char = CHR(0) THEN :mc := 'Y'; END IF;
  :mn := fnd_api.g_miss_num;
  :lvl := fnd_api.g_valid_level_full;
END;"""
    assert run(block, t=None, mc=None, mn=None, lvl=None) == {
        "t": "TFSEU",
        "mc": "Y",
        "mn": Decimal("9.99E125"),
        "lvl": Decimal(100),
    }


def test_binds_in_out_and_missing() -> None:
    out = run_block(
        "BEGIN :Out_1 := :in_1 * 2; END;",
        {":IN_1": 21, "out_1": None},
        OracleSession(),
        FakeEngine(),
    )
    assert out == {
        "out_1": Decimal(42)
    }  # only assigned binds come back, names lower case without ':'
    assert run("BEGIN :a := :b; END;", a=None, b=dt.date(2026, 1, 2)) == {
        "a": dt.datetime(2026, 1, 2)
    }
    with pytest.raises(OraError) as exc:
        run("BEGIN :a := :b; END;", a=None)
    assert exc.value.code == 1008


def test_raise_application_error_and_handlers() -> None:
    with pytest.raises(OraError) as exc:
        run("BEGIN\n  NULL;\n  raise_application_error(-20042, 'stop: ' || 42);\nEND;")
    assert (exc.value.code, exc.value.message) == (20042, "stop: 42\nORA-06512: at line 3")
    with pytest.raises(OraError) as exc:
        run("BEGIN raise_application_error(-1, 'x'); END;")
    assert exc.value.code == 21000
    block = """
BEGIN
  BEGIN
    raise_application_error(-20001, 'inner');
  EXCEPTION WHEN no_data_found THEN :h := 'wrong';
  END;
EXCEPTION
  WHEN others THEN :h := SQLERRM; :c := SQLCODE;
END;"""
    assert run(block, h=None, c=None) == {"h": "ORA-20001: inner", "c": Decimal(-20001)}


def test_reraise_and_predefined_exceptions() -> None:
    block = """
DECLARE n NUMBER;
BEGIN
  n := 1 / 0;
EXCEPTION WHEN zero_divide THEN :h := 'div'; RAISE;
END;"""
    with pytest.raises(OraError) as exc:
        run(block, h=None)
    assert exc.value.code == 1476
    assert run(
        "BEGIN RAISE no_data_found; EXCEPTION WHEN no_data_found THEN :c := SQLCODE; END;", c=None
    ) == {"c": Decimal(100)}


def test_select_into_rewrites_variables_as_binds_and_drops_into() -> None:
    eng = FakeEngine([(["PARTY_NAME", "STATUS"], [("Acme", "A")])])
    block = """
DECLARE l_id NUMBER := 7; l_name VARCHAR2(360); status VARCHAR2(1);
BEGIN
  SELECT party_name, status INTO l_name, status FROM hz_parties WHERE party_id = l_id AND status = 'A' AND org = :org;
  :n := l_name; :s := status;
END;"""
    assert run(block, eng, n=None, s=None, org=204) == {"n": "Acme", "s": "A"}
    kind, sql, binds = eng.calls[0]
    assert kind == "query"
    assert sql == (
        "SELECT party_name, status  FROM hz_parties WHERE party_id = :plv1_l_id AND status = 'A' "
        "AND org = :org"
    )
    assert binds == {"plv1_l_id": Decimal(7), "org": 204}


def test_select_into_no_rows_and_too_many_rows() -> None:
    block = "DECLARE n NUMBER;\nBEGIN\n  SELECT 1 INTO n FROM dual;\nEND;"
    with pytest.raises(OraError) as exc:
        run(block, FakeEngine([(["X"], [])]))
    assert (exc.value.code, exc.value.message) == (1403, "no data found\nORA-06512: at line 3")
    with pytest.raises(OraError) as exc:
        run(block, FakeEngine([(["X"], [(1,), (2,)])]))
    assert exc.value.code == 1422
    handled = "DECLARE n NUMBER; BEGIN SELECT 1 INTO n FROM dual; EXCEPTION WHEN too_many_rows THEN :r := 'many'; END;"
    assert run(handled, FakeEngine([(["X"], [(1,), (2,)])]), r=None) == {"r": "many"}


def test_cursor_for_loops_inline_and_declared() -> None:
    rows = (["ID", "AMT"], [(1, Decimal("10.5")), (2, Decimal("0.25"))])
    eng = FakeEngine([rows, rows])
    block = """
DECLARE
  l_s VARCHAR2(200); l_min NUMBER := 5;
  CURSOR c_apps IS SELECT id, amt FROM ar_receivable_applications_all WHERE amount_applied > l_min;
BEGIN
  FOR r IN (SELECT id, amt FROM ar_receivable_applications_all WHERE amount_applied > l_min) LOOP
    l_s := l_s || r.id || '=' || r.amt || ',';
  END LOOP;
  FOR r IN c_apps LOOP l_s := l_s || r.id; EXIT WHEN r.id = 1; END LOOP;
  :s := l_s;
END;"""
    assert run(block, eng, s=None) == {"s": "1=10.5,2=.25,1"}
    assert eng.calls[0][2] == {"plv1_l_min": Decimal(5)}


def test_dml_rowcount_commit_rollback_null_and_dbms_output() -> None:
    eng = FakeEngine()
    session = OracleSession()
    block = """
DECLARE l_tag VARCHAR2(30) := 'otc:1';
BEGIN
  UPDATE ar_cash_receipts_all SET comments = l_tag WHERE receipt_number = :rno;
  :rc := SQL%ROWCOUNT;
  IF SQL%FOUND THEN COMMIT; END IF;
  ROLLBACK;
  NULL;
  dbms_output.put_line('ignored');
END;"""
    assert run(block, eng, session, rno="R1", rc=None) == {"rc": Decimal(3)}
    assert [c[0] for c in eng.calls] == ["execute", "commit", "rollback"]
    assert (
        eng.calls[0][1]
        == "UPDATE ar_cash_receipts_all SET comments = :plv1_l_tag WHERE receipt_number = :rno"
    )
    assert eng.calls[1][1] == session.id


def test_nested_blocks_scope_and_shadowing() -> None:
    block = """
DECLARE x NUMBER := 1;
BEGIN
  DECLARE x NUMBER := 2;
  BEGIN :inner := x; END;
  :outer := x;
END;"""
    assert run(block, inner=None, outer=None) == {"inner": Decimal(2), "outer": Decimal(1)}


def test_apps_and_mo_context_and_fnd_globals() -> None:
    session = OracleSession()
    block = """
BEGIN
  fnd_global.apps_initialize(user_id => 1318, resp_id => 20678, resp_appl_id => 222);
  mo_global.set_policy_context('S', 204);
  :u := fnd_global.user_id; :org := mo_global.get_current_org_id; :mode := mo_global.get_access_mode;
END;"""
    out = run(block, None, session, u=None, org=None, mode=None)
    assert out == {"u": Decimal(1318), "org": Decimal(204), "mode": "S"}
    assert (session.user_id, session.resp_id, session.visible_orgs()) == (1318, 20678, {204})


def test_message_stack_get_next_procedure_form_and_count_and_get() -> None:
    session = OracleSession()
    block = """
DECLARE l_data VARCHAR2(2000); l_idx NUMBER; l_cnt NUMBER; l_all VARCHAR2(4000);
BEGIN
  fnd_msg_pub.initialize;
  fnd_message.set_name('AR', 'AR_RAPI_CUST_ID_INVALID'); fnd_msg_pub.add;
  fnd_message.set_name('AR', 'AR_INVALID_APP_GL_DATE'); fnd_message.set_token('GL_DATE', '05-JAN-2025'); fnd_msg_pub.add;
  fnd_msg_pub.count_and_get(p_encoded => 'F', p_count => l_cnt, p_data => l_data);
  :cnt := l_cnt; :single := l_data;
  FOR i IN 1 .. fnd_msg_pub.count_msg LOOP
    fnd_msg_pub.get(p_msg_index => fnd_msg_pub.g_next, p_encoded => fnd_api.g_false, p_data => l_data,
                    p_msg_index_out => l_idx);
    l_all := l_all || l_idx || ':' || l_data || ';';
  END LOOP;
  :all := l_all;
  :enc := REPLACE(fnd_msg_pub.get(2, 'T'), CHR(0), '|');
  :past := fnd_msg_pub.get(p_msg_index => 3, p_encoded => 'F');
END;"""
    out = run(block, None, session, cnt=None, single=None, all=None, enc=None, past=None)
    assert (out["cnt"], out["single"], out["past"]) == (Decimal(2), None, None)
    assert out["all"] == (
        "1:The customer id is invalid.;"
        "2:The GL date 05-JAN-2025 is not in an open or future-enterable period.;"
    )
    assert out["enc"] == "AR|AR_INVALID_APP_GL_DATE|N|GL_DATE|05-JAN-2025"
    assert len(session.messages) == 2


def test_parsed_blocks_are_cached_by_text() -> None:
    text = "BEGIN :x := 1; END;"
    assert compile_block(text) is compile_block(text)
    assert compile_block(text + " ") is not compile_block(text)


def test_compile_errors_run_nothing() -> None:
    session = OracleSession()
    with pytest.raises(OraError) as exc:
        run(
            "BEGIN\n  fnd_global.apps_initialize(1, 2, 222);\n  l_missing := 1;\nEND;",
            None,
            session,
        )
    assert exc.value.code == 6550 and "PLS-00201" in exc.value.message
    assert session.user_id is None  # APPS_INITIALIZE never ran
