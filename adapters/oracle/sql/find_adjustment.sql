-- Our adjustment for an idempotency key: created from OTC, tagged otc:<key> (docs/specs/oracle.md §6).
SELECT adj.adjustment_id,
       adj.adjustment_number,
       adj.status,
       adj.comments
  FROM ar_adjustments_all adj
 WHERE adj.created_from = 'OTC_ADAPTERS'
   AND SUBSTR(adj.comments, 1, :tag_length) = :tag
 ORDER BY adj.adjustment_id
