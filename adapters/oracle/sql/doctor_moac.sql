-- doctor: the operating units the responsibility's MO security profile grants
-- (profile XLA_MO_SECURITY_PROFILE_LEVEL at responsibility level, PER_ORGANIZATION_LIST).
SELECT pol.organization_id
  FROM fnd_profile_option_values v
  JOIN fnd_profile_options o
    ON o.profile_option_id = v.profile_option_id AND o.application_id = v.application_id
  JOIN per_organization_list pol
    ON pol.security_profile_id = TO_NUMBER(v.profile_option_value)
 WHERE o.profile_option_name = 'XLA_MO_SECURITY_PROFILE_LEVEL'
   AND v.level_id = 10003
   AND v.level_value = :resp_id
 ORDER BY pol.organization_id
