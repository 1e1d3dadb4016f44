"""The mapping layer: every SAP quirk converted here, money exact, errors named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from adapters.errors import MappingError
from contracts.validate import validate
from mappings.compile import compile_shipped
from mappings.convert import alpha_in, sap_internal_amount, sap_internal_text


def bsid(**overrides: list[str]) -> pl.DataFrame:
    rows: dict[str, list[str]] = {
        "BUKRS": ["1000", "3000", "4000", "1000"],
        "KUNNR": ["0000004711", "0000004712", "CUST-A", "0000000001"],
        "BELNR": ["1800000001", "1800000002", "1800000003", "1600000001"],
        "GJAHR": ["2026"] * 4,
        "BUZEI": ["001", "001", "002", "001"],
        "BLART": ["DR", "DR", "DR", "DG"],
        "XBLNR": ["INV-1", "", "K1", ""],
        "BLDAT": ["20261001", "20261002", "2026-10-03", "20261004"],
        "BUDAT": ["20261001"] * 4,
        "ZFBDT": ["20261001", "20261001", "20261001", "00000000"],
        "ZBD1T": ["14", "10", "0", "0"],
        "ZBD2T": ["0", "20", "0", "0"],
        "ZBD3T": ["30", "0", "0", "0"],
        "ZBD1P": ["2.000", "0", "0", "0"],
        "WAERS": ["EUR", "JPY", "KWD", "EUR"],
        "WRBTR": ["1190.00", "12500.00", "1875.25", "476.00"],
        "SHKZG": ["S", "S", "S", "H"],
    }
    rows.update(overrides)
    return pl.DataFrame(rows)


def test_sap_open_items_map_to_valid_canonical_rows() -> None:
    out = compile_shipped("sap", "open_items").apply(bsid())
    validate(out, "open_items")
    assert out["customer_id"].to_list() == ["4711", "4712", "CUST-A", "1"]
    assert out["line"].to_list() == [1, 1, 2, 1]
    assert out["document_type"].to_list() == ["invoice", "invoice", "invoice", "credit_memo"]
    assert out["reference"].to_list() == ["INV-1", None, "K1", None]
    assert out["document_date"].to_list()[2] == date(2026, 10, 3)  # SOAP's ISO dates too
    # JPY internal 12500.00 is ¥1,250,000; KWD internal 1875.25 is KWD 187.525 (TCURX)
    assert out["amount"].to_list() == [
        Decimal("1190"),
        Decimal("1250000"),
        Decimal("187.525"),
        Decimal("-476"),
    ]
    # due = baseline + net days, else days 2, else days 1; no baseline: the document date
    assert out["due_date"].to_list() == [
        date(2026, 10, 31),
        date(2026, 10, 21),
        date(2026, 10, 1),
        date(2026, 10, 4),
    ]
    assert out["discount_date"].to_list() == [date(2026, 10, 15), None, None, None]
    assert out["discount_amount"].to_list() == [Decimal("23.80"), None, None, None]


def test_tcurx_of_the_system_wins_over_iso() -> None:
    frame = pl.DataFrame({"A": ["1.00", "1000.00", "1.23"], "C": ["JPY", "KWD", "XYZ"]})
    out = frame.select(sap_internal_amount(pl.col("A"), pl.col("C"), {"XYZ": 0}))
    assert out.to_series().to_list() == [Decimal("100"), Decimal("100"), Decimal("123")]
    assert sap_internal_text(Decimal("100"), "JPY") == "1.00"
    assert sap_internal_text(Decimal("100.000"), "KWD") == "1000.00"


def test_decimal_scaling_never_truncates() -> None:
    """polars keeps the left scale in Decimal / int: 123456 / 100 must not become 1235."""
    frame = pl.DataFrame(
        {"A": [Decimal("123456")], "C": ["KWD"]}, schema={"A": pl.Decimal(18, 0), "C": pl.String}
    )
    out = frame.select(sap_internal_amount(pl.col("A"), pl.col("C")))
    assert out.to_series().to_list() == [Decimal("12345.6")]


def test_alpha_in_and_out() -> None:
    assert alpha_in("1000") == "0000001000"
    assert alpha_in("CUST-A") == "CUST-A"
    with pytest.raises(ValueError):
        alpha_in("12345678901")


def test_shipped_default_maps_unknown_document_types(tmp_path: Path) -> None:
    overrides = tmp_path / "maps.yaml"
    overrides.write_text("document_type:\n  DR: invoice\n  DG: credit_memo\n", encoding="utf-8")
    mapping = compile_shipped("sap", "open_items", value_map_file=overrides)
    assert mapping.apply(bsid(BLART=["DR", "ZZ", "DR", "DG"]))["document_type"][1] == "other"


def test_unmapped_value_without_default_is_an_error(tmp_path: Path) -> None:
    from mappings.compile import compile_spec, load_spec

    spec = load_spec("sap", "open_items")
    spec["value_maps"]["document_type"].pop("_default")
    mapping = compile_spec(spec, origin="mappings/sap/open_items.yaml")
    with pytest.raises(
        MappingError, match=r"field document_type: value\(s\) 'ZZ' not in value map 'document_type'"
    ):
        mapping.apply(bsid(BLART=["DR", "ZZ", "DR", "DG"]))


def test_user_value_map_overrides_shipped_one(tmp_path: Path) -> None:
    overrides = tmp_path / "maps.yaml"
    overrides.write_text("document_type:\n  DA: debit_memo\n", encoding="utf-8")
    out = compile_shipped("sap", "open_items", value_map_file=overrides).apply(
        bsid(BLART=["DA", "DR", "DR", "DG"])
    )
    assert out["document_type"][0] == "debit_memo"


def test_missing_source_column_is_named() -> None:
    with pytest.raises(MappingError, match=r"source columns missing from BSID: \['SHKZG'\]"):
        compile_shipped("sap", "open_items").apply(bsid().drop("SHKZG"))
