"""The matcher's fast paths against the plain definitions they replace.

Speed came from computing check digits on all tokens at once, reading a fuzzy score matrix
sparsely and bounding the subset-sum search; each must give what the slow, obvious version
gives, on any input.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from jobs.matching.combos import subsets_summing
from jobs.matching.payers import _above_cutoff
from jobs.matching.references import (
    check_digits_valid,
    finnish_check_digit,
    item_keys,
)

digits = st.text(alphabet="0123456789", min_size=5, max_size=25)


@settings(max_examples=300, deadline=None)
@given(st.lists(digits, max_size=40))
def test_check_digits_on_all_tokens_agree_with_stdnum_and_the_finnish_rule(
    numbers: list[str],
) -> None:
    luhn_ok, finnish_ok = check_digits_valid(numbers)
    assert luhn_ok.tolist() == [luhn.is_valid(n) for n in numbers]
    assert finnish_ok.tolist() == [finnish_check_digit(n[:-1]) == n[-1] for n in numbers]


def test_check_digits_of_known_references() -> None:
    """Published Finnish examples: 123456 -> 1234561 (knowledge.xmldation.com, "Finnish
    reference number") and 12345 -> 123453 (johannwalder.com, "How to generate a reference
    number for the Finnish banking system"); 79927398713 is the textbook Luhn number."""
    luhn_ok, finnish_ok = check_digits_valid(["1234561", "123453", "79927398713", "1234562"])
    assert finnish_ok.tolist() == [True, True, False, False]
    assert luhn_ok.tolist()[2:] == [True, False]


def _brute_force(
    target: int, amounts: list[int], max_size: int, min_size: int
) -> list[tuple[int, ...]]:
    found = [
        combo
        for size in range(min_size, max_size + 1)
        for combo in combinations(range(len(amounts)), size)
        if sum(amounts[i] for i in combo) == target
    ]
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, 60), max_size=9),
    st.integers(1, 150),
    st.integers(1, 5),
    st.integers(1, 3),
)
def test_subset_sums_are_all_and_only_the_combinations_that_add_up(
    amounts: list[int], target: int, max_size: int, min_size: int
) -> None:
    expected = _brute_force(target, amounts, max_size, min_size) if min_size <= max_size else []
    found = subsets_summing(target, amounts, max_size, min_size=min_size, limit=10**6)
    assert found == expected
    first_two = subsets_summing(target, amounts, max_size, min_size=min_size)
    assert len(first_two) == min(2, len(expected))
    assert set(first_two) <= set(expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(1, 300), st.integers(0, 2**32 - 1), st.floats(0, 0.2))
def test_sparse_reading_of_a_score_matrix_is_numpy_nonzero(
    rows: int, columns: int, seed: int, density: float
) -> None:
    rng = np.random.default_rng(seed)
    scores = np.where(
        rng.random((rows, columns)) < density, rng.integers(1, 101, (rows, columns)), 0
    ).astype(np.uint8)
    found_rows, found_columns = _above_cutoff(scores)
    expected_rows, expected_columns = np.nonzero(scores)
    assert found_rows.tolist() == expected_rows.tolist()
    assert found_columns.tolist() == expected_columns.tolist()


def test_item_keys_learn_the_serial_and_skip_what_repeats() -> None:
    """Per company, the group that changes on every item is the serial (a weak key); a
    year-less number of company 1000 is a key, while company 2000's numbering has no serial
    (its two groups both repeat), and a reference's digit groups are not repeated as a key
    when they spell the same as its segmented form."""
    items = pl.DataFrame(
        {
            "item_idx": list(range(6)),
            "company": ["1000"] * 4 + ["2000"] * 2,
            "reference": [f"INV-2026-{n:06d}" for n in (10781, 10782, 10783, 10784)]
            + ["AB-7-1", "AB-7-1"],
            "document_id": [None] * 6,
        },
        schema_overrides={"document_id": pl.String},
    )
    keys = item_keys(items, ("INV",)).collect()
    first = keys.filter(pl.col("item_idx") == 0).sort("key")
    assert first.rows() == [
        (0, "10781", True),
        (0, "10781-2026", False),
        (0, "2026-10781", False),
        (0, "2026010781", False),
    ]
    assert keys.filter(pl.col("item_idx") == 4, pl.col("weak")).height == 0
