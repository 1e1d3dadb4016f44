-- Our receipt for a cash application key, reversed or not (reversal posting checks): its
-- number AND our whole tag at the start of COMMENTS, its customer, status and reversal tag.
SELECT cr.cash_receipt_id,
       cr.receipt_number,
       cr.status,
       cr.comments,
       cr.currency_code,
       cr.reversal_date,
       cr.reversal_comments,
       ca.account_number
  FROM ar_cash_receipts_all cr
  LEFT JOIN hz_cust_accounts ca ON ca.cust_account_id = cr.pay_from_customer
 WHERE cr.receipt_number = :receipt_number
   AND cr.org_id = :org_id
   AND cr.type = 'CASH'
   AND SUBSTR(cr.comments, 1, :tag_length) = :tag
 ORDER BY cr.cash_receipt_id
