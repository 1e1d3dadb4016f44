-- A receivables activity by name in one operating unit (docs/specs/oracle.md §2, §3.4, §3.5).
SELECT rt.receivables_trx_id,
       rt.name,
       rt.type
  FROM ar_receivables_trx_all rt
 WHERE rt.org_id = :org_id
   AND rt.name = :name
   AND rt.status = 'A'
