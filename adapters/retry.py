"""The retry policy: `TransientError` only, backoff with jitter, bounded in tries and time.

Not `ErpRejected` (the ERP said no: retrying says no again) and not `OutcomeUnknown`
(the ERP may have acted: retrying may post twice). `reraise=True` hands the caller the
real error, never tenacity's `RetryError` wrapper.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from adapters.errors import TransientError

log = structlog.get_logger("otc.retry")


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("retrying", attempt=state.attempt_number, error=str(error))


def transient_policy(
    attempts: int = 5,
    budget_s: float = 120.0,
    *,
    max_wait_s: float = 30.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> Retrying:
    """A fresh policy; tests pass `sleep=` a no-op."""
    return Retrying(
        retry=retry_if_exception_type(TransientError),
        wait=wait_random_exponential(multiplier=0.5, max=max_wait_s),
        stop=stop_after_attempt(attempts) | stop_after_delay(budget_s),
        before_sleep=_log_retry,
        sleep=sleep,
        reraise=True,
    )


#: Reads retry more and sooner than postings: asking again changes nothing in the ERP, and a
#: run makes hundreds of reads (pre-flight, settle, pulls), each of which must get through a
#: flaky gateway (issue 13: a 10 % `unavailable` rate on every call still completes a run).
READ_ATTEMPTS = 8
READ_BUDGET_S = 120.0
READ_MAX_WAIT_S = 5.0


def read_policy(sleep: Callable[[float], Any] = time.sleep) -> Retrying:
    """The policy every read goes through (transports wrap their read calls in it)."""
    return Retrying(
        retry=retry_if_exception_type(TransientError),
        wait=wait_random_exponential(multiplier=0.2, max=READ_MAX_WAIT_S),
        stop=stop_after_attempt(READ_ATTEMPTS) | stop_after_delay(READ_BUDGET_S),
        before_sleep=_log_retry,
        sleep=sleep,
        reraise=True,
    )
