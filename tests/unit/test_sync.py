"""Customer sync planning: match by tax id, then by name + postal code; diff; creates."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from contracts.io import schema_of
from jobs.sync import normalized_tax_id, plan


def customers(system: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {
        "source_system": system,
        "city": None,
        "postal_code": None,
        "street": None,
        "tax_id": None,
        "currency": "EUR",
        "payment_terms": None,
        "credit_limit": None,
        "posting_block": False,
        "email": None,
        "iban": None,
    }
    return pl.DataFrame([{**base, **r} for r in rows], schema=schema_of("customers"))


def test_tax_id_normalization() -> None:
    assert normalized_tax_id("DE", "DE 136 695 976") == "136695976"
    assert normalized_tax_id("DE", "136695976") == "136695976"
    assert normalized_tax_id("US", "04-2103594") == "042103594"
    assert normalized_tax_id("US", None) is None


def test_plan_matches_diffs_and_creates() -> None:
    sap = customers(
        "sap",
        [
            {
                "customer_id": "1000",
                "name": "Brandt GmbH",
                "country": "DE",
                "city": "Stuttgart",
                "tax_id": "DE136695976",
                "postal_code": "70173",
            },
            {
                "customer_id": "1001",
                "name": "Lumiere SA",
                "country": "FR",
                "city": "Lyon",
                "postal_code": "69002",
            },
            {
                "customer_id": "1002",
                "name": "New Customer Ltd",
                "country": "DE",
                "city": "Bonn",
                "postal_code": "53111",
            },
            {
                "customer_id": "1003",
                "name": "Same Inc",
                "country": "US",
                "city": "Oakland",
                "tax_id": "04-2103594",
                "currency": "USD",
            },
        ],
    )
    oracle = customers(
        "oracle",
        [
            {
                "customer_id": "A-77",
                "name": "Brandt Maschinenbau",
                "country": "DE",
                "city": "Stuttgart",
                "tax_id": "136695976",
                "postal_code": "70173",
            },
            {
                "customer_id": "A-78",
                "name": "LUMIERE  SA",
                "country": "FR",
                "city": "Paris",
                "postal_code": "69002",
            },
            {
                "customer_id": "A-79",
                "name": "Same Inc",
                "country": "US",
                "city": "Oakland",
                "tax_id": "042103594",
                "currency": "USD",
                "credit_limit": Decimal("5.00"),
            },
        ],
    )
    result = plan(sap, oracle)
    assert result.matched_by == {
        "1000": "A-77 by tax_id",
        "1001": "A-78 by name+postal_code",
        "1003": "A-79 by tax_id",
    }
    assert result.create["customer_id"].to_list() == ["sap:1002"]
    assert result.update["customer_id"].to_list() == ["A-77", "A-78"]
    assert dict((f, (a, b)) for f, a, b in result.diffs["A-77"]) == {
        "name": ("Brandt Maschinenbau", "Brandt GmbH"),
    }
    assert ("city", "Paris", "Lyon") in result.diffs["A-78"]
    assert result.unchanged == 1
    assert result.update.filter(pl.col("customer_id") == "A-78")["source_system"][0] == "oracle"


def test_ambiguous_matches_are_skipped_never_guessed() -> None:
    sap = customers(
        "sap",
        [
            {"customer_id": "1", "name": "Twin GmbH", "country": "DE", "postal_code": "10115"},
            {
                "customer_id": "2",
                "name": "Other AG",
                "country": "DE",
                "postal_code": "10117",
                "tax_id": "DE136695976",
            },
            {"customer_id": "3", "name": "Other AG", "country": "DE", "postal_code": "10117"},
            {
                "customer_id": "4",
                "name": "Solo KG",
                "country": "DE",
                "postal_code": "20095",
                "tax_id": "DE811569869",
            },
        ],
    )
    oracle = customers(
        "oracle",
        [
            {"customer_id": "T1", "name": "Twin GmbH", "country": "DE", "postal_code": "10115"},
            {"customer_id": "T2", "name": "twin  gmbh", "country": "DE", "postal_code": "10115"},
            {
                "customer_id": "T3",
                "name": "Other AG",
                "country": "DE",
                "postal_code": "10117",
                "tax_id": "DE136695976",
            },
            {
                "customer_id": "T4",
                "name": "Solo KG",
                "country": "DE",
                "postal_code": "20095",
                "tax_id": "DE129273398",
            },
        ],
    )
    result = plan(sap, oracle)
    assert result.ambiguous["1"] == "2 candidates by name+postal_code: T1, T2"
    assert result.matched_by["2"] == "T3 by tax_id"
    assert result.ambiguous["3"] == "T3 already matched to 2"
    # same name and postal code, different tax ids: two companies, so a new customer
    assert result.create["customer_id"].to_list() == ["sap:4"]
