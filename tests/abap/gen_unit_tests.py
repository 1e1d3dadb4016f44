"""Write the kit's ABAP Unit test include from the shared case table.

The mock's clearing and the kit's line builder are tested on the same cases
(tests/fixtures/clearing_cases.json), so they cannot drift apart. This writes
adapters/sap/abap/src/zotc_ar.fugr.lzotc_art99.abap; tests/abap/test_abap_kit.py fails when
the committed include is not what this writes. Run: ``python tests/abap/gen_unit_tests.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "clearing_cases.json"
TARGET = ROOT / "adapters" / "sap" / "abap" / "src" / "zotc_ar.fugr.lzotc_art99.abap"
#: symbolic accounts of the table -> (role, account the test builds the class with)
ACCOUNTS = {
    "bank": ("BANK", "BANKGL"),
    "discount": ("DISCOUNT", "DISCGL"),
    "customer": ("CUSTOMER", "CUST"),
    "gl": ("GL", "GLACCT"),
}
T = "lcl_clearing_lines"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _setup(case: dict[str, Any], with_line: bool) -> list[str]:
    out = [f"    DATA ls_line TYPE {T}=>ty_line."] if with_line else []
    out += [
        f"    DATA lt_items TYPE {T}=>ty_items.",
        f"    DATA lt_gl TYPE {T}=>ty_gls.",
        f"    DATA ls_item TYPE {T}=>ty_item.",
        *([f"    DATA ls_gl TYPE {T}=>ty_gl."] if case["gl"] else []),
        f"    DATA ls_result TYPE {T}=>ty_result.",
        f"    DATA lo_cut TYPE REF TO {T}.",
        "",
        "    CREATE OBJECT lo_cut",
        "      EXPORTING",
        f"        iv_customer = {_q(ACCOUNTS['customer'][1])}",
        f"        iv_bank_gl  = {_q(ACCOUNTS['bank'][1])}",
        f"        iv_disc_gl  = {_q(ACCOUNTS['discount'][1])}.",
    ]
    for n, it in enumerate(case["items"], start=1):
        out += [
            *(["    CLEAR ls_item."] if n > 1 else []),
            f"    ls_item-doc_no = {_q(f'{n:010d}')}.",
            f"    ls_item-mode = {_q(it['mode'])}.",
            f"    ls_item-open = amount( {_q(it['open'])} ).",
            f"    ls_item-paid = amount( {_q(it['paid'])} ).",
            f"    ls_item-discount = amount( {_q(it['discount'])} ).",
            f"    ls_item-reason = {_q(it['reason'])}.",
            "    APPEND ls_item TO lt_items.",
        ]
    for n, g in enumerate(case["gl"], start=1):
        out += [
            *(["    CLEAR ls_gl."] if n > 1 else []),
            f"    ls_gl-account = {_q(ACCOUNTS['gl'][1])}.",
            f"    ls_gl-amount = amount( {_q(g['amount'])} ).",
            f"    ls_gl-costcenter = {_q(g['costcenter'])}.",
            "    APPEND ls_gl TO lt_gl.",
        ]
    out += [
        "    ls_result = lo_cut->build( iv_auglv   = " + _q(case["auglv"]),
        f"                               iv_payment = amount( {_q(case['payment'])} )",
        "                               it_items   = lt_items",
        "                               it_gl      = lt_gl ).",
    ]
    return out


def _case_method(name: str, case: dict[str, Any]) -> list[str]:
    out = [f"  METHOD {name}.", f'    " {case["name"]}']
    out += _setup(case, with_line=True)
    out += [
        "    cl_abap_unit_assert=>assert_equals( act = ls_result-msgno",
        "                                        exp = ''",
        f"                                        msg = {_q(case['name'] + ': no error')} ).",
        "    cl_abap_unit_assert=>assert_equals( act = lines( ls_result-lines )",
        f"                                        exp = {len(case['lines'])}",
        f"                                        msg = {_q(case['name'] + ': lines')} ).",
    ]
    for n, ln in enumerate(case["lines"], start=1):
        role, account = ACCOUNTS[ln["account"]]
        out += [
            f"    READ TABLE ls_result-lines INTO ls_line INDEX {n}.",
            "    cl_abap_unit_assert=>assert_subrc( act = sy-subrc",
            f"                                       msg = {_q(case['name'] + f' line {n}')} ).",
            f"    check_line( iv_case       = {_q(case['name'])}",
            f"                iv_index      = {n}",
            "                is_line       = ls_line",
            f"                iv_key        = {_q(ln['key'])}",
            f"                iv_role       = {_q(role)}",
            f"                iv_account    = {_q(account)}",
            f"                iv_amount     = amount( {_q(ln['amount'])} )",
            f"                iv_costcenter = {_q(ln['costcenter'])}",
            f"                iv_reason     = {_q(ln['reason'])}",
            f"                iv_item       = {ln['item']} ).",
        ]
    out.append("  ENDMETHOD.")
    return out


def _error_method(name: str, case: dict[str, Any]) -> list[str]:
    out = [f"  METHOD {name}.", f'    " {case["name"]}']
    out += _setup(case, with_line=False)
    out += [
        "    cl_abap_unit_assert=>assert_equals( act = ls_result-msgno",
        f"                                        exp = {_q(case['error'])}",
        f"                                        msg = {_q(case['name'] + ': message')} ).",
        "    cl_abap_unit_assert=>assert_equals( act = lines( ls_result-lines )",
        "                                        exp = 0",
        f"                                        msg = {_q(case['name'] + ': nothing built')} ).",
    ]
    out.append("  ENDMETHOD.")
    return out


def render(table: dict[str, Any]) -> str:
    cases = [(f"case_{n:02d}", c) for n, c in enumerate(table["clearing"], start=1)]
    errors = [(f"error_{n:02d}", c) for n, c in enumerate(table["errors"], start=1)]
    head = [
        "*" + "-" * 70 + "*",
        "* Include LZOTC_ART99: ABAP Unit tests of the clearing line builder",
        "* lcl_clearing_lines (LZOTC_ARC01). GENERATED by tests/abap/gen_unit_tests.py",
        "* from tests/fixtures/clearing_cases.json, the table the mock's clearing is",
        "* tested on too: do not edit, change the table and run the generator.",
        "*" + "-" * 70 + "*",
        "CLASS ltcl_clearing_cases DEFINITION FINAL FOR TESTING",
        "  DURATION SHORT RISK LEVEL HARMLESS.",
        "  PRIVATE SECTION.",
        "    METHODS amount",
        "      IMPORTING",
        "        iv_text          TYPE csequence",
        "      RETURNING",
        f"        VALUE(rv_amount) TYPE {T}=>ty_amount.",
        "    METHODS check_line",
        "      IMPORTING",
        "        iv_case       TYPE csequence",
        "        iv_index      TYPE i",
        f"        is_line       TYPE {T}=>ty_line",
        "        iv_key        TYPE csequence",
        "        iv_role       TYPE csequence",
        "        iv_account    TYPE csequence",
        f"        iv_amount     TYPE {T}=>ty_amount",
        "        iv_costcenter TYPE csequence",
        "        iv_reason     TYPE csequence",
        "        iv_item       TYPE i.",
    ]
    for name, case in cases + errors:
        head.append(f'    METHODS {name} FOR TESTING. " {case["name"]}')
    head += [
        "    METHODS date_texts FOR TESTING.",
        "    METHODS refused_formats FOR TESTING.",
        "    METHODS decimals FOR TESTING.",
    ]
    head += ["ENDCLASS.", "", "", "CLASS ltcl_clearing_cases IMPLEMENTATION.", ""]
    body = [
        "  METHOD amount.",
        "    rv_amount = iv_text.",
        "  ENDMETHOD.",
        "",
        "",
        "  METHOD check_line.",
        "    DATA lv_where TYPE string.",
        "",
        "    lv_where = |{ iv_case } line { iv_index }|.",
    ]
    for field, expected in (
        ("post_key", "iv_key"),
        ("role", "iv_role"),
        ("account", "iv_account"),
        ("amount", "iv_amount"),
        ("costcenter", "iv_costcenter"),
        ("reason", "iv_reason"),
        ("item", "iv_item"),
    ):
        body += [
            f"    cl_abap_unit_assert=>assert_equals( act = is_line-{field}",
            f"                                        exp = {expected}",
            f"                                        msg = |{{ lv_where }}: {field}| ).",
        ]
    body += ["  ENDMETHOD.", ""]
    for name, case in cases:
        body += ["", *_case_method(name, case), ""]
    for name, case in errors:
        body += ["", *_error_method(name, case), ""]
    body += ["", "  METHOD date_texts."]
    for row in table["date_texts"]:
        body += [
            "    cl_abap_unit_assert=>assert_equals(",
            f"      act = {T}=>date_text( iv_date  = {_q(row['date'].replace('-', ''))}",
            f"                                       iv_datfm = {_q(row['datfm'])} )",
            f"      exp = {_q(row['text'])}",
            f"      msg = {_q('DATFM ' + row['datfm'] + ' ' + row['date'])} ).",
        ]
    body += ["  ENDMETHOD.", "", "", "  METHOD refused_formats."]
    for datfm in table["unsupported_datfm"]:
        body += [
            "    cl_abap_unit_assert=>assert_equals(",
            f"      act = {T}=>date_text( iv_date  = '20250305'",
            f"                                       iv_datfm = {_q(datfm)} )",
            "      exp = ''",
            f"      msg = {_q('DATFM ' + datfm + ' is refused')} ).",
        ]
    body += ["  ENDMETHOD.", "", "", "  METHOD decimals."]
    for row in table["decimal_checks"]:
        body += [
            "    cl_abap_unit_assert=>assert_equals(",
            f"      act = {T}=>fits_decimals( iv_amount   = amount( {_q(row['amount'])} )",
            f"                                           iv_decimals = {row['decimals']} )",
            f"      exp = {_q('X' if row['fits'] else '')}",
            f"      msg = {_q(row['amount'] + ' with ' + str(row['decimals']) + ' decimals')} ).",
        ]
    body += ["  ENDMETHOD.", "", "ENDCLASS."]
    return "\n".join(head + body) + "\n"


def main(argv: list[str]) -> int:
    text = render(json.loads(CASES.read_text()))
    if "--check" in argv:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python tests/abap/gen_unit_tests.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
