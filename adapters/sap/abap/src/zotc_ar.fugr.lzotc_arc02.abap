*----------------------------------------------------------------------*
* Include LZOTC_ARC02: what Z_OTC_AR_CLEAR reads from the system and how
* it talks to FB05's posting interface (FTPOST / FTCLEAR fields as screen
* text in the user's formats, docs/specs/sap.md sec. 2.6 and sec. 8).
*----------------------------------------------------------------------*
CLASS lcl_fb05 DEFINITION FINAL.
  PUBLIC SECTION.
    TYPES ty_ftpost_tab TYPE STANDARD TABLE OF ftpost WITH EMPTY KEY.
    TYPES ty_return_tab TYPE STANDARD TABLE OF bapiret2 WITH EMPTY KEY.
    TYPES ty_lines_tab TYPE STANDARD TABLE OF zotc_s_clear_line WITH EMPTY KEY.

    CLASS-METHODS add_msg
      IMPORTING
        iv_type   TYPE csequence
        iv_id     TYPE csequence
        iv_number TYPE csequence
        iv_v1     TYPE any OPTIONAL
        iv_v2     TYPE any OPTIONAL
        iv_v3     TYPE any OPTIONAL
        iv_v4     TYPE any OPTIONAL
      CHANGING
        ct_return TYPE ty_return_tab.

    "! The logon user's date format: batch input reads date fields in it.
    "! USR01-DATFM, the value BAPI_USER_GET_DETAIL returns in DEFAULTS-DATFM.
    CLASS-METHODS user_datfm
      RETURNING
        VALUE(rv_datfm) TYPE usr01-datfm.

    "! The cash-discount expense account: T030 transaction SKE of the company
    "! code's chart of accounts (the account FB05 books discounts to).
    CLASS-METHODS discount_account
      IMPORTING
        iv_bukrs          TYPE bukrs
      RETURNING
        VALUE(rv_account) TYPE hkont.

    CLASS-METHODS amount_text
      IMPORTING
        iv_amount      TYPE lcl_clearing_lines=>ty_amount
        iv_currency    TYPE waers
      RETURNING
        VALUE(rv_text) TYPE ftpost-fval.

    CLASS-METHODS field
      IMPORTING
        iv_stype  TYPE ftpost-stype
        iv_count  TYPE ftpost-count
        iv_fnam   TYPE csequence
        iv_fval   TYPE any
      CHANGING
        ct_ftpost TYPE ty_ftpost_tab.

    "! FTPOST 'P' rows for the lines of lcl_clearing_lines, numbered on
    "! from IV_FIRST; REBZG/REBZJ/REBZZ point residual and partial lines
    "! at their item.
    CLASS-METHODS add_lines
      IMPORTING
        it_lines      TYPE lcl_clearing_lines=>ty_lines
        it_items      TYPE lcl_clearing_lines=>ty_items
        iv_currency   TYPE waers
        iv_value_date TYPE csequence
        iv_first      TYPE ftpost-count
      CHANGING
        ct_ftpost     TYPE ty_ftpost_tab.

    "! The document's lines as stored (BSEG), external amounts: what FB05
    "! booked, including differences it booked itself within tolerance.
    CLASS-METHODS posted_lines
      IMPORTING
        iv_bukrs    TYPE bukrs
        iv_belnr    TYPE belnr_d
        iv_gjahr    TYPE gjahr
        iv_currency TYPE waers
      CHANGING
        ct_lines    TYPE ty_lines_tab.
ENDCLASS.


CLASS lcl_fb05 IMPLEMENTATION.

  METHOD add_msg.
    DATA ls_return TYPE bapiret2.

    CALL FUNCTION 'BALW_BAPIRETURN_GET2'
      EXPORTING
        type   = iv_type
        cl     = iv_id
        number = iv_number
        par1   = iv_v1
        par2   = iv_v2
        par3   = iv_v3
        par4   = iv_v4
      IMPORTING
        return = ls_return.
    APPEND ls_return TO ct_return.
  ENDMETHOD.


  METHOD user_datfm.
    SELECT SINGLE datfm FROM usr01 INTO rv_datfm WHERE bname = sy-uname.
    IF sy-subrc <> 0.
      CLEAR rv_datfm.            " no user defaults: refused as unsupported (ZOTC 011)
    ENDIF.
  ENDMETHOD.


  METHOD discount_account.
    DATA lv_ktopl TYPE ktopl.

    SELECT SINGLE ktopl FROM t001 INTO lv_ktopl WHERE bukrs = iv_bukrs.
    IF sy-subrc <> 0.
      RETURN.
    ENDIF.
    SELECT SINGLE konts FROM t030 INTO rv_account
      WHERE ktopl = lv_ktopl AND ktosl = 'SKE'.
    IF sy-subrc <> 0.
      CLEAR rv_account.          " FB05 then stops for the missing account (00 344)
    ENDIF.
  ENDMETHOD.


  METHOD amount_text.
    DATA lv_internal TYPE wrbtr.
    DATA lv_external TYPE bapicurr-bapicurr.

    lv_external = iv_amount.
    CALL FUNCTION 'CURRENCY_AMOUNT_BAPI_TO_SAP'
      EXPORTING
        currency    = iv_currency
        bapi_amount = lv_external
      IMPORTING
        sap_amount  = lv_internal.
    " screen text in the user's decimal notation, the currency's decimals (TCURX)
    WRITE lv_internal TO rv_text CURRENCY iv_currency NO-GROUPING LEFT-JUSTIFIED.
  ENDMETHOD.


  METHOD field.
    DATA ls_ftpost TYPE ftpost.

    ls_ftpost-stype = iv_stype.
    ls_ftpost-count = iv_count.
    ls_ftpost-fnam = iv_fnam.
    ls_ftpost-fval = iv_fval.
    APPEND ls_ftpost TO ct_ftpost.
  ENDMETHOD.


  METHOD add_lines.
    DATA ls_line TYPE lcl_clearing_lines=>ty_line.
    DATA ls_item TYPE lcl_clearing_lines=>ty_item.
    DATA lv_count TYPE ftpost-count.

    lv_count = iv_first.
    LOOP AT it_lines INTO ls_line.
      field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS'
                       iv_fval = ls_line-post_key
             CHANGING  ct_ftpost = ct_ftpost ).
      field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO'
                       iv_fval = ls_line-account
             CHANGING  ct_ftpost = ct_ftpost ).
      field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR'
                       iv_fval = amount_text( iv_amount   = ls_line-amount
                                              iv_currency = iv_currency )
             CHANGING  ct_ftpost = ct_ftpost ).
      IF ls_line-role = lcl_clearing_lines=>c_bank AND iv_value_date IS NOT INITIAL.
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-VALUT'
                         iv_fval = iv_value_date
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      IF ls_line-costcenter IS NOT INITIAL.
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'COBL-KOSTL'
                         iv_fval = ls_line-costcenter
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      IF ls_line-reason IS NOT INITIAL.
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-RSTGR'
                         iv_fval = ls_line-reason
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      IF ls_line-item > 0.
        READ TABLE it_items INTO ls_item INDEX ls_line-item.
        ASSERT sy-subrc = 0.     " lines only point at items they were built from
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZG'
                         iv_fval = ls_item-doc_no
               CHANGING  ct_ftpost = ct_ftpost ).
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZJ'
                         iv_fval = ls_item-fisc_year
               CHANGING  ct_ftpost = ct_ftpost ).
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZZ'
                         iv_fval = ls_item-item_num
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      IF ls_line-alloc IS NOT INITIAL.
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR'
                         iv_fval = ls_line-alloc
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      IF ls_line-text IS NOT INITIAL.
        field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT'
                         iv_fval = ls_line-text
               CHANGING  ct_ftpost = ct_ftpost ).
      ENDIF.
      lv_count = lv_count + 1.
    ENDLOOP.
  ENDMETHOD.


  METHOD posted_lines.
    DATA lt_bseg TYPE STANDARD TABLE OF bseg WITH EMPTY KEY.
    DATA ls_bseg TYPE bseg.
    DATA ls_line TYPE zotc_s_clear_line.
    DATA lv_external TYPE bapicurr-bapicurr.

    SELECT buzei bschl koart shkzg hkont kunnr wrbtr kostl rstgr rebzg augbl sgtxt
      FROM bseg INTO CORRESPONDING FIELDS OF TABLE lt_bseg
      WHERE bukrs = iv_bukrs AND belnr = iv_belnr AND gjahr = iv_gjahr
      ORDER BY PRIMARY KEY.
    IF sy-subrc <> 0.
      RETURN.
    ENDIF.
    LOOP AT lt_bseg INTO ls_bseg.
      CLEAR ls_line.
      ls_line-item_num = ls_bseg-buzei.
      ls_line-post_key = ls_bseg-bschl.
      ls_line-acct_type = ls_bseg-koart.
      ls_line-db_cr_ind = ls_bseg-shkzg.
      ls_line-gl_account = ls_bseg-hkont.
      ls_line-customer = ls_bseg-kunnr.
      CALL FUNCTION 'CURRENCY_AMOUNT_SAP_TO_BAPI'
        EXPORTING
          currency    = iv_currency
          sap_amount  = ls_bseg-wrbtr
        IMPORTING
          bapi_amount = lv_external.
      ls_line-amt_doccur = lv_external.
      ls_line-costcenter = ls_bseg-kostl.
      ls_line-reason_cde = ls_bseg-rstgr.
      ls_line-inv_ref = ls_bseg-rebzg.
      IF ls_bseg-augbl = iv_belnr.
        ls_line-cleared = abap_true.
      ENDIF.
      ls_line-item_text = ls_bseg-sgtxt.
      APPEND ls_line TO ct_lines.
    ENDLOOP.
  ENDMETHOD.

ENDCLASS.
