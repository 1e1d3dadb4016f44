"""Bounded subset-sum: which combinations of a payer's open items add up to a payment.

Meet in the middle over integer amounts: every combination of up to `ceil(max_size / 2)` items
is put in a table by its sum, then each combination of the lower-indexed items looks up the
rest. The work is bounded by the number of items (`max_candidates`) and the combination size
(`max_combination`), never by the payment. Results are sorted index tuples, in a deterministic
order; the caller asks for two to tell a unique answer from an ambiguous one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations


def subsets_summing(
    target: int, amounts: Sequence[int], max_size: int, *, min_size: int = 2, limit: int = 2
) -> list[tuple[int, ...]]:
    """Up to `limit` index tuples whose amounts (all > 0) sum to `target`, sizes in range."""
    n = len(amounts)
    if n < min_size or target <= 0 or max_size < min_size:
        return []
    right = (max_size + 1) // 2
    table: defaultdict[int, list[tuple[int, ...]]] = defaultdict(list)
    for size in range(1, right + 1):
        for combo in combinations(range(n), size):
            total = sum(amounts[i] for i in combo)
            if total <= target:
                table[total].append(combo)
    found: set[tuple[int, ...]] = set()
    for size in range(0, max_size - right + 1):  # the rest always fits in `right`
        for left in combinations(range(n), size):
            rest = target - sum(amounts[i] for i in left)
            if rest <= 0:
                continue
            for tail in table.get(rest, ()):
                if left and tail[0] <= left[-1]:
                    continue
                if min_size <= len(left) + len(tail) <= max_size:
                    found.add(left + tail)
                    if len(found) >= limit:
                        return sorted(found)
    return sorted(found)
