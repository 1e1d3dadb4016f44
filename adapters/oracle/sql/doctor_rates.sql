-- doctor: today's daily rates of one type into one ledger currency.
SELECT r.from_currency,
       r.to_currency,
       r.conversion_type,
       CAST(r.conversion_rate AS NUMBER(38, 10)) conversion_rate
  FROM gl_daily_rates r
 WHERE r.to_currency = :to_currency
   AND r.conversion_type = :rate_type
   AND TRUNC(r.conversion_date) = TRUNC(SYSDATE)
 ORDER BY r.from_currency
