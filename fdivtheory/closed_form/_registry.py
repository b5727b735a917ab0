"""The registry of closed-form pairs, after ``torch.distributions.kl``.

A closed form is registered for a *quantity* and a pair of parameter types::

    @register("kl", Gaussian, Gaussian)
    def _kl_gaussian(p, q): ...

Lookup follows the method resolution order of both types (the most specific
registered pair wins, as in PyTorch), so a subclass of ``Gaussian`` inherits
the Gaussian closed forms.  Quantities:

``"kl"``            ``f(P, Q) -> float``
``"renyi"``         ``f(P, Q, alpha) -> float``; called with ``alpha`` in
                    ``(0, 1) U (1, inf)``, ``0`` or ``inf`` (``alpha = 1`` is
                    dispatched to ``"kl"``); raise :class:`MissingClosedFormError`
                    for an order without a closed form.
``"bhattacharyya"``, ``"hellinger_sq"``, ``"chi2"``
                    ``f(P, Q) -> float``; optional: derived from ``"renyi"``
                    when not registered (more accurate direct forms may be
                    registered).
``"tv"``            ``f(P, Q) -> float``; raise :class:`MissingClosedFormError`
                    for parameters without an exact form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fdivtheory._arguments import choice

__all__ = ["QUANTITIES", "MissingClosedFormError", "lookup", "register", "supported_pairs"]

#: The quantities that can be registered, in table order.
QUANTITIES: tuple[str, ...] = ("kl", "renyi", "bhattacharyya", "hellinger_sq", "chi2", "tv")
#: Quantities derived from the Rényi closed form when not registered directly.
DERIVED_FROM_RENYI: tuple[str, ...] = ("bhattacharyya", "hellinger_sq", "chi2")


class MissingClosedFormError(NotImplementedError):
    """No closed form is registered for this quantity and pair (or these parameters)."""


@dataclass(frozen=True)
class _Entry:
    func: Callable[..., float]
    note: str


_REGISTRY: dict[tuple[str, type, type], _Entry] = {}


def register(quantity: str, type_p: type, type_q: type, *, note: str = "",
             replace: bool = False) -> Callable[[Callable], Callable]:
    """Decorator registering a closed form of ``quantity`` for ``(type_p, type_q)``.

    Parameters
    ----------
    quantity : str
        One of :data:`QUANTITIES`.
    type_p, type_q : type
        Parameter classes of the first and second argument.
    note : str
        Coverage note shown in :func:`supported_pairs` (e.g. which parameters
        have an exact TV, which Rényi orders are covered).
    replace : bool
        Allow replacing an existing registration (otherwise ``ValueError``).

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from fdivtheory.closed_form import register, kl
    >>> @dataclass(frozen=True)
    ... class PointMass:
    ...     x: float
    >>> @register("kl", PointMass, PointMass)
    ... def _kl_point(p, q):
    ...     return 0.0 if p.x == q.x else float("inf")
    >>> kl(PointMass(1.0), PointMass(2.0))
    inf
    """
    choice(quantity, "quantity", QUANTITIES)
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not isinstance(t, type):
            raise TypeError(f"{name} must be a class, got {t!r}")

    def deco(func: Callable) -> Callable:
        key = (quantity, type_p, type_q)
        if key in _REGISTRY and not replace and _REGISTRY[key].func is not func:
            raise ValueError(f"a closed form for {quantity}({type_p.__name__}, "
                             f"{type_q.__name__}) is already registered; pass replace=True")
        _REGISTRY[key] = _Entry(func, note)
        return func

    return deco


def lookup(quantity: str, type_p: type, type_q: type) -> Callable[..., float] | None:
    """The most specific registered function for the pair, or ``None``."""
    best, best_rank = None, None
    for (qty, tp, tq), entry in _REGISTRY.items():
        if qty != quantity or not (issubclass(type_p, tp) and issubclass(type_q, tq)):
            continue
        rank = (type_p.__mro__.index(tp), type_q.__mro__.index(tq))
        if best_rank is None or rank < best_rank:
            best, best_rank = entry.func, rank
    return best


def missing(quantity: str, p: object, q: object, extra: str = "") -> MissingClosedFormError:
    """The error for a pair without a closed form of ``quantity``."""
    tp, tq = type(p).__name__, type(q).__name__
    pairs = sorted(f"({a.__name__}, {b.__name__})" for (qty, a, b) in _REGISTRY if qty == quantity)
    msg = f"no closed form for {quantity}({tp}, {tq}) is registered"
    if extra:
        msg = f"{quantity}({tp}, {tq}): {extra}"
    elif pairs:
        msg += f"; {quantity} is registered for {', '.join(pairs)}"
    if quantity == "tv":
        msg += "; use fdivtheory.closed_form.tv_bounds(P, Q) for certified bounds"
    msg += ". See fdivtheory.closed_form.supported_pairs()."
    return MissingClosedFormError(msg)


def _pairs() -> list[tuple[type, type]]:
    pairs = {(tp, tq) for _, tp, tq in _REGISTRY}
    return sorted(pairs, key=lambda t: (t[0].__name__, t[1].__name__))


def supported_pairs(fmt: str = "markdown") -> str | list[dict[str, str]]:
    """What the registry holds, generated at runtime.

    Parameters
    ----------
    fmt : ``"markdown"`` (default) or ``"records"``
        A Markdown table (one row per registered pair, one column per quantity),
        or the same as a list of dicts.

    Cells: ``closed form`` (registered; a note in parentheses says which
    parameters or orders it covers, e.g. the cases with an exact TV; outside
    them the function raises :class:`MissingClosedFormError` and ``tv_bounds``
    applies), ``from Rényi`` (derived from the Rényi closed form:
    ``B = D_{1/2}/2``, ``H^2 = 2(1 - e^{-B})``, ``chi^2 = e^{D_2} - 1``),
    ``—`` (missing).

    Examples
    --------
    >>> from fdivtheory.closed_form import supported_pairs
    >>> print(supported_pairs())  # doctest: +ELLIPSIS
    | P | Q | kl | renyi | ...
    """
    choice(fmt, "fmt", ("markdown", "records"))
    records: list[dict[str, str]] = []
    for tp, tq in _pairs():
        row = {"P": tp.__name__, "Q": tq.__name__}
        for qty in QUANTITIES:
            entry = _REGISTRY.get((qty, tp, tq))
            if entry is not None:
                row[qty] = f"closed form ({entry.note})" if entry.note else "closed form"
            elif qty in DERIVED_FROM_RENYI and (("renyi", tp, tq) in _REGISTRY):
                row[qty] = "from Rényi"
            else:
                row[qty] = "—"
        records.append(row)
    if fmt == "records":
        return records
    cols = ["P", "Q", *QUANTITIES]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in records]
    return "\n".join(lines)
