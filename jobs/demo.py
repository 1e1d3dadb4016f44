"""`otc demo`: the whole story on the embedded mock ERP, printed as it happens.

1. the shipped sample files satisfy their contracts;
2. a mock ERP starts on 127.0.0.1 (SAP persona, seeded);
3. open items are pulled from SAP over SOAP into a canonical file;
4. a day of cash is posted: a payment with cash discount, a partial and a short payment,
   money on account, in EUR, JPY and KWD;
5. write-offs are posted;
6. the cash file is posted again: nothing is posted twice;
7. a payment applied to the wrong invoice is reversed (the invoice is open again) and
   re-applied under a new key (jobs/demo_reversal.py);
8. a bank statement (camt.053, generated from SAP's open items with remittance noise: typos,
   missing references, combined, discounted and short payments, unknown payers) is parsed,
   matched to the open items and the matched cash posted; posted again, nothing doubles;
9. the same on Oracle EBS over ORDS: open items pulled, receipts posted (one with a discount,
   one short), then posted again;
10. customers are synced from SAP to Oracle (matched by tax id, then name and postal code).
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

SAMPLES = {
    "customers": "customers.csv",
    "open_items": "open_items.csv",
    "cash_applications": "cash_applications.csv",
    "write_offs": "write_offs.csv",
    "reversals": "reversals.csv",
    "refunds": "refunds.csv",
}
#: The money column summed per currency in the summary, by entity.
TOTALS = {
    "customers": "credit_limit",
    "open_items": "amount",
    "cash_applications": "applied_amount",
    "write_offs": "amount",
    "refunds": "item_amount",
}
BLOCKED = {"1003", "1004"}


def sample_path(name: str) -> Path:
    return Path(str(files("jobs") / "samples" / name))


def check_samples(console: Console) -> None:
    import polars as pl

    from contracts.io import money_text, read_frame

    table = Table(title="1. shipped sample files: contracts hold")
    for column in ("file", "entity", "rows", "total by currency"):
        table.add_column(column)
    for entity, name in SAMPLES.items():
        frame = read_frame(sample_path(name), entity)
        money = TOTALS.get(entity)
        shown = "-"  # a reversal names a posted payment, it carries no amount of its own
        if money is not None:
            totals = frame.group_by("currency").agg(pl.col(money).sum()).sort("currency")
            shown = ", ".join(
                f"{a} {c}" for c, a in totals.select("currency", money_text(money)).iter_rows()
            )
        table.add_row(name, entity, str(frame.height), shown)
    console.print(table)


def _pick(items: Any, company: str, n: int, *, discount: bool = False) -> Any:
    import polars as pl

    pool = items.filter(
        (pl.col("company") == company)
        & (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(BLOCKED))
    )
    if discount:
        pool = pool.filter(pl.col("discount_amount").is_not_null())
    return pool.sort("customer_id", "document_id").head(n)


def day_of_cash(items: Any, today: date) -> Any:
    """Cash applications a collector would post today, built from the pulled open items."""
    import polars as pl

    from contracts.io import schema_of

    rows: list[dict[str, Any]] = []

    def add(
        key: str,
        item: dict[str, Any],
        applied: Decimal,
        discount: Decimal = Decimal(0),
        reason: str | None = None,
        on_account: Decimal = Decimal(0),
    ) -> None:
        base = {
            "application_id": key,
            "company": item["company"],
            "customer_id": item["customer_id"],
            "payment_date": today,
            "currency": item["currency"],
            "payment_amount": applied + on_account,
            "match_rule": None,
            "match_score": None,
        }
        rows.append(
            {
                **base,
                "document_id": item["document_id"],
                "fiscal_year": item["fiscal_year"],
                "line": item["line"],
                "applied_amount": applied,
                "discount_amount": discount,
                "reason_code": reason,
            }
        )
        if on_account:
            rows.append(
                {
                    **base,
                    "document_id": None,
                    "fiscal_year": None,
                    "line": None,
                    "applied_amount": on_account,
                    "discount_amount": Decimal(0),
                    "reason_code": None,
                }
            )

    with_discount = _pick(items, "1000", 1, discount=True).row(0, named=True)
    add(
        "DEMO-PAY-001",
        with_discount,
        with_discount["amount"] - with_discount["discount_amount"],
        with_discount["discount_amount"],
    )
    eur = _pick(items, "1000", 6).rows(named=True)
    usable = [i for i in eur if i["document_id"] != with_discount["document_id"]]
    add("DEMO-PAY-002", usable[0], (usable[0]["amount"] / 2).quantize(Decimal("0.01")))  # partial
    add("DEMO-PAY-003", usable[1], usable[1]["amount"] - Decimal("15.00"), reason="SHORT")  # short
    add("DEMO-PAY-004", usable[2], usable[2]["amount"], on_account=Decimal("40.00"))  # on account
    jpy = _pick(items, "3000", 1).row(0, named=True)
    add("DEMO-PAY-005", jpy, jpy["amount"])
    kwd = _pick(items, "4000", 1).row(0, named=True)
    add("DEMO-PAY-006", kwd, kwd["amount"] - Decimal("0.125"), reason="SHORT")
    return pl.DataFrame(rows, schema=schema_of("cash_applications")), usable[3:]


def write_offs(items: list[dict[str, Any]], today: date) -> Any:
    import polars as pl

    from contracts.io import schema_of

    full, part = items[0], items[1]
    rows = [
        {
            "writeoff_id": "DEMO-WO-001",
            "company": full["company"],
            "customer_id": full["customer_id"],
            "document_id": full["document_id"],
            "fiscal_year": full["fiscal_year"],
            "line": full["line"],
            "currency": full["currency"],
            "amount": full["amount"],
            "reason_code": "SMALL",
            "posting_date": today,
            "memo": "uncollectible balance",
        },
        {
            "writeoff_id": "DEMO-WO-002",
            "company": part["company"],
            "customer_id": part["customer_id"],
            "document_id": part["document_id"],
            "fiscal_year": part["fiscal_year"],
            "line": part["line"],
            "currency": part["currency"],
            "amount": Decimal("0.99"),
            "reason_code": "SMALL",
            "posting_date": today,
            "memo": "rounding difference",
        },
    ]
    return pl.DataFrame(rows, schema=schema_of("write_offs"))


def oracle_cash(items: Any, today: date) -> Any:
    """Two receipts for Oracle invoices: one paid in full, one short with a reason."""
    import polars as pl

    from contracts.io import schema_of

    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 100)
        & (pl.col("disputed_amount") == 0)
    ).sort("company", "customer_id", "document_id")
    full, short = pool.row(0, named=True), pool.row(1, named=True)
    rows = []
    for key, item, applied, reason in (
        ("DEMO-EBS-001", full, full["amount"], None),
        ("DEMO-EBS-002", short, short["amount"] - Decimal("5.00"), "SHORT"),
    ):
        rows.append(
            {
                "application_id": key,
                "company": item["company"],
                "customer_id": item["customer_id"],
                "payment_date": today,
                "currency": item["currency"],
                "payment_amount": applied,
                "document_id": item["document_id"],
                "fiscal_year": item["fiscal_year"],
                "line": item["line"],
                "applied_amount": applied,
                "discount_amount": Decimal(0),
                "reason_code": reason,
                "match_rule": None,
                "match_score": None,
            }
        )
    return pl.DataFrame(rows, schema=schema_of("cash_applications"))


#: Bank lines in the demo's statement, and the generator's seed for them.
STATEMENT_LINES = 40
STATEMENT_SEED = 20261128


def run_bank(
    console: Console, sap: Any, erp: Any, journal: Any, work: Path, today: date
) -> tuple[int, int]:
    """Step 8: statement in, cash out. Returns (exit code, payments found already posted)."""
    import polars as pl

    from adapters.sap.keys import xblnr_for
    from contracts.io import write_frame
    from contracts.money import minor_units
    from jobs.bank import parse_file
    from jobs.matching import MatchConfig, generate, match
    from jobs.post import PostJob
    from jobs.report import print_report, write_run

    items = pl.concat(list(sap.pull_open_items([])))
    people = pl.concat(list(sap.pull_customers([]))).unique("customer_id", keep="first")
    if "iban" not in people.columns:
        people = people.with_columns(pl.lit(None, pl.String).alias("iban"))
    payers = people.filter(~pl.col("posting_block") & ~pl.col("customer_id").is_in(list(BLOCKED)))
    ledger = items.filter(pl.col("customer_id").is_in(payers["customer_id"].implode()))
    bank, truth = generate.bank_lines(payers, ledger, STATEMENT_LINES, STATEMENT_SEED, on=today)
    statement = generate.write_camt053(bank, work / "statement.camt053.xml")
    lines = parse_file(statement)
    result = match(lines, items, people, MatchConfig())
    cash_file = write_frame(result.applications, work / "matched_cash.csv", "cash_applications")
    write_frame(result.exceptions, work / "exceptions.csv")
    figures = generate.score(result.applications, lines, truth, truth_id="bank_reference")
    table = Table(
        title=f"8. bank statement {statement.name}: {lines.height} lines parsed, matched to "
        f"{items.height} open items"
    )
    table.add_column("outcome")
    table.add_column("lines", justify="right")
    for outcome, count in result.summary().items():
        table.add_row(outcome, str(count))
    console.print(table)
    console.print(
        f"   auto-matched {figures['auto_matched']:.0f} of {figures['matchable_payments']:.0f} "
        f"payments the generator made matchable (invoice level), "
        f"{figures['wrong_invoices']:.0f} wrong invoices"
    )
    exceptions = Table(title="   exceptions left for a person (exceptions.csv)")
    for column in ("reason", "amount", "payer", "detail"):
        exceptions.add_column(column, overflow="fold")
    for row in result.exceptions.head(12).iter_rows(named=True):
        exceptions.add_row(
            row["reason"],
            f"{row['amount'].quantize(Decimal(1).scaleb(-minor_units(row['currency']))):f} "
            f"{row['currency']}",
            escape(row["payer_name"] or ""),
            escape(row["detail"] or ""),
        )
    console.print(exceptions)
    console.print("   posting the matched cash")
    first = PostJob(sap, journal, "cash_application").run(cash_file)
    print_report(console, first, write_run(first, "cash-post", work / "runs"))
    again = PostJob(sap, journal, "cash_application").run(cash_file)
    duplicates = again.counts().get("duplicate", 0)
    console.print(
        f"   posted again: {duplicates} already posted, {again.counts().get('posted', 0)} new"
    )
    keys = result.applications["application_id"].unique().to_list()
    documents = sum(
        len(erp.state.store.query('SELECT 1 FROM "BKPF" WHERE "XBLNR" = ?', (xblnr_for(k),)))
        for k in keys
    )
    console.print(f"   the mock's BKPF holds {documents} documents for the {len(keys)} payments")
    ok = duplicates == len(keys) == documents and len(keys) > 0
    return (first.exit_code if ok else 1), duplicates


def run_oracle(console: Console, erp: Any, work: Path, today: date) -> tuple[int, int]:
    """Steps 9 and 10; returns (exit code of the first posting, duplicates on the rerun)."""
    import polars as pl

    from adapters.oracle.adapter import OracleAdapter
    from adapters.oracle.settings import OracleSettings
    from contracts.io import write_frame
    from jobs import sync
    from jobs.journal import SqliteJournal
    from jobs.post import PostJob
    from jobs.report import print_report, write_run

    section = {
        "transport": "ords",
        "url": erp.url,
        "user": "otc",
        "companies": ["US", "DE", "JP", "KW"],
        "operating_units": {"US": 204, "DE": 301, "JP": 401, "KW": 501},
        "receipt_method": "Manual Check",
        "apps_user_id": 1318,
    }
    ebs = OracleAdapter(OracleSettings.from_section("oracle", section, {"password": "otc-mock"}))
    items = pl.concat(list(ebs.pull_open_items([])))
    console.print(
        f"\n9. Oracle EBS over ORDS: {items.height} open items pulled and validated; "
        "posting two receipts (one short)"
    )
    cash_file = write_frame(oracle_cash(items, today), work / "ebs_cash.csv", "cash_applications")
    journal = SqliteJournal(work / "journal.db")
    first = PostJob(ebs, journal, "cash_application").run(cash_file)
    print_report(console, first, write_run(first, "cash-post", work / "runs"))
    again = PostJob(ebs, journal, "cash_application").run(cash_file)
    console.print(
        f"   posted again: {again.counts().get('duplicate', 0)} already posted, "
        f"{again.counts().get('posted', 0)} new"
    )

    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings

    sap = SapAdapter(
        SapSettings.from_section(
            "sap",
            {
                "transport": "soap",
                "url": erp.url,
                "client": "100",
                "user": "otc",
                "companies": ["1000", "2000", "3000", "4000"],
                "wsdl_cache": str(work / "wsdl"),
            },
            {"password": "otc-mock"},
        )
    )
    plan = sync.plan(sync.pull_all(sap, []), sync.pull_all(ebs, []))
    counts = sync.counts(plan, sync.outcomes(plan, sync.apply(ebs, plan)))
    replan = sync.plan(sync.pull_all(sap, []), sync.pull_all(ebs, []))
    console.print(
        f"\n10. customers SAP -> Oracle: {len(plan.matched_by)} matched "
        f"({sum(1 for v in plan.matched_by.values() if v.endswith('by tax_id'))} by tax id); "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
        + f"; a second sync finds {replan.create.height + replan.update.height} to do",
        highlight=False,
    )
    sap.close()
    ebs.close()
    journal.close()
    ok = counts.get("rejected", 0) == 0 and replan.create.height + replan.update.height == 0
    return (first.exit_code if ok else 1), again.counts().get("duplicate", 0)


def run_demo(console: Console) -> int:
    import polars as pl

    from adapters.sap.adapter import SapAdapter
    from adapters.sap.keys import xblnr_for
    from adapters.sap.settings import SapSettings
    from contracts.io import FrameWriter, read_frame, write_frame
    from jobs import logs
    from jobs.demo_reversal import run_reversal
    from jobs.journal import SqliteJournal
    from jobs.post import PostJob
    from jobs.report import print_report, write_run
    from mock_erp.server import serve

    logs.configure("console", level="warning")  # the tables below tell the story
    check_samples(console)
    today = date.today()
    with (
        tempfile.TemporaryDirectory(prefix="otc-demo-") as tmp,
        serve(companies=4, customers=60, open_items=1500) as erp,
    ):
        work = Path(tmp)
        console.print(
            f"\n2. mock ERP (SAP and Oracle EBS) running at {erp.url}, seeded: 4 company "
            "codes / operating units, 60 customers, 1,500 open items in each ERP"
        )
        section = {
            "transport": "soap",
            "url": erp.url,
            "client": "100",
            "user": "otc",
            "companies": ["1000", "2000", "3000", "4000"],
            "wsdl_cache": str(work / "wsdl"),
        }
        sap = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
        out = work / "open_items.parquet"
        with FrameWriter(out, "open_items") as writer:
            for frame in sap.pull_open_items([]):
                writer.write(frame)
        items = read_frame(out, "open_items")
        summary = Table(
            title=f"3. open items pulled from SAP over SOAP: {items.height} rows, validated"
        )
        for column in ("company", "currency", "items", "open amount"):
            summary.add_column(column)
        by = (
            items.group_by("company", "currency")
            .agg(pl.len(), pl.col("amount").sum())
            .sort("company")
        )
        for company, currency, count, amount in by.iter_rows():
            summary.add_row(company, currency, str(count), str(amount.normalize()))
        console.print(summary)

        cash, rest = day_of_cash(items, today)
        cash_file = write_frame(cash, work / "cash.csv", "cash_applications")
        journal = SqliteJournal(work / "journal.db")
        console.print("\n4. posting a day of cash (discount, partial, short, on account, JPY, KWD)")
        first = PostJob(sap, journal, "cash_application").run(cash_file)
        print_report(console, first, write_run(first, "cash-post", work / "runs"))

        wo_file = write_frame(write_offs(rest, today), work / "write_offs.csv", "write_offs")
        console.print("\n5. posting write-offs")
        wo = PostJob(sap, journal, "write_off").run(wo_file)
        print_report(console, wo, write_run(wo, "write-offs-post", work / "runs"))

        console.print("\n6. posting the same cash file again: the journal and the ERP agree")
        again = PostJob(sap, journal, "cash_application").run(cash_file)
        print_report(console, again, write_run(again, "cash-post", work / "runs"))
        documents = sum(
            len(erp.state.store.query('SELECT 1 FROM "BKPF" WHERE "XBLNR" = ?', (ref,)))
            for ref in (xblnr_for(k) for k in cash["application_id"].unique().to_list())
        )
        reversal_code = run_reversal(console, sap, journal, work, today)
        bank_code, matched = run_bank(console, sap, erp, journal, work, today)
        sap.close()
        journal.close()
        ebs_code, ebs_duplicates = run_oracle(console, erp, work, today)
    codes = {first.exit_code, wo.exit_code, reversal_code, bank_code, ebs_code}
    posted_twice = documents != cash["application_id"].n_unique()
    duplicates = again.counts().get("duplicate", 0)
    payments, written_off = first.counts().get("posted", 0), wo.counts().get("posted", 0)
    console.print(
        f"\n[bold]done[/]: {payments} payments and {written_off} write-offs posted; "
        f"the rerun found {duplicates} already posted and posted nothing; "
        f"{documents} SAP documents carry the {cash['application_id'].n_unique()} payment keys; "
        f"{matched} payments matched from the bank statement posted once each"
    )
    if (
        posted_twice
        or codes != {0}
        or duplicates != cash["application_id"].n_unique()
        or ebs_duplicates != 2
    ):
        console.print("[red]the demo did not go as expected[/]")
        return 1
    return 0
