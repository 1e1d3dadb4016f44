-- Open items AT A KEY DATE (--as-of), the meaning SAP's key date has: every schedule posted
-- (GL date) by then that was still open then, including those closed later, with the balance
-- it had then: today's AMOUNT_DUE_REMAINING plus what was applied (and discounted) after the
-- date, minus what a receipt or a credit memo applied from its own schedule after it (a
-- credit memo's application has no cash receipt), minus approved adjustments after it
-- (docs/oracle-setup.md, "--as-of"). Optionally one customer (:account_number, else NULL).
-- Discount terms as in open_items.sql. Keyset-paged by payment_schedule_id.
-- include: _open_item_columns
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
                      AND ra.status IN ('APP', 'ACTIVITY')
                      AND ra.gl_date > TO_DATE(:as_of, 'YYYY-MM-DD')), 0)
            - NVL((SELECT SUM(adj.amount)
                     FROM ar_adjustments_all adj
                    WHERE adj.payment_schedule_id = ps.payment_schedule_id
                      AND adj.status = 'A'
                      AND adj.gl_date > TO_DATE(:as_of, 'YYYY-MM-DD')), 0)
            AS NUMBER(38, 4)) amount_due_remaining,
-- include: _open_item_terms
 WHERE ps.org_id = :org_id
   AND (:account_number IS NULL OR ca.account_number = :account_number)
   AND TRUNC(ps.gl_date) <= TO_DATE(:as_of, 'YYYY-MM-DD')
   AND (ps.status = 'OP' OR ps.gl_date_closed > TO_DATE(:as_of, 'YYYY-MM-DD'))
   AND ps.payment_schedule_id > 0
   AND ps.payment_schedule_id > :after
 ORDER BY ps.payment_schedule_id
 FETCH FIRST :page_rows ROWS ONLY
