-- The applications of one receipt to one transaction, live (display Y) or unapplied since
-- (display N with a reversal GL date); the reversing rows (negative amounts) left out.
SELECT ra.receivable_application_id,
       ra.display,
       ra.reversal_gl_date,
       ra.gl_date,
       CAST(NVL(ps.terms_sequence_number, 1) AS NUMBER(15)) terms_sequence_number,
       CAST(ra.amount_applied AS NUMBER(38, 4)) amount_applied
  FROM ar_receivable_applications_all ra
  JOIN ar_payment_schedules_all ps ON ps.payment_schedule_id = ra.applied_payment_schedule_id
 WHERE ra.cash_receipt_id = :cash_receipt_id
   AND ra.applied_customer_trx_id = :customer_trx_id
   AND ra.status = 'APP'
   AND ra.amount_applied > 0
 ORDER BY ra.receivable_application_id
