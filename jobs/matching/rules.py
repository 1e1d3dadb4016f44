"""The matching rules, in order of confidence, over one bank line and its few candidates.

Amounts here are integers in units of 10^-4 (the canonical money scale), so sums and
comparisons are exact and fast; the engine turns them back into `Decimal` columns.
Each rule returns `Applied` (what to apply, with the rule's name and score), `Ambiguous`
(several answers: nothing is applied, the candidates go to the exceptions) or `None`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import NamedTuple

from jobs.matching.combos import subsets_summing
from jobs.matching.config import MatchConfig
from jobs.matching.reasons import ReasonTable

SCALE = 10_000  # canonical money scale: 4 decimals

REFERENCE = "reference"
EXACT_AMOUNT = "exact_amount"
COMBINATION = "combination"
WHOLE_BALANCE = "whole_balance"
DISCOUNT = "discount"
SHORT_PAYMENT = "short_payment"
DEDUCTION = "deduction"
ON_ACCOUNT = "on_account"
#: Rule names in order of confidence.
RULES = (
    REFERENCE,
    DEDUCTION,
    EXACT_AMOUNT,
    COMBINATION,
    WHOLE_BALANCE,
    DISCOUNT,
    SHORT_PAYMENT,
    ON_ACCOUNT,
)
#: Score of each rule when the payer is certain; amount rules are scaled by the payer's score.
SCORES = {
    REFERENCE: 1.0,
    "reference_discount": 0.97,
    "reference_subset": 0.93,
    "reference_small": 0.95,
    "reference_netted": 0.95,
    "reference_short": 0.9,
    DEDUCTION: 0.88,
    "reference_overpaid": 0.85,
    EXACT_AMOUNT: 0.9,
    COMBINATION: 0.8,
    WHOLE_BALANCE: 0.8,
    DISCOUNT: 0.85,
    SHORT_PAYMENT: 0.7,
    ON_ACCOUNT: 0.5,
}

# Exception reasons (the `reason` column of the exceptions file).
NOT_A_PAYMENT = "not_a_payment"
RETURNED = "returned"  # a credit the bank marks as the reversal of an earlier debit
UNIDENTIFIED = "unidentified"
AMBIGUOUS = "ambiguous"
REFERENCE_AMOUNT_MISMATCH = "reference_amount_mismatch"
CURRENCY_MISMATCH = "currency_mismatch"
NO_COMPANY = "no_company"
NO_MATCH = "no_match"
ALREADY_APPLIED = "already_applied"
POSTING_BLOCK = "posting_block"  # the customer is blocked for posting in the ERP
UNREFERENCED_DEDUCTION = "unreferenced_deduction"


class Item(NamedTuple):
    """An open item as the rules see it (a named tuple: a run builds hundreds of thousands)."""

    idx: int
    company: str
    customer: str
    amount: int
    discount: int  # 0 when the item has no cash-discount terms
    discount_day: int | None  # days since 1970-01-01
    due_day: int
    weak: bool = False  # named only by a weak reference key (jobs.matching.references)


@dataclass(frozen=True, slots=True)
class Line:
    idx: int
    amount: int
    day: int  # value date, else booking date
    text: str | None = None  # remittance text: the reason of a deduction


@dataclass(frozen=True, slots=True)
class Alloc:
    item: int | None  # None: on account
    applied: int
    discount: int = 0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    rule: str
    score: float
    company: str
    customer: str
    allocs: tuple[Alloc, ...]
    residual: int = 0  # paid beyond the items: for the next rules, else on account


@dataclass(frozen=True, slots=True)
class Ambiguous:
    reason: str
    detail: str
    candidates: tuple[int, ...] = field(default_factory=tuple)


Outcome = Applied | Ambiguous | None


def to_units(amount: Decimal) -> int:
    return int(amount * SCALE)


def tolerance(amount: int, config: MatchConfig) -> int:
    """The deduction accepted on items worth `amount`: within both the absolute and % limit."""
    pct = int(Decimal(amount) * config.short_tolerance_pct / 100)
    return min(to_units(config.short_tolerance_abs), pct)


_TABLES: dict[int, tuple[MatchConfig, ReasonTable]] = {}


def deduction_reason(line: Line, config: MatchConfig) -> str:
    """The reason code the remittance text gives (config.deduction_reasons), else unknown."""
    cached = _TABLES.get(id(config))
    if cached is None or cached[0] is not config:
        if len(_TABLES) > 16:  # one table per config in use; never grows with the runs
            _TABLES.clear()
        cached = (config, ReasonTable(config.deduction_reasons, config.deduction_unknown_reason))
        _TABLES[id(config)] = cached
    return cached[1].reason(line.text)


def discount_allowed(item: Item, day: int, config: MatchConfig) -> bool:
    """Paid on or before the discount date (plus the grace days)."""
    if not item.discount or item.discount_day is None:
        return False
    return day <= item.discount_day + config.discount_grace_days


def _order(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.due_day, i.idx))


def _full(items: Sequence[Item]) -> tuple[Alloc, ...]:
    return tuple(Alloc(i.idx, i.amount) for i in _order(items))


def _explain_group(
    line: Line, items: Sequence[Item], payer: str | None, config: MatchConfig
) -> Outcome:
    """Referenced items of one customer and company against the amount paid.

    A reference can be a typo that names someone else's invoice: when the account or name
    identifies another customer, only the full amount (less discounts within terms) is taken
    as proof. A weak reference (a year-less number, one part of a list, a number with its
    check digit taken off) needs the payer's confirmation too, except to the cent (a small
    difference). Subsets, short payments, deductions and overpayments come after those checks.
    """
    first = items[0]
    confirmed = payer == first.customer
    credits = [i for i in items if i.amount < 0]
    if credits:
        return _net_credit_memos(line, items, credits, payer, config)

    def applied(rule: str, allocs: tuple[Alloc, ...], residual: int = 0) -> Applied:
        return Applied(REFERENCE, SCORES[rule], first.company, first.customer, allocs, residual)

    total = sum(i.amount for i in items)
    if total == line.amount:
        return applied(REFERENCE, _full(items))
    eligible = [i for i in items if discount_allowed(i, line.day, config)]
    discounts = sum(i.discount for i in eligible)
    with_discount = tuple(
        Alloc(i.idx, i.amount - i.discount, i.discount) if i in eligible else Alloc(i.idx, i.amount)
        for i in _order(items)
    )
    if eligible and total - discounts == line.amount:
        return applied("reference_discount", with_discount)
    if payer is not None and not confirmed:
        return None
    expected = total - discounts
    if 0 < abs(expected - line.amount) <= to_units(config.small_difference_abs):
        # cents off every named item: the amount confirms even a year-less number
        return _small_difference(line, expected - line.amount, with_discount, applied, config)
    if any(i.weak for i in items) and not confirmed:
        return None
    if len(items) > 1:
        amounts = [i.amount for i in items[: config.max_candidates]]
        size = min(len(amounts), config.max_combination)
        found = subsets_summing(line.amount, amounts, size, min_size=1)
        if len(found) == 1:
            return applied("reference_subset", _full([items[j] for j in found[0]]))
    short = total - line.amount
    ordered = _order(items)
    if 0 < short <= tolerance(total, config) and ordered[-1].amount > short:
        return applied("reference_short", _short(ordered, short, config.short_reason_code))
    deduction_cap = int(Decimal(total) * config.deduction_max_pct / 100)
    if 0 < short <= deduction_cap and ordered[-1].amount > short:
        reason = deduction_reason(line, config) if config.deduction_posting == "residual" else None
        allocs = _short(ordered, short, reason)
        return Applied(DEDUCTION, SCORES[DEDUCTION], first.company, first.customer, allocs)
    if short < 0 and confirmed:
        return applied("reference_overpaid", _full(items), residual=-short)
    return None


def _net_credit_memos(
    line: Line, items: Sequence[Item], credits: Sequence[Item], payer: str | None,
    config: MatchConfig,
) -> Outcome:  # fmt: skip
    """ "Invoice X less credit note Y": the named credit memos netted against the named
    invoices, in full, the invoices explaining the rest (in full, less discounts within terms,
    or short with a reason: the same rules as without the credit memo)."""
    invoices = [i for i in items if i.amount > 0]
    credit = sum(i.amount for i in credits)  # negative
    if not invoices or sum(i.amount for i in invoices) + credit <= 0:
        return None
    grossed = Line(line.idx, line.amount - credit, line.day, line.text)
    outcome = _explain_group(grossed, invoices, payer, config)
    if not isinstance(outcome, Applied) or outcome.residual:
        return None
    netted = tuple(Alloc(i.idx, i.amount) for i in _order(credits))
    return Applied(
        outcome.rule, SCORES["reference_netted"] * outcome.score, outcome.company,
        outcome.customer, netted + outcome.allocs,
    )  # fmt: skip


def _short(ordered: Sequence[Item], short: int, reason: str | None) -> tuple[Alloc, ...]:
    """Every item in full but the last (latest due), which keeps `short` open with `reason`."""
    *head, last = ordered
    allocs = tuple(Alloc(i.idx, i.amount) for i in head)
    return (*allocs, Alloc(last.idx, last.amount - short, 0, reason))


def _small_difference(
    line: Line,
    under: int,
    allocs: tuple[Alloc, ...],
    applied: Callable[[str, tuple[Alloc, ...]], Applied],
    config: MatchConfig,
) -> Outcome:
    """Cents off the referenced items: routed by `config.small_difference`.

    Underpaid: the last item keeps the cents open, with `small_difference_reason` (write_off,
    on_account) or the text's deduction reason (deduction). Overpaid: the cents go on account,
    with `small_difference_reason` when they are to be written off.
    """
    if under < 0:
        extra = -under
        reason = config.small_difference_reason if config.small_difference == "write_off" else None
        return applied("reference_small", (*allocs, Alloc(None, extra, 0, reason)))
    *head, last = allocs
    if last.applied <= under:
        return None
    reason = (
        deduction_reason(line, config)
        if config.small_difference == "deduction"
        else config.small_difference_reason
    )
    return applied(
        "reference_small", (*head, Alloc(last.item, last.applied - under, last.discount, reason))
    )


def by_reference(
    line: Line, candidates: Sequence[Item], payer: str | None, config: MatchConfig
) -> Outcome:
    """Rule 1: the items the remittance names, checked against the amount paid.

    `payer` is the customer the account or name identified (None when neither did).
    """
    if len(candidates) == 1:  # most lines name one item
        groups = [list(candidates)]
    else:
        groups = [
            list(g)
            for _, g in groupby(
                sorted(candidates, key=lambda i: (i.company, i.customer, i.idx)),
                key=lambda i: (i.company, i.customer),
            )
        ]
    outcomes = [o for g in groups if (o := _explain_group(line, g, payer, config)) is not None]
    applied = [o for o in outcomes if isinstance(o, Applied)]
    exact = [o for o in applied if o.residual == 0]
    if len(exact) == 1:
        return exact[0]
    if len(applied) == 1 and not exact:
        return applied[0]
    if len(applied) > 1:
        return Ambiguous(
            AMBIGUOUS,
            "references of several customers explain the amount",
            tuple(sorted(i.idx for i in candidates)),
        )
    return Ambiguous(
        REFERENCE_AMOUNT_MISMATCH,
        "referenced items do not add up to the amount paid",
        tuple(sorted(i.idx for i in candidates)),
    )


def _one_or_ambiguous(
    rule: str, found: list[Item], payer_score: float, allocs: tuple[Alloc, ...]
) -> Outcome:
    if not found:
        return None
    if len(found) > 1:
        return Ambiguous(
            AMBIGUOUS,
            f"{rule}: {len(found)} items of the payer fit the amount",
            tuple(sorted(i.idx for i in found)),
        )
    item = found[0]
    return Applied(rule, SCORES[rule] * payer_score, item.company, item.customer, allocs)


def by_exact_amount(line: Line, items: Sequence[Item], payer_score: float) -> Outcome:
    """Rule 2: one item of the payer for exactly the amount paid."""
    found = [i for i in items if i.amount == line.amount]
    allocs = (Alloc(found[0].idx, found[0].amount),) if len(found) == 1 else ()
    return _one_or_ambiguous(EXACT_AMOUNT, found, payer_score, allocs)


def by_combination(
    line: Line, items: Sequence[Item], payer_score: float, config: MatchConfig
) -> Outcome:
    """Rule 3: several items of one company (earliest due first, at most `max_candidates`)."""
    solutions: list[tuple[Item, ...]] = []
    ordered = sorted(items, key=lambda i: (i.company, i.due_day, i.idx))
    for _, group in groupby(ordered, key=lambda i: i.company):
        fitting = [i for i in group if i.amount < line.amount][: config.max_candidates]
        amounts = [i.amount for i in fitting]
        for combo in subsets_summing(line.amount, amounts, config.max_combination):
            solutions.append(tuple(fitting[j] for j in combo))
        if len(solutions) > 1:
            break
    if not solutions:
        return None
    if len(solutions) > 1:
        return Ambiguous(
            AMBIGUOUS,
            f"{COMBINATION}: {len(solutions)} combinations of the payer's items fit the amount",
            tuple(sorted({i.idx for s in solutions for i in s})),
        )
    (chosen,) = solutions
    return Applied(
        COMBINATION,
        SCORES[COMBINATION] * payer_score,
        chosen[0].company,
        chosen[0].customer,
        _full(chosen),
    )


def by_whole_balance(line: Line, items: Sequence[Item], payer_score: float) -> Outcome:
    """Rule 3b: the payer clears its account: all its open items of one company (those up
    to the amount) add up to the payment, however many they are."""
    solutions: list[list[Item]] = []
    ordered = sorted(items, key=lambda i: (i.company, i.due_day, i.idx))
    for _, group in groupby(ordered, key=lambda i: i.company):
        fitting = [i for i in group if i.amount <= line.amount]
        if len(fitting) >= 2 and sum(i.amount for i in fitting) == line.amount:
            solutions.append(fitting)
    if len(solutions) != 1:
        return None
    (chosen,) = solutions
    return Applied(
        WHOLE_BALANCE,
        SCORES[WHOLE_BALANCE] * payer_score,
        chosen[0].company,
        chosen[0].customer,
        _full(chosen),
    )


def by_discount(
    line: Line, items: Sequence[Item], payer_score: float, config: MatchConfig
) -> Outcome:
    """Rule 4: one item paid less its cash discount, on or before the discount date."""
    found = [
        i
        for i in items
        if discount_allowed(i, line.day, config) and i.amount - i.discount == line.amount
    ]
    allocs = (Alloc(found[0].idx, line.amount, found[0].discount),) if len(found) == 1 else ()
    return _one_or_ambiguous(DISCOUNT, found, payer_score, allocs)


def by_short_payment(
    line: Line, items: Sequence[Item], payer_score: float, config: MatchConfig
) -> Outcome:
    """Rule 5: one item paid short within tolerance; the difference stays open, with a reason."""
    found = [i for i in items if 0 < i.amount - line.amount <= tolerance(i.amount, config)]
    allocs = (
        (Alloc(found[0].idx, line.amount, 0, config.short_reason_code),) if len(found) == 1 else ()
    )
    return _one_or_ambiguous(SHORT_PAYMENT, found, payer_score, allocs)


def by_unreferenced_deduction(
    line: Line, items: Sequence[Item], payer_score: float, config: MatchConfig
) -> Outcome:
    """Last: the payer paid an item short beyond tolerance and named no invoice.

    Which invoice was cut, and by how much, is a guess without a reference, so nothing is
    applied: the line goes to the exceptions with the items it may have paid, for a clerk.
    """
    found = [
        i
        for i in items
        if 0 < i.amount - line.amount <= int(Decimal(i.amount) * config.deduction_max_pct / 100)
    ]
    if not found:
        return None
    return Ambiguous(
        UNREFERENCED_DEDUCTION,
        f"pays less than {len(found)} item(s) of the payer beyond the short tolerance and "
        "names no invoice: a deduction needs the invoice reference",
        tuple(sorted(i.idx for i in found)),
    )
