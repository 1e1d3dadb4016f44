"""`match`: bank lines against open items, rules in order of confidence (docs/matching.md).

The heavy parts are polars joins: reference tokens against the items' reference keys, and
the identified payers' lines against their items. Python sees only each line's few
candidates (`jobs.matching.rules`). Lines are taken in (booking date, transaction id) order
and rule by rule, so an item goes to the most confident claim first and is never applied
twice, and the same input always gives the same output.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from contracts.money import MONEY_DTYPE
from contracts.validate import validate
from jobs.matching import rules
from jobs.matching.config import MatchConfig
from jobs.matching.normalize import text_tokens
from jobs.matching.payers import identify
from jobs.matching.references import item_keys, join_rf, line_keys
from jobs.matching.rules import Alloc, Ambiguous, Applied, Item, Line

#: The exceptions file, one row per bank line not auto-applied (docs/matching.md).
EXCEPTION_SCHEMA: dict[str, pl.DataType] = {
    "transaction_id": pl.String(),
    "account": pl.String(),
    "booking_date": pl.Date(),
    "amount": MONEY_DTYPE,
    "currency": pl.String(),
    "direction": pl.String(),
    "payer_name": pl.String(),
    "payer_account": pl.String(),
    "remittance_text": pl.String(),
    "reason": pl.String(),
    "detail": pl.String(),
    "customer_id": pl.String(),
    "candidate_count": pl.Int64(),
    "candidates": pl.String(),
}
_ITEM_COLUMNS = (
    "item_idx",
    "company",
    "customer_id",
    "amount_u",
    "discount_u",
    "discount_day",
    "due_day",
)


#: An exception row: bank_idx, reason, detail, customer, the candidate items.
_Problem = tuple[int, str, str, str | None, list[int]]


@dataclass(frozen=True)
class MatchResult:
    applications: pl.DataFrame  # CashApplications, validated
    exceptions: pl.DataFrame  # EXCEPTION_SCHEMA

    def summary(self) -> dict[str, int]:
        """Payments per rule (the first row's rule of each payment) and exceptions per reason."""
        counts: dict[str, int] = {}
        if self.applications.height:
            first = self.applications.group_by("application_id", maintain_order=True).agg(
                pl.col("match_rule").first()
            )
            counts |= dict(first.group_by("match_rule").len().sort("match_rule").iter_rows())
        if self.exceptions.height:
            reasons = self.exceptions.group_by("reason").len().sort("reason")
            counts |= {f"exception: {r}": n for r, n in reasons.iter_rows()}
        return counts


@dataclass
class _State:
    """What the run decided so far, line by line."""

    used: set[int] = field(default_factory=set)
    applied: dict[int, list[Applied]] = field(default_factory=dict)
    notes: dict[int, Ambiguous] = field(default_factory=dict)
    final: dict[int, Ambiguous] = field(default_factory=dict)

    def residual(self, line: Line) -> int:
        done = self.applied.get(line.idx)
        return line.amount - sum(a.applied for o in done for a in o.allocs) if done else line.amount

    def record(self, line: Line, outcome: rules.Outcome, *, final: bool) -> bool:
        if isinstance(outcome, Applied):
            self.applied.setdefault(line.idx, []).append(outcome)
            self.used.update(a.item for a in outcome.allocs if a.item is not None)
            return True
        if isinstance(outcome, Ambiguous):
            (self.final if final else self.notes)[line.idx] = outcome
            return final
        return False


def application_id(account: str, booking_date: object, transaction_id: str) -> str:
    """Stable key of a bank line: the same file matched again gives the same keys."""
    digest = hashlib.sha256(f"{account}|{booking_date}|{transaction_id}".encode()).hexdigest()
    return "CA" + digest[:14].upper()  # 16 characters: fits SAP's header reference (XBLNR)


def _units(column: str) -> pl.Expr:
    return (pl.col(column).cast(MONEY_DTYPE) * rules.SCALE).cast(pl.Int64)


def _prepare_items(open_items: pl.DataFrame) -> pl.DataFrame:
    """Items a payment can clear (amount > 0) or net in when named (credit memos), with
    integer amounts and day numbers."""
    credit_memo = (pl.col("amount") < 0) & (pl.col("document_type") == "credit_memo")
    return (
        open_items.with_row_index("item_idx")
        .filter((pl.col("amount") > 0) | credit_memo)
        .with_columns(
            pl.col("item_idx").cast(pl.Int64),
            _units("amount").alias("amount_u"),
            _units("discount_amount").fill_null(0).alias("discount_u"),
            pl.col("discount_date").cast(pl.Int64).alias("discount_day"),
            pl.col("due_date").cast(pl.Int64).alias("due_day"),
        )
    )


def _grouped(frame: pl.DataFrame) -> dict[int, list[Item]]:
    """Candidate pairs (bank_idx, item columns, `weak`: named by a weak key only) as each
    line's items, in item order."""
    frame = frame.sort("bank_idx", "item_idx")
    if "weak" not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("weak"))
    columns = [frame[c].to_list() for c in (*_ITEM_COLUMNS, "weak")]
    items = map(Item._make, zip(*columns, strict=True))
    found: dict[int, list[Item]] = {}
    for bank_idx, item in zip(frame["bank_idx"].to_list(), items, strict=True):
        found.setdefault(bank_idx, []).append(item)
    return found


def _reference_pairs(lines: pl.DataFrame, items: pl.DataFrame, config: MatchConfig) -> pl.DataFrame:
    """(bank_idx, item, weak) pairs where a token of the remittance names the item."""
    prefixes, min_len = config.reference_prefixes, config.min_reference_length
    structured = lines.select("bank_idx", pl.col("invoice_refs").alias("token")).explode("token")
    texts = lines.select("bank_idx", "remittance_text")
    has_rf = pl.col("remittance_text").str.contains(r"(?i)\bRF\d\d ")
    texts = pl.concat(
        [
            texts.filter(~has_rf.fill_null(False)),
            texts.filter(has_rf).with_columns(
                pl.col("remittance_text").map_elements(join_rf, return_dtype=pl.String)
            ),
        ]
    )
    found = [structured.drop_nulls(), text_tokens(texts, "remittance_text", "bank_idx")]
    schema = {"bank_idx": pl.Int64, "token": pl.String}
    tokens = pl.concat([f.cast(schema) for f in found]).unique()  # type: ignore[arg-type]
    token_keys = line_keys(tokens, prefixes, min_len)
    pairs = (
        token_keys.lazy()
        .join(item_keys(items, prefixes), on="key")
        .group_by("bank_idx", "item_idx")
        .agg((pl.col("weak") | pl.col("weak_right")).all().alias("weak"))
    )
    return (
        pairs.join(items.lazy(), on="item_idx")
        .join(
            lines.lazy().select("bank_idx", pl.col("currency").alias("line_currency")),
            on="bank_idx",
        )
        .collect()
    )


#: A line looking at one payer's items: (bank_idx, payer_id, currency, target amount in units,
#: the company a reference already fixed or None).
Wanted = tuple[int, str, str, int, str | None]


def _payer_pairs(
    wanted: list[Wanted], items: pl.DataFrame, used: set[int], config: MatchConfig
) -> pl.DataFrame:
    """Each line with a payer against the payer's unused items in the line's currency."""
    taken = pl.DataFrame({"item_idx": sorted(used)}, schema={"item_idx": pl.Int64})
    payer_ids = sorted({w[1] for w in wanted})
    free = items.filter((pl.col("amount_u") > 0) & pl.col("customer_id").is_in(payer_ids)).join(
        taken, on="item_idx", how="anti"
    )
    frame = pl.DataFrame(
        wanted,
        schema={
            "bank_idx": pl.Int64,
            "payer_id": pl.String,
            "currency": pl.String,
            "target_u": pl.Int64,
            "fixed_company": pl.String,
        },
        orient="row",
    )
    pairs = frame.join(free, left_on=["payer_id", "currency"], right_on=["customer_id", "currency"])
    slack = rules.to_units(config.short_tolerance_abs)
    keep = 1 - config.deduction_max_pct / 100  # an item cut by at most deduction_max_pct
    near = (
        (pl.col("amount_u") - pl.col("discount_u") <= pl.col("target_u"))
        | (pl.col("amount_u") <= pl.col("target_u") + slack)
        | (pl.col("amount_u") * int(keep * 10_000) <= pl.col("target_u") * 10_000)
    )
    same_company = pl.col("fixed_company").is_null() | (
        pl.col("fixed_company") == pl.col("company")
    )
    return pairs.filter(near & same_company).with_columns(pl.col("payer_id").alias("customer_id"))


def _settle_shared_payers(
    lines: dict[int, Line],
    could_be: dict[int, list[str]],
    payers: dict[int, tuple[str, float]],
    currency_of: dict[int, str],
    items: pl.DataFrame,
    state: _State,
    config: MatchConfig,
    exact_only: set[int],
) -> None:
    """Rules 2 to 4 for lines whose name or IBAN several customers share.

    Companies keep one customer account per branch or sales channel under the same name, so
    a name alone often points at two or three accounts. The amount decides: when the items of
    exactly one of them fit it (the first rule that fits any of them counts), that one is the
    payer, at `candidate_payer_score`; when several fit, the line is ambiguous and nothing is
    applied. Runs after the identified payers, so their claims on items come first.
    """
    # Also lines whose name found a payer with nothing to take while their IBAN is a group's
    # (a parent paying a subsidiary's invoice from the group account).
    pending = {
        idx: ids
        for idx, ids in could_be.items()
        if idx not in state.applied and idx not in state.final
    }
    if not pending:
        return
    wanted: list[Wanted] = [
        (idx, customer, currency_of[idx], lines[idx].amount, None)
        for idx, ids in sorted(pending.items())
        for customer in ids
    ]
    by_line = _grouped(_payer_pairs(wanted, items, state.used, config))
    score = config.candidate_payer_score
    steps: Sequence[Callable[[Line, list[Item]], rules.Outcome]] = (
        lambda line, found: rules.by_exact_amount(line, found, score),
        lambda line, found: rules.by_combination(line, found, score, config),
        lambda line, found: rules.by_discount(line, found, score, config),
    )
    for idx in sorted(by_line):
        line = lines[idx]
        free = [i for i in by_line[idx] if i.idx not in state.used]
        per_customer: dict[str, list[Item]] = {}
        for item in free:
            per_customer.setdefault(item.customer, []).append(item)
        for step in steps[:1] if idx in exact_only else steps:
            outcomes = {c: o for c, found in per_customer.items() if (o := step(line, found))}
            if not outcomes:
                continue
            (customer, outcome), *others = sorted(outcomes.items())
            if not others and isinstance(outcome, Applied):
                state.record(line, outcome, final=True)
                payers[idx] = (customer, score)
            else:
                state.record(
                    line,
                    Ambiguous(
                        rules.AMBIGUOUS,
                        "the amount fits items of several customers the payer could be: "
                        + ", ".join(sorted(outcomes)),
                        tuple(sorted(i.idx for i in free if i.customer in outcomes)),
                    ),
                    final=True,
                )
            break


def _home_companies(items: pl.DataFrame) -> dict[tuple[str, str], str]:
    """(customer, currency) -> the company holding most of its items; (customer, '') any."""
    counts = items.group_by("customer_id", "currency", "company").len()
    ranked = counts.sort(["len", "company"], descending=[True, False])
    home: dict[tuple[str, str], str] = {}
    for customer, currency, company, _ in ranked.iter_rows():
        home.setdefault((customer, currency), company)
        home.setdefault((customer, ""), company)
    return home


def _blocked(customers: pl.DataFrame | None) -> set[str]:
    """Customers with a posting block (Customers.posting_block): their cash is an exception,
    not an application that fails only when it is posted."""
    if customers is None or "posting_block" not in customers.columns:
        return set()
    return set(customers.filter(pl.col("posting_block"))["customer_id"].to_list())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration.

    A run allocates a few million small tuples and lists, none of them in a reference cycle;
    each allocation burst triggers a collection that walks every live object, some 1.4 s of a
    100k-line run. Reference counting still frees everything; the collector comes back as it
    was, also on an error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def match(
    bank: pl.DataFrame,
    open_items: pl.DataFrame,
    customers: pl.DataFrame | None = None,
    config: MatchConfig | None = None,
) -> MatchResult:
    """Cash applications for the credits of `bank`; everything else to the exceptions."""
    with _collector_paused():
        return _match(bank, open_items, customers, config)


def _match(
    bank: pl.DataFrame,
    open_items: pl.DataFrame,
    customers: pl.DataFrame | None,
    config: MatchConfig | None,
) -> MatchResult:
    config = config or MatchConfig()
    bank = bank.sort("booking_date", "transaction_id").with_row_index("bank_idx")
    bank = bank.with_columns(pl.col("bank_idx").cast(pl.Int64))
    # A bank's reversal of an earlier debit (MT940 `RD`, camt `RvslInd`) brings money in, but it
    # is a returned outgoing payment (a bounced refund), not a customer paying an invoice.
    returned = pl.col("reversal").fill_null(False) if "reversal" in bank.columns else pl.lit(False)
    credits = bank.filter((pl.col("direction") == "credit") & ~returned)
    credits = credits.with_columns(
        _units("amount").alias("amount_u"),
        pl.coalesce("value_date", "booking_date").cast(pl.Int64).alias("day"),
    )
    items = _prepare_items(open_items)
    # The reference index (polars, on every core, without the GIL) is built while the lines
    # are read and the payers identified (mostly Python): the two share the cores instead of
    # queueing.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="otc-match") as pool:
        pending_pairs = pool.submit(_reference_pairs, credits, items, config)
        lines = {
            idx: Line(idx, amount, day, text)
            for idx, amount, day, text in credits.select(
                "bank_idx", "amount_u", "day", "remittance_text"
            ).iter_rows()
        }
        currency_of = dict(credits.select("bank_idx", "currency").iter_rows())
        # Who paid: account (IBAN), else name; a reference may name the customer too.
        identified = identify(
            credits.select("bank_idx", "payer_name", "payer_account"), customers, config
        )
        pairs = pending_pairs.result()
    state = _State()
    known: dict[int, tuple[str, float, str]] = {}
    payer_notes: dict[int, str] = {}
    could_be: dict[int, list[str]] = {}
    exact_only: set[int] = set()  # names only like the candidates': an exact amount decides
    for idx, payer_id, how, score, note, candidates in identified.iter_rows():
        if payer_id is not None:
            known[idx] = (payer_id, float(score), how)
        if note:
            payer_notes[idx] = note
        if how == "name_like" and candidates:
            could_be[idx] = candidates
            exact_only.add(idx)
        elif candidates and 1 < len(candidates) <= config.max_payer_candidates:
            could_be[idx] = candidates

    # Rule 1: references.
    same = pairs.filter(pl.col("currency") == pl.col("line_currency"))
    other = pairs.filter(pl.col("currency") != pl.col("line_currency"))
    hints: dict[int, str] = {}
    for bank_idx, candidates in _grouped(same).items():
        free = [i for i in candidates if i.idx not in state.used]
        strong = [i for i in candidates if not i.weak]
        if strong and len({i.customer for i in strong}) == 1:
            hints[bank_idx] = strong[0].customer
        if not free:
            state.notes[bank_idx] = Ambiguous(
                rules.ALREADY_APPLIED,
                "the referenced items were applied to another line",
                tuple(i.idx for i in candidates),
            )
            continue
        payer = known[bank_idx][0] if bank_idx in known else None
        named = {i.customer for i in free}
        if payer is None and len(named) == 1 and bank_idx not in exact_only:
            # An IBAN or a name several customers share (a factor's, a group's) confirms the
            # one of them the remittance names, as that customer's own account would.
            (only,) = named
            payer = only if only in could_be.get(bank_idx, ()) else None
        outcome = rules.by_reference(lines[bank_idx], free, payer, config)
        # An explicit reference beats a near amount: when the remittance names items of the
        # payer and they do not explain the amount, no other item of the payer is taken.
        stands = payer is not None and named == {payer} and not any(i.weak for i in free)
        mismatch = rules.REFERENCE_AMOUNT_MISMATCH
        blocks = isinstance(outcome, Ambiguous) and outcome.reason == mismatch
        state.record(lines[bank_idx], outcome, final=stands and blocks)
    for bank_idx, candidates in _grouped(other).items():
        if bank_idx not in state.applied and bank_idx not in state.notes:
            state.notes[bank_idx] = Ambiguous(
                rules.CURRENCY_MISMATCH,
                f"referenced items are not in {currency_of[bank_idx]}",
                tuple(i.idx for i in candidates),
            )

    # The payer of what is left: a paid reference fixes it, then IBAN, reference, name.
    fixed = {
        idx: (done[0].company, done[0].customer)
        for idx, done in state.applied.items()
        if state.residual(lines[idx]) > 0
    }
    payers: dict[int, tuple[str, float]] = {}
    for idx in lines:
        if (idx in state.applied and idx not in fixed) or idx in state.final:
            continue
        if idx in fixed:
            payers[idx] = (fixed[idx][1], 1.0)
        elif idx in known and known[idx][2] == "iban":
            payers[idx] = (known[idx][0], 1.0)
        elif idx in hints:
            payers[idx] = (hints[idx], 1.0)
        elif idx in known:
            payers[idx] = known[idx][:2]

    # Rules 2 to 5: the payer's items, rule by rule over all lines.
    wanted: list[Wanted] = [
        (idx, pid, currency_of[idx], state.residual(lines[idx]), fixed.get(idx, (None,))[0])
        for idx, (pid, _) in sorted(payers.items())
    ]
    by_line = _grouped(_payer_pairs(wanted, items, state.used, config))
    steps: Sequence[Callable[[Line, list[Item], float], rules.Outcome]] = (
        rules.by_exact_amount,
        lambda line, found, score: rules.by_combination(line, found, score, config),
        rules.by_whole_balance,
        lambda line, found, score: rules.by_discount(line, found, score, config),
        lambda line, found, score: rules.by_short_payment(line, found, score, config),
        lambda line, found, score: rules.by_unreferenced_deduction(line, found, score, config),
    )
    settled: set[int] = set()
    for step in steps:
        for idx in sorted(by_line):
            if idx in settled:
                continue
            line = lines[idx]
            target = Line(idx, state.residual(line), line.day, line.text)
            free = [i for i in by_line[idx] if i.idx not in state.used]
            if state.record(target, step(target, free, payers[idx][1]), final=True):
                settled.add(idx)

    _settle_shared_payers(lines, could_be, payers, currency_of, items, state, config, exact_only)

    # Only a payer whose money may go on account needs a home company.
    may_go_on_account = sorted({customer for customer, _ in payers.values()})
    home = _home_companies(
        items.filter((pl.col("amount_u") > 0) & pl.col("customer_id").is_in(may_go_on_account))
    )
    blocked = _blocked(customers)
    rows: list[tuple[object, ...]] = []
    problems: list[_Problem] = []
    for idx, line in lines.items():
        done = state.applied.get(idx, [])
        left = state.residual(line)
        if idx in state.final:
            problem = state.final[idx]
        elif not done and idx in state.notes:
            problem = state.notes[idx]
        elif left == 0:
            problem = None
        elif idx not in payers:
            detail = payer_notes.get(idx, "no reference, account or name identifies the payer")
            problem = Ambiguous(rules.UNIDENTIFIED, detail)
        elif not done and not config.on_account:
            problem = Ambiguous(rules.NO_MATCH, "payer known, no open item fits the amount")
        else:
            customer, score = payers[idx]
            company = (
                done[0].company
                if done
                else home.get((customer, currency_of[idx]))
                or home.get((customer, ""))
                or config.default_company
            )
            if company is None:
                problem = Ambiguous(
                    rules.NO_COMPANY,
                    f"customer {customer} has no open item "
                    "to take the company from; set default_company",
                )
            else:
                score = rules.SCORES[rules.ON_ACCOUNT] * (1.0 if done else score)
                on_account = Alloc(None, left)
                done = [*done, Applied(rules.ON_ACCOUNT, score, company, customer, (on_account,))]
                problem = None
        held = sorted({o.customer for o in done} & blocked) if problem is None else []
        if held:
            problem = Ambiguous(
                rules.POSTING_BLOCK,
                f"posting block: customer {', '.join(held)} is blocked for posting in the ERP; "
                "apply this payment once the block is cleared",
                tuple(a.item for o in done for a in o.allocs if a.item is not None),
            )
        if problem is not None:
            payer = payers[idx][0] if idx in payers else (held[0] if held else None)
            problems.append((idx, problem.reason, problem.detail, payer, list(problem.candidates)))
            continue
        for outcome in done:
            for alloc in outcome.allocs:
                rows.append(
                    (
                        idx,
                        alloc.item,
                        outcome.company,
                        outcome.customer,
                        alloc.applied,
                        alloc.discount,
                        alloc.reason,
                        outcome.rule,
                        outcome.score,
                    )
                )
    came_back = (
        "a reversal booked by the bank: an earlier debit (a refund, a payment of ours) came "
        "back; not a customer's payment"
    )
    taken_back = (
        "a reversal booked by the bank: a customer's payment was taken back (returned direct "
        "debit, recalled transfer); if it was applied, reverse it (otc cash reverse)"
    )
    for idx, direction, was_returned in (
        bank.filter((pl.col("direction") != "credit") | returned)
        .select("bank_idx", "direction", returned.alias("returned"))
        .iter_rows()
    ):
        if not was_returned:
            detail = "a debit: money out, not a payment"
            problems.append((idx, rules.NOT_A_PAYMENT, detail, None, []))
        else:
            detail = came_back if direction == "credit" else taken_back
            problems.append((idx, rules.RETURNED, detail, None, []))
    return MatchResult(_applications(rows, credits, items), _exceptions(problems, bank, items))


def _money(column: str) -> pl.Expr:
    return (pl.col(column).cast(pl.Decimal(38, 0)) * pl.lit(Decimal(1) / rules.SCALE)).cast(
        MONEY_DTYPE
    )


def _applications(
    rows: list[tuple[object, ...]], credits: pl.DataFrame, items: pl.DataFrame
) -> pl.DataFrame:
    raw = pl.DataFrame(
        rows,
        schema={
            "bank_idx": pl.Int64,
            "item_idx": pl.Int64,
            "company": pl.String,
            "customer_id": pl.String,
            "applied_u": pl.Int64,
            "discount_u": pl.Int64,
            "reason_code": pl.String,
            "match_rule": pl.String,
            "match_score": pl.Float64,
        },
        orient="row",
    ).with_row_index("_order")
    paid = credits.join(raw.select("bank_idx").unique(), on="bank_idx", how="semi")
    ids = [
        application_id(account, booked, transaction)
        for account, booked, transaction in paid.select(
            "account", "booking_date", "transaction_id"
        ).iter_rows()
    ]
    keys = paid.select(
        "bank_idx",
        pl.Series("application_id", ids, dtype=pl.String),
        pl.col("booking_date").alias("payment_date"),
        "currency",
        pl.col("amount").cast(MONEY_DTYPE).alias("payment_amount"),
    )
    frame = (
        raw.join(keys, on="bank_idx", how="left")
        .join(
            items.select("item_idx", "document_id", "fiscal_year", "line"),
            on="item_idx",
            how="left",
        )
        .sort("_order")
        .select(
            "application_id",
            "company",
            "customer_id",
            "payment_date",
            "currency",
            "payment_amount",
            "document_id",
            pl.col("fiscal_year").cast(pl.Int64),
            pl.col("line").cast(pl.Int64),
            _money("applied_u").alias("applied_amount"),
            _money("discount_u").alias("discount_amount"),
            "reason_code",
            "match_rule",
            pl.col("match_score").round(4),
        )
    )
    return validate(frame, "cash_applications", source="matching")


def _exceptions(problems: list[_Problem], bank: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    raw = pl.DataFrame(
        [problem[:4] for problem in problems],
        schema={
            "bank_idx": pl.Int64,
            "reason": pl.String,
            "detail": pl.String,
            "customer_id": pl.String,
        },
        orient="row",
    )
    # The candidates as (line, item) pairs: a list column built row by row from Python
    # lists costs a Series per row.
    candidates = [(problem[0], item) for problem in problems for item in problem[4]]
    label = pl.format(
        "{}/{}/{}/{} {} {}",
        "company",
        "document_id",
        "fiscal_year",
        "line",
        pl.col("amount").cast(pl.String),
        "currency",
    )
    listed = (
        pl.DataFrame(candidates, schema={"bank_idx": pl.Int64, "item_idx": pl.Int64}, orient="row")
        .join(items, on="item_idx")
        .sort("bank_idx", "item_idx")
        .select("bank_idx", label.alias("label"))
        .group_by("bank_idx", maintain_order=True)
        .agg(pl.len().alias("candidate_count"), pl.col("label").str.join("; ").alias("candidates"))
    )
    frame = (
        raw.join(bank, on="bank_idx", how="left", suffix="_bank")
        .join(listed, on="bank_idx", how="left")
        .sort("bank_idx")
        .with_columns(pl.col("candidate_count").fill_null(0))
    )
    return frame.select([pl.col(c).cast(t) for c, t in EXCEPTION_SCHEMA.items()])
