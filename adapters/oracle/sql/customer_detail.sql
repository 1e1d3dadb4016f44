-- One customer for an upsert, by our key (ORIG_SYSTEM_REFERENCE) or its account number,
-- with the object version numbers the V2PUB updates need (docs/specs/oracle.md §3.6), CAST
-- to NUMBER(9): the columns are plain NUMBER, which Arrow fetches would not give as integers.
SELECT ca.cust_account_id,
       ca.account_number,
       ca.orig_system_reference,
       CAST(ca.object_version_number AS NUMBER(9)) account_ovn,
       p.party_id,
       p.party_name,
       p.tax_reference,
       CAST(p.object_version_number AS NUMBER(9)) party_ovn,
       loc.location_id,
       loc.country,
       loc.city,
       loc.postal_code,
       loc.address1,
       CAST(loc.object_version_number AS NUMBER(9)) location_ovn
  FROM hz_cust_accounts ca
  JOIN hz_parties p ON p.party_id = ca.party_id
  LEFT JOIN hz_party_sites psite ON psite.party_id = p.party_id
  LEFT JOIN hz_locations loc ON loc.location_id = psite.location_id
 WHERE ca.orig_system_reference = :key OR ca.account_number = :key
 ORDER BY ca.cust_account_id, psite.party_site_id
