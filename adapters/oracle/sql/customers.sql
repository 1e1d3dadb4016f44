-- TCA customers with an active site in one operating unit: party, account, bill-to site use,
-- party site, location (docs/specs/oracle.md §2). Keyset-paged by cust_account_id; the primary
-- bill-to comes first for each account, later rows of the same account are dropped.
SELECT ca.cust_account_id,
       ca.account_number,
       ca.status account_status,
       p.party_name,
       p.tax_reference,
       loc.country,
       loc.city,
       loc.postal_code,
       loc.address1,
       su.primary_flag
  FROM hz_cust_accounts ca
  JOIN hz_parties p ON p.party_id = ca.party_id
  JOIN hz_cust_acct_sites_all s
    ON s.cust_account_id = ca.cust_account_id AND s.org_id = :org_id AND s.status = 'A'
  JOIN hz_cust_site_uses_all su
    ON su.cust_acct_site_id = s.cust_acct_site_id AND su.site_use_code = 'BILL_TO'
  JOIN hz_party_sites psite ON psite.party_site_id = s.party_site_id
  JOIN hz_locations loc ON loc.location_id = psite.location_id
 WHERE ca.cust_account_id > :after
   AND (ca.last_update_date >= TO_DATE(:since, 'YYYY-MM-DD')
        OR p.last_update_date >= TO_DATE(:since, 'YYYY-MM-DD')
        OR loc.last_update_date >= TO_DATE(:since, 'YYYY-MM-DD'))
 ORDER BY ca.cust_account_id, su.primary_flag DESC
 FETCH FIRST :page_rows ROWS ONLY
