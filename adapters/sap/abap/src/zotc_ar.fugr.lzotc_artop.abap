*----------------------------------------------------------------------*
* otc-adapters ABAP kit (adapters/sap/abap, docs/sap-setup.md): remote-
* enabled modules that do one unit of work each and commit it themselves,
* because /sap/bc/soap/rfc keeps no session across calls (a BAPI and
* BAPI_TRANSACTION_COMMIT in two SOAP calls commit nothing).
* Release: SAP_BASIS 7.40 SP08 and up (abaplint.json).
* The constants are WRITTEN by tests/abap/gen_unit_tests.py: the digest is
* over every other .abap file of the kit (Z_OTC_KIT_VERSION answers it).
*----------------------------------------------------------------------*
FUNCTION-POOL zotc_ar.

CONSTANTS gc_kit_version TYPE c LENGTH 20 VALUE '2.1.0'.
CONSTANTS gc_kit_source_sha256 TYPE c LENGTH 64
  VALUE '4e67cc772494f6cec9828c033b1d6f2502e3ee9700ebc75ce068780d2b8b80b3'.
