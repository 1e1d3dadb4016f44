*----------------------------------------------------------------------*
* Include LZOTC_ARC03: the checks Z_OTC_AR_REVERSE makes before it resets
* and reverses a payment, and the lines Z_OTC_AR_REFUND hands to FB05.
* No database access here: the ABAP Unit tests (LZOTC_ART99) run both on
* the cases of tests/fixtures/reversal_cases.json, the table the mock's
* twins are tested on too (tests/abap/test_reversal_cases.py).
*----------------------------------------------------------------------*
CLASS lcl_reversal_rules DEFINITION FINAL.
  PUBLIC SECTION.
    TYPES:
      BEGIN OF ty_facts,
        reason           TYPE c LENGTH 2,
        reason_known     TYPE abap_bool,
        alt_date         TYPE abap_bool,
        doc_found        TYPE abap_bool,
        stblg            TYPE c LENGTH 10,
        bstat            TYPE c LENGTH 1,
        doc_budat        TYPE d,
        rev_budat        TYPE d,
        rev_period_open  TYPE abap_bool,
        cleared_later_by TYPE c LENGTH 10,
      END OF ty_facts.
    TYPES:
      BEGIN OF ty_code,
        msgid TYPE c LENGTH 20,
        msgno TYPE c LENGTH 3,
      END OF ty_code.

    "! The first refusal, in the kit's order, or an initial code when FBRA
    "! and FB08 may run: ZOTC 021 no reason, 020 reason not in T041C, 025 no
    "! document, F5 361 already reversed, F5 360 a clearing document status
    "! (BSTAT A/B), ZOTC 022 date before the document, F5 201 the reversal
    "! period is closed, ZOTC 024 another date without T041C-XABWD, ZOTC 023
    "! a line of the payment was cleared later by another document.
    CLASS-METHODS check
      IMPORTING
        is_facts       TYPE ty_facts
      RETURNING
        VALUE(rs_code) TYPE ty_code.
ENDCLASS.


CLASS lcl_reversal_rules IMPLEMENTATION.

  METHOD check.
    IF is_facts-reason IS INITIAL.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '021'.
    ELSEIF is_facts-reason_known = abap_false.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '020'.
    ELSEIF is_facts-doc_found = abap_false.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '025'.
    ELSEIF is_facts-stblg IS NOT INITIAL.
      rs_code-msgid = 'F5'.
      rs_code-msgno = '361'.
    ELSEIF is_facts-bstat = 'A' OR is_facts-bstat = 'B'.
      rs_code-msgid = 'F5'.
      rs_code-msgno = '360'.
    ELSEIF is_facts-rev_budat < is_facts-doc_budat.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '022'.
    ELSEIF is_facts-rev_period_open = abap_false.
      rs_code-msgid = 'F5'.
      rs_code-msgno = '201'.
    ELSEIF is_facts-rev_budat <> is_facts-doc_budat AND is_facts-alt_date = abap_false.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '024'.
    ELSEIF is_facts-cleared_later_by IS NOT INITIAL.
      rs_code-msgid = 'ZOTC'.
      rs_code-msgno = '023'.
    ENDIF.
  ENDMETHOD.

ENDCLASS.


CLASS lcl_refund_lines DEFINITION FINAL.
  PUBLIC SECTION.
    TYPES ty_amount TYPE p LENGTH 16 DECIMALS 4.
    TYPES ty_role TYPE c LENGTH 8.
    TYPES:
      BEGIN OF ty_item,
        open   TYPE ty_amount,
        refund TYPE ty_amount,
      END OF ty_item.
    TYPES ty_items TYPE STANDARD TABLE OF ty_item WITH EMPTY KEY.
    TYPES:
      BEGIN OF ty_line,
        role     TYPE ty_role,
        post_key TYPE c LENGTH 2,
        amount   TYPE ty_amount,
        item     TYPE i,
      END OF ty_line.
    TYPES ty_lines TYPE STANDARD TABLE OF ty_line WITH EMPTY KEY.
    TYPES:
      BEGIN OF ty_result,
        lines TYPE ty_lines,
        msgno TYPE c LENGTH 3,
        item  TYPE i,
      END OF ty_result.

    CONSTANTS c_refund TYPE ty_role VALUE 'REFUND'.
    CONSTANTS c_residual TYPE ty_role VALUE 'RESIDUAL'.
    "! Customer credit (key 11) for the residual of a credit and for the
    "! refund item F110 pays out, as the mock books them.
    CONSTANTS c_key_credit TYPE c LENGTH 2 VALUE '11'.

    "! The lines besides the cleared credits (OPEN: the item's open credit,
    "! positive): per partly refunded item a RESIDUAL line with what stays
    "! open, then one REFUND line of IV_TOTAL. MSGNO '032' an item is not a
    "! credit, '033' its refund is not in (0, open], '034' the refunds do not
    "! add up to IV_TOTAL; ITEM names the item, nothing is built.
    CLASS-METHODS build
      IMPORTING
        it_items         TYPE ty_items
        iv_total         TYPE ty_amount
      RETURNING
        VALUE(rs_result) TYPE ty_result.
ENDCLASS.


CLASS lcl_refund_lines IMPLEMENTATION.

  METHOD build.
    DATA ls_item TYPE ty_item.
    DATA ls_line TYPE ty_line.
    DATA lv_sum TYPE ty_amount.

    LOOP AT it_items INTO ls_item.
      IF ls_item-open <= 0.
        rs_result-msgno = '032'.
        rs_result-item = sy-tabix.
        RETURN.
      ENDIF.
      IF ls_item-refund <= 0 OR ls_item-refund > ls_item-open.
        rs_result-msgno = '033'.
        rs_result-item = sy-tabix.
        RETURN.
      ENDIF.
      lv_sum = lv_sum + ls_item-refund.
    ENDLOOP.
    IF lv_sum <> iv_total.
      rs_result-msgno = '034'.
      RETURN.
    ENDIF.
    LOOP AT it_items INTO ls_item.
      IF ls_item-refund >= ls_item-open.
        CONTINUE.
      ENDIF.
      CLEAR ls_line.
      ls_line-role = c_residual.
      ls_line-post_key = c_key_credit.
      ls_line-amount = ls_item-open - ls_item-refund.
      ls_line-item = sy-tabix.
      APPEND ls_line TO rs_result-lines.
    ENDLOOP.
    CLEAR ls_line.
    ls_line-role = c_refund.
    ls_line-post_key = c_key_credit.
    ls_line-amount = iv_total.
    APPEND ls_line TO rs_result-lines.
  ENDMETHOD.

ENDCLASS.
