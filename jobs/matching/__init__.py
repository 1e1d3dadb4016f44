"""Cash application matching: bank lines against open items (docs/matching.md).

`match(bank, open_items, customers, config)` returns the `CashApplications` frame (validated)
and the exceptions a clerk works from; `generate` builds ledgers and bank lines with known truth.
"""

from __future__ import annotations

from jobs.matching.config import MatchConfig, load_config
from jobs.matching.engine import MatchResult, match

__all__ = ["MatchConfig", "MatchResult", "load_config", "match"]
