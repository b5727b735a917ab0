"""The registry behind the verification report (``python -m simulations.verify``).

Every verified result registers *checks*: a claim from a paper (or from the
core theory), a function that computes the claimed quantity exactly or by a
seeded simulation, and the reference value or bound it is compared with.

A check function takes ``quick: bool`` and returns one :class:`Outcome` or a
list of them (one per sub-case, distinguished by ``label``).  Outcomes are
built with :func:`close`, :func:`at_most`, :func:`at_least` or :func:`holds`
so that the tolerance and the margin are computed the same way everywhere::

    from fdivtheory import checks

    @checks.register("core.pinsker", area="core",
                     claim="TV(p, q) <= sqrt(KL(p||q) / 2) on random pairs")
    def _pinsker(quick):
        ...
        return checks.at_most(max_ratio, 1.0, label="max TV / sqrt(KL/2)")

``margin`` is signed: positive means the claim holds with room to spare
(distance to the tolerance or the bound), negative means it fails.
A check of ``kind="conjecture"`` never fails the report; it warns instead.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CORE_CHECKS",
    "Check",
    "Outcome",
    "at_least",
    "at_most",
    "check_modules",
    "close",
    "holds",
    "load_all",
    "register",
    "registered",
]

#: The core's own checks (divergences, generators, Rényi); every other check module is
#: discovered: a module named ``checks`` in any subpackage of :mod:`fdivtheory`.
CORE_CHECKS = "fdivtheory._core_checks"


def check_modules() -> list[str]:
    """Names of the check modules, the core's first, then the subpackages' in name order.

    A subpackage registers checks by holding a ``checks.py`` (e.g.
    ``fdivtheory/alignment/checks.py``); nothing in the core names it.  Found on
    the file system, so that listing imports nothing.
    """
    root = Path(__file__).resolve().parent
    found = sorted(".".join(("fdivtheory", *path.relative_to(root).parent.parts, "checks"))
                   for path in root.rglob("checks.py")
                   if path.parent != root and "__pycache__" not in path.parts
                   and (path.parent / "__init__.py").exists())
    return [CORE_CHECKS, *found]


@dataclass(frozen=True)
class Outcome:
    """One compared number of a check.

    Attributes
    ----------
    value : float
        The computed quantity.
    reference : float
        The reference value (``relation="close"``) or the bound
        (``"at_most"`` / ``"at_least"``); NaN for ``"holds"``.
    relation : str
        ``"close"``, ``"at_most"``, ``"at_least"`` or ``"holds"``.
    tolerance : float
        Absolute tolerance used for the comparison.
    margin : float
        Signed room left: ``tolerance - |value - reference|`` for ``close``,
        ``reference - value`` (``at_most``), ``value - reference``
        (``at_least``); positive when the claim holds.
    passed : bool
    label : str
        Sub-case name, shown next to the check id.
    note : str
        Free text (e.g. Monte Carlo standard error, sample size).
    """

    value: float
    reference: float
    relation: str
    tolerance: float
    margin: float
    passed: bool
    label: str = ""
    note: str = ""


def close(value: float, reference: float, *, atol: float = 0.0, rtol: float = 0.0,
          label: str = "", note: str = "") -> Outcome:
    """Outcome for ``|value - reference| <= atol + rtol * |reference|``."""
    value, reference = float(value), float(reference)
    tol = atol + rtol * abs(reference)
    if math.isinf(reference) and value == reference:
        margin = tol
    else:
        margin = tol - abs(value - reference)
    passed = bool(margin >= 0)  # NaN compares False: a NaN never passes
    return Outcome(value, reference, "close", tol, margin, passed, label, note)


def at_most(value: float, bound: float, *, atol: float = 0.0, label: str = "",
            note: str = "") -> Outcome:
    """Outcome for ``value <= bound + atol``."""
    value, bound = float(value), float(bound)
    margin = bound - value if value != bound else 0.0
    passed = bool(margin + atol >= 0)
    return Outcome(value, bound, "at_most", atol, margin, passed, label, note)


def at_least(value: float, bound: float, *, atol: float = 0.0, label: str = "",
             note: str = "") -> Outcome:
    """Outcome for ``value >= bound - atol``."""
    value, bound = float(value), float(bound)
    margin = value - bound if value != bound else 0.0
    passed = bool(margin + atol >= 0)
    return Outcome(value, bound, "at_least", atol, margin, passed, label, note)


def holds(condition: bool, *, value: float = math.nan, label: str = "",
          note: str = "") -> Outcome:
    """Outcome for a boolean property (e.g. "zero violations in 10^4 cases")."""
    passed = bool(condition)
    return Outcome(float(value), math.nan, "holds", 0.0, 1.0 if passed else -1.0, passed,
                   label, note)


@dataclass(frozen=True)
class Check:
    """A registered claim and the function that verifies it."""

    id: str
    area: str
    claim: str
    func: Callable[[bool], Outcome | Sequence[Outcome]]
    kind: str = "theorem"  # "theorem" fails the report; "conjecture" only warns
    source: str = ""
    tags: tuple[str, ...] = field(default=())

    def run(self, quick: bool = True) -> list[Outcome]:
        """Run the check and return its outcomes as a list."""
        out = self.func(quick)
        if isinstance(out, Outcome):
            return [out]
        out = list(out)
        if not out or not all(isinstance(o, Outcome) for o in out):
            raise TypeError(f"check {self.id!r} must return Outcome objects, got {out!r}")
        return out


_REGISTRY: dict[str, Check] = {}


def register(id: str, *, area: str, claim: str, kind: str = "theorem", source: str = "",
             tags: Sequence[str] = ()) -> Callable:
    """Decorator registering ``func(quick) -> Outcome | list[Outcome]`` as a check."""
    if kind not in ("theorem", "conjecture"):
        raise ValueError(f"kind must be 'theorem' or 'conjecture', got {kind!r}")

    def deco(func: Callable) -> Callable:
        if id in _REGISTRY and _REGISTRY[id].func.__qualname__ != func.__qualname__:
            raise ValueError(f"check id {id!r} is registered twice")
        _REGISTRY[id] = Check(id, area, claim, func, kind, source, tuple(tags))
        return func

    return deco


def load_all() -> None:
    """Import every module of :func:`check_modules` so that its checks register."""
    for name in check_modules():
        importlib.import_module(name)


def registered(area: str | None = None) -> list[Check]:
    """The registered checks (all, or one area's), in registration order."""
    return [c for c in _REGISTRY.values() if area is None or c.area == area]
