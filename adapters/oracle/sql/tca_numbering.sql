-- TCA numbering: the HZ profiles at site level (N = the caller supplies party and party-site
-- numbers) and each operating unit's Automatic Site Numbering (N = a site use needs LOCATION).
SELECT o.profile_option_name setting,
       CAST(NULL AS NUMBER(15)) org_id,
       v.profile_option_value value
  FROM fnd_profile_options o
  LEFT JOIN fnd_profile_option_values v
    ON v.profile_option_id = o.profile_option_id AND v.application_id = o.application_id
   AND v.level_id = 10001
 WHERE o.profile_option_name IN ('HZ_GENERATE_PARTY_NUMBER', 'HZ_GENERATE_PARTY_SITE_NUMBER')
UNION ALL
SELECT 'AUTO_SITE_NUMBERING' setting,
       CAST(sp.org_id AS NUMBER(15)) org_id,
       sp.auto_site_numbering value
  FROM ar_system_parameters_all sp
