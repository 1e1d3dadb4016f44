-- The installments of one transaction in one operating unit, open or not (posting checks).
SELECT ps.payment_schedule_id,
       ps.customer_trx_id,
       ps.terms_sequence_number,
       ps.class,
       ps.status,
       ps.trx_number,
       ps.trx_date,
       ps.gl_date,
       ps.invoice_currency_code,
       CAST(ps.amount_due_remaining AS NUMBER(38, 4)) amount_due_remaining,
       ps.customer_id,
       ps.customer_site_use_id,
       ca.account_number
  FROM ar_payment_schedules_all ps
  JOIN hz_cust_accounts ca ON ca.cust_account_id = ps.customer_id
 WHERE ps.org_id = :org_id
   AND ps.customer_trx_id = :customer_trx_id
   AND ps.payment_schedule_id > 0
 ORDER BY ps.terms_sequence_number
