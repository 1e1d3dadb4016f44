-- A customer account by account number, with its bill-to site uses in one operating unit.
SELECT ca.cust_account_id,
       ca.account_number,
       ca.status,
       su.site_use_id,
       su.primary_flag
  FROM hz_cust_accounts ca
  LEFT JOIN hz_cust_acct_sites_all s
    ON s.cust_account_id = ca.cust_account_id AND s.org_id = :org_id AND s.status = 'A'
  LEFT JOIN hz_cust_site_uses_all su
    ON su.cust_acct_site_id = s.cust_acct_site_id AND su.site_use_code = 'BILL_TO'
   AND su.status = 'A'
 WHERE ca.account_number = :account_number
 ORDER BY su.primary_flag DESC, su.site_use_id
