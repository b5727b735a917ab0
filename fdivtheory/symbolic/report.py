"""The result objects of :func:`fdivtheory.symbolic.verify`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckResult", "VerificationReport"]


@dataclass(frozen=True)
class CheckResult:
    """One verified property of a generator.

    Attributes
    ----------
    name : str
        The property, e.g. ``"f(1) = 0"`` or ``"convex"``.
    ok : bool
        Whether it holds.
    detail : str
        How it was decided (``sympy: ...``, ``mpmath: ...``) and the evidence
        (the exact value, the worst error on the grid, a counterexample).
    """

    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


@dataclass(frozen=True)
class VerificationReport:
    """The result of :func:`verify`: one :class:`CheckResult` per property.

    ``report.ok`` is true when every property holds; ``str(report)`` lists
    them, failures first.
    """

    generator: str
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    def result(self, name: str) -> CheckResult:
        """The result of the property called ``name``."""
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no check named {name!r}; have {[r.name for r in self.results]}")

    def __str__(self) -> str:
        head = (f"generator {self.generator}: "
                + ("all checks pass" if self.ok else f"{len(self.failures)} check(s) FAIL"))
        body = sorted(self.results, key=lambda r: r.ok)
        return "\n".join([head] + [f"  {r}" for r in body])
