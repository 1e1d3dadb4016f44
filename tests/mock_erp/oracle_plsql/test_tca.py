"""TCA V2 APIs through real blocks: the customer chain, account numbering, lookups, mandatory
columns, object version numbers and NULL-keeps / G_MISS-clears (docs/specs/oracle.md §3.6, §7 item 12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plsql_helpers import CONTEXT, MSG_LOOP, names

CUSTOMER = f"""
DECLARE
  l_org hz_party_v2pub.organization_rec_type;
  l_acct hz_cust_account_v2pub.cust_account_rec_type;
  l_prof hz_customer_profile_v2pub.customer_profile_rec_type;
  l_loc hz_location_v2pub.location_rec_type;
  l_ps hz_party_site_v2pub.party_site_rec_type;
  l_site hz_cust_account_site_v2pub.cust_acct_site_rec_type;
  l_use hz_cust_account_site_v2pub.cust_site_use_rec_type;
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000);
  l_acct_id NUMBER; l_acct_no VARCHAR2(30); l_party_id NUMBER; l_party_no VARCHAR2(30); l_prof_id NUMBER;
  l_loc_id NUMBER; l_ps_id NUMBER; l_ps_no VARCHAR2(30); l_site_id NUMBER; l_use_id NUMBER;
BEGIN{CONTEXT}
  l_org.organization_name := :name;
  l_org.tax_reference := :tax;
  l_org.party_rec.orig_system_reference := 'otc:' || :key;
  l_org.created_by_module := :module;
  l_acct.account_name := :name;
  l_acct.account_number := :acct_no;
  l_acct.orig_system_reference := 'otc:' || :key;
  l_acct.created_by_module := :module;
  hz_cust_account_v2pub.create_cust_account(p_init_msg_list => fnd_api.g_true,
    p_cust_account_rec => l_acct, p_organization_rec => l_org, p_customer_profile_rec => l_prof,
    p_create_profile_amt => fnd_api.g_false, x_cust_account_id => l_acct_id, x_account_number => l_acct_no,
    x_party_id => l_party_id, x_party_number => l_party_no, x_profile_id => l_prof_id,
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  IF l_st = 'S' THEN
    l_loc.country := :country; l_loc.address1 := :street; l_loc.city := 'Springfield';
    l_loc.postal_code := '12345'; l_loc.created_by_module := :module;
    hz_location_v2pub.create_location(p_init_msg_list => 'T', p_location_rec => l_loc,
      x_location_id => l_loc_id, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
  IF l_st = 'S' THEN
    l_ps.party_id := l_party_id; l_ps.location_id := l_loc_id; l_ps.created_by_module := :module;
    hz_party_site_v2pub.create_party_site(p_init_msg_list => 'T', p_party_site_rec => l_ps,
      x_party_site_id => l_ps_id, x_party_site_number => l_ps_no, x_return_status => l_st,
      x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
  IF l_st = 'S' THEN
    l_site.cust_account_id := l_acct_id; l_site.party_site_id := l_ps_id; l_site.org_id := :org_id;
    l_site.created_by_module := :module;
    hz_cust_account_site_v2pub.create_cust_acct_site(p_init_msg_list => 'T', p_cust_acct_site_rec => l_site,
      x_cust_acct_site_id => l_site_id, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
  IF l_st = 'S' THEN
    l_use.cust_acct_site_id := l_site_id; l_use.site_use_code := 'BILL_TO'; l_use.primary_flag := 'Y';
    l_use.org_id := :org_id; l_use.created_by_module := :module;
    hz_cust_account_site_v2pub.create_cust_site_use(p_init_msg_list => 'T', p_cust_site_use_rec => l_use,
      p_customer_profile_rec => l_prof, p_create_profile => 'F', p_create_profile_amt => 'F',
      x_site_use_id => l_use_id, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st; :messages := l_m; :acct_id := l_acct_id; :acct_no := l_acct_no; :party_id := l_party_id;
  :loc_id := l_loc_id; :site_use_id := l_use_id;
END;"""


def _customer(run: Any, **over: Any) -> dict[str, Any]:
    binds = {
        "name": "Globex Corporation",
        "tax": "US123456789",
        "key": "C-42",
        "module": "TCA_V2_API",
        "acct_no": None,
        "country": "US",
        "street": "1 Main Street",
        "status": None,
        "messages": None,
        "acct_id": None,
        "party_id": None,
        "loc_id": None,
        "site_use_id": None,
    }
    binds.update(over)
    return run(CUSTOMER, **binds)


def test_customer_chain_creates_party_account_location_sites_and_bill_to(run, sql) -> None:
    out = _customer(run)
    assert out["status"] == "S", out["messages"]
    party = sql("SELECT * FROM HZ_PARTIES WHERE PARTY_ID = ?", int(out["party_id"]))[0]
    assert (party["PARTY_NAME"], party["PARTY_TYPE"], party["TAX_REFERENCE"]) == (
        "Globex Corporation",
        "ORGANIZATION",
        "US123456789",
    )
    # OVN is a plain NUMBER (stored as exact decimal text in the mock)
    assert (party["ORIG_SYSTEM_REFERENCE"], int(party["OBJECT_VERSION_NUMBER"])) == ("otc:C-42", 1)
    acct = sql("SELECT * FROM HZ_CUST_ACCOUNTS WHERE CUST_ACCOUNT_ID = ?", int(out["acct_id"]))[0]
    assert acct["PARTY_ID"] == party["PARTY_ID"] and acct["ACCOUNT_NUMBER"] == out["acct_no"]
    assert out["acct_no"].isdigit() and acct["STATUS"] == "A"  # TO_CHAR(HZ_ACCOUNT_NUM_S.NEXTVAL)
    use = sql(
        "SELECT su.*, s.CUST_ACCOUNT_ID, s.ORG_ID AS SITE_ORG, ps.LOCATION_ID FROM HZ_CUST_SITE_USES_ALL su "
        "JOIN HZ_CUST_ACCT_SITES_ALL s ON s.CUST_ACCT_SITE_ID = su.CUST_ACCT_SITE_ID "
        "JOIN HZ_PARTY_SITES ps ON ps.PARTY_SITE_ID = s.PARTY_SITE_ID WHERE su.SITE_USE_ID = ?",
        int(out["site_use_id"]),
    )[0]
    assert (use["SITE_USE_CODE"], use["PRIMARY_FLAG"], use["ORG_ID"], use["SITE_ORG"]) == (
        "BILL_TO",
        "Y",
        204,
        204,
    )
    assert use["LOCATION"] == str(use["SITE_USE_ID"])  # LOCATION defaults to the id text
    assert use["CUST_ACCOUNT_ID"] == acct["CUST_ACCOUNT_ID"] and use["LOCATION_ID"] == int(
        out["loc_id"]
    )


def test_account_number_passed_while_auto_numbering_is_on(run, sql) -> None:
    out = _customer(run, acct_no="MY-1")
    assert (out["status"], names(out["messages"])) == ("E", ["HZ_API_ACCOUNT_NUMBER_AUTO_ON"])
    assert (
        sql("SELECT COUNT(*) AS N FROM HZ_PARTIES WHERE PARTY_NAME = 'Globex Corporation'")[0]["N"]
        == 0
    )


def test_account_number_required_and_unique_when_auto_numbering_is_off(run, sql) -> None:
    sql("UPDATE AR_SYSTEM_PARAMETERS_ALL SET GENERATE_CUSTOMER_NUMBER = 'N'")
    out = _customer(run)
    assert (
        names(out["messages"]) == ["HZ_API_MISSING_COLUMN"]
        and "|COLUMN|account_number" in out["messages"]
    )
    taken = sql("SELECT ACCOUNT_NUMBER FROM HZ_CUST_ACCOUNTS LIMIT 1")[0]["ACCOUNT_NUMBER"]
    assert names(_customer(run, acct_no=taken)["messages"]) == ["HZ_API_DUPLICATE_COLUMN"]
    assert _customer(run, acct_no="OTC-NEW-1")["status"] == "S"


def test_created_by_module_must_be_in_the_lookup(run) -> None:
    out = _customer(run, module="MY_SCRIPT")
    assert (out["status"], names(out["messages"])) == ("E", ["HZ_API_INVALID_LOOKUP"])
    assert "|LOOKUP_TYPE|HZ_CREATED_BY_MODULES" in out["messages"]


def test_location_needs_address1_and_country(run, sql) -> None:
    out = _customer(run, street=None, country=None)
    assert out["status"] == "E"
    assert names(out["messages"]) == ["HZ_API_MISSING_COLUMN", "HZ_API_MISSING_COLUMN"]
    assert (
        sql("SELECT COUNT(*) AS N FROM HZ_PARTIES WHERE ORIG_SYSTEM_REFERENCE = 'otc:C-42'")[0]["N"]
        == 0
    )


UPDATE_ACCOUNT = f"""
DECLARE
  l_acct hz_cust_account_v2pub.cust_account_rec_type; l_ovn NUMBER := :ovn;
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  l_acct.cust_account_id := :acct_id;
  l_acct.account_name := {{name}};
  l_acct.customer_class_code := {{klass}};
  hz_cust_account_v2pub.update_cust_account(p_init_msg_list => 'T', p_cust_account_rec => l_acct,
    p_object_version_number => l_ovn, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);{MSG_LOOP}
  :status := l_st; :messages := l_m; :ovn_out := l_ovn;
END;"""


def _update(
    run: Any, acct_id: Any, ovn: int, name: str = "NULL", klass: str = "NULL"
) -> dict[str, Any]:
    block = UPDATE_ACCOUNT.replace("{name}", name).replace("{klass}", klass)
    return run(block, acct_id=acct_id, ovn=ovn, status=None, messages=None, ovn_out=None)


def test_update_account_ovn_null_keeps_g_miss_clears(run, sql) -> None:
    acct = int(_customer(run)["acct_id"])
    sql(
        "UPDATE HZ_CUST_ACCOUNTS SET CUSTOMER_CLASS_CODE = 'PUBLIC' WHERE CUST_ACCOUNT_ID = ?", acct
    )
    out = _update(run, acct, 1, name="'Globex Inc'")
    assert (out["status"], out["ovn_out"]) == ("S", Decimal(2))
    row = sql("SELECT * FROM HZ_CUST_ACCOUNTS WHERE CUST_ACCOUNT_ID = ?", acct)[0]
    assert (row["ACCOUNT_NAME"], row["CUSTOMER_CLASS_CODE"], int(row["OBJECT_VERSION_NUMBER"])) == (
        "Globex Inc",
        "PUBLIC",
        2,
    )
    out = _update(run, acct, 2, klass="fnd_api.g_miss_char")
    assert out["status"] == "S"
    row = sql("SELECT * FROM HZ_CUST_ACCOUNTS WHERE CUST_ACCOUNT_ID = ?", acct)[0]
    assert (row["ACCOUNT_NAME"], row["CUSTOMER_CLASS_CODE"], int(row["OBJECT_VERSION_NUMBER"])) == (
        "Globex Inc",
        None,
        3,
    )


def test_update_with_stale_ovn_or_missing_row(run, sql) -> None:
    acct = int(_customer(run)["acct_id"])
    stale = _update(run, acct, 7, name="'X'")
    assert (stale["status"], names(stale["messages"]), stale["ovn_out"]) == (
        "E",
        ["HZ_API_RECORD_CHANGED"],
        Decimal(7),
    )
    assert sql("SELECT ACCOUNT_NAME FROM HZ_CUST_ACCOUNTS WHERE CUST_ACCOUNT_ID = ?", acct)[0][
        "ACCOUNT_NAME"
    ] == ("Globex Corporation")
    assert names(_update(run, 99999999, 1)["messages"]) == ["HZ_API_NO_RECORD"]


UPDATE_ORG = f"""
DECLARE
  l_org hz_party_v2pub.organization_rec_type; l_ovn NUMBER := :ovn; l_prof NUMBER;
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000);
BEGIN
  l_org.party_rec.party_id := :party_id;
  l_org.organization_name := :name;
  l_org.tax_reference := fnd_api.g_miss_char;
  hz_party_v2pub.update_organization(p_init_msg_list => 'T', p_organization_rec => l_org,
    p_party_object_version_number => l_ovn, x_profile_id => l_prof, x_return_status => l_st,
    x_msg_count => l_cnt, x_msg_data => l_data);{MSG_LOOP}
  :status := l_st; :messages := l_m; :ovn_out := l_ovn;
END;"""


def test_update_organization_uses_party_object_version_number(run, sql) -> None:
    party = int(_customer(run)["party_id"])
    out = run(
        UPDATE_ORG,
        party_id=party,
        ovn=1,
        name="Globex Renamed",
        status=None,
        messages=None,
        ovn_out=None,
    )
    assert (out["status"], out["ovn_out"]) == ("S", Decimal(2))
    row = sql("SELECT PARTY_NAME, TAX_REFERENCE FROM HZ_PARTIES WHERE PARTY_ID = ?", party)[0]
    assert row == {"PARTY_NAME": "Globex Renamed", "TAX_REFERENCE": None}


def test_create_organization_returns_status_before_ids_positionally(run, sql) -> None:
    block = """
DECLARE l_org hz_party_v2pub.organization_rec_type; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
  l_id NUMBER; l_no VARCHAR2(30); l_prof NUMBER;
BEGIN
  l_org.organization_name := 'Positional Ltd'; l_org.created_by_module := 'HZ_CPUI';
  hz_party_v2pub.create_organization('T', l_org, l_st, l_cnt, l_data, l_id, l_no, l_prof);
  :status := l_st; :party_id := l_id; :party_no := l_no;
END;"""
    out = run(block, status=None, party_id=None, party_no=None)
    assert out["status"] == "S"
    assert (
        sql("SELECT PARTY_NUMBER FROM HZ_PARTIES WHERE PARTY_ID = ?", int(out["party_id"]))[0][
            "PARTY_NUMBER"
        ]
        == (out["party_no"])
    )
