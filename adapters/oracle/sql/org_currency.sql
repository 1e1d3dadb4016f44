-- The functional currency of each operating unit (its ledger's currency).
SELECT hou.organization_id,
       hou.name,
       gl.currency_code
  FROM hr_operating_units hou
  JOIN gl_ledgers gl ON gl.ledger_id = hou.set_of_books_id
 ORDER BY hou.organization_id
