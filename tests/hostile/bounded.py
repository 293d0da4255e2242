"""Run one hostile case in a forked child with a hard memory ceiling and a wall-clock
guard, measuring its peak traced memory (tracemalloc) and peak RSS (resource).

A defence that fails must fail the TEST, not take the machine down: the child has
RLIMIT_AS set, so a billion-laughs expansion that got through would die with MemoryError
in the child instead of eating the test runner's memory.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MiB = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    error_type: str | None
    message: str
    peak_traced: int
    peak_rss: int
    seconds: float
    value: str = ""

    def __str__(self) -> str:  # shown by pytest on failure
        return (f"{self.error_type}: {self.message} [peak {self.peak_traced / MiB:.1f} MiB traced, "
                f"{self.peak_rss / MiB:.0f} MiB RSS, {self.seconds:.2f}s]")


def _child(conn, fn: Callable[..., Any], args: tuple, kwargs: dict, address_space: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    tracemalloc.stop()  # forget what the parent traced (python -X tracemalloc)
    tracemalloc.start()
    t0 = time.perf_counter()
    error_type, message, value = None, "", ""
    try:
        result = fn(*args, **kwargs)
        value = repr(result)[:20000]
    except BaseException as exc:  # we report whatever happened
        error_type = type(exc).__name__
        message = exc.one_line() if hasattr(exc, "one_line") else str(exc)[:2000]
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    conn.send(Outcome(error_type, message, peak, rss, seconds, value))
    conn.close()


def run_bounded(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float = 60,
    address_space: int = 3 * 1024 * MiB,
    **kwargs: Any,
) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in a forked child; return what happened and its cost.

    Fails (AssertionError) if the child runs longer than ``seconds`` or dies.
    """
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, address_space))
    proc.start()
    child.close()
    ready = parent.poll(seconds)
    if not ready:
        proc.kill()
        proc.join()
        raise AssertionError(f"{getattr(fn, '__name__', fn)} took longer than {seconds}s")
    try:
        outcome: Outcome = parent.recv()
    except EOFError:
        proc.join()
        raise AssertionError(f"child died with exit code {proc.exitcode}") from None
    proc.join()
    return outcome
