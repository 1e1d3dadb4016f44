"""The pull's read-ahead: same items in the same order, errors where they happened, and a
caller that stops early stops the reader thread (no page fetched for nobody)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from adapters.errors import TransportError
from adapters.s4.readahead import read_ahead


def test_items_come_in_order_and_at_most_depth_ahead() -> None:
    produced: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(50):
            produced.append(n)
            yield n

    seen: list[int] = []
    for item in read_ahead(pages(), depth=2):
        time.sleep(0.001)
        assert len(produced) - len(seen) <= 4  # the queue's 2, one in hand, one being put
        seen.append(item)
    assert seen == list(range(50))


def test_an_error_arrives_after_the_items_before_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise TransportError("s4", "HTTP 500")

    seen: list[int] = []
    with pytest.raises(TransportError, match="HTTP 500"):
        for item in read_ahead(pages()):
            seen.append(item)
    assert seen == [1, 2]


def test_stopping_early_stops_the_reader() -> None:
    produced: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(1000):
            produced.append(n)
            yield n

    before = threading.active_count()
    for item in read_ahead(pages(), depth=2):
        if item == 3:
            break
    time.sleep(0.3)
    assert len(produced) < 10
    assert threading.active_count() == before
