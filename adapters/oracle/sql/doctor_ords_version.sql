-- doctor: the ORDS version installed in the database (Oracle's release notes: "select
-- ords.installed_version from dual"); needs EXECUTE on the ORDS package, else ORA-00904.
SELECT ords.installed_version version
  FROM dual
