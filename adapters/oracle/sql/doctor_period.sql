-- doctor: the AR (222) GL period of today for one operating unit's ledger.
SELECT gps.period_name,
       gps.closing_status
  FROM gl_period_statuses gps
  JOIN hr_operating_units hou ON hou.set_of_books_id = gps.set_of_books_id
 WHERE hou.organization_id = :org_id
   AND gps.application_id = 222
   AND TRUNC(SYSDATE) BETWEEN gps.start_date AND gps.end_date
