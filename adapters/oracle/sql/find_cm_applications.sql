-- Our live applications of one credit memo (AR_CM_API_PUB.APPLY_ON_ACCOUNT rows: type CM,
-- CUSTOMER_TRX_ID = the credit memo), by our whole tag otc:<key>; at the start of COMMENTS.
-- A reversed one (display N) does not count: the rerun applies it again.
SELECT ra.receivable_application_id,
       ra.customer_trx_id,
       ra.applied_payment_schedule_id,
       CAST(ra.amount_applied AS NUMBER(38, 4)) amount_applied,
       ra.comments
  FROM ar_receivable_applications_all ra
 WHERE ra.customer_trx_id = :cm_trx_id
   AND ra.org_id = :org_id
   AND ra.application_type = 'CM'
   AND ra.status = 'APP'
   AND ra.display = 'Y'
   AND SUBSTR(ra.comments, 1, :tag_length) = :tag
 ORDER BY ra.receivable_application_id
