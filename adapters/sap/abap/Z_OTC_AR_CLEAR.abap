FUNCTION z_otc_ar_clear.
*"----------------------------------------------------------------------
*" otc-adapters clearing wrapper (docs/specs/sap.md §2.6). Remote-enabled.
*" Clears customer open items against an incoming payment (I_AUGLV
*" 'EINGZAHL') or a G/L write-off (I_AUGLV 'UMBUCHNG') through the FI
*" posting interface (FB05 in batch-input mode N, synchronous update),
*" so the document is committed when the call returns. Business errors
*" come back in RETURN (BAPIRET2); the module raises no exceptions.
*"
*" Function group: ZOTC_AR  (create it in SE80, package ZOTC)
*" Processing type: Remote-Enabled Module
*"----------------------------------------------------------------------
*"  IMPORTING
*"     VALUE(I_COMP_CODE)   TYPE  BUKRS
*"     VALUE(I_CUSTOMER)    TYPE  KUNNR
*"     VALUE(I_DOC_TYPE)    TYPE  BLART DEFAULT 'DZ'
*"     VALUE(I_DOC_DATE)    TYPE  BLDAT
*"     VALUE(I_PSTNG_DATE)  TYPE  BUDAT
*"     VALUE(I_VALUE_DATE)  TYPE  VALUT OPTIONAL
*"     VALUE(I_CURRENCY)    TYPE  WAERS
*"     VALUE(I_REF_DOC_NO)  TYPE  XBLNR1
*"     VALUE(I_HEADER_TXT)  TYPE  BKTXT OPTIONAL
*"     VALUE(I_AUGLV)       TYPE  AUGLV DEFAULT 'EINGZAHL'
*"     VALUE(I_BANK_GL)     TYPE  HKONT OPTIONAL
*"     VALUE(I_AMOUNT)      TYPE  BAPIDOCCUR OPTIONAL
*"     VALUE(I_TESTRUN)     TYPE  XFELD OPTIONAL
*"  EXPORTING
*"     VALUE(E_DOC_NO)      TYPE  BELNR_D
*"     VALUE(E_FISC_YEAR)   TYPE  GJAHR
*"     VALUE(E_OBJ_KEY)     TYPE  AWKEY
*"  TABLES
*"      T_ITEMS   STRUCTURE  ZOTC_S_CLEAR_ITEM
*"      T_GLLINES STRUCTURE  ZOTC_S_CLEAR_GL OPTIONAL
*"      RETURN    STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
* DDIC structures to create first (SE11):
*   ZOTC_S_CLEAR_ITEM: FISC_YEAR GJAHR, DOC_NO BELNR_D, ITEM_NUM BUZEI,
*     CLR_MODE CHAR1 (F full / R residual / P partial), AMT_PAID BAPIDOCCUR,
*     DISC_AMT BAPIDOCCUR, REASON_CDE RSTGR, ITEM_TEXT SGTXT
*   ZOTC_S_CLEAR_GL: GL_ACCOUNT HKONT, AMT_DOCCUR BAPIDOCCUR (+ debit),
*     ITEM_TEXT SGTXT, ALLOC_NMBR DZUONR, COSTCENTER KOSTL
* Message class ZOTC (SE91): 000 "Document &1 posted in company code &2,
*   year &3", 001 "Item &1 &2 &3 is not open for customer &4", 002 "Amounts
*   for item &1 do not match open amount &2", 003 "Amount &1 has more
*   decimals than currency &2 allows", 004 "Applied amounts exceed the
*   payment by &1", 005 "Item &1 is in currency &2, payment in &3",
*   009 "Test run: document can be posted", 010 "Customer &1 is locked by
*   user &2".
*----------------------------------------------------------------------
  DATA: lt_ftpost  TYPE STANDARD TABLE OF ftpost,
        lt_ftclear TYPE STANDARD TABLE OF ftclear,
        lt_fttax   TYPE STANDARD TABLE OF fttax,
        lt_blntab  TYPE STANDARD TABLE OF blntab,
        ls_ftpost  TYPE ftpost,
        ls_ftclear TYPE ftclear,
        ls_blntab  TYPE blntab,
        ls_bsid    TYPE bsid,
        lv_open    TYPE bapidoccur,
        lv_applied TYPE bapidoccur,
        lv_left    TYPE bapidoccur,
        lv_count   TYPE i,
        lv_msgid   TYPE sy-msgid,
        lv_msgno   TYPE sy-msgno,
        lv_msgty   TYPE sy-msgty,
        lv_msgv1   TYPE sy-msgv1,
        lv_msgv2   TYPE sy-msgv2,
        lv_msgv3   TYPE sy-msgv3,
        lv_msgv4   TYPE sy-msgv4,
        lv_subrc   TYPE sy-subrc,
        lv_amount  TYPE wrbtr,
        lv_text    TYPE char30,
        lv_user    TYPE sy-uname.

  CLEAR: e_doc_no, e_fisc_year, e_obj_key, return[].

* 003: amounts must fit the currency (TCURX); external -> internal below
  PERFORM check_decimals TABLES t_items t_gllines return
                         USING  i_amount i_currency.
  IF return[] IS NOT INITIAL. RETURN. ENDIF.

* F5 102 / F5 351 / F5 201 are raised by FB05 itself in the same order.
* 001 / 005: every item must be open for the customer, in the currency
  LOOP AT t_items.
    SELECT SINGLE * FROM bsid INTO ls_bsid
      WHERE bukrs = i_comp_code AND kunnr = i_customer
        AND gjahr = t_items-fisc_year AND belnr = t_items-doc_no
        AND buzei = t_items-item_num.
    IF sy-subrc <> 0.
      PERFORM add_msg TABLES return USING 'E' 'ZOTC' '001'
        t_items-doc_no t_items-fisc_year t_items-item_num i_customer.
      CONTINUE.
    ENDIF.
    IF ls_bsid-waers <> i_currency.
      PERFORM add_msg TABLES return USING 'E' 'ZOTC' '005'
        t_items-doc_no ls_bsid-waers i_currency space.
    ENDIF.
  ENDLOOP.
  IF return[] IS NOT INITIAL. RETURN. ENDIF.

* 010: the customer must not be locked by another user (enqueue EFKNB1A)
  CALL FUNCTION 'ENQUEUE_EXKNB1'
    EXPORTING kunnr = i_customer bukrs = i_comp_code
    EXCEPTIONS foreign_lock = 1 system_failure = 2 OTHERS = 3.
  IF sy-subrc = 1.
    lv_user = sy-msgv1.
    PERFORM add_msg TABLES return USING 'E' 'ZOTC' '010'
      i_customer lv_user space space.
    RETURN.
  ENDIF.
  CALL FUNCTION 'DEQUEUE_EXKNB1'
    EXPORTING kunnr = i_customer bukrs = i_comp_code.

* 002 / 004: amounts per mode, leftover L >= 0 (spec §2.6)
  lv_left = i_amount.
  LOOP AT t_gllines.
    lv_left = lv_left + t_gllines-amt_doccur.
  ENDLOOP.
  LOOP AT t_items.
    PERFORM open_amount USING i_comp_code i_customer t_items CHANGING lv_open.
    lv_applied = t_items-amt_paid + t_items-disc_amt.
    lv_left = lv_left + t_items-disc_amt.
    CASE t_items-clr_mode.
      WHEN 'F'.
        IF lv_applied <> lv_open.
          PERFORM add_msg TABLES return USING 'E' 'ZOTC' '002'
            t_items-doc_no lv_open space space.
        ENDIF.
        lv_left = lv_left - lv_open.
      WHEN 'R' OR 'P'.
        IF lv_applied > lv_open.
          PERFORM add_msg TABLES return USING 'E' 'ZOTC' '002'
            t_items-doc_no lv_open space space.
        ENDIF.
        lv_left = lv_left - lv_applied.
    ENDCASE.
  ENDLOOP.
  IF lv_left < 0.
    lv_text = abs( lv_left ).
    PERFORM add_msg TABLES return USING 'E' 'ZOTC' '004' lv_text space space space.
  ENDIF.
  IF return[] IS NOT INITIAL. RETURN. ENDIF.

* Header and lines in user display format (FTPOST 'K' header, 'P' items)
  PERFORM ftpost_header TABLES lt_ftpost USING i_comp_code i_doc_type
    i_doc_date i_pstng_date i_currency i_ref_doc_no i_header_txt.
  lv_count = 1.
  IF i_auglv = 'EINGZAHL'.
    PERFORM ftpost_line TABLES lt_ftpost USING lv_count '40' i_bank_gl
      i_amount i_currency i_value_date 'Incoming payment'.
  ENDIF.
  LOOP AT t_gllines.
    ADD 1 TO lv_count.
    IF t_gllines-amt_doccur >= 0.
      PERFORM ftpost_line TABLES lt_ftpost USING lv_count '40'
        t_gllines-gl_account t_gllines-amt_doccur i_currency space t_gllines-item_text.
    ELSE.
      lv_amount = abs( t_gllines-amt_doccur ).
      PERFORM ftpost_line TABLES lt_ftpost USING lv_count '50'
        t_gllines-gl_account lv_amount i_currency space t_gllines-item_text.
    ENDIF.
  ENDLOOP.

* Items to clear: F and R are selected (R with a residual item, RSTGR);
* P stays open and gets a partial payment line referencing it.
  LOOP AT t_items.
    CLEAR ls_ftclear.
    ls_ftclear-agkoa  = 'D'.
    ls_ftclear-agkon  = i_customer.
    ls_ftclear-agbuk  = i_comp_code.
    ls_ftclear-xnops  = 'X'.
    ls_ftclear-selfd  = 'BELNR'.
    CONCATENATE t_items-doc_no t_items-fisc_year t_items-item_num
      INTO ls_ftclear-selvon.
    CASE t_items-clr_mode.
      WHEN 'F'.
        APPEND ls_ftclear TO lt_ftclear.
      WHEN 'R'.
        APPEND ls_ftclear TO lt_ftclear.
        ADD 1 TO lv_count.
        PERFORM ftpost_residual TABLES lt_ftpost USING lv_count i_customer
          t_items i_currency.
      WHEN 'P'.
        ADD 1 TO lv_count.
        PERFORM ftpost_partial TABLES lt_ftpost USING lv_count i_customer
          t_items i_currency.
    ENDCASE.
  ENDLOOP.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING i_function = 'C' i_mode = 'N' i_update = 'S' i_user = sy-uname
    EXCEPTIONS OTHERS = 1.
  IF sy-subrc <> 0.
    PERFORM add_sy_msg TABLES return.
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_CLEARING'
    EXPORTING
      i_auglv   = i_auglv
      i_tcode   = 'FB05'
      i_sgfunct = 'C'
      i_xsimu   = i_testrun
    IMPORTING
      e_msgid   = lv_msgid
      e_msgno   = lv_msgno
      e_msgty   = lv_msgty
      e_msgv1   = lv_msgv1
      e_msgv2   = lv_msgv2
      e_msgv3   = lv_msgv3
      e_msgv4   = lv_msgv4
      e_subrc   = lv_subrc
    TABLES
      t_blntab  = lt_blntab
      t_ftclear = lt_ftclear
      t_ftpost  = lt_ftpost
      t_fttax   = lt_fttax
    EXCEPTIONS OTHERS = 1.

  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS OTHERS = 0.

  IF i_testrun = 'X' AND lv_msgty CA 'SIW '.
    PERFORM add_msg TABLES return USING 'S' 'ZOTC' '009' space space space space.
    RETURN.
  ENDIF.
  IF lv_subrc <> 0 OR lv_msgty CA 'EAX'.
    PERFORM add_msg TABLES return USING lv_msgty lv_msgid lv_msgno
      lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4.
    RETURN.
  ENDIF.

  READ TABLE lt_blntab INTO ls_blntab INDEX 1.
  e_doc_no    = ls_blntab-belnr.
  e_fisc_year = ls_blntab-gjahr.
  CONCATENATE ls_blntab-belnr i_comp_code ls_blntab-gjahr INTO e_obj_key.
  PERFORM add_msg TABLES return USING 'S' 'ZOTC' '000'
    e_doc_no i_comp_code e_fisc_year space.
  IF lv_msgid IS NOT INITIAL.
    PERFORM add_msg TABLES return USING 'S' lv_msgid lv_msgno
      lv_msgv1 lv_msgv2 lv_msgv3 lv_msgv4.
  ENDIF.
ENDFUNCTION.

* The FORM routines (check_decimals, open_amount, add_msg, add_sy_msg,
* ftpost_header, ftpost_line, ftpost_residual, ftpost_partial) live in
* include LZOTC_ARF01: see Z_OTC_AR_CLEAR_FORMS.abap beside this file.
