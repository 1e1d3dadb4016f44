"""Business Partner sets (API_BUSINESS_PARTNER) and company codes over the ECC persona's tables.

Why over KNA1/KNB1: on S/4HANA the customer master is the Business Partner, and customer/vendor
integration (CVI) keeps KNA1/KNB1 as the customer role's tables; a BP with the customer role
has the same number as its customer here (the common number-range setup) [derived].
Field sources: ``A_Customer.PostingIsBlocked`` is KNA1-SPERR, ``A_CustomerCompany.
PhysicalInventoryBlockInd`` is KNB1-SPERR (its sap:label in SAP's own EDMX is "Co.code post.
block"), tax numbers are ``A_BusinessPartnerTaxNumber`` rows whose type is the country plus
``0`` for the VAT registration number and ``1`` for tax number 1 (table TFKTAXNUMTYPE's
naming) [derived].
"""

from __future__ import annotations

from mock_erp.s4.source import Source


def _date(col: str) -> str:
    return (
        f"CASE WHEN {col} IN ('', '00000000') THEN NULL ELSE "
        f"substr({col},1,4)||'-'||substr({col},5,2)||'-'||substr({col},7,2) END"
    )


def _flag(col: str) -> str:
    return f"({col} = 'X')"


#: the ETag property (Edm.String 26): BUT000's change time and counter, so every change of
#: the partner's KNA1 row (through either persona) gives a new one [unconfirmed format]
ETAG = "COALESCE(NULLIF(p.CHANGED, ''), k.ERDAT || '000000') || '.' || COALESCE(p.VERSION, 1)"

BUSINESS_PARTNER = Source(
    from_sql="KNA1 AS k LEFT JOIN BUT000 AS p ON p.PARTNER = k.KUNNR",
    order="k.KUNNR",
    columns={
        "BusinessPartner": "k.KUNNR",
        "Customer": "k.KUNNR",
        "BusinessPartnerCategory": "COALESCE(p.BU_TYPE, '2')",  # seeded ones: organizations
        "BusinessPartnerGrouping": "COALESCE(p.BU_GROUP, '')",
        "BusinessPartnerIDByExtSystem": "COALESCE(p.BPEXT, '')",
        "ETag": ETAG,
        "BusinessPartnerFullName": "trim(k.NAME1 || ' ' || k.NAME2)",
        "BusinessPartnerName": "k.NAME1",
        "OrganizationBPName1": "k.NAME1",
        "OrganizationBPName2": "k.NAME2",
        "SearchTerm1": "k.SORTL",
        "CreationDate": _date("k.ERDAT"),
        "CreatedByUser": "k.ERNAM",
        # the last change document of the customer (CDHDR, object class DEBI)
        "LastChangeDate": _date(
            "(SELECT COALESCE(MAX(h.UDATE), '') FROM CDHDR AS h "
            "WHERE h.OBJECTCLAS = 'DEBI' AND h.OBJECTID = k.KUNNR)"
        ),
        "CorrespondenceLanguage": "k.SPRAS",
        "Language": "k.SPRAS",
        "BusinessPartnerIsBlocked": _flag("k.SPERR"),
        "IsMarkedForArchiving": _flag("k.LOEVM"),
    },
)

#: roles follow the customer tables (CVI): FLCU01 for every customer, FLCU00 with company data
ROLE = Source(
    from_sql=(
        "(SELECT KUNNR, 'FLCU01' AS RLTYP FROM KNA1 "
        "UNION SELECT DISTINCT KUNNR, 'FLCU00' FROM KNB1) AS r"
    ),
    order="r.KUNNR, r.RLTYP",
    columns={"BusinessPartner": "r.KUNNR", "BusinessPartnerRole": "r.RLTYP"},
)

CUSTOMER = Source(
    from_sql="KNA1 AS k",
    order="k.KUNNR",
    columns={
        "Customer": "k.KUNNR",
        "CustomerName": "k.NAME1",
        "CustomerFullName": "trim(k.NAME1 || ' ' || k.NAME2)",
        "CustomerAccountGroup": "k.KTOKD",
        "PostingIsBlocked": _flag("k.SPERR"),
        "DeletionIndicator": _flag("k.LOEVM"),
        "TaxNumber1": "k.STCD1",
        "TaxNumber2": "k.STCD2",
        "VATRegistration": "k.STCEG",
        "CreationDate": _date("k.ERDAT"),
        "CreatedByUser": "k.ERNAM",
    },
)

CUSTOMER_COMPANY = Source(
    from_sql="KNB1 AS c",
    order="c.KUNNR, c.BUKRS",
    columns={
        "Customer": "c.KUNNR",
        "CompanyCode": "c.BUKRS",
        "PaymentTerms": "c.ZTERM",
        "ReconciliationAccount": "c.AKONT",
        "PhysicalInventoryBlockInd": _flag("c.SPERR"),
        "DeletionIndicator": _flag("c.LOEVM"),
        "AccountingClerk": "c.BUSAB",
        "PaymentMethodsList": "c.ZWELS",
        "LayoutSortingRule": "c.ZUAWA",
        "RecordPaymentHistoryIndicator": _flag("c.XZVER"),
    },
)

ADDRESS = Source(
    from_sql="KNA1 AS k",
    order="k.KUNNR",
    columns={
        "BusinessPartner": "k.KUNNR",
        "AddressID": "CASE WHEN k.ADRNR <> '' THEN k.ADRNR ELSE k.KUNNR END",
        "Country": "k.LAND1",
        "CityName": "k.ORT01",
        "PostalCode": "k.PSTLZ",
        "StreetName": "k.STRAS",
        "Region": "k.REGIO",
        "Language": "k.SPRAS",
        "FullName": "trim(k.NAME1 || ' ' || k.NAME2)",
    },
)

TAX_NUMBER = Source(
    from_sql=(
        "(SELECT KUNNR, LAND1 || '0' AS TAXTYPE, STCEG AS TAXNUM FROM KNA1 WHERE STCEG <> '' "
        "UNION ALL SELECT KUNNR, LAND1 || '1', STCD1 FROM KNA1 WHERE STCD1 <> '') AS x"
    ),
    order="x.KUNNR, x.TAXTYPE",
    columns={
        "BusinessPartner": "x.KUNNR",
        "BPTaxType": "x.TAXTYPE",
        "BPTaxNumber": "x.TAXNUM",
        "BPTaxLongNumber": "''",
    },
)

COMPANY_CODE = Source(
    from_sql="T001 AS t",
    order="t.BUKRS",
    columns={
        "CompanyCode": "t.BUKRS",
        "CompanyCodeName": "t.BUTXT",
        "CityName": "t.ORT01",
        "Country": "t.LAND1",
        "Currency": "t.WAERS",
        "Language": "t.SPRAS",
        "ChartOfAccounts": "t.KTOPL",
        "FiscalYearVariant": "t.PERIV",
    },
)
