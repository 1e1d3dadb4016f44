FUNCTION z_otc_customer_create.
*"----------------------------------------------------------------------
*" BAPI_CUSTOMER_CREATEFROMDATA1 and BAPI_TRANSACTION_COMMIT (WAIT) in one
*" call, for callers without an ABAP session across calls (SOAP-for-RFC,
*" docs/specs/sap.md sec. 8). An E/A message rolls back and CUSTOMERNO stays
*" blank. Not for S/4HANA, where customers are business partners.
*"----------------------------------------------------------------------
  DATA ls_commit TYPE bapiret2.

  CLEAR: customerno, return.

  CALL FUNCTION 'BAPI_CUSTOMER_CREATEFROMDATA1'
    EXPORTING
      pi_personaldata  = pi_personaldata
      pi_companydata   = pi_companydata
      pi_copyreference = pi_copyreference
    IMPORTING
      customerno       = customerno
      return           = return.
  IF return-type CA 'EAX'.
    CALL FUNCTION 'BAPI_TRANSACTION_ROLLBACK'.
    CLEAR customerno.
    RETURN.
  ENDIF.

  CALL FUNCTION 'BAPI_TRANSACTION_COMMIT'
    EXPORTING
      wait   = abap_true
    IMPORTING
      return = ls_commit.
  IF ls_commit-type CA 'EAX'.
    return = CORRESPONDING #( ls_commit ).
    CLEAR customerno.
  ENDIF.
ENDFUNCTION.
