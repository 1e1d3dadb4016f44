"""Write the kit's ABAP Unit test include from the shared case table, and its source digest.

The mock's clearing and the kit's line builder are tested on the same cases
(tests/fixtures/clearing_cases.json), so they cannot drift apart. This writes
adapters/sap/abap/src/zotc_ar.fugr.lzotc_art99.abap; tests/abap/test_abap_kit.py fails when
the committed include is not what this writes. Run: ``python tests/abap/gen_unit_tests.py``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "clearing_cases.json"
#: the reversal checks and refund lines (LZOTC_ARC03), shared with the mock (issue 18)
REVERSAL_CASES = ROOT / "tests" / "fixtures" / "reversal_cases.json"
KIT = ROOT / "adapters" / "sap" / "abap"
TARGET = KIT / "src" / "zotc_ar.fugr.lzotc_art99.abap"
TOP = KIT / "src" / "zotc_ar.fugr.lzotc_artop.abap"
KIT_VERSION = "2.1.0"  # 2.1.0: Z_OTC_AR_REVERSE answers ZOTC 027 when half done
TOP_TEMPLATE = """*----------------------------------------------------------------------*
* otc-adapters ABAP kit (adapters/sap/abap, docs/sap-setup.md): remote-
* enabled modules that do one unit of work each and commit it themselves,
* because /sap/bc/soap/rfc keeps no session across calls (a BAPI and
* BAPI_TRANSACTION_COMMIT in two SOAP calls commit nothing).
* Release: SAP_BASIS 7.40 SP08 and up (abaplint.json).
* The constants are WRITTEN by tests/abap/gen_unit_tests.py: the digest is
* over every other .abap file of the kit (Z_OTC_KIT_VERSION answers it).
*----------------------------------------------------------------------*
FUNCTION-POOL zotc_ar.

CONSTANTS gc_kit_version TYPE c LENGTH 20 VALUE '{version}'.
CONSTANTS gc_kit_source_sha256 TYPE c LENGTH 64
  VALUE '{digest}'.
"""
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


R = "lcl_reversal_rules"
F = "lcl_refund_lines"


def _flag(value: bool) -> str:
    return "abap_true" if value else "abap_false"


def render_reversal(table: dict[str, Any]) -> str:
    """ABAP Unit class of LZOTC_ARC03 from tests/fixtures/reversal_cases.json."""
    checks = [(f"check_{n:02d}", c) for n, c in enumerate(table["reversal_checks"], start=1)]
    refunds = [(f"refund_{n:02d}", c) for n, c in enumerate(table["refunds"], start=1)]
    head = [
        "",
        "",
        "*" + "-" * 70 + "*",
        "* ABAP Unit tests of lcl_reversal_rules and lcl_refund_lines (LZOTC_ARC03),",
        "* GENERATED from tests/fixtures/reversal_cases.json, the table the mock's",
        "* twins are tested on too: do not edit, change the table and run the generator.",
        "*" + "-" * 70 + "*",
        "CLASS ltcl_reversal_cases DEFINITION FINAL FOR TESTING",
        "  DURATION SHORT RISK LEVEL HARMLESS.",
        "  PRIVATE SECTION.",
    ]
    for name, case in checks + refunds:
        head.append(f'    METHODS {name} FOR TESTING. " {case["name"]}')
    head += ["ENDCLASS.", "", "", "CLASS ltcl_reversal_cases IMPLEMENTATION.", ""]
    body: list[str] = []
    for name, case in checks:
        expect = case["expect"]
        msgid, msgno = (expect[:-3], expect[-3:]) if expect else ("", "")
        body += [
            f"  METHOD {name}.",
            f'    " {case["name"]}',
            f"    DATA ls_facts TYPE {R}=>ty_facts.",
            f"    DATA ls_code TYPE {R}=>ty_code.",
            "",
            f"    ls_facts-reason = {_q(case['reason'])}.",
            f"    ls_facts-reason_known = {_flag(case['reason_known'])}.",
            f"    ls_facts-alt_date = {_flag(case['alt_date'])}.",
            f"    ls_facts-doc_found = {_flag(case['doc_found'])}.",
            f"    ls_facts-stblg = {_q(case['stblg'])}.",
            f"    ls_facts-bstat = {_q(case['bstat'])}.",
            f"    ls_facts-doc_budat = {_q(case['doc_budat'])}.",
            f"    ls_facts-rev_budat = {_q(case['rev_budat'])}.",
            f"    ls_facts-rev_period_open = {_flag(case['rev_period_open'])}.",
            f"    ls_facts-cleared_later_by = {_q(case['cleared_later_by'])}.",
            f"    ls_code = {R}=>check( ls_facts ).",
            "    cl_abap_unit_assert=>assert_equals( act = ls_code-msgid",
            f"                                        exp = {_q(msgid)}",
            f"                                        msg = {_q(case['name'] + ': class')} ).",
            "    cl_abap_unit_assert=>assert_equals( act = ls_code-msgno",
            f"                                        exp = {_q(msgno)}",
            f"                                        msg = {_q(case['name'] + ': number')} ).",
            "  ENDMETHOD.",
            "",
            "",
        ]
    for name, case in refunds:
        body += [
            f"  METHOD {name}.",
            f'    " {case["name"]}',
            f"    DATA lt_items TYPE {F}=>ty_items.",
            f"    DATA ls_item TYPE {F}=>ty_item.",
            *([f"    DATA ls_line TYPE {F}=>ty_line."] if case["lines"] else []),
            f"    DATA ls_result TYPE {F}=>ty_result.",
            f"    DATA lv_total TYPE {F}=>ty_amount.",
            "",
        ]
        for it in case["items"]:
            body += [
                f"    ls_item-open = {_q(it['open'])}.",
                f"    ls_item-refund = {_q(it['refund'])}.",
                "    APPEND ls_item TO lt_items.",
            ]
        body += [
            f"    lv_total = {_q(case['total'])}.",
            f"    ls_result = {F}=>build( it_items = lt_items",
            "                                          iv_total = lv_total ).",
            "    cl_abap_unit_assert=>assert_equals( act = ls_result-msgno",
            f"                                        exp = {_q(case['expect'])}",
            f"                                        msg = {_q(case['name'] + ': message')} ).",
            "    cl_abap_unit_assert=>assert_equals( act = lines( ls_result-lines )",
            f"                                        exp = {len(case['lines'])}",
            f"                                        msg = {_q(case['name'] + ': lines')} ).",
        ]
        for n, ln in enumerate(case["lines"], start=1):
            where = f"{case['name']} line {n}"
            body += [
                f"    READ TABLE ls_result-lines INTO ls_line INDEX {n}.",
                "    cl_abap_unit_assert=>assert_subrc( act = sy-subrc",
                f"                                       msg = {_q(where)} ).",
            ]
            for field, expected in (
                ("role", _q(ln["role"])),
                ("post_key", _q(ln["key"])),
                ("amount", _q(ln["amount"])),
                ("item", str(ln["item"])),
            ):
                body += [
                    f"    cl_abap_unit_assert=>assert_equals( act = ls_line-{field}",
                    f"                                        exp = {expected}",
                    f"                                        msg = {_q(where + ': ' + field)} ).",
                ]
        body += ["  ENDMETHOD.", "", ""]
    return "\n".join([*head, *body[:-2], "ENDCLASS."]) + "\n"


def kit_digest(root: Path = KIT) -> str:
    """SHA-256 over the kit's .abap files (relative path and bytes, in path order) but the TOP
    include, which carries it: what Z_OTC_KIT_VERSION answers and `otc doctor --deep`
    compares with the build (adapters/sap/doctor.py hashes the same way)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.abap") if p.is_file() and p != TOP):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def render_top(digest: str) -> str:
    return TOP_TEMPLATE.format(version=KIT_VERSION, digest=digest)


def main(argv: list[str]) -> int:
    text = render(json.loads(CASES.read_text()))
    text += render_reversal(json.loads(REVERSAL_CASES.read_text()))
    if "--check" in argv:
        current = TARGET.read_text() if TARGET.exists() else ""
        top = TOP.read_text() if TOP.exists() else ""
        if current != text or top != render_top(kit_digest()):
            print("the kit's test include or digest is stale: run "
                  "python tests/abap/gen_unit_tests.py", file=sys.stderr)  # fmt: skip
            return 1
        return 0
    TARGET.write_text(text)
    TOP.write_text(render_top(kit_digest()))  # after the include: it is part of the digest
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
