-- doctor: site-level values of the profiles the adapter depends on.
SELECT o.profile_option_name,
       v.profile_option_value
  FROM fnd_profile_options o
  LEFT JOIN fnd_profile_option_values v
    ON v.profile_option_id = o.profile_option_id AND v.application_id = o.application_id
   AND v.level_id = 10001
 WHERE o.profile_option_name IN ('AR_DEFAULT_EXCHANGE_RATE_TYPE', 'HZ_GENERATE_PARTY_NUMBER',
                                 'HZ_GENERATE_PARTY_SITE_NUMBER')
