"""Open deductions and disputed items per customer, with age and reason (`otc disputes list`)."""

from __future__ import annotations

from jobs.disputes.report import Disputes, build

__all__ = ["Disputes", "build"]
