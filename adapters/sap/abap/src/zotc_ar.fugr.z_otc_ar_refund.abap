FUNCTION z_otc_ar_refund.
*"----------------------------------------------------------------------
*" Refunds customer credit items through the payment run: a transfer
*" posting with clearing (FB05, AUGLV 'UMBUCHNG') clears the credit items
*" in T_ITEMS (AMT_PAID: how much of each is refunded) and posts what stays
*" open of a partly refunded credit plus one customer credit item of
*" I_AMOUNT with the payment method I_PYMT_METH and no payment block: the
*" item F110 pays out. Committed when the call returns (synchronous
*" update), like Z_OTC_AR_CLEAR; I_TESTRUN = 'X' simulates. The lines come
*" from lcl_refund_lines (LZOTC_ARC03), tested by ABAP Unit on the cases
*" the mock is tested on.
*"----------------------------------------------------------------------
  DATA lt_ftpost TYPE lcl_fb05=>ty_ftpost_tab.
  DATA lt_ftclear TYPE STANDARD TABLE OF ftclear WITH EMPTY KEY.
  DATA lt_fttax TYPE STANDARD TABLE OF fttax WITH EMPTY KEY.
  DATA lt_blntab TYPE STANDARD TABLE OF blntab WITH EMPTY KEY.
  DATA lt_return TYPE lcl_fb05=>ty_return_tab.
  DATA lt_lines TYPE lcl_fb05=>ty_lines_tab.
  DATA lt_items TYPE lcl_refund_lines=>ty_items.
  DATA ls_item TYPE lcl_refund_lines=>ty_item.
  DATA ls_line TYPE lcl_refund_lines=>ty_line.
  DATA ls_result TYPE lcl_refund_lines=>ty_result.
  DATA ls_in_item TYPE zotc_s_clear_item.
  DATA ls_ftclear TYPE ftclear.
  DATA ls_blntab TYPE blntab.
  DATA ls_bsid TYPE bsid.
  DATA lv_land1 TYPE land1.
  DATA lv_xeinz TYPE t042z-xeinz.
  DATA lv_total TYPE lcl_refund_lines=>ty_amount.
  DATA lv_external TYPE bapicurr-bapicurr.
  DATA lv_decimals TYPE i.
  DATA lv_count TYPE ftpost-count.
  DATA lv_datfm TYPE usr01-datfm.
  DATA lv_bldat TYPE lcl_clearing_lines=>ty_date_text.
  DATA lv_budat TYPE lcl_clearing_lines=>ty_date_text.
  DATA lv_msgid TYPE sy-msgid.
  DATA lv_msgno TYPE sy-msgno.
  DATA lv_msgty TYPE sy-msgty.
  DATA lv_msgv1 TYPE sy-msgv1.
  DATA lv_msgv2 TYPE sy-msgv2.
  DATA lv_msgv3 TYPE sy-msgv3.
  DATA lv_msgv4 TYPE sy-msgv4.
  DATA lv_subrc TYPE sy-subrc.
  DATA lv_user TYPE sy-msgv1.

  CLEAR: e_doc_no, e_fisc_year, e_obj_key, return[], t_lines[].

* 003: the amounts fit the currency's decimals (TCURX, absent = 2)
  SELECT SINGLE currdec FROM tcurx INTO lv_decimals WHERE currkey = i_currency.
  IF sy-subrc <> 0.
    lv_decimals = 2.
  ENDIF.
  lv_total = i_amount.
  IF lcl_clearing_lines=>fits_decimals( iv_amount = lv_total iv_decimals = lv_decimals ) = abap_false.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '003'
                                 iv_v1 = i_amount iv_v2 = i_currency
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

* 030 / 031: the payment method pays out (T042Z) and the company may use it (T042E)
  SELECT SINGLE land1 FROM t001 INTO lv_land1 WHERE bukrs = i_comp_code.
  IF sy-subrc <> 0.
    CLEAR lv_land1.
  ENDIF.
  SELECT SINGLE zlsch FROM t042e INTO ls_bsid-zlsch WHERE zbukr = i_comp_code AND zlsch = i_pymt_meth.
  IF sy-subrc <> 0.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '030'
                                 iv_v1 = i_pymt_meth iv_v2 = i_comp_code
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.
  SELECT SINGLE xeinz FROM t042z INTO lv_xeinz WHERE land1 = lv_land1 AND zlsch = i_pymt_meth.
  IF sy-subrc <> 0 OR lv_xeinz = abap_true.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '031'
                                 iv_v1 = i_pymt_meth iv_v2 = lv_land1
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

* 001 / 005: every item is open for the customer, in the currency
  LOOP AT t_items INTO ls_in_item.
    SELECT SINGLE waers wrbtr shkzg FROM bsid INTO CORRESPONDING FIELDS OF ls_bsid
      WHERE bukrs = i_comp_code AND kunnr = i_customer
        AND gjahr = ls_in_item-fisc_year AND belnr = ls_in_item-doc_no
        AND buzei = ls_in_item-item_num.
    IF sy-subrc <> 0.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '001'
                                   iv_v1 = ls_in_item-doc_no iv_v2 = ls_in_item-fisc_year
                                   iv_v3 = ls_in_item-item_num iv_v4 = i_customer
                         CHANGING  ct_return = lt_return ).
      CONTINUE.
    ENDIF.
    IF ls_bsid-waers <> i_currency.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '005'
                                   iv_v1 = ls_in_item-doc_no iv_v2 = ls_bsid-waers
                                   iv_v3 = i_currency
                         CHANGING  ct_return = lt_return ).
      CONTINUE.
    ENDIF.
    CALL FUNCTION 'CURRENCY_AMOUNT_SAP_TO_BAPI'
      EXPORTING
        currency    = ls_bsid-waers
        sap_amount  = ls_bsid-wrbtr
      IMPORTING
        bapi_amount = lv_external.
    CLEAR ls_item.
    ls_item-open = lv_external.     " a credit is positive here
    IF ls_bsid-shkzg = 'S'.
      ls_item-open = - ls_item-open.
    ENDIF.
    ls_item-refund = ls_in_item-amt_paid.
    APPEND ls_item TO lt_items.
  ENDLOOP.
  IF lt_return IS NOT INITIAL.
    return[] = lt_return.
    RETURN.
  ENDIF.

* 032 / 033 / 034 and the lines
  ls_result = lcl_refund_lines=>build( it_items = lt_items
                                       iv_total = lv_total ).
  IF ls_result-msgno IS NOT INITIAL.
    READ TABLE t_items INTO ls_in_item INDEX ls_result-item.
    IF sy-subrc <> 0.
      CLEAR ls_in_item.
    ENDIF.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = ls_result-msgno
                                 iv_v1 = ls_in_item-doc_no iv_v2 = ls_in_item-fisc_year
                                 iv_v3 = ls_in_item-item_num
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

* 010: nobody else may be clearing this customer's items
  CALL FUNCTION 'ENQUEUE_EFKNB1A'
    EXPORTING
      kunnr          = i_customer
      bukrs          = i_comp_code
    EXCEPTIONS
      foreign_lock   = 1
      system_failure = 2
      OTHERS         = 3.
  IF sy-subrc <> 0.
    lv_user = sy-msgv1.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '010'
                                 iv_v1 = i_customer iv_v2 = lv_user
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.
  CALL FUNCTION 'DEQUEUE_EFKNB1A'
    EXPORTING
      kunnr = i_customer
      bukrs = i_comp_code.

* 011: dates as the user types them; batch input reads them that way
  lv_datfm = lcl_fb05=>user_datfm( ).
  lv_bldat = lcl_clearing_lines=>date_text( iv_date = i_doc_date iv_datfm = lv_datfm ).
  lv_budat = lcl_clearing_lines=>date_text( iv_date = i_pstng_date iv_datfm = lv_datfm ).
  IF lv_budat IS INITIAL.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '011'
                                 iv_v1 = lv_datfm iv_v2 = sy-uname
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BUKRS' iv_fval = i_comp_code
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BLART' iv_fval = i_doc_type
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BLDAT' iv_fval = lv_bldat
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BUDAT' iv_fval = lv_budat
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-WAERS' iv_fval = i_currency
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-XBLNR' iv_fval = i_ref_doc_no
                   CHANGING  ct_ftpost = lt_ftpost ).
  lcl_fb05=>field( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BKTXT' iv_fval = i_header_txt
                   CHANGING  ct_ftpost = lt_ftpost ).
  lv_count = 1.
  LOOP AT ls_result-lines INTO ls_line.
    lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS'
                               iv_fval = ls_line-post_key
                     CHANGING  ct_ftpost = lt_ftpost ).
    lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO'
                               iv_fval = i_customer
                     CHANGING  ct_ftpost = lt_ftpost ).
    lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR'
                               iv_fval = lcl_fb05=>amount_text( iv_amount   = ls_line-amount
                                                                iv_currency = i_currency )
                     CHANGING  ct_ftpost = lt_ftpost ).
    IF ls_line-role = lcl_refund_lines=>c_residual.
      READ TABLE t_items INTO ls_in_item INDEX ls_line-item.
      ASSERT sy-subrc = 0.       " residual lines only point at items they were built from
      lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZG'
                                 iv_fval = ls_in_item-doc_no
                       CHANGING  ct_ftpost = lt_ftpost ).
      lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZJ'
                                 iv_fval = ls_in_item-fisc_year
                       CHANGING  ct_ftpost = lt_ftpost ).
      lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-REBZZ'
                                 iv_fval = ls_in_item-item_num
                       CHANGING  ct_ftpost = lt_ftpost ).
    ELSE.
      " the item F110 pays: payment method set, payment block left blank
      lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZLSCH'
                                 iv_fval = i_pymt_meth
                       CHANGING  ct_ftpost = lt_ftpost ).
      lcl_fb05=>field( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT'
                                 iv_fval = i_item_text
                       CHANGING  ct_ftpost = lt_ftpost ).
    ENDIF.
    lv_count = lv_count + 1.
  ENDLOOP.

  LOOP AT t_items INTO ls_in_item.
    CLEAR ls_ftclear.
    ls_ftclear-agkoa = 'D'.
    ls_ftclear-agkon = i_customer.
    ls_ftclear-agbuk = i_comp_code.
    ls_ftclear-xnops = abap_true.
    ls_ftclear-selfd = 'BELNR'.
    CONCATENATE ls_in_item-doc_no ls_in_item-fisc_year ls_in_item-item_num INTO ls_ftclear-selvon.
    APPEND ls_ftclear TO lt_ftclear.
  ENDLOOP.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING
      i_function = 'C'
      i_mode     = 'N'
      i_update   = 'S'
      i_user     = sy-uname
    EXCEPTIONS
      OTHERS     = 1.
  IF sy-subrc <> 0.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = sy-msgid iv_number = sy-msgno
                                 iv_v1 = sy-msgv1 iv_v2 = sy-msgv2 iv_v3 = sy-msgv3 iv_v4 = sy-msgv4
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

  CALL FUNCTION 'POSTING_INTERFACE_CLEARING'
    EXPORTING
      i_auglv   = 'UMBUCHNG'
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
    EXCEPTIONS
      OTHERS    = 1.
  IF sy-subrc <> 0 AND lv_subrc = 0.
    lv_subrc = sy-subrc.
  ENDIF.
  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.

* failed: a return code, an E/A/X message, or batch input stopping (00 344)
  IF lv_subrc <> 0 OR lv_msgty CA 'EAX' OR ( lv_msgid = '00' AND lv_msgno = '344' ).
    IF lv_msgid IS INITIAL.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '013'
                                   iv_v1 = lv_subrc
                         CHANGING  ct_return = lt_return ).
    ELSE.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = lv_msgid iv_number = lv_msgno
                                   iv_v1 = lv_msgv1 iv_v2 = lv_msgv2 iv_v3 = lv_msgv3 iv_v4 = lv_msgv4
                         CHANGING  ct_return = lt_return ).
    ENDIF.
    return[] = lt_return.
    RETURN.
  ENDIF.

  IF i_testrun = abap_true.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'S' iv_id = 'ZOTC' iv_number = '009'
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

  READ TABLE lt_blntab INTO ls_blntab INDEX 1.
  IF sy-subrc <> 0 OR ls_blntab-belnr IS INITIAL.
    " FB05 ended without a document: never report "posted"
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '013'
                                 iv_v1 = lv_msgid iv_v2 = lv_msgno iv_v3 = lv_msgv1
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.
  e_doc_no = ls_blntab-belnr.
  e_fisc_year = ls_blntab-gjahr.
  CONCATENATE ls_blntab-belnr i_comp_code ls_blntab-gjahr INTO e_obj_key.
  lcl_fb05=>add_msg( EXPORTING iv_type = 'S' iv_id = 'ZOTC' iv_number = '000'
                               iv_v1 = e_doc_no iv_v2 = i_comp_code iv_v3 = e_fisc_year
                     CHANGING  ct_return = lt_return ).
  lcl_fb05=>posted_lines( EXPORTING iv_bukrs    = i_comp_code
                                    iv_belnr    = e_doc_no
                                    iv_gjahr    = e_fisc_year
                                    iv_currency = i_currency
                          CHANGING  ct_lines    = lt_lines ).
  t_lines[] = lt_lines.
  return[] = lt_return.
ENDFUNCTION.
