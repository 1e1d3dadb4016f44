-- Open payment schedules of one operating unit with their customer (docs/specs/oracle.md §2).
-- Keyset-paged by payment_schedule_id; negative ids are seeded application targets.
-- Money is CAST to NUMBER(38, 4) so every driver returns it exact (Arrow decimal128).
-- Discount terms: the installment's first tier (fewest days) of RA_TERMS_LINES_DISCOUNTS:
-- its date (transaction date + days) and what it still grants (percent of the original
-- amount, less discounts taken).
-- include: _open_item_columns
       CAST(ps.amount_due_remaining AS NUMBER(38, 4)) amount_due_remaining,
-- include: _open_item_terms
 WHERE ps.org_id = :org_id
   AND ps.status = 'OP'
   AND TRUNC(ps.gl_date) <= TO_DATE(:as_of, 'YYYY-MM-DD')
   AND ps.payment_schedule_id > :after
 ORDER BY ps.payment_schedule_id
 FETCH FIRST :page_rows ROWS ONLY
