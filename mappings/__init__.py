"""Declarative field and value maps between ERP-shaped frames and the canonical model.

One YAML spec per ERP and entity (`mappings/sap/open_items.yaml`), compiled to polars
expressions in both directions; the adapters' issues fill this package.
"""
