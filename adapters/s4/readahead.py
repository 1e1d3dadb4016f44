"""Read the next OData page while the caller maps and validates the current one.

Why: a pull is request, wait, parse, map, validate, then the next request. Gateway builds the
next page while nothing asks for it. Fetching (and parsing) in one background thread overlaps
the server's work with ours; the queue holds at most ``depth`` pages, so memory stays flat
(docs/benchmarks.md, s4api pull). Errors in the reader thread reach the caller at the page
where they happened; a caller that stops early stops the thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``source``'s items in order, produced by a thread up to ``depth`` items ahead."""
    pending: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                pending.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            put(_Failed(exc))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name="odata-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = pending.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5)
