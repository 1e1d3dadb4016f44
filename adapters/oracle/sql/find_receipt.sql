-- Our receipt for an idempotency key: its receipt number AND our whole tag otc:<key>; at the
-- start of COMMENTS (docs/specs/oracle.md §6). A manual receipt that happens to have the same
-- number but not our tag is never taken for ours. A reversed receipt still counts: the key took
-- effect once, and a corrected payment goes under a new key (docs/specs/oracle.md, corrections).
SELECT cr.cash_receipt_id,
       cr.receipt_number,
       cr.org_id,
       cr.pay_from_customer,
       cr.comments
  FROM ar_cash_receipts_all cr
 WHERE cr.receipt_number = :receipt_number
   AND cr.type = 'CASH'
   AND SUBSTR(cr.comments, 1, :tag_length) = :tag
 ORDER BY cr.cash_receipt_id
