"""The demo's step 7 (issue 18): a payment applied to the wrong invoice, reversed, re-applied.

Kept out of jobs/demo.py, which tells the rest of the story: this step needs an adapter
that can reverse (`reverse_payment`), and says so plainly when it cannot.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console

MISAPPLIED, REVERSAL, CORRECTED = "DEMO-MIS-001", "DEMO-REV-001", "DEMO-MIS-001B"


def pick_pair(sap: Any, company: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Two open invoices of one customer (open for posting), A at least as large as B: the
    payment of A's amount was meant for B, the rest goes on account."""
    import polars as pl

    items = pl.concat(list(sap.pull_open_items([company])))
    people = pl.concat(list(sap.pull_customers([company])))
    payers = people.filter(~pl.col("posting_block"))["customer_id"].implode()
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & (pl.col("disputed_amount") == 0)
        & pl.col("customer_id").is_in(payers)
        & ~pl.col("customer_id").is_in(["1003", "1004"])
    ).sort("customer_id", "amount", "document_id", descending=[False, True, False])
    for (_,), mine in pool.group_by("customer_id", maintain_order=True):
        if mine.height >= 2:
            a, b = mine.row(0, named=True), mine.row(1, named=True)
            return a, b
    return None


def _payment(key: str, paid: dict[str, Any], item: dict[str, Any], today: date) -> list[Any]:
    amount = Decimal(paid["amount"])
    applied = min(amount, Decimal(item["amount"]))
    base = {
        "application_id": key,
        "company": item["company"],
        "customer_id": item["customer_id"],
        "payment_date": today,
        "currency": item["currency"],
        "payment_amount": amount,
        "discount_amount": Decimal(0),
        "reason_code": None,
        "match_rule": None,
        "match_score": None,
    }
    rows = [
        {**base, **{k: item[k] for k in ("document_id", "fiscal_year", "line")},
         "applied_amount": applied},
    ]  # fmt: skip
    if amount > applied:
        rows.append(
            {**base, "document_id": None, "fiscal_year": None, "line": None,
             "applied_amount": amount - applied},
        )  # fmt: skip
    return rows


def run_reversal(console: Console, sap: Any, journal: Any, work: Path, today: date) -> int:
    """Misapply, reverse, re-apply: the invoice is open again in between; exit code."""
    import polars as pl

    from contracts.io import schema_of, write_frame
    from jobs.post import Kind, PostJob
    from jobs.report import print_report, write_run

    console.print("\n7. a payment applied to the wrong invoice: reverse it, re-apply it")
    if not callable(getattr(sap, "reverse_payment", None)):
        console.print("   [yellow]skipped[/]: this SAP adapter cannot reverse payments yet")
        return 0
    pair = pick_pair(sap, "2000")
    if pair is None:
        console.print("   [red]no customer with two open invoices in company 2000[/]")
        return 1
    a, b = pair
    name = {id(a): "A", id(b): "B"}

    def state(step: str) -> None:
        open_keys = {
            (r["document_id"], r["fiscal_year"], r["line"])
            for f in sap.pull_open_items([a["company"]], customers=[a["customer_id"]])
            for r in f.iter_rows(named=True)
        }
        shown = ", ".join(
            f"{name[id(i)]} {i['document_id']} "
            + (
                "open"
                if (i["document_id"], i["fiscal_year"], i["line"]) in open_keys
                else "cleared"
            )
            for i in (a, b)
        )
        console.print(f"   {step}: {shown}")

    def post(kind: Kind, frame: Any, entity: str, file: str, command: str) -> Any:
        path = write_frame(frame, work / file, entity)
        report = PostJob(sap, journal, kind).run(path)
        print_report(console, report, write_run(report, command, work / "runs"))
        return report

    console.print(
        f"   customer {a['customer_id']}: invoice A {a['document_id']} "
        f"({a['amount'].normalize()} {a['currency']}), invoice B {b['document_id']} "
        f"({b['amount'].normalize()}); the payment of {a['amount'].normalize()} was meant for B"
    )
    cash = schema_of("cash_applications")
    wrong = pl.DataFrame(_payment(MISAPPLIED, a, a, today), schema=cash)
    codes = [post("cash_application", wrong, "cash_applications", "misapplied.csv", "cash-post")]
    state("applied to A")
    reversal = pl.DataFrame(
        [{"reversal_id": REVERSAL, "application_id": MISAPPLIED, "company": a["company"],
          "customer_id": a["customer_id"], "document_id": None, "fiscal_year": None,
          "line": None, "reason_code": "01", "reversal_category": None,
          "reversal_date": today, "memo": "applied to the wrong invoice"}],
        schema=schema_of("reversals"),
    )  # fmt: skip
    codes.append(post("reversal", reversal, "reversals", "reversals.csv", "cash-reverse"))
    state("reversed")
    right = pl.DataFrame(_payment(CORRECTED, a, b, today), schema=cash)
    codes.append(post("cash_application", right, "cash_applications", "corrected.csv", "cash-post"))
    state(f"re-applied to B under {CORRECTED}")
    again = PostJob(sap, journal, "reversal").run(work / "reversals.csv")
    console.print(
        f"   the reversal file again: {again.counts().get('duplicate', 0)} already reversed, "
        f"{again.counts().get('posted', 0)} new"
    )
    posted = [r.counts().get("posted", 0) for r in codes]
    ok = posted == [1, 1, 1] and again.counts() == {"duplicate": 1}
    return 0 if ok and {r.exit_code for r in codes} == {0} else 1
