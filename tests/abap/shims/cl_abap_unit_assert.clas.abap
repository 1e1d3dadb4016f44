*----------------------------------------------------------------------*
* Test-only stand-in for SAP's CL_ABAP_UNIT_ASSERT, so the kit's ABAP Unit
* tests run on the abaplint transpiler without SAP's class library (the
* open-abap library would be cloned from the network). Only what the kit's
* tests call: ASSERT_EQUALS fails the test (runner exit code 1) and says
* what was expected. Never installed on an SAP system.
*----------------------------------------------------------------------*
CLASS cl_abap_unit_assert DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS assert_equals
      IMPORTING
        act TYPE any
        exp TYPE any
        msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_subrc
      IMPORTING
        act TYPE sy-subrc DEFAULT sy-subrc
        exp TYPE sy-subrc DEFAULT 0
        msg TYPE csequence OPTIONAL.
ENDCLASS.


CLASS cl_abap_unit_assert IMPLEMENTATION.

  METHOD assert_equals.
    DATA lv_act TYPE string.
    DATA lv_exp TYPE string.

    IF act <> exp.
      lv_act = act.
      lv_exp = exp.
      WRITE / |FAILED { msg }: expected "{ lv_exp }", got "{ lv_act }"|.
      ASSERT act = exp.
    ENDIF.
  ENDMETHOD.


  METHOD assert_subrc.
    assert_equals( act = act
                   exp = exp
                   msg = msg ).
  ENDMETHOD.

ENDCLASS.
