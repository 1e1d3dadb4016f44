"""Logon data of the mock's S/4 persona, shared by the S/4 tests."""

USER, PASSWORD, CLIENT = "otc", "otc-mock", "100"
CUBE = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"
