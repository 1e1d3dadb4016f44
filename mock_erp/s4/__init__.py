"""The S/4HANA persona: SAP's released OData V2 APIs over the same store as the ECC persona.

One ledger, two faces: an item posted through the ECC persona's BAPIs shows up in
``API_OPLACCTGDOCITEMCUBE_SRV`` and the other way round, as on a real S/4HANA system where the
classic tables are compatibility views over ACDOCA. The ``$metadata`` served is SAP's own
(``mock_erp/s4/edmx/``, copied from public repositories: tests/fixtures/real/SOURCES.md §2).
"""
