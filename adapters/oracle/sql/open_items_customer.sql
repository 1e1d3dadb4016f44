-- open_items.sql for one customer account (by account number).
-- include: _open_item_columns
       CAST(ps.amount_due_remaining AS NUMBER(38, 4)) amount_due_remaining,
-- include: _open_item_terms
 WHERE ps.org_id = :org_id
   AND ca.account_number = :account_number
   AND ps.status = 'OP'
   AND TRUNC(ps.gl_date) <= TO_DATE(:as_of, 'YYYY-MM-DD')
   AND ps.payment_schedule_id > :after
 ORDER BY ps.payment_schedule_id
 FETCH FIRST :page_rows ROWS ONLY
