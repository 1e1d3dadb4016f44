"""Shared helpers for contract tests: the shipped samples are the valid baseline."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.errors import ContractError, Violation
from contracts.io import read_frame
from jobs.demo import SAMPLES, sample_path


def sample_rows(entity: str) -> list[dict[str, str]]:
    with sample_path(SAMPLES[entity]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def violations_of(path: Path, entity: str) -> list[Violation]:
    with pytest.raises(ContractError) as info:
        read_frame(path, entity)
    return info.value.violations


@pytest.fixture
def broken(tmp_path: Path) -> Callable[..., list[Violation]]:
    """Change cells of a valid sample file, read it back, return the violations."""

    def make(entity: str, changes: dict[int, dict[str, str]]) -> list[Violation]:
        rows = sample_rows(entity)
        for index, cells in changes.items():
            rows[index].update(cells)
        return violations_of(write_rows(tmp_path / f"{entity}.csv", rows), entity)

    return make
