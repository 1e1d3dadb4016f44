-- A receipt method by name.
SELECT rm.receipt_method_id,
       rm.name
  FROM ar_receipt_methods rm
 WHERE rm.name = :name
