-- Oracle Payments' active payment methods: a refund's Payables payment request takes one
-- (an unknown one is rejected by Payables: INVALID PAY METHOD).
SELECT pm.payment_method_code,
       pm.payment_method_name
  FROM iby_payment_methods_vl pm
 WHERE pm.inactive_date IS NULL OR pm.inactive_date > SYSDATE
 ORDER BY pm.payment_method_code
