FUNCTION z_otc_kit_version.
*"----------------------------------------------------------------------
*" Which kit is installed: its version and the SHA-256 of its shipped
*" ABAP sources (every .abap file of adapters/sap/abap but the TOP
*" include that holds the digest). otc doctor --deep compares them with
*" the build it runs from (adapters/sap/doctor.py).
*"----------------------------------------------------------------------
  e_version = gc_kit_version.
  e_source_sha256 = gc_kit_source_sha256.
ENDFUNCTION.
