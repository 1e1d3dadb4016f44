-- Fragment (adapters/oracle/sqlfiles.py): the columns after the amount due remaining and the
-- FROM with the discount-terms join: the installment's first tier (fewest days) of
-- RA_TERMS_LINES_DISCOUNTS, its date (transaction date + days) and what it still grants
-- (percent of the original amount, less discounts taken). Money is CAST to NUMBER(38, 4)
-- so every driver returns it exact (Arrow decimal128).
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
