from __future__ import annotations

import polars as pl
import pytest

from contracts.io import read_frame, schema_of
from contracts.money import MONEY_DTYPE
from jobs.demo import SAMPLES, sample_path


@pytest.mark.parametrize("entity", sorted(SAMPLES))
def test_sample_file_is_valid_and_typed(entity: str) -> None:
    frame = read_frame(sample_path(SAMPLES[entity]), entity)
    assert frame.height > 0
    assert frame.schema == pl.Schema(schema_of(entity))
    for dtype in frame.schema.values():
        assert not dtype.is_float() or dtype == pl.Float64  # only match_score may be a float
    money = [c for c, d in frame.schema.items() if isinstance(d, pl.Decimal)]
    assert money or entity == "reversals"  # a reversal names a posted payment: no amount
    assert all(frame.schema[c] == MONEY_DTYPE for c in money)
