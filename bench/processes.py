"""Measurements in a fresh process, so a peak RSS belongs to one run alone."""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from collections.abc import Callable, Iterator
from typing import Any

Measured = dict[str, float]


def peak_rss_mib() -> float:
    """Peak RSS of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _run(run: Callable[..., Measured], args: tuple[Any, ...], out: Any) -> None:
    result = run(*args)
    result["peak_mib"] = peak_rss_mib()
    out.send(result)
    out.close()


def in_fresh_process(label: str, run: Callable[..., Measured], *args: Any) -> Measured:
    """`run(*args)` in a spawned process; its result plus that process's `peak_mib`.

    `run` must be a module-level function (spawn pickles it by name).
    """
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(run, args, send))
    proc.start()
    send.close()
    try:
        result: Measured = receive.recv()
    except EOFError as exc:
        raise RuntimeError(f"{label}: child died (exit code {proc.exitcode})") from exc
    finally:
        proc.join()
    return result


def drain(frames: Iterator[Any]) -> Measured:
    """Consume a pull one frame at a time, as a job would: rows, frames, seconds, start RSS.

    The clock starts at the first `next()`, so the generator's setup counts as pull work.
    """
    before = current_rss_mib()
    started = time.perf_counter()
    rows = count = 0
    for frame in frames:
        rows += frame.height
        count += 1
        del frame
    seconds = time.perf_counter() - started
    return {"rows": rows, "frames": count, "seconds": seconds, "rss_before": before}
