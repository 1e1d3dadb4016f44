FUNCTION z_otc_ar_on_account.
*"----------------------------------------------------------------------
*" BAPI_ACC_DOCUMENT_POST and BAPI_TRANSACTION_COMMIT (WAIT) in one call:
*" /sap/bc/soap/rfc keeps no session across calls, so a BAPI and a COMMIT
*" sent as two SOAP requests commit nothing (docs/specs/sap.md sec. 8). With
*" I_TESTRUN = 'X' only BAPI_ACC_DOCUMENT_CHECK runs. On any E/A message
*" the work is rolled back and OBJ_KEY stays blank: nothing was posted.
*"----------------------------------------------------------------------
  DATA ls_commit TYPE bapiret2.

  CLEAR: obj_type, obj_key, obj_sys, return[].

  IF i_testrun = abap_true.
    CALL FUNCTION 'BAPI_ACC_DOCUMENT_CHECK'
      EXPORTING
        documentheader    = documentheader
      TABLES
        accountgl         = accountgl
        accountreceivable = accountreceivable
        currencyamount    = currencyamount
        return            = return.
    RETURN.
  ENDIF.

  CALL FUNCTION 'BAPI_ACC_DOCUMENT_POST'
    EXPORTING
      documentheader    = documentheader
    IMPORTING
      obj_type          = obj_type
      obj_key           = obj_key
      obj_sys           = obj_sys
    TABLES
      accountgl         = accountgl
      accountreceivable = accountreceivable
      currencyamount    = currencyamount
      return            = return.

  LOOP AT return TRANSPORTING NO FIELDS WHERE type CA 'EAX'.
    EXIT.
  ENDLOOP.
  IF sy-subrc = 0.
    CALL FUNCTION 'BAPI_TRANSACTION_ROLLBACK'.
    CLEAR: obj_type, obj_key, obj_sys.
    RETURN.
  ENDIF.

  CALL FUNCTION 'BAPI_TRANSACTION_COMMIT'
    EXPORTING
      wait   = abap_true
    IMPORTING
      return = ls_commit.
  IF ls_commit-type CA 'EAX'.
    " the update failed: the document was not posted
    APPEND ls_commit TO return.
    CLEAR: obj_type, obj_key, obj_sys.
  ENDIF.
ENDFUNCTION.
