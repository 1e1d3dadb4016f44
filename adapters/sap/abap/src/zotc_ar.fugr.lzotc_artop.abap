*----------------------------------------------------------------------*
* otc-adapters ABAP kit (adapters/sap/abap, docs/sap-setup.md): remote-
* enabled modules that do one unit of work each and commit it themselves,
* because /sap/bc/soap/rfc keeps no session across calls (a BAPI and
* BAPI_TRANSACTION_COMMIT in two SOAP calls commit nothing).
* Release: SAP_BASIS 7.40 SP08 and up (abaplint.json).
*----------------------------------------------------------------------*
FUNCTION-POOL zotc_ar.
