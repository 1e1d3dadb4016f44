"""OTC operations in Oracle EBS's terms: which SQL, which public API (docs/specs/oracle.md).

Reads are SELECTs from `adapters/oracle/sql/*.sql` (Oracle dialect, package data) mapped to
canonical frames and validated; posts are anonymous blocks from `adapters/oracle/plsql.py`,
one block per payment, write-off or customer, each inside the apps context and each with our
own duplicate check first (EBS flags a duplicate receipt only when number, date, amount and
customer all match, and has no check at all for applications and adjustments). The adapter
never retries: errors go up typed, the job layer decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from adapters.doctor import Finding
from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown, TransientError
from adapters.oracle import plsql
from adapters.oracle.errors import api_outcome
from adapters.oracle.errors import reason as _reason
from adapters.oracle.keys import comments, key_problem, receipt_number_for, tag, tagged
from adapters.oracle.netting import NettingError, allocate, net_per_invoice
from adapters.oracle.refunds import RefundPoster
from adapters.oracle.reversals import ReversalPoster
from adapters.oracle.settings import OracleSettings
from adapters.oracle.sqlfiles import sql_text
from adapters.oracle.transport import Keyset, OracleTransport, used_binds
from adapters.protocol import PostingKind
from contracts.io import schema_of
from contracts.money import quantize
from contracts.validate import validate
from mappings.compile import DEFAULT_KEY, compile_spec, load_spec, load_value_maps

DRY_RUN = "DRY-RUN"
FAR_FUTURE = "4712-12-31"
EPOCH = "1900-01-01"


def results_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    now = datetime.now(UTC)
    data = [{"posted_at": now, "erp_document": None, "message": None, **r} for r in rows]
    frame = pl.DataFrame(data, schema=schema_of("posting_results"))
    return validate(frame, "posting_results", source="oracle posting results")


#: AR_ADJUSTMENTS.STATUS (lookup APPROVAL_TYPE, AR_ADJUST_PUB.Validate_Adj_Approve): A approved,
#: R rejected; W waiting for approval, M more research and any other are not yet approved.
APPROVED, REJECTED = "A", "R"


def adjustment_state(adjustments: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """(document, state) of a key's adjustments, oldest first: a live one wins (posted when
    approved, else awaiting_approval); only rejected ones: the latest, rejected."""
    live = [a for a in adjustments if a.get("STATUS") != REJECTED]
    adj = live[0] if live else adjustments[-1]
    number = str(adj.get("ADJUSTMENT_NUMBER") or adj.get("ADJUSTMENT_ID"))
    status = str(adj.get("STATUS") or APPROVED)
    if status == REJECTED:
        return number, "rejected"
    return number, "posted" if status == APPROVED else "awaiting_approval"


def _iso(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass
class PaymentPlan:
    """What one payment's block is rendered with: its binds and its shape."""

    binds: dict[str, Any]
    applications: int = 0
    credit_memos: int = 0
    write_off: bool = False
    unapplied: Decimal = field(default_factory=Decimal)


class OracleAdapter:
    """One EBS instance; the transport is chosen by the settings (ORDS or oracledb)."""

    def __init__(self, settings: OracleSettings, transport: OracleTransport | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.transport = transport or _make_transport(settings)
        self._maps = {k: dict(v) for k, v in load_spec("oracle", "posting")["value_maps"].items()}
        self._overrides = load_value_maps(settings.value_maps)
        for map_name, table in self._overrides.items():
            self._maps.setdefault(map_name, {}).update(table)
        self._activities: dict[tuple[int, str], int] = {}
        self._currencies: dict[int, str] | None = None
        self._method: int | None = settings.receipt_method_id
        self._items: dict[str, tuple[int, str]] = {}  # write-off key -> (org, customer_trx_id)
        #: payment key -> (org, credit memo customer_trx_id) -> amount netted (positive)
        self._netted: dict[str, dict[tuple[int, str], Decimal]] = {}
        self._reversals = ReversalPoster(self)
        self._refunds = RefundPoster(self)

    # ------------------------------------------------------------------ helpers

    def _context(self, org_id: int) -> dict[str, Any]:
        s = self.settings
        return {
            "user_id": s.apps_user_id,
            "resp_id": s.resp_id,
            "resp_appl_id": s.resp_appl_id,
            "org_id": org_id,
        }

    def _companies(self, companies: Sequence[str]) -> list[str]:
        chosen = list(companies) or list(self.settings.companies)
        if not chosen:
            chosen = list(self.settings.operating_units)
        if not chosen:
            raise ConfigError(
                f"[systems.{self.name}] name the companies: --company 204 or companies = "
                '["204"] (and operating_units = { "204" = 204 }) in the config'
            )
        return chosen

    def _compile(self, entity: str) -> Any:
        overrides = {k: dict(v) for k, v in self._overrides.items()}
        company = overrides.setdefault("company", {})
        for name, org in self.settings.operating_units.items():
            company.setdefault(str(org), name)
        return compile_spec(
            load_spec("oracle", entity),
            overrides=overrides,
            origin=f"mappings/oracle/{entity}.yaml",
        )

    def _run(self, block: plsql.Block, binds: Mapping[str, Any], *, writes: bool) -> dict[str, Any]:
        """A block with exactly the binds it names: python-oracledb thin raises DPY-4008 for a
        bind the statement does not use (ORA-01036 in thick mode)."""
        return self.transport.run_plsql(
            block.text, used_binds(block.text, {**binds, **block.outs}), writes=writes
        )

    def _lookup(self, name: str, binds: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        text = sql_text(name)
        for frame in self.transport.query(text, used_binds(text, binds)):
            rows += frame.to_dicts()
        return rows

    def _value(self, map_name: str, key: str) -> str | None:
        table = self._maps.get(map_name, {})
        value = table.get(key, table.get(DEFAULT_KEY))
        return None if value is None else str(value)

    def currencies(self) -> dict[int, str]:
        """Operating unit -> functional currency (its ledger's)."""
        if self._currencies is None:
            self._currencies = {
                int(r["ORGANIZATION_ID"]): str(r["CURRENCY_CODE"])
                for r in self._lookup("org_currency", {})
            }
        return self._currencies

    def _activity(self, org_id: int, name: str, key: str) -> int:
        if (org_id, name) not in self._activities:
            rows = self._lookup("activity", {"org_id": org_id, "name": name})
            if not rows:
                raise ErpRejected(
                    self.name,
                    key,
                    "OTC",
                    f"no active receivables activity {name!r} in "
                    f"operating unit {org_id}; fix the value map or the EBS setup",
                )
            self._activities[(org_id, name)] = int(rows[0]["RECEIVABLES_TRX_ID"])
        return self._activities[(org_id, name)]

    def _receipt_method(self) -> int:
        if self._method is None:
            if not self.settings.receipt_method:
                raise ConfigError(
                    f"[systems.{self.name}] posting receipts needs receipt_method_id = ... "
                    '(or receipt_method = "NAME")'
                )
            rows = self._lookup("receipt_method", {"name": self.settings.receipt_method})
            if not rows:
                raise ConfigError(
                    f"[systems.{self.name}] no receipt method {self.settings.receipt_method!r}"
                )
            self._method = int(rows[0]["RECEIPT_METHOD_ID"])
        return self._method

    # ------------------------------------------------------------------ reads

    def pull_open_items(
        self,
        companies: Sequence[str],
        customers: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Iterator[pl.DataFrame]:
        mapping = self._compile("open_items")
        keyset = Keyset("PAYMENT_SCHEDULE_ID", 0, self.settings.page_size)
        cutoff = _iso(as_of) if as_of else FAR_FUTURE
        for company in self._companies(companies):
            org = self.settings.org_id(company)
            mapping.maps["company"][1].setdefault(str(org), company)
            queries: list[tuple[str, dict[str, Any]]]
            if as_of:  # open AT the date, closed later included (as SAP's key date)
                queries = [
                    ("open_items_as_of", {"org_id": org, "account_number": c, "as_of": cutoff})
                    for c in ([*customers] if customers else [None])
                ]
            elif customers:
                queries = [
                    ("open_items_customer", {"org_id": org, "account_number": c, "as_of": cutoff})
                    for c in customers
                ]
            else:
                queries = [("open_items", {"org_id": org, "as_of": cutoff})]
            for name, binds in queries:
                for page in self.transport.query(sql_text(name), binds, keyset=keyset):
                    frame = mapping.apply(page).with_columns(
                        pl.lit(self.name).alias("source_system")
                    )
                    yield validate(frame, "open_items", source=f"{self.name} {name} org {org}")

    def pull_customers(
        self, companies: Sequence[str], changed_since: date | None = None
    ) -> Iterator[pl.DataFrame]:
        mapping = self._compile("customers")
        keyset = Keyset("CUST_ACCOUNT_ID", 0, self.settings.page_size)
        since = _iso(changed_since) if changed_since else EPOCH
        seen: set[str] = set()
        for company in self._companies(companies):
            org = self.settings.org_id(company)
            currency = self.currencies().get(org)
            if currency is None:
                raise ConfigError(f"[systems.{self.name}] operating unit {org} does not exist")
            for page in self.transport.query(
                sql_text("customers"), {"org_id": org, "since": since}, keyset=keyset
            ):
                page = page.unique(  # noqa: PLW2901 - the primary bill-to row of each account
                    subset=["CUST_ACCOUNT_ID"], keep="first", maintain_order=True
                ).filter(~pl.col("ACCOUNT_NUMBER").is_in(list(seen)))
                if page.height == 0:
                    continue
                seen.update(page["ACCOUNT_NUMBER"].to_list())
                frame = mapping.apply(page.with_columns(pl.lit(currency).alias("CURRENCY_CODE")))
                frame = frame.with_columns(pl.lit(self.name).alias("source_system"))
                yield validate(frame, "customers", source=f"{self.name} TCA org {org}")

    def expect(self, kind: PostingKind, frame: pl.DataFrame) -> None:
        """The rows a run is about to settle or post: lets `find_posted` look a write-off up
        through its item's payment schedules (indexed) instead of by tag alone, tells it which
        credit memos a payment nets (found only when those applications exist too), and an item
        reversal through its application (an UNAPPLY carries no tag)."""
        if kind == "cash_application":
            netted: dict[str, dict[tuple[int, str], Decimal]] = {
                str(k): {} for k in frame["application_id"].unique()
            }
            for row in frame.filter(pl.col("applied_amount") < 0).iter_rows(named=True):
                with suppress(ConfigError):
                    org = self.settings.org_id(str(row["company"]))
                    credit = (org, str(row["document_id"]))
                    netted[str(row["application_id"])][credit] = -Decimal(row["applied_amount"])
            self._netted.update(netted)  # the file's rows replace what an older one said
            return
        if kind == "reversal":
            for row in frame.iter_rows(named=True):
                self._reversals.expected[str(row["reversal_id"])] = row
            return
        if kind != "write_off":
            return
        for row in frame.iter_rows(named=True):
            with suppress(ConfigError):
                org = self.settings.org_id(str(row["company"]))
                self._items[str(row["writeoff_id"])] = (org, str(row["document_id"]))

    def _adjustments(self, key: str) -> list[dict[str, Any]]:
        """Our adjustments for a key, rejected ones included, oldest first."""
        binds = {"tag": tag(key), "tag_length": len(tag(key))}
        item = self._items.get(key)
        if item is not None and item[1].isdigit():
            org, document_id = item
            rows = self._lookup(
                "find_adjustment", {**binds, "org_id": org, "customer_trx_id": int(document_id)}
            )
        else:
            rows = self._lookup("find_adjustment_by_tag", binds)
        return [r for r in rows if tagged(r.get("COMMENTS"), key)]

    def _receipt(self, key: str) -> str | None:
        """Our live receipt for a payment key (receipt number and whole tag), or None."""
        binds = {"receipt_number": receipt_number_for(key), "tag": tag(key),
                 "tag_length": len(tag(key))}  # fmt: skip
        for row in self._lookup("find_receipt", binds):
            if tagged(row.get("COMMENTS"), key):
                return str(row["CASH_RECEIPT_ID"])
        return None

    def _credit_applications(self, key: str) -> dict[tuple[int, str], dict[int, Decimal]]:
        """Our live applications of each credit memo the payment nets: (org, credit memo)
        -> applied schedule -> amount."""
        found: dict[tuple[int, str], dict[int, Decimal]] = {}
        for org, credit in self._netted.get(key, {}):
            rows = self._lookup(
                "find_cm_applications",
                {"cm_trx_id": int(credit), "org_id": org, "tag": tag(key),
                 "tag_length": len(tag(key))},
            )  # fmt: skip
            found[(org, credit)] = {
                int(r["APPLIED_PAYMENT_SCHEDULE_ID"]): Decimal(r["AMOUNT_APPLIED"])
                for r in rows
                if tagged(r.get("COMMENTS"), key)
            }
        return found

    def _netting_complete(
        self, key: str, applied: dict[tuple[int, str], dict[int, Decimal]]
    ) -> bool:
        return all(
            sum(applied.get(cm, {}).values(), Decimal(0)) == amount
            for cm, amount in self._netted.get(key, {}).items()
        )

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        """(key, erp_document, state) per key: which keys have a document in EBS.

        `state` (issue 15): "posted" (live and effective), "awaiting_approval" (an adjustment
        that waits for an approver: status W, M or any other not-final one; it exists and must
        not be posted twice, but has not moved the balance), "rejected" (only rejected
        adjustments exist: erp_document names the latest, so the job can say which); null
        when nothing is found. A payment that nets credit memos (see `expect`) is found only
        when its receipt AND each credit memo's applications exist: a receipt whose credit
        memo application is missing is not found, so the rerun completes it (the block skips
        the receipt, docs/exactly-once.md). A reversal: its tag on the reversed receipt (an
        item reversal: its application's state); a refund: its tag on its live refund
        applications.
        """
        found: dict[str, tuple[str, str]] = {}
        for key in keys:
            if kind == "cash_application":
                receipt = self._receipt(key)
                if receipt and self._netting_complete(key, self._credit_applications(key)):
                    found[key] = (receipt, "posted")
            elif kind == "write_off":
                if adjustment := self._adjustments(key):
                    found[key] = adjustment_state(adjustment)
            elif kind == "reversal":
                if (document := self._reversals.found(key)) is not None:
                    found[key] = (document, "posted")
            elif kind == "refund":
                if (document := self._refunds.found(key)) is not None:
                    found[key] = (document, "posted")
            else:
                for row in self._lookup("find_customer", {"key": key}):
                    found[key] = (str(row["ACCOUNT_NUMBER"]), "posted")
        return pl.DataFrame(
            {
                "key": list(keys),
                "erp_document": [found[k][0] if k in found else None for k in keys],
                "state": [found[k][1] if k in found else None for k in keys],
            },
            schema={"key": pl.String, "erp_document": pl.String, "state": pl.String},
        )

    def ping(self) -> str:
        units = self._lookup("ping", {})
        return (
            f"Oracle EBS over {self.settings.transport}: {len(units)} operating units "
            f"({', '.join(str(u['ORGANIZATION_ID']) for u in units[:6])})"
        )

    # ------------------------------------------------------------------ posting helpers

    def _installment(
        self, key: str, org: int, document_id: str, line: int | None
    ) -> dict[str, Any]:
        if not document_id.isdigit():
            raise ErpRejected(
                self.name,
                key,
                "OTC",
                f"item {document_id} is not a transaction "
                "(only invoices, debit memos and chargebacks are paid)",
            )
        rows = self._lookup(
            "schedules_of_transaction", {"org_id": org, "customer_trx_id": int(document_id)}
        )
        match = [r for r in rows if line in (None, 0) or r["TERMS_SEQUENCE_NUMBER"] == line]
        if not match:
            raise ErpRejected(
                self.name,
                key,
                "OTC",
                f"item {document_id}/{line} does not exist in operating unit {org}",
            )
        return match[0]

    def _customer(self, key: str, org: int, account_number: str) -> tuple[int, int]:
        rows = self._lookup("customer_account", {"org_id": org, "account_number": account_number})
        if not rows:
            raise ErpRejected(self.name, key, "OTC", f"customer {account_number} does not exist")
        row = rows[0]
        if row["SITE_USE_ID"] is None:
            raise ErpRejected(
                self.name,
                key,
                "OTC",
                f"customer {account_number} has no active bill-to site in operating unit {org}",
            )
        return int(row["CUST_ACCOUNT_ID"]), int(row["SITE_USE_ID"])

    def _rejected(self, key: str, kind: str, exc: ErpRejected) -> dict[str, Any]:
        return {
            "key": key,
            "kind": kind,
            "system": self.name,
            "status": "rejected",
            "message": _reason(exc),
        }

    # ------------------------------------------------------------------ posting

    def post_payment(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """One receipt (all rows of one application_id) applied to the items it pays; credit
        memos netted in are applied to those invoices first (AR_CM_API_PUB.APPLY_ON_ACCOUNT).

        Our own duplicate check comes first (docs/specs/oracle.md §6); the block checks again,
        atomically, in case another runner posted meanwhile. A receipt that exists while one
        of its credit memo applications does not (reversed in EBS since) is completed: the
        block applies only what is missing.

        Raises `TransientError` (nothing happened: retry) and `OutcomeUnknown` (look it up
        with `find_posted` first); the ERP's own "no" comes back as a `rejected` row.
        """
        first = rows.row(0, named=True)
        key = str(first["application_id"])
        base = {"key": key, "kind": "cash_application", "system": self.name}
        if problem := key_problem(key):
            return {**base, "status": "rejected", "message": problem}
        self.expect("cash_application", rows)
        receipt = self._receipt(key)
        applied = self._credit_applications(key)
        if receipt and self._netting_complete(key, applied):
            return {**base, "status": "posted", "erp_document": receipt,
                    "message": "already posted: found in EBS"}  # fmt: skip
        try:
            plan = self._payment_binds(rows, receipt=receipt, applied=applied)
        except ErpRejected as exc:
            return self._rejected(key, "cash_application", exc)
        org = self.settings.org_id(str(first["company"]))
        foreign = str(first["currency"]) != self.currencies().get(org, str(first["currency"]))
        if foreign:
            plan.binds["rate_type"] = self.settings.exchange_rate_type
        block = plsql.cash_receipt(
            plan.applications,
            write_off=plan.write_off,
            dry_run=dry_run,
            foreign=foreign,
            credit_memos=plan.credit_memos,
        )
        outs = self._run(block, plan.binds, writes=not dry_run)
        try:
            messages = api_outcome(self.name, key, outs)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc)}
        if dry_run:
            return _accepted_in_dry_run(base)
        cr_id = outs.get("cr_id")
        if cr_id is None:
            raise OutcomeUnknown(
                self.name, "the receipt block answered without a receipt id", key=key
            )
        note = ["already posted: found in EBS"] if outs.get("already") == "Y" else []
        if (made := int(Decimal(outs.get("cm_new") or 0))) and outs.get("already") == "Y":
            note.append(f"{made} missing credit memo application(s) applied now")
        elif plan.credit_memos:
            note.append(f"{plan.credit_memos} credit memo application(s) netted")
        if plan.unapplied:
            shown = quantize(plan.unapplied, str(rows["currency"][0]))
            note.append(f"{shown} left unapplied on the receipt")
        note += [str(m) for m in messages if m.name and "SUCCESS" not in m.name.upper()][:3]
        return {
            **base,
            "status": "posted",
            "erp_document": str(int(Decimal(cr_id))),
            "message": "; ".join(note) or None,
        }

    def _payment_binds(
        self,
        rows: pl.DataFrame,
        *,
        receipt: str | None = None,
        applied: Mapping[tuple[int, str], Mapping[int, Decimal]] | None = None,
    ) -> PaymentPlan:
        """Binds of the receipt block; money on account without a write-off reason stays
        unapplied on the receipt (EBS: the customer's unapplied cash). Negative item rows are
        credit memos netted against the payment's invoices (`adapters/oracle/netting.py`).

        With `receipt` (it exists, a credit memo application is missing) only the missing
        credit memo applications are checked against today's balances: the receipt's own
        applications are done and the block skips them."""
        first = rows.row(0, named=True)
        key = str(first["application_id"])
        org = self.settings.org_id(str(first["company"]))
        currency = str(first["currency"])
        when = _day(first["payment_date"])
        cust_id, site = self._customer(key, org, str(first["customer_id"]))
        plan = PaymentPlan(
            {
                **self._context(org),
                "rno": receipt_number_for(key),
                "cust": cust_id,
                "site": site,
                "cur": currency,
                "amt": Decimal(first["payment_amount"]),
                "rdate": _iso(when),
                "gl": _iso(when),
                "method": self._receipt_method(),
                "tag": comments(key),
                "tag_only": tag(key),
                "tag_length": len(tag(key)),
                "key": key[:30],
            }
        )
        invoices: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (row, schedule)
        credits: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for row in rows.iter_rows(named=True):
            if row["document_id"] is None:
                reason = row.get("reason_code")
                activity = self._value("receipt_writeoff_activity", str(reason)) if reason else None
                if activity:
                    plan.binds["wo_amt"] = Decimal(row["applied_amount"])
                    plan.binds["wo_activity"] = self._activity(org, activity, key)
                    plan.write_off = True
                else:
                    plan.unapplied += Decimal(row["applied_amount"])
                continue
            item = self._installment(key, org, str(row["document_id"]), row["line"])
            self._same_party(key, item, row, first["customer_id"], currency)
            (credits if Decimal(row["applied_amount"]) < 0 else invoices).append((row, item))
        try:
            pairs = allocate(
                [(i, Decimal(r["applied_amount"])) for i, (r, _) in enumerate(invoices)],
                [(j, -Decimal(r["applied_amount"])) for j, (r, _) in enumerate(credits)],
            )
        except NettingError as exc:
            row, item = credits[exc.credit]
            shown = self._shown(item, row)
            raise ErpRejected(self.name, key, "OTC", f"credit memo {shown} {exc}") from None
        net = net_per_invoice(
            [(i, Decimal(r["applied_amount"])) for i, (r, _) in enumerate(invoices)], pairs
        )
        for row, item in credits if receipt is None else []:
            self._check_credit(key, item, -Decimal(row["applied_amount"]))
        for pair in pairs:
            (row, inv), (cm_row, cm) = invoices[pair.invoice], credits[pair.credit]
            done = (applied or {}).get((org, str(cm_row["document_id"])), {})
            if int(inv["PAYMENT_SCHEDULE_ID"]) in done:
                continue
            if receipt is not None:
                self._check_credit(key, cm, pair.amount)
                self._check_open(key, inv, row, pair.amount, Decimal(0))
            j = plan.credit_memos = plan.credit_memos + 1
            apply_day = max(when, _day(inv["TRX_DATE"]), _day(cm["TRX_DATE"]))
            plan.binds.update(
                {
                    f"cm_{j}": int(cm["CUSTOMER_TRX_ID"]),
                    f"cminv_{j}": int(inv["CUSTOMER_TRX_ID"]),
                    f"cminst_{j}": int(inv["TERMS_SEQUENCE_NUMBER"] or 1),
                    f"cmps_{j}": int(inv["PAYMENT_SCHEDULE_ID"]),
                    f"cmamt_{j}": pair.amount,
                    f"cmdate_{j}": _iso(apply_day),
                    f"cmgl_{j}": _iso(max(apply_day, _day(inv["GL_DATE"]), _day(cm["GL_DATE"]))),
                }
            )
        for i, (row, item) in enumerate(invoices):
            paid, discount = net[i], Decimal(row["discount_amount"])
            if receipt is None:
                self._check_open(key, item, row, Decimal(row["applied_amount"]), discount)
            if paid == 0 and discount == 0:
                continue  # the credit memos cover it whole: no receipt application
            n = plan.applications = plan.applications + 1
            apply_day = max(when, _day(item["TRX_DATE"]))
            reason = row.get("reason_code")
            plan.binds.update(
                {
                    f"ps_{n}": int(item["PAYMENT_SCHEDULE_ID"]),
                    f"amt_{n}": paid,
                    f"disc_{n}": discount,  # 0, never NULL: NULL lets EBS default a discount
                    f"adate_{n}": _iso(apply_day),
                    f"agl_{n}": _iso(max(apply_day, _day(item["GL_DATE"]))),
                    f"note_{n}": comments(key, f"short:{reason}" if reason else None),
                }
            )
        return plan

    @staticmethod
    def _shown(item: Mapping[str, Any], row: Mapping[str, Any]) -> str:
        return f"{item['TRX_NUMBER']} ({row['document_id']}/{row['line']})"

    def _same_party(
        self,
        key: str,
        item: Mapping[str, Any],
        row: Mapping[str, Any],
        customer: Any,
        currency: str,
    ) -> None:
        shown = self._shown(item, row)
        if item["ACCOUNT_NUMBER"] != customer:
            raise ErpRejected(
                self.name, key, "OTC",
                f"item {shown} belongs to customer {item['ACCOUNT_NUMBER']}, not {customer}",
            )  # fmt: skip
        if item["INVOICE_CURRENCY_CODE"] != currency:
            raise ErpRejected(
                self.name, key, "OTC",
                f"item {shown} is in currency {item['INVOICE_CURRENCY_CODE']}, the payment in "
                f"{currency}: cross-currency receipts are not posted",
            )  # fmt: skip

    def _check_open(
        self,
        key: str,
        item: Mapping[str, Any],
        row: Mapping[str, Any],
        paid: Decimal,
        discount: Decimal,
    ) -> None:
        """An invoice the payment (credit memos included) settles must be open for it all."""
        shown = self._shown(item, row)
        open_amount = Decimal(item["AMOUNT_DUE_REMAINING"])
        if item["STATUS"] != "OP" or open_amount <= 0:
            raise ErpRejected(
                self.name, key, "OTC",
                f"item {shown} is not open (status {item['STATUS']}, open {open_amount})",
            )  # fmt: skip
        if paid + discount > open_amount:
            raise ErpRejected(
                self.name, key, "OTC",
                f"item {shown}: applied {paid} + discount {discount} exceed the open {open_amount}",
            )  # fmt: skip

    def _check_credit(self, key: str, item: Mapping[str, Any], amount: Decimal) -> None:
        """EBS does not check the credit memo side of APPLY_ON_ACCOUNT (AR_CM_VAL_PVT only
        refuses a NULL amount): a closed one, an invoice in its place or more than it has left
        would go through. Checked here, before anything is sent."""
        shown = f"{item['TRX_NUMBER']} ({item['CUSTOMER_TRX_ID']})"
        remaining = -Decimal(item["AMOUNT_DUE_REMAINING"])
        if item["CLASS"] != "CM":
            raise ErpRejected(
                self.name, key, "OTC",
                f"item {shown} has a negative applied amount but is a {item['CLASS']}, "
                "not a credit memo: only credit memos are netted",
            )  # fmt: skip
        if item["STATUS"] != "OP" or remaining <= 0:
            raise ErpRejected(
                self.name, key, "OTC",
                f"credit memo {shown} is not open (status {item['STATUS']}, "
                f"remaining {-remaining})",
            )  # fmt: skip
        if amount > remaining:
            raise ErpRejected(
                self.name, key, "OTC",
                f"credit memo {shown}: netting {amount} exceeds its remaining {remaining}",
            )  # fmt: skip

    def post_write_off(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """An adjustment against the activity the reason code maps to (TYPE INVOICE closes
        the item, LINE takes part of it). Over the apps user's approval limit EBS creates it
        with status W and answers S (AR_ADJVALIDATE_PVT.Within_approval_limits): that is
        `pending_approval`, not posted; one an approver rejected (R) is reported as rejected,
        and only a new key posts it again."""
        key = str(row["writeoff_id"])
        base = {"key": key, "kind": "write_off", "system": self.name}
        if problem := key_problem(key):
            return {**base, "status": "rejected", "message": problem}
        org = self.settings.org_id(str(row["company"]))
        self._items[key] = (org, str(row["document_id"]))
        if existing := self._adjustments(key):
            live = [r for r in existing if r.get("STATUS") != "R"]
            return self._adjustment_result(base, (live or existing)[0], dry_run=False, already=True)
        try:
            item = self._installment(key, org, str(row["document_id"]), row["line"])
            open_amount = Decimal(item["AMOUNT_DUE_REMAINING"])
            amount = Decimal(row["amount"])
            shown = f"{item['TRX_NUMBER']} ({row['document_id']}/{row['line']})"
            if item["ACCOUNT_NUMBER"] != row["customer_id"]:
                raise ErpRejected(
                    self.name,
                    key,
                    "OTC",
                    f"item {shown} belongs to customer "
                    f"{item['ACCOUNT_NUMBER']}, not {row['customer_id']}",
                )
            if item["INVOICE_CURRENCY_CODE"] != row["currency"]:
                raise ErpRejected(
                    self.name,
                    key,
                    "OTC",
                    f"item {shown} is in currency "
                    f"{item['INVOICE_CURRENCY_CODE']}, the write-off in {row['currency']}",
                )
            if item["STATUS"] != "OP" or open_amount <= 0:
                raise ErpRejected(
                    self.name, key, "OTC", f"item {shown} is not open (open {open_amount})"
                )
            if amount > open_amount:
                raise ErpRejected(
                    self.name,
                    key,
                    "OTC",
                    f"write-off {amount} exceeds the open amount {open_amount} of {shown}",
                )
            reason = str(row["reason_code"])
            activity_name = self._value("adjustment_activity", reason)
            if activity_name is None:
                raise ErpRejected(self.name, key, "MAPPING", f"no activity for reason {reason!r}")
            activity = self._activity(org, activity_name, key)
        except ErpRejected as exc:
            return self._rejected(key, "write_off", exc)
        when = max(_day(row["posting_date"]), _day(item["TRX_DATE"]))
        block = plsql.adjustment(dry_run=dry_run)
        binds = {
            **self._context(org),
            "ps": int(item["PAYMENT_SCHEDULE_ID"]),
            "adj_type": "INVOICE" if amount == open_amount else "LINE",
            "activity": activity,
            "amount": -amount,
            "adate": _iso(when),
            "gl": _iso(max(when, _day(item["GL_DATE"]))),
            "reason": self._value("adjustment_reason", reason),
            "tag": tag(key),
            "tag_length": len(tag(key)),
            "comments": comments(key, row.get("memo")),
        }
        outs = self._run(block, binds, writes=not dry_run)
        try:
            api_outcome(self.name, key, outs)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": _reason(exc)}
        number = outs.get("adj_number") or outs.get("adj_id")
        if number is None and not dry_run:
            raise OutcomeUnknown(self.name, "the adjustment block answered without an id", key=key)
        found = {"ADJUSTMENT_NUMBER": number, "STATUS": outs.get("adj_status") or "A"}
        return self._adjustment_result(
            base, found, dry_run=dry_run, already=outs.get("already") == "Y"
        )

    def _adjustment_result(
        self, base: dict[str, Any], adj: Mapping[str, Any], *, dry_run: bool, already: bool
    ) -> dict[str, Any]:
        """A (approved) is posted; W (or M, research) awaits an approver and has not moved the
        balance; R was rejected by an approver: nothing was written off under this key."""
        number = str(adj.get("ADJUSTMENT_NUMBER") or adj.get("ADJUSTMENT_ID") or "")
        status = str(adj.get("STATUS") or "A")
        seen = "already posted: found in EBS; " if already else ""
        if status == "R":
            return {
                **base,
                "status": "rejected",
                "erp_document": number or None,
                "message": f"adjustment {number} was rejected by an approver (status R): "
                "nothing was written off; post it under a new key if it is still wanted",
            }
        if dry_run:
            pending = " (over the approval limit: it would wait for approval)"
            result = _accepted_in_dry_run(base)
            return {**result, "message": result["message"] + (pending if status != "A" else "")}
        if status != APPROVED:  # W, M or another status that is not final
            return {
                **base,
                "status": "pending_approval",
                "erp_document": number,
                "message": f"{seen}adjustment {number} is pending approval (status {status}): "
                "the balance is unchanged until an approver approves it in EBS",
            }
        return {**base, "status": "posted", "erp_document": number, "message": seen[:-2] or None}

    def reverse_payment(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """One Reversals row: REVERSE the receipt of `application_id`, or UNAPPLY its
        application to one item (adapters/oracle/reversals.py)."""
        return self._reversals.reverse(row, dry_run)

    def post_refund(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """The Refunds rows of one refund_id: a refund application per credit item, one block
        (adapters/oracle/refunds.py)."""
        return self._refunds.post(rows, dry_run)

    def post_cash_applications(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate(frame, "cash_applications", source="cash applications")
        return results_frame(
            [
                self._guard(str(k), "cash_application", lambda g=g: self.post_payment(g))
                for (k,), g in frame.group_by("application_id", maintain_order=True)
            ]
        )

    def post_write_offs(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate(frame, "write_offs", source="write-offs")
        return results_frame(
            [
                self._guard(str(r["writeoff_id"]), "write_off", lambda r=r: self.post_write_off(r))
                for r in frame.iter_rows(named=True)
            ]
        )

    def upsert_customers(self, frame: pl.DataFrame) -> pl.DataFrame:
        from adapters.oracle.customers import upsert_customer

        validate(frame, "customers", source="customers")
        return results_frame(
            [
                self._guard(str(r["customer_id"]), "customer", lambda r=r: upsert_customer(self, r))
                for r in frame.iter_rows(named=True)
            ]
        )

    def _guard(self, key: str, kind: str, post: Any) -> dict[str, Any]:
        """Batch posting: a lost answer is `unknown`, a transient fault `rejected` (not sent)."""
        try:
            result: dict[str, Any] = post()
            return result
        except OutcomeUnknown as exc:
            return {
                "key": key,
                "kind": kind,
                "system": self.name,
                "status": "unknown",
                "message": str(exc),
            }
        except (TransientError, ErpRejected) as exc:
            return {
                "key": key,
                "kind": kind,
                "system": self.name,
                "status": "rejected",
                "message": f"not posted: {exc}",
            }

    def deep_check(self) -> list[Finding]:
        """The go-live check (`otc doctor --deep`): read-only, every query named."""
        from adapters.oracle.doctor import deep_check

        return deep_check(self)

    def close(self) -> None:
        self.transport.close()


def _make_transport(settings: OracleSettings) -> OracleTransport:
    if settings.transport == "oracledb":
        from adapters.oracle.sqlnet import SqlNetTransport

        return SqlNetTransport(
            settings.name,
            user=settings.user,
            password=settings.password,
            dsn=settings.dsn,
            connection_factory=settings.connection_factory,
            connect_args=settings.connect_args,
            thick=settings.thick,
            thick_lib_dir=settings.thick_lib_dir,
            pool_min=settings.pool_min,
            pool_max=settings.pool_max,
            arraysize=settings.arraysize,
            timeout_s=settings.timeout_s,
        )
    from adapters.oracle.ords import OrdsTransport

    assert settings.url is not None
    return OrdsTransport(
        settings.name,
        url=settings.url,
        schema=settings.schema or settings.user.lower(),
        user=settings.user,
        password=settings.password,
        timeout_s=settings.timeout_s,
        connect_timeout_s=settings.connect_timeout_s,
    )


def _accepted_in_dry_run(base: dict[str, Any]) -> dict[str, Any]:
    """The result of a dry run EBS accepted: the block ended in ROLLBACK, nothing stays."""
    return {
        **base,
        "status": "posted",
        "erp_document": DRY_RUN,
        "message": "EBS accepts it (rolled back: dry run)",
    }
