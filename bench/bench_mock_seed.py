"""Seeding speed of the SAP persona: 1,000,000 open items into ":memory:", vs a same-run
baseline (raw ``executemany`` of the same number of pre-built minimal tuples into a bare table).

Run: ``python -m bench.bench_mock_seed`` (or as a plain script). Budget: under 60 s for 1M open
items on a 2-core machine (docs/architecture.md "bench/": print ratios against a baseline).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OPEN_ITEMS = 1_000_000


def _baseline(n: int) -> float:
    """Raw SQLite insert speed on this machine: the floor any seeder sits on."""
    from mock_erp.store import Store

    store = Store(":memory:")
    store.register_schema("b", "CREATE TABLE B (BUKRS TEXT, BELNR TEXT, GJAHR TEXT, DMBTR TEXT);")
    rows = [("1000", f"{1800000000 + i:010d}", "2025", "100.00") for i in range(n)]
    started = time.perf_counter()
    with store.transaction() as conn:
        conn.executemany("INSERT INTO B VALUES (?, ?, ?, ?)", rows)
    return time.perf_counter() - started


def bench_seed_1m(open_items: int = OPEN_ITEMS) -> dict[str, float]:
    from mock_erp.sap.seed import seed_sap
    from mock_erp.store import Store

    base = _baseline(open_items)
    store = Store(":memory:")
    started = time.perf_counter()
    counts = seed_sap(store, seed=42, companies=4, customers=20_000, open_items=open_items,
                      today=date(2025, 3, 15))  # fmt: skip
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"seed_sap: {counts['BSID']:,} open items ({rows:,} rows in all) in {seconds:.1f} s "
          f"= {counts['BSID'] / seconds:,.0f} open items/s, {rows / seconds:,.0f} rows/s")  # fmt: skip
    print(f"baseline: {open_items:,} minimal tuples via raw executemany in {base:.2f} s "
          f"= {open_items / base:,.0f} rows/s")  # fmt: skip
    print(f"ratio seed/baseline: {seconds / base:.1f}x; budget 60 s: "
          f"{'OK' if seconds < 60 else 'OVER'}")  # fmt: skip
    return {"seconds": seconds, "baseline": base, "rows": float(rows)}


def main(argv: list[str] | None = None) -> dict[str, float]:
    """`make bench` entry: `python -m bench.bench_mock_seed [OPEN_ITEMS]`."""
    args = sys.argv[1:] if argv is None else argv
    return bench_seed_1m(int(args[0]) if args else OPEN_ITEMS)


if __name__ == "__main__":
    main()
