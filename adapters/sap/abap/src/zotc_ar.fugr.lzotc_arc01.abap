*----------------------------------------------------------------------*
* Include LZOTC_ARC01: the lines Z_OTC_AR_CLEAR hands to FB05, and dates
* as text in the logon user's date format. No database access here: the
* ABAP Unit tests (LZOTC_ART99) run it on the cases of the shared table
* tests/fixtures/clearing_cases.json, the same cases the mock's clearing
* is tested on (tests/mock_erp/test_sap_clearing_cases.py).
*----------------------------------------------------------------------*
CLASS lcl_clearing_lines DEFINITION FINAL.
  PUBLIC SECTION.
    TYPES ty_amount TYPE p LENGTH 16 DECIMALS 4.
    TYPES ty_role TYPE c LENGTH 8.
    TYPES ty_date_text TYPE c LENGTH 10.
    TYPES:
      BEGIN OF ty_item,
        doc_no    TYPE c LENGTH 10,
        fisc_year TYPE n LENGTH 4,
        item_num  TYPE n LENGTH 3,
        mode      TYPE c LENGTH 1,
        open      TYPE ty_amount,
        paid      TYPE ty_amount,
        discount  TYPE ty_amount,
        reason    TYPE c LENGTH 3,
        text      TYPE c LENGTH 50,
      END OF ty_item.
    TYPES ty_items TYPE STANDARD TABLE OF ty_item WITH EMPTY KEY.
    TYPES:
      BEGIN OF ty_gl,
        account    TYPE c LENGTH 10,
        amount     TYPE ty_amount,
        text       TYPE c LENGTH 50,
        alloc      TYPE c LENGTH 18,
        costcenter TYPE c LENGTH 10,
      END OF ty_gl.
    TYPES ty_gls TYPE STANDARD TABLE OF ty_gl WITH EMPTY KEY.
    TYPES:
      BEGIN OF ty_line,
        post_key   TYPE c LENGTH 2,
        role       TYPE ty_role,
        account    TYPE c LENGTH 10,
        amount     TYPE ty_amount,
        costcenter TYPE c LENGTH 10,
        reason     TYPE c LENGTH 3,
        item       TYPE i,
        text       TYPE c LENGTH 50,
        alloc      TYPE c LENGTH 18,
      END OF ty_line.
    TYPES ty_lines TYPE STANDARD TABLE OF ty_line WITH EMPTY KEY.
    TYPES:
      BEGIN OF ty_result,
        lines  TYPE ty_lines,
        left   TYPE ty_amount,
        msgno  TYPE c LENGTH 3,
        msg_v1 TYPE c LENGTH 50,
        msg_v2 TYPE c LENGTH 50,
      END OF ty_result.

    CONSTANTS c_bank TYPE ty_role VALUE 'BANK'.
    CONSTANTS c_customer TYPE ty_role VALUE 'CUSTOMER'.
    CONSTANTS c_discount TYPE ty_role VALUE 'DISCOUNT'.
    CONSTANTS c_gl TYPE ty_role VALUE 'GL'.
    CONSTANTS c_incoming TYPE c LENGTH 8 VALUE 'EINGZAHL'.
    CONSTANTS c_transfer TYPE c LENGTH 8 VALUE 'UMBUCHNG'.

    "! Posting keys as the mock books them (docs/specs/sap.md sec. 2.6):
    "! bank and discount 40, G/L 40/50, residual 06, partial and on account 15.
    CONSTANTS c_key_gl_debit TYPE c LENGTH 2 VALUE '40'.
    CONSTANTS c_key_gl_credit TYPE c LENGTH 2 VALUE '50'.
    CONSTANTS c_key_residual TYPE c LENGTH 2 VALUE '06'.
    CONSTANTS c_key_payment TYPE c LENGTH 2 VALUE '15'.

    METHODS constructor
      IMPORTING
        iv_customer TYPE csequence
        iv_bank_gl  TYPE csequence
        iv_disc_gl  TYPE csequence.

    "! The lines for FB05 in order: bank, residual or partial per item,
    "! one discount line, the G/L lines, money left on account. MSGNO is
    "! '002' (an item's amounts do not fit its mode and open amount) or
    "! '004' (applied amounts exceed the payment) with nothing built.
    METHODS build
      IMPORTING
        iv_auglv         TYPE csequence
        iv_payment       TYPE ty_amount
        it_items         TYPE ty_items
        it_gl            TYPE ty_gls
      RETURNING
        VALUE(rs_result) TYPE ty_result.

    "! A date as a user with this USR01-DATFM types it: batch input reads
    "! a date field in the logon user's format, not as YYYYMMDD. Formats
    "! 1-6 (SAP keyword documentation "Date Formats"); blank for 7-9
    "! (Japanese era), A, B (Islamic) and C (Iranian), which the kit
    "! refuses rather than guess.
    CLASS-METHODS date_text
      IMPORTING
        iv_date        TYPE d
        iv_datfm       TYPE csequence
      RETURNING
        VALUE(rv_text) TYPE ty_date_text.

    "! ZOTC 003: an amount with more decimals than its currency has in
    "! SAP (TCURX-CURRDEC; a currency absent from TCURX has 2).
    CLASS-METHODS fits_decimals
      IMPORTING
        iv_amount      TYPE ty_amount
        iv_decimals    TYPE i
      RETURNING
        VALUE(rv_fits) TYPE abap_bool.

  PRIVATE SECTION.
    DATA mv_customer TYPE c LENGTH 10.
    DATA mv_bank_gl TYPE c LENGTH 10.
    DATA mv_disc_gl TYPE c LENGTH 10.

    METHODS add_line
      IMPORTING
        iv_key        TYPE csequence
        iv_role       TYPE ty_role
        iv_amount     TYPE ty_amount
        iv_costcenter TYPE csequence OPTIONAL
        iv_reason     TYPE csequence OPTIONAL
        iv_item       TYPE i OPTIONAL
        iv_text       TYPE csequence OPTIONAL
        iv_alloc      TYPE csequence OPTIONAL
      CHANGING
        ct_lines      TYPE ty_lines.

    METHODS fits_mode
      IMPORTING
        iv_auglv     TYPE csequence
        is_item      TYPE ty_item
      RETURNING
        VALUE(rv_ok) TYPE abap_bool.
ENDCLASS.


CLASS lcl_clearing_lines IMPLEMENTATION.

  METHOD constructor.
    mv_customer = iv_customer.
    mv_bank_gl = iv_bank_gl.
    mv_disc_gl = iv_disc_gl.
  ENDMETHOD.


  METHOD build.
    DATA ls_item TYPE ty_item.
    DATA ls_gl TYPE ty_gl.
    DATA lv_index TYPE i.
    DATA lv_applied TYPE ty_amount.
    DATA lv_discount TYPE ty_amount.
    DATA lv_gl_sum TYPE ty_amount.
    DATA lv_amount TYPE ty_amount.
    DATA lv_text TYPE c LENGTH 50.

    LOOP AT it_items INTO ls_item.
      IF fits_mode( iv_auglv = iv_auglv
                    is_item  = ls_item ) = abap_false.
        rs_result-msgno = '002'.
        rs_result-msg_v1 = ls_item-doc_no.
        lv_text = ls_item-open.
        CONDENSE lv_text.
        rs_result-msg_v2 = lv_text.
        RETURN.
      ENDIF.
      IF ls_item-mode = 'F'.
        lv_applied = lv_applied + ls_item-open.
      ELSE.
        lv_applied = lv_applied + ls_item-paid + ls_item-discount.
      ENDIF.
      lv_discount = lv_discount + ls_item-discount.
    ENDLOOP.
    LOOP AT it_gl INTO ls_gl.
      lv_gl_sum = lv_gl_sum + ls_gl-amount.
    ENDLOOP.

    " money left after the items: on account (spec sec. 2.6, L >= 0)
    rs_result-left = iv_payment + lv_discount + lv_gl_sum - lv_applied.
    IF rs_result-left < 0.
      rs_result-msgno = '004'.
      lv_text = abs( rs_result-left ).
      CONDENSE lv_text.
      rs_result-msg_v1 = lv_text.
      CLEAR rs_result-left.
      RETURN.
    ENDIF.

    IF iv_auglv = c_incoming AND iv_payment <> 0.
      add_line( EXPORTING iv_key    = c_key_gl_debit
                          iv_role   = c_bank
                          iv_amount = iv_payment
                          iv_text   = 'Incoming payment'
                CHANGING  ct_lines  = rs_result-lines ).
    ENDIF.

    " residual: the item is cleared and open - paid - discount stays open
    " with its reason code; partial: the item stays open, paid referenced
    LOOP AT it_items INTO ls_item.
      lv_index = sy-tabix.
      CASE ls_item-mode.
        WHEN 'R'.
          lv_amount = ls_item-open - ls_item-paid - ls_item-discount.
          add_line( EXPORTING iv_key    = c_key_residual
                              iv_role   = c_customer
                              iv_amount = lv_amount
                              iv_reason = ls_item-reason
                              iv_item   = lv_index
                              iv_text   = ls_item-text
                    CHANGING  ct_lines  = rs_result-lines ).
        WHEN 'P'.
          lv_amount = ls_item-paid + ls_item-discount.
          add_line( EXPORTING iv_key    = c_key_payment
                              iv_role   = c_customer
                              iv_amount = lv_amount
                              iv_reason = ls_item-reason
                              iv_item   = lv_index
                              iv_text   = ls_item-text
                    CHANGING  ct_lines  = rs_result-lines ).
      ENDCASE.
    ENDLOOP.

    IF lv_discount > 0.
      add_line( EXPORTING iv_key    = c_key_gl_debit
                          iv_role   = c_discount
                          iv_amount = lv_discount
                CHANGING  ct_lines  = rs_result-lines ).
    ENDIF.

    LOOP AT it_gl INTO ls_gl.
      IF ls_gl-amount >= 0.
        add_line( EXPORTING iv_key        = c_key_gl_debit
                            iv_role       = c_gl
                            iv_amount     = ls_gl-amount
                            iv_costcenter = ls_gl-costcenter
                            iv_text       = ls_gl-text
                            iv_alloc      = ls_gl-alloc
                  CHANGING  ct_lines      = rs_result-lines ).
      ELSE.
        lv_amount = abs( ls_gl-amount ).
        add_line( EXPORTING iv_key        = c_key_gl_credit
                            iv_role       = c_gl
                            iv_amount     = lv_amount
                            iv_costcenter = ls_gl-costcenter
                            iv_text       = ls_gl-text
                            iv_alloc      = ls_gl-alloc
                  CHANGING  ct_lines      = rs_result-lines ).
      ENDIF.
      " the G/L account of a G/L line is its own, not a role's
      READ TABLE rs_result-lines INDEX lines( rs_result-lines ) ASSIGNING FIELD-SYMBOL(<ls_last>).
      IF sy-subrc = 0.
        <ls_last>-account = ls_gl-account.
      ENDIF.
    ENDLOOP.

    IF rs_result-left > 0.
      add_line( EXPORTING iv_key    = c_key_payment
                          iv_role   = c_customer
                          iv_amount = rs_result-left
                          iv_text   = 'On account'
                CHANGING  ct_lines  = rs_result-lines ).
    ENDIF.
  ENDMETHOD.


  METHOD fits_mode.
    DATA lv_applied TYPE ty_amount.

    lv_applied = is_item-paid + is_item-discount.
    rv_ok = abap_false.
    CASE is_item-mode.
      WHEN 'F'.
        IF iv_auglv = c_transfer.
          rv_ok = abap_true.
        ELSEIF is_item-open >= 0 AND lv_applied = is_item-open.
          rv_ok = abap_true.
        ELSEIF is_item-open < 0 AND lv_applied = 0.
          rv_ok = abap_true.
        ENDIF.
      WHEN 'R'.
        IF is_item-open > 0 AND lv_applied < is_item-open.
          rv_ok = abap_true.
        ENDIF.
      WHEN 'P'.
        IF is_item-open > 0 AND lv_applied > 0 AND lv_applied <= is_item-open.
          rv_ok = abap_true.
        ENDIF.
    ENDCASE.
  ENDMETHOD.


  METHOD add_line.
    DATA ls_line TYPE ty_line.

    ls_line-post_key = iv_key.
    ls_line-role = iv_role.
    CASE iv_role.
      WHEN c_bank.
        ls_line-account = mv_bank_gl.
      WHEN c_discount.
        ls_line-account = mv_disc_gl.
      WHEN c_customer.
        ls_line-account = mv_customer.
    ENDCASE.
    ls_line-amount = iv_amount.
    ls_line-costcenter = iv_costcenter.
    ls_line-reason = iv_reason.
    ls_line-item = iv_item.
    ls_line-text = iv_text.
    ls_line-alloc = iv_alloc.
    APPEND ls_line TO ct_lines.
  ENDMETHOD.


  METHOD fits_decimals.
    DATA lv_scaled TYPE ty_amount.

    lv_scaled = iv_amount * 10 ** iv_decimals.
    rv_fits = xsdbool( frac( lv_scaled ) = 0 ).
  ENDMETHOD.


  METHOD date_text.
    DATA lv_day TYPE c LENGTH 2.
    DATA lv_month TYPE c LENGTH 2.
    DATA lv_year TYPE c LENGTH 4.

    lv_year = iv_date(4).
    lv_month = iv_date+4(2).
    lv_day = iv_date+6(2).
    CASE iv_datfm.
      WHEN '1'.
        CONCATENATE lv_day lv_month lv_year INTO rv_text SEPARATED BY '.'.
      WHEN '2'.
        CONCATENATE lv_month lv_day lv_year INTO rv_text SEPARATED BY '/'.
      WHEN '3'.
        CONCATENATE lv_month lv_day lv_year INTO rv_text SEPARATED BY '-'.
      WHEN '4'.
        CONCATENATE lv_year lv_month lv_day INTO rv_text SEPARATED BY '.'.
      WHEN '5'.
        CONCATENATE lv_year lv_month lv_day INTO rv_text SEPARATED BY '/'.
      WHEN '6'.
        CONCATENATE lv_year lv_month lv_day INTO rv_text SEPARATED BY '-'.
      WHEN OTHERS.
        CLEAR rv_text.
    ENDCASE.
  ENDMETHOD.

ENDCLASS.
