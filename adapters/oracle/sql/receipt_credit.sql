-- A receipt as a refund's credit item: its customer, currency, dates and unapplied cash, in
-- one operating unit. Unapplied = the sum of its UNAPP rows (docs/specs/oracle.md §2): the
-- schedule's amount due remaining also holds cash on account (ACC), which a refund cannot
-- take until it is unapplied from account.
SELECT cr.cash_receipt_id,
       cr.receipt_number,
       cr.status,
       cr.currency_code,
       cr.receipt_date,
       h.gl_date,
       CAST(NVL((SELECT SUM(ra.amount_applied) FROM ar_receivable_applications_all ra
                  WHERE ra.cash_receipt_id = cr.cash_receipt_id AND ra.status = 'UNAPP'), 0)
            AS NUMBER(38, 4)) unapplied,
       ca.account_number
  FROM ar_cash_receipts_all cr
  JOIN ar_cash_receipt_history_all h
    ON h.cash_receipt_id = cr.cash_receipt_id AND h.current_record_flag = 'Y'
  LEFT JOIN hz_cust_accounts ca ON ca.cust_account_id = cr.pay_from_customer
 WHERE cr.cash_receipt_id = :cash_receipt_id
   AND cr.org_id = :org_id
   AND cr.type = 'CASH'
