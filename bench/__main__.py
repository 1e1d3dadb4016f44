"""`make bench`: every benchmark in turn; each prints ratios against a same-run baseline."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench.bench_contracts",
    "bench.bench_mock_seed",
    "bench.bench_mock_serving",
    "bench.bench_mock_oracle",
    "bench.bench_sap_pull",
    "bench.bench_s4_pull",
    "bench.bench_oracle_pull",
    "bench.bench_post",
    "bench.bench_matching",
)


def run() -> int:
    for name in BENCHMARKS:
        module = importlib.import_module(name)
        print(f"\n== {name} ==", flush=True)
        module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(run())
