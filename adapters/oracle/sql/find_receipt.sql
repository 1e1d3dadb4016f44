-- Our receipt for an idempotency key: receipt number, not reversed (docs/specs/oracle.md §6).
SELECT cr.cash_receipt_id,
       cr.receipt_number,
       cr.org_id,
       cr.comments
  FROM ar_cash_receipts_all cr
 WHERE cr.receipt_number = :receipt_number
   AND cr.type = 'CASH'
   AND cr.status NOT IN ('REV', 'NSF', 'STOP')
 ORDER BY cr.cash_receipt_id
