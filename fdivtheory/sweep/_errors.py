"""The one exception type the runner raises for problems a user can fix."""

from __future__ import annotations


class SweepError(Exception):
    """A user-facing error: its message is one line and ``status`` is the exit status.

    The command line prints ``error: <message>`` and exits with ``status``
    (2 for bad input or an unusable environment, 1 when a task failed).
    """

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def one_line(exc: BaseException) -> str:
    """``"TypeName: first line of the message"`` (just the type name if it has none)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
