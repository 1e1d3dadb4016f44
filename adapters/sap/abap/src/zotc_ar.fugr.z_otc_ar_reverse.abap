FUNCTION z_otc_ar_reverse.
*"----------------------------------------------------------------------
*" Takes back a payment the kit posted: resets the clearing of the payment
*" document (FBRA) and reverses it (FB08), through the posting interface
*" as SAP's own bank statement posting does (RFEBBU00, FORM fbra_posting:
*" POSTING_INTERFACE_RESET_CLEAR, then POSTING_INTERFACE_REVERSE_DOC).
*" Our key goes on the payment's header first (BKPF-XREF2_HD): the
*" reversal took effect exactly when the tagged payment has STBLG set, so
*" the caller's look-up has one answer. A reset whose reversal failed is
*" resumed by the next call (nothing is cleared by the payment any more,
*" so only FB08 runs). The checks are lcl_reversal_rules (LZOTC_ARC03).
*" Half done: when FB08 fails after this call reset the clearing, or any
*" step fails for a key whose payment already carries that key without
*" STBLG and clears nothing any more (an earlier call reset it), RETURN
*" starts with E ZOTC 027 "clearing reset, reversal not posted: call
*" again with the same key", then the cause: the ERP has changed, the
*" caller must not take the answer for "nothing happened".
*"----------------------------------------------------------------------
  DATA lt_return TYPE lcl_fb05=>ty_return_tab.
  DATA lt_lines TYPE lcl_fb05=>ty_lines_tab.
  DATA lt_blntab TYPE STANDARD TABLE OF blntab WITH EMPTY KEY.
  DATA lt_accchg TYPE STANDARD TABLE OF accchg WITH EMPTY KEY.
  DATA ls_accchg TYPE accchg.
  DATA ls_blntab TYPE blntab.
  DATA ls_bkpf TYPE bkpf.
  DATA ls_facts TYPE lcl_reversal_rules=>ty_facts.
  DATA ls_code TYPE lcl_reversal_rules=>ty_code.
  DATA lv_xabwd TYPE t041c-xabwd.
  DATA lv_gjahr TYPE gjahr.
  DATA lv_monat TYPE monat.
  DATA lt_bseg TYPE STANDARD TABLE OF bseg WITH EMPTY KEY.
  DATA ls_bseg TYPE bseg.
  DATA lt_cleared TYPE STANDARD TABLE OF belnr_d WITH EMPTY KEY. " items it still clears
  DATA lv_clears TYPE abap_bool.  " the payment still clears items: FBRA has work
  DATA lv_resumed TYPE abap_bool. " an earlier call of this key reset it, FB08 failed
  DATA lv_reset TYPE abap_bool.   " this call reset the clearing
  DATA lv_kunnr TYPE kunnr.
  DATA lv_user TYPE sy-msgv1.
  DATA lv_msgid TYPE sy-msgid.
  DATA lv_msgno TYPE sy-msgno.
  DATA lv_msgty TYPE sy-msgty.
  DATA lv_msgv1 TYPE sy-msgv1.
  DATA lv_msgv2 TYPE sy-msgv2.
  DATA lv_msgv3 TYPE sy-msgv3.
  DATA lv_msgv4 TYPE sy-msgv4.
  DATA lv_subrc TYPE sy-subrc.

  CLEAR: e_doc_no, e_fisc_year, e_obj_key, return[], t_lines[].

* what the checks need: the reason (T041C), the payment, the periods
  ls_facts-reason = i_reason.
  SELECT SINGLE xabwd FROM t041c INTO lv_xabwd WHERE stgrd = i_reason.
  ls_facts-reason_known = xsdbool( sy-subrc = 0 ).
  ls_facts-alt_date = xsdbool( lv_xabwd = abap_true ).
  SELECT SINGLE budat waers stblg bstat xref2_hd FROM bkpf INTO CORRESPONDING FIELDS OF ls_bkpf
    WHERE bukrs = i_comp_code AND belnr = i_doc_no AND gjahr = i_fisc_year.
  ls_facts-doc_found = xsdbool( sy-subrc = 0 ).
  SELECT belnr FROM bse_clr INTO TABLE lt_cleared UP TO 1 ROWS
    WHERE bukrs_clr = i_comp_code AND belnr_clr = i_doc_no AND gjahr_clr = i_fisc_year
    ORDER BY PRIMARY KEY.
  lv_clears = xsdbool( sy-subrc = 0 ).
  lv_resumed = xsdbool( ls_facts-doc_found = abap_true AND i_ref_key IS NOT INITIAL
                        AND ls_bkpf-xref2_hd = i_ref_key AND ls_bkpf-stblg IS INITIAL
                        AND lv_clears = abap_false ).
  ls_facts-stblg = ls_bkpf-stblg.
  ls_facts-bstat = ls_bkpf-bstat.
  ls_facts-doc_budat = ls_bkpf-budat.
  ls_facts-rev_budat = i_pstng_date.
  CALL FUNCTION 'FI_PERIOD_DETERMINE'
    EXPORTING
      i_budat = i_pstng_date
      i_bukrs = i_comp_code
    IMPORTING
      e_gjahr = lv_gjahr
      e_monat = lv_monat
    EXCEPTIONS
      OTHERS  = 1.
  IF sy-subrc = 0.
    CALL FUNCTION 'FI_PERIOD_CHECK'
      EXPORTING
        i_bukrs = i_comp_code
        i_gjahr = lv_gjahr
        i_koart = 'D'
        i_monat = lv_monat
      EXCEPTIONS
        OTHERS  = 1.
  ENDIF.
  ls_facts-rev_period_open = xsdbool( sy-subrc = 0 ).
  SELECT buzei augbl FROM bseg INTO CORRESPONDING FIELDS OF TABLE lt_bseg UP TO 1 ROWS
    WHERE bukrs = i_comp_code AND belnr = i_doc_no AND gjahr = i_fisc_year
      AND koart = 'D' AND augbl <> space AND augbl <> i_doc_no
    ORDER BY PRIMARY KEY.
  IF sy-subrc = 0.
    READ TABLE lt_bseg INTO ls_bseg INDEX 1.
    ASSERT sy-subrc = 0.
    ls_facts-cleared_later_by = ls_bseg-augbl.
  ENDIF.

  ls_code = lcl_reversal_rules=>check( ls_facts ).
  IF ls_code IS NOT INITIAL.
    IF lv_resumed = abap_true.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '027' iv_v1 = i_doc_no
                         CHANGING  ct_return = lt_return ).
    ENDIF.
    CASE ls_code-msgno.
      WHEN '020'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = i_reason
                           CHANGING  ct_return = lt_return ).
      WHEN '022'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = i_pstng_date iv_v2 = ls_bkpf-budat iv_v3 = i_doc_no
                           CHANGING  ct_return = lt_return ).
      WHEN '023'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = ls_bseg-buzei iv_v2 = i_doc_no iv_v3 = ls_bseg-augbl
                           CHANGING  ct_return = lt_return ).
      WHEN '024'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = i_reason iv_v2 = ls_bkpf-budat
                           CHANGING  ct_return = lt_return ).
      WHEN '025'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = i_doc_no iv_v2 = i_comp_code iv_v3 = i_fisc_year
                           CHANGING  ct_return = lt_return ).
      WHEN '201'.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = lv_monat iv_v2 = lv_gjahr iv_v3 = 'D'
                           CHANGING  ct_return = lt_return ).
      WHEN OTHERS.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = ls_code-msgid iv_number = ls_code-msgno
                                     iv_v1 = ls_bkpf-bstat
                           CHANGING  ct_return = lt_return ).
    ENDCASE.
    return[] = lt_return.
    RETURN.
  ENDIF.

* 010: nobody else may be clearing this customer's items (as Z_OTC_AR_CLEAR)
  CLEAR lt_bseg.
  SELECT buzei kunnr FROM bseg INTO CORRESPONDING FIELDS OF TABLE lt_bseg UP TO 1 ROWS
    WHERE bukrs = i_comp_code AND belnr = i_doc_no AND gjahr = i_fisc_year AND koart = 'D'
    ORDER BY PRIMARY KEY.
  IF sy-subrc = 0.
    READ TABLE lt_bseg INTO ls_bseg INDEX 1.
    ASSERT sy-subrc = 0.
    lv_kunnr = ls_bseg-kunnr.
    CALL FUNCTION 'ENQUEUE_EFKNB1A'
      EXPORTING
        kunnr          = lv_kunnr
        bukrs          = i_comp_code
      EXCEPTIONS
        foreign_lock   = 1
        system_failure = 2
        OTHERS         = 3.
    IF sy-subrc <> 0.
      lv_user = sy-msgv1.
      IF lv_resumed = abap_true.
        lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '027' iv_v1 = i_doc_no
                           CHANGING  ct_return = lt_return ).
      ENDIF.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '010'
                                   iv_v1 = lv_kunnr iv_v2 = lv_user
                         CHANGING  ct_return = lt_return ).
      return[] = lt_return.
      RETURN.
    ENDIF.
    CALL FUNCTION 'DEQUEUE_EFKNB1A'
      EXPORTING
        kunnr = lv_kunnr
        bukrs = i_comp_code.
  ENDIF.

  IF i_testrun = abap_true.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'S' iv_id = 'ZOTC' iv_number = '009'
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

* our key on the payment first (its own LUW: a tag without STBLG means
* "not reversed", so a failure after this point loses nothing)
  ls_accchg-fdname = 'XREF2_HD'.
  ls_accchg-newval = i_ref_key.
  APPEND ls_accchg TO lt_accchg.
  CALL FUNCTION 'FI_DOCUMENT_CHANGE'
    EXPORTING
      i_bukrs        = i_comp_code
      i_belnr        = i_doc_no
      i_gjahr        = i_fisc_year
    TABLES
      t_accchg       = lt_accchg
    EXCEPTIONS
      no_reference   = 1
      no_document    = 2
      many_documents = 3
      wrong_input    = 4
      OTHERS         = 5.
  IF sy-subrc <> 0.
    lv_msgid = sy-msgid.
    lv_msgno = sy-msgno.
    lv_msgv1 = sy-msgv1.
    lv_msgv2 = sy-msgv2.
    lv_msgv3 = sy-msgv3.
    lv_msgv4 = sy-msgv4.
    IF lv_resumed = abap_true.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '027' iv_v1 = i_doc_no
                         CHANGING  ct_return = lt_return ).
    ENDIF.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = lv_msgid iv_number = lv_msgno
                                 iv_v1 = lv_msgv1 iv_v2 = lv_msgv2 iv_v3 = lv_msgv3 iv_v4 = lv_msgv4
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.
  COMMIT WORK AND WAIT.

  CALL FUNCTION 'POSTING_INTERFACE_START'
    EXPORTING
      i_function = 'C'
      i_mode     = 'N'
      i_update   = 'S'
      i_user     = sy-uname
    EXCEPTIONS
      OTHERS     = 1.
  IF sy-subrc <> 0.
    lv_msgid = sy-msgid.
    lv_msgno = sy-msgno.
    lv_msgv1 = sy-msgv1.
    lv_msgv2 = sy-msgv2.
    lv_msgv3 = sy-msgv3.
    lv_msgv4 = sy-msgv4.
    IF lv_resumed = abap_true.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '027' iv_v1 = i_doc_no
                         CHANGING  ct_return = lt_return ).
    ENDIF.
    lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = lv_msgid iv_number = lv_msgno
                                 iv_v1 = lv_msgv1 iv_v2 = lv_msgv2 iv_v3 = lv_msgv3 iv_v4 = lv_msgv4
                       CHANGING  ct_return = lt_return ).
    return[] = lt_return.
    RETURN.
  ENDIF.

* FBRA: only while the payment still clears items (a resumed call skips it)
  IF lv_clears = abap_true.
    CALL FUNCTION 'POSTING_INTERFACE_RESET_CLEAR'
      EXPORTING
        i_augbl                  = i_doc_no
        i_bukrs                  = i_comp_code
        i_gjahr                  = i_fisc_year
        i_tcode                  = 'FBRA'
      IMPORTING
        e_msgid                  = lv_msgid
        e_msgno                  = lv_msgno
        e_msgty                  = lv_msgty
        e_msgv1                  = lv_msgv1
        e_msgv2                  = lv_msgv2
        e_msgv3                  = lv_msgv3
        e_msgv4                  = lv_msgv4
        e_subrc                  = lv_subrc
      EXCEPTIONS
        transaction_code_invalid = 1
        OTHERS                   = 2.
    IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EAX'.
      CALL FUNCTION 'POSTING_INTERFACE_END'
        EXCEPTIONS
          OTHERS = 0.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = lv_msgid iv_number = lv_msgno
                                   iv_v1 = lv_msgv1 iv_v2 = lv_msgv2 iv_v3 = lv_msgv3 iv_v4 = lv_msgv4
                         CHANGING  ct_return = lt_return ).
      return[] = lt_return.
      RETURN.
    ENDIF.
    lv_reset = abap_true. " committed: its own LUW (call transaction FBRA)
  ENDIF.

* FB08: the reversal document, on the date and with the reason asked
  CALL FUNCTION 'POSTING_INTERFACE_REVERSE_DOC'
    EXPORTING
      i_belns                  = i_doc_no
      i_bukrs                  = i_comp_code
      i_gjahs                  = i_fisc_year
      i_budat                  = i_pstng_date
      i_stgrd                  = i_reason
      i_tcode                  = 'FB08'
    IMPORTING
      e_msgid                  = lv_msgid
      e_msgno                  = lv_msgno
      e_msgty                  = lv_msgty
      e_msgv1                  = lv_msgv1
      e_msgv2                  = lv_msgv2
      e_msgv3                  = lv_msgv3
      e_msgv4                  = lv_msgv4
      e_subrc                  = lv_subrc
    TABLES
      t_blntab                 = lt_blntab
    EXCEPTIONS
      transaction_code_invalid = 1
      OTHERS                   = 2.
  IF sy-subrc <> 0 AND lv_subrc = 0.
    lv_subrc = sy-subrc.
  ENDIF.
  CALL FUNCTION 'POSTING_INTERFACE_END'
    EXCEPTIONS
      OTHERS = 0.

  READ TABLE lt_blntab INTO ls_blntab INDEX 1.
  IF sy-subrc <> 0 OR lv_subrc <> 0 OR lv_msgty CA 'EAX' OR ls_blntab-belnr IS INITIAL.
    IF lv_reset = abap_true OR lv_resumed = abap_true.
      lcl_fb05=>add_msg( EXPORTING iv_type = 'E' iv_id = 'ZOTC' iv_number = '027' iv_v1 = i_doc_no
                         CHANGING  ct_return = lt_return ).
    ENDIF.
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
  e_doc_no = ls_blntab-belnr.
  e_fisc_year = ls_blntab-gjahr.
  CONCATENATE ls_blntab-belnr i_comp_code ls_blntab-gjahr INTO e_obj_key.
  lcl_fb05=>add_msg( EXPORTING iv_type = 'S' iv_id = 'ZOTC' iv_number = '026'
                               iv_v1 = i_doc_no iv_v2 = e_doc_no
                     CHANGING  ct_return = lt_return ).
  lcl_fb05=>add_msg( EXPORTING iv_type = 'S' iv_id = 'ZOTC' iv_number = '000'
                               iv_v1 = e_doc_no iv_v2 = i_comp_code iv_v3 = e_fisc_year
                     CHANGING  ct_return = lt_return ).
  lcl_fb05=>posted_lines( EXPORTING iv_bukrs    = i_comp_code
                                    iv_belnr    = e_doc_no
                                    iv_gjahr    = e_fisc_year
                                    iv_currency = ls_bkpf-waers
                          CHANGING  ct_lines    = lt_lines ).
  t_lines[] = lt_lines.
  return[] = lt_return.
ENDFUNCTION.
