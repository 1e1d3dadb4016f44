-- The slow path of find_posted for a write-off whose item this process has not seen (a settle
-- in a fresh process that was not told the file's rows, see OracleAdapter.expect): every
-- adjustment created from OTC, by our whole tag. find_adjustment.sql is the indexed path.
SELECT adj.adjustment_id,
       adj.adjustment_number,
       adj.status,
       adj.comments
  FROM ar_adjustments_all adj
 WHERE adj.created_from = 'OTC_ADAPTERS'
   AND SUBSTR(adj.comments, 1, :tag_length) = :tag
 ORDER BY adj.adjustment_id
