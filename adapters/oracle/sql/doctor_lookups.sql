-- The enabled codes of one AR lookup type (reversal categories REVERSAL_CATEGORY_TYPE and
-- reasons CKAJST_REASON, which AR_RECEIPT_API_PUB.REVERSE validates against).
SELECT lk.lookup_code,
       lk.meaning
  FROM ar_lookups lk
 WHERE lk.lookup_type = :lookup_type
   AND NVL(lk.enabled_flag, 'Y') = 'Y'
 ORDER BY lk.lookup_code
