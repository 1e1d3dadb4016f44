-- A customer account carrying our key in ORIG_SYSTEM_REFERENCE (docs/specs/oracle.md §6).
SELECT ca.cust_account_id,
       ca.account_number
  FROM hz_cust_accounts ca
 WHERE ca.orig_system_reference = :key
 ORDER BY ca.cust_account_id
