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
    """Up to `limit` index tuples whose amounts (all > 0) sum to `target`, sizes in range.

    Most calls have no answer (a payment that no combination of the payer's items explains),
    so the bounds come first: no answer when the `max_size` largest amounts fall short of the
    target or the `min_size` smallest exceed it.
    """
    n = len(amounts)
    if n < min_size or target <= 0 or max_size < min_size:
        return []
    usable = [i for i in range(n) if amounts[i] <= target]  # an item above it is in no answer
    if len(usable) < min_size:
        return []
    ordered = sorted(amounts[i] for i in usable)
    if sum(ordered[-max_size:]) < target or sum(ordered[:min_size]) > target:
        return []
    amount_of = amounts.__getitem__
    right = (max_size + 1) // 2
    table: defaultdict[int, list[tuple[int, ...]]] = defaultdict(list)
    for size in range(1, right + 1):
        for combo in combinations(usable, size):
            total = sum(map(amount_of, combo))
            if total <= target:
                table[total].append(combo)
    found: set[tuple[int, ...]] = set()
    for size in range(0, max_size - right + 1):  # the rest always fits in `right`
        for left in combinations(usable, size):
            rest = target - sum(map(amount_of, left))
            if rest <= 0 or rest not in table:
                continue
            for tail in table[rest]:
                if left and tail[0] <= left[-1]:
                    continue
                if min_size <= len(left) + len(tail) <= max_size:
                    found.add(left + tail)
                    if len(found) >= limit:
                        return sorted(found)
    return sorted(found)
