-- The live refund applications (applied schedule -8, ACTIVITY, display Y) of our key: our
-- whole tag at the start of their COMMENTS; APPLICATION_REF_NUM is the Payables payment
-- request. Receipt refunds carry CASH_RECEIPT_ID, credit memo refunds CUSTOMER_TRX_ID.
SELECT ra.receivable_application_id,
       ra.application_ref_num,
       ra.cash_receipt_id,
       ra.customer_trx_id,
       ra.comments
  FROM ar_receivable_applications_all ra
 WHERE ra.applied_payment_schedule_id = -8
   AND ra.status = 'ACTIVITY'
   AND ra.display = 'Y'
   AND SUBSTR(ra.comments, 1, :tag_length) = :tag
 ORDER BY ra.receivable_application_id
