"""The canonical OTC model: pandera contracts on polars, money as exact Decimal.

Entry points: `contracts.io.read_frame` / `write_frame` for files, `contracts.validate.validate`
for frames, `contracts.registry.ENTITIES` for the entities by name.
"""
