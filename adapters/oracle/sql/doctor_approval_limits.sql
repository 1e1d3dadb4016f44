-- doctor: the apps user's approval limits (ADJ: adjustments, WRTOFF: receipt write-offs).
SELECT lim.document_type,
       lim.currency_code,
       CAST(lim.amount_from AS NUMBER(38, 4)) amount_from,
       CAST(lim.amount_to AS NUMBER(38, 4)) amount_to
  FROM ar_approval_user_limits lim
 WHERE lim.user_id = :user_id
 ORDER BY lim.document_type, lim.currency_code
