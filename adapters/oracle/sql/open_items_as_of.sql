-- Open items AT A KEY DATE (--as-of), the meaning SAP's key date has: every schedule posted
-- (GL date) by then that was still open then, including those closed later, with the balance
-- it had then: today's AMOUNT_DUE_REMAINING plus what was applied (and discounted) after the
-- date, minus what a receipt applied after it, minus approved adjustments after it
-- (docs/oracle-setup.md, "--as-of"). Optionally one customer (:account_number, else NULL).
-- Discount terms as in open_items.sql. Keyset-paged by payment_schedule_id.
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
       CAST(ps.amount_due_remaining
            + NVL((SELECT SUM(ra.amount_applied + NVL(ra.earned_discount_taken, 0)
                              + NVL(ra.unearned_discount_taken, 0))
                     FROM ar_receivable_applications_all ra
                    WHERE ra.applied_payment_schedule_id = ps.payment_schedule_id
                      AND ra.status = 'APP'
                      AND ra.gl_date > TO_DATE(:as_of, 'YYYY-MM-DD')), 0)
            - NVL((SELECT SUM(ra.amount_applied)
                     FROM ar_receivable_applications_all ra
                    WHERE ra.payment_schedule_id = ps.payment_schedule_id
                      AND ra.cash_receipt_id = ps.cash_receipt_id
                      AND ra.status IN ('APP', 'ACTIVITY')
                      AND ra.gl_date > TO_DATE(:as_of, 'YYYY-MM-DD')), 0)
            - NVL((SELECT SUM(adj.amount)
                     FROM ar_adjustments_all adj
                    WHERE adj.payment_schedule_id = ps.payment_schedule_id
                      AND adj.status = 'A'
                      AND adj.gl_date > TO_DATE(:as_of, 'YYYY-MM-DD')), 0)
            AS NUMBER(38, 4)) amount_due_remaining,
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
   AND (:account_number IS NULL OR ca.account_number = :account_number)
   AND TRUNC(ps.gl_date) <= TO_DATE(:as_of, 'YYYY-MM-DD')
   AND (ps.status = 'OP' OR ps.gl_date_closed > TO_DATE(:as_of, 'YYYY-MM-DD'))
   AND ps.payment_schedule_id > 0
   AND ps.payment_schedule_id > :after
 ORDER BY ps.payment_schedule_id
 FETCH FIRST :page_rows ROWS ONLY
