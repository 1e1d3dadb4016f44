-- Our adjustments on one transaction: its payment schedules (indexed by CUSTOMER_TRX_ID), their
-- adjustments (indexed by PAYMENT_SCHEDULE_ID), then our whole tag otc:<key>; (docs/oracle-setup.md).
-- No scan of AR_ADJUSTMENTS_ALL by comments. Rejected (R) ones are returned too: the caller
-- reports them as the rejection of their key.
SELECT adj.adjustment_id,
       adj.adjustment_number,
       adj.status,
       adj.comments
  FROM ar_payment_schedules_all ps
  JOIN ar_adjustments_all adj ON adj.payment_schedule_id = ps.payment_schedule_id
 WHERE ps.customer_trx_id = :customer_trx_id
   AND ps.org_id = :org_id
   AND adj.created_from = 'OTC_ADAPTERS'
   AND SUBSTR(adj.comments, 1, :tag_length) = :tag
 ORDER BY adj.adjustment_id
