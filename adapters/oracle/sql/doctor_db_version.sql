-- doctor: the database's version.
SELECT pcv.product,
       pcv.version_full
  FROM product_component_version pcv
 WHERE pcv.product LIKE 'Oracle Database%'
