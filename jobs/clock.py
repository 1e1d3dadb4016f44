"""The runner's own clock: for stamps a person reads (run ids, report times), never for leases.

Leases and grace periods use the journal database's clock (jobs.journal), because runners
on several machines disagree about the time. `OTC_TEST_CLOCK_OFFSET` (seconds, may be
negative) moves this clock only: the crash tests run a runner whose clock is set ahead and
prove that its leases do not move with it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

OFFSET_ENV = "OTC_TEST_CLOCK_OFFSET"


def runner_now() -> datetime:
    offset = os.environ.get(OFFSET_ENV, "").strip()
    return datetime.now(UTC) + timedelta(seconds=float(offset) if offset else 0.0)
