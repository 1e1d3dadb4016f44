"""Cash application matching: 100,000 bank lines against 1,000,000 open items, with truth.

The ledger and the bank lines come from `jobs.matching.generate` with the seed below and the
generator's frozen noise rates, so the figures cannot drift with the matcher. The baseline is
the naive way: per line, a Python scan over the payer's items (payer by exact name or IBAN,
reference by substring, then exact amount), timed on a sample and extrapolated.

Then the same figures on `jobs.matching.month`, a month built apart from that generator
(its own numbering, payers' reference forms, credit notes, groups; issue 17).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import polars as pl

from jobs.matching import MatchConfig, generate, match
from jobs.matching import month as realistic_month

SEED = 20261128


def naive_index(
    items: pl.DataFrame, customers: pl.DataFrame
) -> tuple[dict[str, list[tuple[str, str, object]]], dict[str, str], dict[str, str]]:
    """The baseline's dicts: items by payer, customers by exact name and by IBAN."""
    by_payer: defaultdict[str, list[tuple[str, str, object]]] = defaultdict(list)
    for customer, ref, doc, amount in items.select(
        "customer_id", "reference", "document_id", "amount"
    ).iter_rows():
        by_payer[customer].append((str(ref), str(doc), amount))
    by_name = dict(customers.select("name", "customer_id").iter_rows())
    by_iban = dict(customers.select("iban", "customer_id").drop_nulls().iter_rows())
    return by_payer, by_name, by_iban


def naive(
    bank: pl.DataFrame,
    index: tuple[dict[str, list[tuple[str, str, object]]], dict[str, str], dict[str, str]],
) -> int:
    """Per-line scan over the payer's items; returns the lines it applied."""
    by_payer, by_name, by_iban = index
    hits = 0
    for name, iban, text, amount in bank.select(
        "payer_name", "payer_account", "remittance_text", "amount"
    ).iter_rows():
        payer = by_iban.get(iban) or by_name.get(name)
        for ref, doc, open_amount in by_payer.get(payer or "", []):
            if (text and (ref in text or doc in text)) or open_amount == amount:
                hits += 1
                break
    return hits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=2_000, help="lines the baseline runs")
    parser.add_argument("--month-lines", type=int, default=20_000)
    parser.add_argument("--month-items", type=int, default=200_000)
    parser.add_argument("--month-customers", type=int, default=8_000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    people, ledger = generate.ledger(SEED, args.customers, args.items)
    bank, truth = generate.bank_lines(people, ledger, args.lines, SEED + 1)
    print(f"generated {args.items:,} open items, {args.customers:,} customers, "
          f"{args.lines:,} bank lines in {time.perf_counter() - started:.1f} s (seed {SEED})")  # fmt: skip
    print("frozen noise: " + ", ".join(
        f"{k}={getattr(generate, k)}" for k in dir(generate) if k.startswith(("P_", "REF_", "NAME_", "IBAN_"))))  # fmt: skip
    started = time.perf_counter()
    result = match(bank, ledger, people, MatchConfig())
    seconds = time.perf_counter() - started
    figures = generate.score(result.applications, bank, truth)
    sample = bank.head(args.sample)
    started = time.perf_counter()
    index = naive_index(ledger, people)
    build = time.perf_counter() - started
    started = time.perf_counter()
    naive(sample, index)
    base = build + (time.perf_counter() - started) / sample.height * bank.height
    print(f"match: {seconds:.1f} s for {args.lines:,} lines x {args.items:,} items "
          "(target < 10 s on 2 cores)")  # fmt: skip
    print(f"naive per-line scan: {base:.1f} s extrapolated from {sample.height:,} lines "
          f"(+ its index build, {build:.1f} s, once); ratio {base / seconds:.1f}x")  # fmt: skip
    print(f"auto-match rate: {figures['auto_matched']:,.0f} of {figures['matchable_payments']:,.0f} "
          f"matchable payments = {figures['match_rate']:.2%} (target >= 95 %)")  # fmt: skip
    print(f"wrong invoices: {figures['wrong_invoices']:,.0f} of {figures['applied_invoices']:,.0f} "
          f"applied = {figures['wrong_rate']:.3%} (target < 0.5 %)")  # fmt: skip
    for outcome, count in result.summary().items():
        print(f"  {outcome}: {count:,}")
    report_month(args.month_customers, args.month_items, args.month_lines)


def report_month(customers: int, items: int, lines: int) -> None:
    """The same figures on the independent realistic month."""
    people, ledger, bank, truth = realistic_month.month(SEED, customers, items, lines)
    started = time.perf_counter()
    result = match(bank, ledger, people, MatchConfig())
    seconds = time.perf_counter() - started
    figures = generate.score(result.applications, bank, truth)
    print(f"realistic month (jobs/matching/month.py, seed {SEED}): {lines:,} lines x "
          f"{items:,} items, {customers:,} customers; match {seconds:.1f} s")  # fmt: skip
    print(f"  auto-match rate: {figures['auto_matched']:,.0f} of "
          f"{figures['matchable_payments']:,.0f} = {figures['match_rate']:.2%} (target >= 95 %)")  # fmt: skip
    print(f"  wrong invoices: {figures['wrong_invoices']:,.0f} of "
          f"{figures['applied_invoices']:,.0f} = {figures['wrong_rate']:.3%} (target < 0.5 %)")  # fmt: skip
    for outcome, count in result.summary().items():
        print(f"  {outcome}: {count:,}")


if __name__ == "__main__":
    main()
