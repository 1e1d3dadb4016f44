"""Which invoice each credit memo of a payment is applied to, and for how much (issue 17).

EBS has no "receipt less credit memo" in one call: the credit memo is applied to a debit item
(AR_CM_API_PUB.APPLY_ON_ACCOUNT, one application per credit memo and installment:
ARP_PROCESS_APPLICATION.cm_application refuses a second one, AR_RW_PAID_INVOICE_TWICE), and
the receipt applies what is left. The split is ours to choose; it must be deterministic (a
rerun looks for the same applications) and never take an invoice below what the payment's
own row leaves for the receipt (a negative receipt application would be a sign flip).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Allocation:
    """`amount` (positive) of credit `credit` applied to invoice `invoice` (their indices)."""

    credit: int
    invoice: int
    amount: Decimal


class NettingError(ValueError):
    """The credit memos of a payment do not fit on its invoices; `credit` says which."""

    def __init__(self, credit: int, message: str) -> None:
        super().__init__(message)
        self.credit = credit


def allocate(
    invoices: Sequence[tuple[int, Decimal]], credits: Sequence[tuple[int, Decimal]]
) -> list[Allocation]:
    """Greedy, in row order: each credit (its positive amount) fills the invoices' applied
    amounts in turn. Raises `NettingError` when the credits exceed the invoices."""
    room = {invoice: amount for invoice, amount in invoices}
    out: list[Allocation] = []
    for credit, amount in credits:
        left = amount
        for invoice, free in list(room.items()):
            take = min(left, free)
            if take > 0:
                out.append(Allocation(credit, invoice, take))
                room[invoice] -= take
                left -= take
        if left > 0:
            total = sum((a for _, a in invoices), Decimal(0))
            raise NettingError(
                credit,
                f"({amount}) does not fit on the invoices it is netted against ({total} in "
                "all, less the credit memos before it)",
            )
    return out


def net_per_invoice(
    invoices: Sequence[tuple[int, Decimal]], allocations: Sequence[Allocation]
) -> dict[int, Decimal]:
    """What the receipt applies to each invoice: its row's amount less the credits on it."""
    net = {invoice: amount for invoice, amount in invoices}
    for a in allocations:
        net[a.invoice] -= a.amount
    return net
