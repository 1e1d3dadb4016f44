FUNCTION z_otc_customer_change.
*"----------------------------------------------------------------------
*" BAPI_CUSTOMER_CHANGEFROMDATA1 and BAPI_TRANSACTION_COMMIT (WAIT) in one
*" call, for callers without an ABAP session across calls (SOAP-for-RFC,
*" docs/specs/sap.md sec. 8). Only fields flagged 'X' in the X-structures
*" change. An E/A message rolls back. Not for S/4HANA.
*"----------------------------------------------------------------------
  DATA ls_commit TYPE bapiret2.

  CLEAR return.

  CALL FUNCTION 'BAPI_CUSTOMER_CHANGEFROMDATA1'
    EXPORTING
      customerno        = customerno
      pi_salesorg       = pi_salesorg
      pi_distr_chan     = pi_distr_chan
      pi_division       = pi_division
      pi_personaldata   = pi_personaldata
      pi_personaldatax  = pi_personaldatax
      pi_companydata    = pi_companydata
      pi_companydatax   = pi_companydatax
    IMPORTING
      return            = return.
  IF return-type CA 'EAX'.
    CALL FUNCTION 'BAPI_TRANSACTION_ROLLBACK'.
    RETURN.
  ENDIF.

  CALL FUNCTION 'BAPI_TRANSACTION_COMMIT'
    EXPORTING
      wait   = abap_true
    IMPORTING
      return = ls_commit.
  IF ls_commit-type CA 'EAX'.
    return = CORRESPONDING #( ls_commit ).
  ENDIF.
ENDFUNCTION.
