"""Every PL/SQL block the adapter sends, rendered in this one place (docs/specs/oracle.md §3.7).

Rules: values are ALWAYS binds, never text; only the block's shape varies (one APPLY per
installment, with numbered binds `:ps_1`, `:amt_1`, ...; the fields a customer update
touches). Every block sets the apps context (§4: ORDS sessions are pooled across orgs),
checks first whether our document already exists (`:already`, §6), reads the FND message
stack into `:messages` (`app|NAME|tokens` CHR(31) text CHR(30)), rolls back when the API did
not succeed (ORDS would commit otherwise) and ends in an EXCEPTION handler that rolls back and
reports, so a failed block never leaves half its work behind. A dry run ends in ROLLBACK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.oracle.transport import OUT_NUMBER, OUT_TEXT, Out

CONTEXT = """  fnd_global.apps_initialize(:user_id, :resp_id, :resp_appl_id);
  mo_global.init('AR');
  mo_global.set_policy_context('S', :org_id);
"""

MESSAGES = """  FOR i IN 1 .. fnd_msg_pub.count_msg LOOP
    l_m := l_m || REPLACE(fnd_msg_pub.get(p_msg_index => i, p_encoded => 'T'), CHR(0), '|')
           || CHR(31) || fnd_msg_pub.get(p_msg_index => i, p_encoded => 'F') || CHR(30);
  END LOOP;
"""

HANDLER = """EXCEPTION
  WHEN OTHERS THEN
    ROLLBACK;
    :status := 'U';
    :error := SQLERRM;
END;"""

STD_DECLARE = """  l_st VARCHAR2(1);
  l_cnt NUMBER;
  l_data VARCHAR2(2000);
  l_m VARCHAR2(32000);
  l_already VARCHAR2(1) := 'N';
"""


CM_OUTS = "  :cm_ids := l_cms;\n  :cm_new := l_cm_new;\n"


def _finish(dry_run: bool) -> str:
    if dry_run:
        return "  ROLLBACK;  -- dry run: the ERP checked everything, nothing stays\n"
    # ORDS commits a request that raised nothing: a failed API's work must go here
    return "  IF l_st <> 'S' THEN\n    ROLLBACK;\n  END IF;\n"


STD_OUTS: dict[str, Out] = {
    "status": OUT_TEXT,
    "messages": OUT_TEXT,
    "error": OUT_TEXT,
    "already": OUT_TEXT,
}


@dataclass(frozen=True)
class Block:
    """Block text plus the OUT binds it assigns (the caller adds the IN values)."""

    text: str
    outs: dict[str, Out]


def credit_memo_applications(count: int) -> str:
    """AR_CM_API_PUB.APPLY_ON_ACCOUNT per credit memo and invoice pair (`:cm_j`, `:cminv_j`,
    `:cminst_j`, `:cmps_j`, `:cmamt_j`, `:cmdate_j`, `:cmgl_j`), each first looked up by our
    tag on the credit memo's live application to that installment, so a rerun applies only a
    missing one (docs/exactly-once.md, "Oracle: a credit memo netted in a payment").

    The invoice goes in as transaction + installment, not as schedule id: EBS then finds it in
    AR_OPEN_TRX_V with the credit memo's currency, customer and status OP; with only the
    schedule id those checks are silently skipped (AR_CM_VAL_PVT.default_trx_info).
    """
    return "".join(
        f"""  l_cm_done := 'N';
  FOR r IN (SELECT ra.receivable_application_id id FROM ar_receivable_applications_all ra
             WHERE ra.customer_trx_id = :cm_{j} AND ra.applied_payment_schedule_id = :cmps_{j}
               AND ra.application_type = 'CM' AND ra.status = 'APP' AND ra.display = 'Y'
               AND SUBSTR(ra.comments, 1, :tag_length) = :tag_only) LOOP
    l_cm_done := 'Y';
    l_cms := l_cms || r.id || ',';
  END LOOP;
  IF l_st = 'S' AND l_cm_done = 'N' THEN
    l_cm_{j}.cm_customer_trx_id := :cm_{j};
    l_cm_{j}.inv_customer_trx_id := :cminv_{j};
    l_cm_{j}.installment := :cminst_{j};
    l_cm_{j}.amount_applied := :cmamt_{j};
    l_cm_{j}.apply_date := TO_DATE(:cmdate_{j}, 'YYYY-MM-DD');
    l_cm_{j}.gl_date := TO_DATE(:cmgl_{j}, 'YYYY-MM-DD');
    l_cm_{j}.comments := :tag;
    ar_cm_api_pub.apply_on_account(p_api_version => 1.0, p_init_msg_list => 'F',
      p_commit => 'F', p_cm_app_rec => l_cm_{j}, x_return_status => l_st,
      x_msg_count => l_cnt, x_msg_data => l_data, x_out_rec_application_id => l_cm_ra,
      x_acctd_amount_applied_from => l_acctd_from, x_acctd_amount_applied_to => l_acctd_to,
      p_org_id => :org_id);
    IF l_st = 'S' THEN
      l_cms := l_cms || l_cm_ra || ',';
      l_cm_new := l_cm_new + 1;
    END IF;
  END IF;
"""
        for j in range(1, count + 1)
    )


def cash_receipt(
    applications: int,
    *,
    write_off: bool,
    dry_run: bool,
    foreign: bool = False,
    credit_memos: int = 0,
) -> Block:
    """CREATE_CASH, then one APPLY per installment (`:ps_i`, `:amt_i`, `:disc_i`, `:adate_i`,
    `:agl_i`, `:note_i`), then optionally ACTIVITY_APPLICATION (receipt write-off on PS -3).

    IN binds: context, `:rno`, `:cust`, `:site`, `:cur`, `:amt`, `:rdate`, `:gl`, `:method`,
    `:tag` (the receipt's comments), `:tag_only` and `:tag_length` (the whole tag `otc:<key>;`
    the duplicate check compares), `:key` (only with applications); with `write_off`:
    `:wo_amt`, `:wo_activity`; with `foreign` (not the ledger's currency): `:rate_type`.
    `:disc_i` is always a number, 0 when no discount is granted:
    a NULL p_discount lets APPLY default one from the terms (docs/specs/oracle.md, corrections).

    With `credit_memos` (issue 17, "invoice X less credit note Y"): the credit memos are
    applied to the invoices first (`credit_memo_applications`), each unless already there,
    then the receipt, unless already there, applies the net. One block, one transaction: a
    failed step rolls all back. OUT `:cm_ids` (our credit memo applications) and `:cm_new`
    (how many this block made).
    """
    applies = "".join(
        f"""    IF l_st = 'S' THEN
      ar_receipt_api_pub.apply(p_api_version => 1.0, p_init_msg_list => 'F',
        x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
        p_cash_receipt_id => l_cr, p_applied_payment_schedule_id => :ps_{i},
        p_amount_applied => :amt_{i}, p_discount => :disc_{i},
        p_apply_date => TO_DATE(:adate_{i}, 'YYYY-MM-DD'),
        p_apply_gl_date => TO_DATE(:agl_{i}, 'YYYY-MM-DD'),
        p_comments => :note_{i}, p_customer_reference => :key, p_org_id => :org_id);
    END IF;
"""
        for i in range(1, applications + 1)
    )
    writeoff = ""
    if write_off:
        writeoff = """    IF l_st = 'S' THEN
      ar_receipt_api_pub.activity_application(p_api_version => 1.0, p_init_msg_list => 'F',
        x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
        p_cash_receipt_id => l_cr, p_amount_applied => :wo_amt,
        p_applied_payment_schedule_id => -3, p_receivables_trx_id => :wo_activity,
        p_apply_date => TO_DATE(:rdate, 'YYYY-MM-DD'),
        p_apply_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'),
        p_comments => :tag, p_application_ref_type => l_ref_type,
        p_application_ref_id => l_ref_id, p_application_ref_num => l_ref_num,
        p_secondary_application_ref_id => l_sec_id, p_receivable_application_id => l_wo,
        p_org_id => :org_id);
    END IF;
"""
    rate = ""
    if foreign:  # the daily rate of :rate_type on the receipt date (NULL type: the profile)
        rate = (
            "\n      p_exchange_rate_type => :rate_type,"
            " p_exchange_rate_date => TO_DATE(:rdate, 'YYYY-MM-DD'),"
        )
    netting, cm_declare, init = "", "", "'T'"
    if credit_memos:
        netting = "  fnd_msg_pub.initialize;\n  l_st := 'S';\n"
        netting += credit_memo_applications(credit_memos)
        cm_declare = "".join(
            f"  l_cm_{j} ar_cm_api_pub.cm_app_rec_type;\n" for j in range(1, credit_memos + 1)
        ) + (
            "  l_cm_done VARCHAR2(1);\n  l_cm_ra NUMBER;\n  l_acctd_from NUMBER;\n"
            "  l_acctd_to NUMBER;\n  l_cms VARCHAR2(4000);\n  l_cm_new NUMBER := 0;\n"
        )
        init = "'F'"
    text = f"""DECLARE
{STD_DECLARE}{cm_declare}  l_cr NUMBER;
  l_ra VARCHAR2(4000);
  l_wo NUMBER;
  l_ref_type VARCHAR2(30);
  l_ref_id NUMBER;
  l_ref_num VARCHAR2(30);
  l_sec_id NUMBER;
BEGIN
{CONTEXT}  FOR r IN (SELECT cr.cash_receipt_id FROM ar_cash_receipts_all cr
             WHERE cr.receipt_number = :rno AND cr.pay_from_customer = :cust
               AND cr.org_id = :org_id AND cr.type = 'CASH'
               AND SUBSTR(cr.comments, 1, :tag_length) = :tag_only) LOOP
    l_cr := r.cash_receipt_id;
    l_already := 'Y';
  END LOOP;
{netting}  IF l_already = 'Y' THEN
    l_st := NVL(l_st, 'S');
  {"ELSIF l_st = 'S' THEN" if credit_memos else "ELSE"}
    ar_receipt_api_pub.create_cash(p_api_version => 1.0, p_init_msg_list => {init},
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
      p_currency_code => :cur,{rate} p_amount => :amt, p_receipt_number => :rno,
      p_receipt_date => TO_DATE(:rdate, 'YYYY-MM-DD'), p_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'),
      p_customer_id => :cust, p_customer_site_use_id => :site,
      p_receipt_method_id => :method, p_comments => :tag, p_org_id => :org_id,
      p_cr_id => l_cr);
{applies}{writeoff}  END IF;
  IF l_st = 'S' THEN
    FOR r IN (SELECT ra.receivable_application_id id FROM ar_receivable_applications_all ra
               WHERE ra.cash_receipt_id = l_cr AND ra.status IN ('APP', 'ACTIVITY')
                 AND ra.display = 'Y') LOOP
      l_ra := l_ra || r.id || ',';
    END LOOP;
  END IF;
{MESSAGES}{_finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
  :cr_id := l_cr;
  :ra_ids := l_ra;
{CM_OUTS if credit_memos else ""}{HANDLER}"""
    outs = {**STD_OUTS, "cr_id": OUT_NUMBER, "ra_ids": OUT_TEXT}
    if credit_memos:
        outs.update({"cm_ids": OUT_TEXT, "cm_new": OUT_NUMBER})
    return Block(text, outs)


def adjustment(*, dry_run: bool) -> Block:
    """AR_ADJUST_PUB.CREATE_ADJUSTMENT (its own `p_` status names, §3.5) on one installment.

    IN binds: context, `:ps`, `:adj_type`, `:activity`, `:amount` (negative reduces),
    `:adate`, `:gl`, `:reason`, `:tag`, `:tag_length`, `:comments`.
    """
    text = f"""DECLARE
{STD_DECLARE}  l_adj ar_adjustments%ROWTYPE;
  l_no VARCHAR2(30);
  l_id NUMBER;
  l_adj_status VARCHAR2(1);
BEGIN
{CONTEXT}  FOR r IN (SELECT adj.adjustment_id, adj.adjustment_number, adj.status
               FROM ar_adjustments_all adj
              WHERE adj.payment_schedule_id = :ps AND adj.org_id = :org_id
                AND adj.created_from = 'OTC_ADAPTERS'
                AND SUBSTR(adj.comments, 1, :tag_length) = :tag
              ORDER BY adj.adjustment_id) LOOP
    IF l_already = 'N' OR r.status <> 'R' THEN  -- a live one wins over a rejected one
      l_id := r.adjustment_id;
      l_no := r.adjustment_number;
      l_adj_status := r.status;
      l_already := 'Y';
    END IF;
  END LOOP;
  IF l_already = 'Y' THEN
    l_st := 'S';
  ELSE
    l_adj.type := :adj_type;
    l_adj.payment_schedule_id := :ps;
    l_adj.receivables_trx_id := :activity;
    l_adj.amount := :amount;
    l_adj.apply_date := TO_DATE(:adate, 'YYYY-MM-DD');
    l_adj.gl_date := TO_DATE(:gl, 'YYYY-MM-DD');
    l_adj.reason_code := :reason;
    l_adj.comments := :comments;
    l_adj.created_from := 'OTC_ADAPTERS';
    ar_adjust_pub.create_adjustment(p_api_name => 'AR_ADJUST_PUB', p_api_version => 1.0,
      p_init_msg_list => 'T', p_commit_flag => 'F', p_validation_level => 100,
      p_msg_count => l_cnt, p_msg_data => l_data, p_return_status => l_st,
      p_adj_rec => l_adj, p_chk_approval_limits => 'T', p_check_amount => 'T',
      p_new_adjust_number => l_no, p_new_adjust_id => l_id, p_org_id => :org_id);
    IF l_st = 'S' THEN
      FOR r IN (SELECT adj.status FROM ar_adjustments_all adj
                 WHERE adj.adjustment_id = l_id) LOOP
        l_adj_status := r.status;
      END LOOP;
    END IF;
  END IF;
{MESSAGES}{_finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
  :adj_id := l_id;
  :adj_number := l_no;
  :adj_status := l_adj_status;
{HANDLER}"""
    return Block(
        text, {**STD_OUTS, "adj_id": OUT_NUMBER, "adj_number": OUT_TEXT, "adj_status": OUT_TEXT}
    )


def create_customer(
    org_count: int,
    *,
    dry_run: bool,
    party_number: bool = False,
    site_number: bool = False,
    locations: bool = False,
) -> Block:
    """Account + organization, location, party site, then per org an account site and a
    primary BILL_TO (`:org_1`, ...) (§3.6). IN: `:name`, `:tax`, `:key`, `:module`,
    `:acct_no` (NULL under auto-numbering), `:country`, `:street`, `:city`, `:postal`; where
    TCA does not generate them (HZ profiles, AR Automatic Site Numbering): `:party_no`,
    `:psite_no`, `:loc_1`, ... (else HZ_API_MISSING_COLUMN)."""
    sites = "".join(
        f"""  IF l_st = 'S' THEN
    mo_global.set_policy_context('S', :org_{i});
    l_site.cust_account_id := l_acct_id;
    l_site.party_site_id := l_ps_id;
    l_site.org_id := :org_{i};
    l_site.orig_system_reference := :key || '-' || :org_{i};
    l_site.created_by_module := :module;
    hz_cust_account_site_v2pub.create_cust_acct_site(p_init_msg_list => 'F',
      p_cust_acct_site_rec => l_site, x_cust_acct_site_id => l_site_id,
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
  IF l_st = 'S' THEN
    l_use.cust_acct_site_id := l_site_id;
    l_use.site_use_code := 'BILL_TO';
    l_use.primary_flag := 'Y';{f"{chr(10)}    l_use.location := :loc_{i};" if locations else ""}
    l_use.org_id := :org_{i};
    l_use.created_by_module := :module;
    hz_cust_account_site_v2pub.create_cust_site_use(p_init_msg_list => 'F',
      p_cust_site_use_rec => l_use, p_customer_profile_rec => l_prof,
      p_create_profile => 'F', p_create_profile_amt => 'F', x_site_use_id => l_use_id,
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
"""
        for i in range(1, org_count + 1)
    )
    party_no = "\n  l_org.party_rec.party_number := :party_no;" if party_number else ""
    psite_no = "\n    l_psite.party_site_number := :psite_no;" if site_number else ""
    text = f"""DECLARE
{STD_DECLARE}  l_org hz_party_v2pub.organization_rec_type;
  l_acct hz_cust_account_v2pub.cust_account_rec_type;
  l_prof hz_customer_profile_v2pub.customer_profile_rec_type;
  l_loc hz_location_v2pub.location_rec_type;
  l_psite hz_party_site_v2pub.party_site_rec_type;
  l_site hz_cust_account_site_v2pub.cust_acct_site_rec_type;
  l_use hz_cust_account_site_v2pub.cust_site_use_rec_type;
  l_acct_id NUMBER;
  l_acct_no VARCHAR2(30);
  l_party_id NUMBER;
  l_party_no VARCHAR2(30);
  l_prof_id NUMBER;
  l_loc_id NUMBER;
  l_ps_id NUMBER;
  l_ps_no VARCHAR2(30);
  l_site_id NUMBER;
  l_use_id NUMBER;
BEGIN
{CONTEXT}  FOR r IN (SELECT ca.cust_account_id, ca.account_number FROM hz_cust_accounts ca
             WHERE ca.orig_system_reference = :key) LOOP
    l_acct_id := r.cust_account_id;
    l_acct_no := r.account_number;
    l_already := 'Y';
  END LOOP;
  IF l_already = 'Y' THEN
    l_st := 'S';
  ELSE
  l_org.organization_name := :name;
  l_org.tax_reference := :tax;
  l_org.party_rec.orig_system_reference := :key;{party_no}
  l_org.created_by_module := :module;
  l_acct.account_name := SUBSTR(:name, 1, 240);
  l_acct.account_number := :acct_no;
  l_acct.orig_system_reference := :key;
  l_acct.created_by_module := :module;
  hz_cust_account_v2pub.create_cust_account(p_init_msg_list => 'T',
    p_cust_account_rec => l_acct, p_organization_rec => l_org, p_customer_profile_rec => l_prof,
    p_create_profile_amt => 'F', x_cust_account_id => l_acct_id, x_account_number => l_acct_no,
    x_party_id => l_party_id, x_party_number => l_party_no, x_profile_id => l_prof_id,
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  IF l_st = 'S' THEN
    l_loc.country := :country;
    l_loc.address1 := :street;
    l_loc.city := :city;
    l_loc.postal_code := :postal;
    l_loc.created_by_module := :module;
    hz_location_v2pub.create_location(p_init_msg_list => 'F', p_location_rec => l_loc,
      x_location_id => l_loc_id, x_return_status => l_st, x_msg_count => l_cnt,
      x_msg_data => l_data);
  END IF;
  IF l_st = 'S' THEN
    l_psite.party_id := l_party_id;
    l_psite.location_id := l_loc_id;
    l_psite.identifying_address_flag := 'Y';{psite_no}
    l_psite.created_by_module := :module;
    hz_party_site_v2pub.create_party_site(p_init_msg_list => 'F', p_party_site_rec => l_psite,
      x_party_site_id => l_ps_id, x_party_site_number => l_ps_no, x_return_status => l_st,
      x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
{sites}  END IF;
{MESSAGES}{_finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
  :acct_id := l_acct_id;
  :acct_no_out := l_acct_no;
{HANDLER}"""
    return Block(text, {**STD_OUTS, "acct_id": OUT_NUMBER, "acct_no_out": OUT_TEXT})


#: A customer field that changes -> the record field it is written to, per record.
PARTY_FIELDS = {"name": "organization_name", "tax_id": "tax_reference"}
LOCATION_FIELDS = {
    "street": "address1",
    "city": "city",
    "postal_code": "postal_code",
    "country": "country",
}


def update_customer(
    set_fields: Sequence[str], clear_fields: Sequence[str], *, dry_run: bool
) -> Block:
    """HZ_PARTY_V2PUB.UPDATE_ORGANIZATION and HZ_LOCATION_V2PUB.UPDATE_LOCATION with OVNs.

    Only the fields named are touched: NULL keeps, `fnd_api.g_miss_char` clears (§3.6).
    A set field binds as `:f_<field>`; IN: `:party_id`, `:party_ovn`, `:location_id`,
    `:location_ovn`.
    """
    party = [f for f in (*set_fields, *clear_fields) if f in PARTY_FIELDS]
    location = [f for f in (*set_fields, *clear_fields) if f in LOCATION_FIELDS]

    def assign(record: str, fieldmap: dict[str, str], names: list[str]) -> str:
        return "".join(
            f"    {record}.{fieldmap[f]} := "
            + ("fnd_api.g_miss_char" if f in clear_fields else f":f_{f}")
            + ";\n"
            for f in names
        )

    party_part = ""
    if party:
        party_part = f"""  IF l_st = 'S' THEN
    l_org.party_rec.party_id := :party_id;
{assign("l_org", PARTY_FIELDS, party)}    hz_party_v2pub.update_organization(p_init_msg_list => 'F',
      p_organization_rec => l_org,
      p_party_object_version_number => l_party_ovn, x_profile_id => l_prof_id,
      x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data);
  END IF;
"""
    location_part = ""
    if location:
        location_part = f"""  IF l_st = 'S' THEN
    l_loc.location_id := :location_id;
{assign("l_loc", LOCATION_FIELDS, location)}    hz_location_v2pub.update_location(
      p_init_msg_list => 'F',
      p_location_rec => l_loc,
      p_object_version_number => l_loc_ovn, x_return_status => l_st, x_msg_count => l_cnt,
      x_msg_data => l_data);
  END IF;
"""
    text = f"""DECLARE
{STD_DECLARE}  l_org hz_party_v2pub.organization_rec_type;
  l_loc hz_location_v2pub.location_rec_type;
  l_party_ovn NUMBER := :party_ovn;
  l_loc_ovn NUMBER := :location_ovn;
  l_prof_id NUMBER;
BEGIN
{CONTEXT}  fnd_msg_pub.initialize;
  l_st := 'S';
{party_part}{location_part}{MESSAGES}{_finish(dry_run)}  :status := l_st;
  :messages := l_m;
  :already := l_already;
{HANDLER}"""
    return Block(text, dict(STD_OUTS))
