"""Python implementations of the EBS public APIs the PL/SQL blocks call (docs/specs/oracle.md §3).

Importing this package registers every routine, constant and record type with
``registry``; the PL/SQL checker resolves names against it.
"""

from __future__ import annotations

from mock_erp.oracle.apis import (  # noqa: F401  (registration side effects)
    adjustments,
    applications,
    credit_memos,
    fnd,
    receipts,
    records,
    refunds,
    registry,
    reversals,
    tca,
    writeoffs,
)

__all__ = ["registry"]
