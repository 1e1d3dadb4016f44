-- A round trip: the operating units the database user can see.
SELECT hou.organization_id,
       hou.name
  FROM hr_operating_units hou
 ORDER BY hou.organization_id
