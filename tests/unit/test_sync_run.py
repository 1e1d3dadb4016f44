"""customers sync: the same plan whatever order the systems list customers in, results in
the sync's words (created, updated), and a run folder with the plan, the diff, the results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from contracts.io import schema_of
from jobs import sync
from tests.unit.test_sync import customers

SOURCE = customers(
    "sap",
    [
        {"customer_id": "1", "name": "Twin GmbH", "country": "DE", "postal_code": "10115"},
        {"customer_id": "2", "name": "Other AG", "country": "DE", "postal_code": "10117"},
        {"customer_id": "3", "name": "Other AG", "country": "DE", "postal_code": "10117"},
        {"customer_id": "4", "name": "New KG", "country": "DE", "postal_code": "20095"},
        {"customer_id": "5", "name": "Moved SE", "country": "DE", "postal_code": "80331",
         "city": "München"},
    ],
)  # fmt: skip
TARGET = customers(
    "oracle",
    [
        {"customer_id": "T1", "name": "Twin GmbH", "country": "DE", "postal_code": "10115"},
        {"customer_id": "T2", "name": "twin  gmbh", "country": "DE", "postal_code": "10115"},
        {"customer_id": "T3", "name": "Other AG", "country": "DE", "postal_code": "10117"},
        {"customer_id": "T5", "name": "Moved SE", "country": "DE", "postal_code": "80331",
         "city": "Munich"},
    ],
)  # fmt: skip


def test_ambiguity_does_not_depend_on_row_order() -> None:
    first = sync.plan(SOURCE, TARGET)
    for seed in range(5):
        shuffled = sync.plan(SOURCE.sample(fraction=1, shuffle=True, seed=seed),
                             TARGET.sample(fraction=1, shuffle=True, seed=seed))  # fmt: skip
        assert shuffled.ambiguous == first.ambiguous
        assert sync.plan_frame(shuffled).equals(sync.plan_frame(first))
    assert first.ambiguous == {
        "1": "2 candidates by name+postal_code: T1, T2",
        "3": "T3 already matched to 2",  # the lower source id claims it, whatever the order
    }


def test_plan_diff_and_outcomes_in_the_syncs_words(tmp_path: Path) -> None:
    planned = sync.plan(SOURCE, TARGET)
    frame = sync.plan_frame(planned)
    assert dict(zip(frame["source_id"], frame["action"], strict=True)) == {
        "1": "ambiguous", "2": "unchanged", "3": "ambiguous", "4": "create", "5": "update",
    }  # fmt: skip
    assert sync.diff_frame(planned).rows() == [("T5", "city", "Munich", "München")]
    now = datetime.now(UTC)
    results = pl.DataFrame(
        [
            {"key": "sap:4", "kind": "customer", "system": "oracle", "status": "posted",
             "erp_document": "9001", "message": None, "posted_at": now},
            {"key": "T5", "kind": "customer", "system": "oracle", "status": "posted",
             "erp_document": "T5", "message": None, "posted_at": now},
        ],
        schema=schema_of("posting_results"),
    )  # fmt: skip
    done = sync.outcomes(planned, results)
    assert dict(zip(done["target_id"], done["outcome"], strict=True)) == {
        "sap:4": "created",
        "T5": "updated",
    }
    assert sync.counts(planned, done) == {"created": 1, "updated": 1, "unchanged": 1,
                                          "ambiguous": 2}  # fmt: skip
    folder = sync.write_sync_run(planned, done, "customers sync", tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        "diff.csv", "plan.csv", "results.csv", "summary.txt",
    ]  # fmt: skip
    assert "1 created, 1 updated, 1 unchanged, 2 ambiguous (applied)" in (
        folder / "summary.txt"
    ).read_text(encoding="utf-8")
    dry = sync.write_sync_run(planned, None, "customers sync", tmp_path / "dry")
    assert not (dry / "results.csv").exists()
