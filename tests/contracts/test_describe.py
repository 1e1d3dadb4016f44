"""docs/canonical-model.md is generated from the contracts and kept current; every template
row passes its contract; `describe` says required and optional apart from nullable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contracts.describe import describe, markdown, template
from contracts.io import read_frame
from contracts.registry import ENTITIES
from jobs.cli import app

DOC = Path(__file__).parents[2] / "docs" / "canonical-model.md"


def test_canonical_model_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/canonical-model.md is stale: run `python -m contracts.describe "
        "docs/canonical-model.md`"
    )


def test_doc_names_every_column_the_samples_and_oracles_key() -> None:
    text = markdown()
    for entity in ENTITIES.values():
        for column in entity.model.to_schema().columns:
            assert f"`{column}`" in text, column
    assert "jobs/samples/" in text
    assert "`fiscal_year` = **0**" in text  # Oracle EBS items


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_template_row_passes_its_contract(entity: str, tmp_path: Path) -> None:
    path = tmp_path / f"{entity}.csv"
    done = CliRunner().invoke(app, ["contracts", "template", entity])
    assert done.exit_code == 0, done.output
    assert done.output == template(entity)
    path.write_text(done.output, encoding="utf-8")
    assert read_frame(path, entity).height == 1


def test_describe_separates_required_from_nullable() -> None:
    columns = {c["name"]: c for c in describe("cash_applications")["columns"]}
    assert columns["document_id"]["nullable"] and columns["document_id"]["required"]
    assert columns["match_rule"]["nullable"] and not columns["match_rule"]["required"]
    assert not columns["discount_amount"]["nullable"]
    assert columns["discount_amount"]["if_absent"] == "0"


def test_describe_json_and_text() -> None:
    done = CliRunner().invoke(app, ["contracts", "describe", "open_items", "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["entity"] == "open_items"
    assert {c["name"] for c in data["columns"] if not c["required"]} == {
        "reference",
        "discount_date",
        "discount_amount",
    }
    text = CliRunner().invoke(app, ["contracts", "describe", "open-items"])
    assert text.exit_code == 0 and "discount_terms_complete" in text.output
    bad = CliRunner().invoke(app, ["contracts", "describe", "invoices"])
    assert bad.exit_code == 2 and "unknown entity" in bad.output
