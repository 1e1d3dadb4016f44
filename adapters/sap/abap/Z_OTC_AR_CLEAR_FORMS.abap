*----------------------------------------------------------------------*
* Include LZOTC_ARF01: FORM routines of Z_OTC_AR_CLEAR (otc-adapters)
* Screen fields are filled in user display format: amounts are written
* with WRITE ... CURRENCY so that JPY, KWD and other currencies without
* two decimals come out right (docs/specs/sap.md §3, TCURX).
*----------------------------------------------------------------------*
FORM add_msg TABLES pt_return STRUCTURE bapiret2
             USING pv_type pv_id pv_number pv_v1 pv_v2 pv_v3 pv_v4.
  DATA ls_ret TYPE bapiret2.
  CALL FUNCTION 'BALW_BAPIRETURN_GET2'
    EXPORTING type = pv_type cl = pv_id number = pv_number
              par1 = pv_v1 par2 = pv_v2 par3 = pv_v3 par4 = pv_v4
    IMPORTING return = ls_ret.
  APPEND ls_ret TO pt_return.
ENDFORM.

FORM add_sy_msg TABLES pt_return STRUCTURE bapiret2.
  PERFORM add_msg TABLES pt_return USING sy-msgty sy-msgid sy-msgno
    sy-msgv1 sy-msgv2 sy-msgv3 sy-msgv4.
ENDFORM.

FORM check_decimals TABLES pt_items STRUCTURE zotc_s_clear_item
                           pt_gl STRUCTURE zotc_s_clear_gl
                           pt_return STRUCTURE bapiret2
                    USING pv_amount pv_currency.
  DATA: lv_dec TYPE currdec, lv_text TYPE char30, lv_factor TYPE p DECIMALS 4.
  SELECT SINGLE currdec FROM tcurx INTO lv_dec WHERE currkey = pv_currency.
  IF sy-subrc <> 0. lv_dec = 2. ENDIF.
  lv_factor = 10 ** lv_dec.
  DEFINE check_one.
    IF frac( &1 * lv_factor ) <> 0.
      lv_text = &1.
      PERFORM add_msg TABLES pt_return USING 'E' 'ZOTC' '003'
        lv_text pv_currency space space.
    ENDIF.
  END-OF-DEFINITION.
  check_one pv_amount.
  LOOP AT pt_items.
    check_one pt_items-amt_paid.
    check_one pt_items-disc_amt.
  ENDLOOP.
  LOOP AT pt_gl.
    check_one pt_gl-amt_doccur.
  ENDLOOP.
ENDFORM.

FORM open_amount USING pv_bukrs pv_kunnr ps_item TYPE zotc_s_clear_item
                 CHANGING pv_open TYPE bapidoccur.
  DATA: ls_bsid TYPE bsid, lv_ext TYPE bapicurr-bapicurr.
  SELECT SINGLE * FROM bsid INTO ls_bsid
    WHERE bukrs = pv_bukrs AND kunnr = pv_kunnr
      AND gjahr = ps_item-fisc_year AND belnr = ps_item-doc_no
      AND buzei = ps_item-item_num.
  CALL FUNCTION 'CURRENCY_AMOUNT_SAP_TO_BAPI'
    EXPORTING currency = ls_bsid-waers sap_amount = ls_bsid-wrbtr
    IMPORTING bapi_amount = lv_ext.
  IF ls_bsid-shkzg = 'H'.
    pv_open = - lv_ext.
  ELSE.
    pv_open = lv_ext.
  ENDIF.
ENDFORM.

FORM ftpost_field TABLES pt_ftpost STRUCTURE ftpost
                  USING pv_stype pv_count pv_fnam pv_fval.
  DATA ls TYPE ftpost.
  ls-stype = pv_stype. ls-count = pv_count.
  ls-fnam = pv_fnam. ls-fval = pv_fval.
  APPEND ls TO pt_ftpost.
ENDFORM.

FORM ftpost_date USING pv_date CHANGING pv_text.
  WRITE pv_date TO pv_text DD/MM/YYYY.   "user format: adjust to SU01
ENDFORM.

FORM ftpost_amount USING pv_amount pv_currency CHANGING pv_text.
  DATA lv_int TYPE wrbtr.
  CALL FUNCTION 'CURRENCY_AMOUNT_BAPI_TO_SAP'
    EXPORTING currency = pv_currency bapi_amount = pv_amount
    IMPORTING sap_amount = lv_int.
  WRITE lv_int TO pv_text CURRENCY pv_currency NO-GROUPING LEFT-JUSTIFIED.
ENDFORM.

FORM ftpost_header TABLES pt_ftpost STRUCTURE ftpost
                   USING pv_bukrs pv_blart pv_bldat pv_budat pv_waers
                         pv_xblnr pv_bktxt.
  DATA lv_text TYPE ftpost-fval.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-BUKRS' pv_bukrs.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-BLART' pv_blart.
  PERFORM ftpost_date USING pv_bldat CHANGING lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-BLDAT' lv_text.
  PERFORM ftpost_date USING pv_budat CHANGING lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-BUDAT' lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-WAERS' pv_waers.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-XBLNR' pv_xblnr.
  PERFORM ftpost_field TABLES pt_ftpost USING 'K' 1 'BKPF-BKTXT' pv_bktxt.
ENDFORM.

FORM ftpost_line TABLES pt_ftpost STRUCTURE ftpost
                 USING pv_count pv_bschl pv_konto pv_amount pv_waers
                       pv_valut pv_text.
  DATA lv_text TYPE ftpost-fval.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWBS' pv_bschl.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWKO' pv_konto.
  PERFORM ftpost_amount USING pv_amount pv_waers CHANGING lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-WRBTR' lv_text.
  IF pv_valut IS NOT INITIAL.
    PERFORM ftpost_date USING pv_valut CHANGING lv_text.
    PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-VALUT' lv_text.
  ENDIF.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-SGTXT' pv_text.
ENDFORM.

FORM ftpost_residual TABLES pt_ftpost STRUCTURE ftpost
                     USING pv_count pv_kunnr ps_item TYPE zotc_s_clear_item
                           pv_waers.
  DATA: lv_open TYPE bapidoccur, lv_rest TYPE bapidoccur, lv_text TYPE ftpost-fval.
  " residual debit (key 06) = open - paid - discount, referencing the item
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWBS' '06'.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWKO' pv_kunnr.
  lv_rest = ps_item-amt_paid.   "FB05 derives the residual from the paid amount
  PERFORM ftpost_amount USING lv_rest pv_waers CHANGING lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-WRBTR' lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-RSTGR' ps_item-reason_cde.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZG' ps_item-doc_no.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZJ' ps_item-fisc_year.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZZ' ps_item-item_num.
ENDFORM.

FORM ftpost_partial TABLES pt_ftpost STRUCTURE ftpost
                    USING pv_count pv_kunnr ps_item TYPE zotc_s_clear_item
                          pv_waers.
  DATA lv_text TYPE ftpost-fval.
  " partial payment credit (key 15) referencing the item, which stays open
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWBS' '15'.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'RF05A-NEWKO' pv_kunnr.
  PERFORM ftpost_amount USING ps_item-amt_paid pv_waers CHANGING lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-WRBTR' lv_text.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZG' ps_item-doc_no.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZJ' ps_item-fisc_year.
  PERFORM ftpost_field TABLES pt_ftpost USING 'P' pv_count 'BSEG-REBZZ' ps_item-item_num.
ENDFORM.
