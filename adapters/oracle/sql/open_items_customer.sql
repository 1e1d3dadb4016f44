-- open_items.sql for one customer account (by account number).
SELECT ps.payment_schedule_id,
       ps.org_id,
       ps.customer_trx_id,
       ps.cash_receipt_id,
       CAST(NVL(ps.terms_sequence_number, 1) AS NUMBER(15)) terms_sequence_number,
       ps.class,
       ps.trx_number,
       ps.trx_date,
       ps.gl_date,
       ps.due_date,
       ps.invoice_currency_code,
       CAST(ps.amount_due_remaining AS NUMBER(38, 4)) amount_due_remaining,
       CAST(NVL(ps.amount_in_dispute, 0) AS NUMBER(38, 4)) amount_in_dispute,
       ca.account_number,
       trx.purchase_order,
       ps.trx_date + d.discount_days discount_date,
       CAST(CASE WHEN d.term_id IS NULL THEN NULL
                 ELSE GREATEST(ROUND(ps.amount_due_original * d.discount_percent / 100,
                                     NVL(cur.precision, 2))
                               - NVL(ps.discount_taken_earned, 0)
                               - NVL(ps.discount_taken_unearned, 0), 0)
            END AS NUMBER(38, 4)) discount_amount
  FROM ar_payment_schedules_all ps
  JOIN hz_cust_accounts ca ON ca.cust_account_id = ps.customer_id
  LEFT JOIN ra_customer_trx_all trx ON trx.customer_trx_id = ps.customer_trx_id
  LEFT JOIN fnd_currencies cur ON cur.currency_code = ps.invoice_currency_code
  LEFT JOIN ra_terms_lines_discounts d
    ON d.term_id = ps.term_id
   AND d.sequence_num = NVL(ps.terms_sequence_number, 1)
   AND d.discount_days = (SELECT MIN(d1.discount_days) FROM ra_terms_lines_discounts d1
                           WHERE d1.term_id = ps.term_id
                             AND d1.sequence_num = NVL(ps.terms_sequence_number, 1))
 WHERE ps.org_id = :org_id
   AND ca.account_number = :account_number
   AND ps.status = 'OP'
   AND TRUNC(ps.gl_date) <= TO_DATE(:as_of, 'YYYY-MM-DD')
   AND ps.payment_schedule_id > :after
 ORDER BY ps.payment_schedule_id
 FETCH FIRST :page_rows ROWS ONLY
