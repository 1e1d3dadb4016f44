-- A receivables activity by name in one operating unit, active or not, with its type: a
-- refund needs an active one of TYPE CM_REFUND (AR_RECEIPT_VAL_PVT.validate_activity).
SELECT rt.receivables_trx_id,
       rt.name,
       rt.type,
       rt.status
  FROM ar_receivables_trx_all rt
 WHERE rt.org_id = :org_id
   AND rt.name = :name
