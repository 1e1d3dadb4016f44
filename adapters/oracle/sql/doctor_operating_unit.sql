-- doctor: one configured operating unit, its ledger and its AR system options.
SELECT hou.organization_id,
       hou.name,
       gl.currency_code,
       sp.org_id ar_org_id,
       sp.unearned_discount,
       sp.generate_customer_number,
       sp.auto_site_numbering
  FROM hr_operating_units hou
  JOIN gl_ledgers gl ON gl.ledger_id = hou.set_of_books_id
  LEFT JOIN ar_system_parameters_all sp ON sp.org_id = hou.organization_id
 WHERE hou.organization_id = :org_id
