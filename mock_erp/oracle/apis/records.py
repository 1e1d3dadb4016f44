"""The record types blocks declare and fill (docs/specs/oracle.md §3.1: records cannot be bound).

Field lists follow the EBS package specs for the fields an OTC integration uses; a field not
listed here is PLS-00302 in the block, as a misspelt field is in Oracle.
"""

from __future__ import annotations

from mock_erp.oracle.apis.registry import record_type
from mock_erp.oracle.plsql.values import DATE, NUMBER, PlType


def _v(n: int) -> PlType:
    return PlType("VARCHAR2", n)


def _rec(name: str, *fields: tuple[str, PlType]) -> PlType:
    typ = PlType("RECORD", name=name, fields=tuple(fields))
    record_type(name, typ)
    return typ


def _attrs(prefix: str = "attribute", n: int = 15) -> list[tuple[str, PlType]]:
    return [(f"{prefix}_category", _v(30))] + [(f"{prefix}{i}", _v(150)) for i in range(1, n + 1)]


_rec("AR_RECEIPT_API_PUB.ATTRIBUTE_REC_TYPE", *_attrs())
_rec("AR_RECEIPT_API_PUB.GLOBAL_ATTRIBUTE_REC_TYPE", *_attrs("global_attribute", 20))

PARTY = _rec(
    "HZ_PARTY_V2PUB.PARTY_REC_TYPE",
    ("party_id", NUMBER),
    ("party_number", _v(30)),
    ("validated_flag", _v(1)),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("status", _v(1)),
    ("category_code", _v(30)),
    ("salutation", _v(60)),
    *_attrs(n=24),
)
_rec(
    "HZ_PARTY_V2PUB.ORGANIZATION_REC_TYPE",
    ("organization_name", _v(360)),
    ("duns_number_c", _v(30)),
    ("known_as", _v(240)),
    ("tax_reference", _v(50)),
    ("jgzz_fiscal_code", _v(20)),
    ("sic_code", _v(30)),
    ("organization_type", _v(30)),
    ("country", _v(60)),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
    ("party_rec", PARTY),
)
_rec(
    "HZ_CUST_ACCOUNT_V2PUB.CUST_ACCOUNT_REC_TYPE",
    ("cust_account_id", NUMBER),
    ("account_number", _v(30)),
    *_attrs(n=20),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("status", _v(1)),
    ("customer_type", _v(30)),
    ("customer_class_code", _v(30)),
    ("tax_code", _v(50)),
    ("account_name", _v(240)),
    ("account_established_date", DATE),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
)
_rec(
    "HZ_CUSTOMER_PROFILE_V2PUB.CUSTOMER_PROFILE_REC_TYPE",
    ("cust_account_profile_id", NUMBER),
    ("cust_account_id", NUMBER),
    ("status", _v(1)),
    ("collector_id", NUMBER),
    ("credit_checking", _v(1)),
    ("profile_class_id", NUMBER),
    ("standard_terms", NUMBER),
    ("credit_hold", _v(1)),
    ("site_use_id", NUMBER),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
)
_rec(
    "HZ_LOCATION_V2PUB.LOCATION_REC_TYPE",
    ("location_id", NUMBER),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("country", _v(60)),
    ("address1", _v(240)),
    ("address2", _v(240)),
    ("address3", _v(240)),
    ("address4", _v(240)),
    ("city", _v(60)),
    ("postal_code", _v(60)),
    ("state", _v(60)),
    ("province", _v(60)),
    ("county", _v(60)),
    ("address_style", _v(30)),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
)
_rec(
    "HZ_PARTY_SITE_V2PUB.PARTY_SITE_REC_TYPE",
    ("party_site_id", NUMBER),
    ("party_id", NUMBER),
    ("location_id", NUMBER),
    ("party_site_number", _v(30)),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("mailstop", _v(60)),
    ("identifying_address_flag", _v(1)),
    ("status", _v(1)),
    ("party_site_name", _v(240)),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
)
_rec(
    "HZ_CUST_ACCOUNT_SITE_V2PUB.CUST_ACCT_SITE_REC_TYPE",
    ("cust_acct_site_id", NUMBER),
    ("cust_account_id", NUMBER),
    ("party_site_id", NUMBER),
    *_attrs(n=20),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("status", _v(1)),
    ("customer_category_code", _v(30)),
    ("language", _v(4)),
    ("key_account_flag", _v(1)),
    ("territory", _v(30)),
    ("translated_customer_name", _v(50)),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
    ("org_id", NUMBER),
)
_rec(
    "HZ_CUST_ACCOUNT_SITE_V2PUB.CUST_SITE_USE_REC_TYPE",
    ("site_use_id", NUMBER),
    ("cust_acct_site_id", NUMBER),
    ("site_use_code", _v(30)),
    ("primary_flag", _v(1)),
    ("status", _v(1)),
    ("location", _v(40)),
    ("contact_id", NUMBER),
    ("bill_to_site_use_id", NUMBER),
    ("orig_system_reference", _v(240)),
    ("orig_system", _v(30)),
    ("sic_code", _v(30)),
    ("payment_term_id", NUMBER),
    ("gsa_indicator", _v(1)),
    ("tax_reference", _v(50)),
    ("tax_code", _v(50)),
    *_attrs(n=25),
    ("created_by_module", _v(150)),
    ("application_id", NUMBER),
    ("org_id", NUMBER),
)
