-- doctor: the receipt method, its remittance account per operating unit and that bank
-- account's currency (Cash Management).
SELECT rm.receipt_method_id,
       rm.name,
       rma.org_id,
       ba.bank_account_name,
       ba.currency_code
  FROM ar_receipt_methods rm
  JOIN ar_receipt_method_accounts_all rma ON rma.receipt_method_id = rm.receipt_method_id
  LEFT JOIN ce_bank_acct_uses_all bau ON bau.bank_acct_use_id = rma.remit_bank_acct_use_id
  LEFT JOIN ce_bank_accounts ba ON ba.bank_account_id = bau.bank_account_id
 WHERE rm.receipt_method_id = :method_id OR rm.name = :method_name
 ORDER BY rma.org_id
