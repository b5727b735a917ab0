"""A wall-clock budget for sympy calls.

sympy's ``limit`` and ``solve`` can run for minutes on an innocent-looking
expression; :func:`deadline` interrupts them (main thread, POSIX) so that the
verification falls back on mpmath instead of hanging.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["LIMIT_BUDGET", "SOLVE_BUDGET", "deadline"]


# sympy's limit and solve can run for minutes on an innocent-looking expression;
# in the main thread they get these budgets (seconds), then mpmath takes over.
LIMIT_BUDGET = 2.0
SOLVE_BUDGET = 1.0


class _OutOfTime(BaseException):
    """Raised by the timer; a BaseException so that no ``except Exception`` swallows it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``TimeoutError`` from the block after ``seconds`` (main thread, POSIX only).

    Nested use is safe: an enclosing deadline that expires first passes
    through the inner block, and an enclosing interval timer (e.g.
    pytest-timeout's) is restored afterwards.  Elsewhere the block runs
    without a limit.
    """
    if (not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left < seconds:
        yield  # the enclosing timer fires first anyway
        return
    token = object()

    def expire(signum: int, frame: Any) -> None:
        raise _OutOfTime(token)

    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OutOfTime as exc:
        if exc.args[0] is not token:
            raise
        raise TimeoutError(f"sympy took more than {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            left = max(outer_left - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
