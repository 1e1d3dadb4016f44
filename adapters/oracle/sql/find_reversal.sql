-- A receipt reversed under our key: our whole tag otc:<key>; at the start of
-- REVERSAL_COMMENTS (AR_RECEIPT_API_PUB.REVERSE p_reversal_comments). Reversed receipts only.
SELECT cr.cash_receipt_id,
       cr.receipt_number,
       cr.reversal_comments
  FROM ar_cash_receipts_all cr
 WHERE cr.type = 'CASH'
   AND cr.status IN ('REV', 'NSF', 'STOP')
   AND SUBSTR(cr.reversal_comments, 1, :tag_length) = :tag
 ORDER BY cr.cash_receipt_id
