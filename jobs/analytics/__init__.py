"""Receivables analytics on canonical OpenItems files (docs/analytics.md).

- `aging`: aging buckets per company / customer / currency as of a date;
- `report`: `otc aging` — the tables (Parquet, CSV), the chart (`chart`) and the HTML (`html`);
- `credit_balances`: customers with a negative net balance, refund candidates;
- `reconcile`: two OpenItems extracts compared by customer (or document) and currency.

Money stays exact (polars `Decimal`, `decimal.Decimal`) everywhere; only the chart turns
amounts into floats, to draw them. This package imports nothing heavy on its own: the CLI
imports its modules inside the commands.
"""
