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
