"""The registry: shipped generators by name and alias, and user generators.

A shipped generator is a factory (a function of its parameters) in
``_FACTORIES``; aliases map other spellings onto those names;
:func:`register_generator` adds a user :class:`Generator` after
:func:`fdivtheory.symbolic.verify` accepts it (imported when called, so that
:mod:`fdivtheory.symbolic` may import this package, never the other way round).
"""

from __future__ import annotations

from collections.abc import Callable

from fdivtheory.generators.algebraic import chi_alpha, hellinger_sq, le_cam, neyman, pearson
from fdivtheory.generators.generator import Generator
from fdivtheory.generators.logarithmic import jeffreys, kl, reverse_kl, skew_js
from fdivtheory.generators.piecewise_linear import hockey_stick, tv
from fdivtheory.generators.power import power

__all__ = ["available_generators", "get_generator", "register_generator"]

_FACTORIES: dict[str, Callable[..., Generator]] = {
    "kl": kl,
    "reverse_kl": reverse_kl,
    "js": lambda: skew_js(0.5, name="js"),
    "skew_js": skew_js,
    "tv": tv,
    "pearson": pearson,
    "neyman": neyman,
    "hellinger_sq": hellinger_sq,
    "jeffreys": jeffreys,
    "le_cam": le_cam,
    "triangular": lambda: le_cam(1.0, name="triangular"),
    "hockey_stick": hockey_stick,
    "chi_alpha": chi_alpha,
    "power": power,
}

_ALIASES: dict[str, str] = {
    "kullback_leibler": "kl",
    "kullback-leibler": "kl",
    "relative_entropy": "kl",
    "reverse_kullback_leibler": "reverse_kl",
    "jensen_shannon": "js",
    "jensen-shannon": "js",
    "total_variation": "tv",
    "chi2": "pearson",
    "pearson_chi2": "pearson",
    "neyman_chi2": "neyman",
    "squared_hellinger": "hellinger_sq",
    "hellinger2": "hellinger_sq",
    "triangular_discrimination": "triangular",
    "e_gamma": "hockey_stick",
    "alpha": "power",
}

_USER: dict[str, Generator] = {}


def available_generators() -> list[str]:
    """Names accepted by :func:`get_generator` (aliases excluded)."""
    return sorted(list(_FACTORIES) + list(_USER))


def get_generator(name: str | Generator, **params: float) -> Generator:
    """Look up a generator by name (or alias), with its parameters.

    >>> get_generator("kl").slope_at_infinity
    inf
    >>> get_generator("hockey_stick", gamma=2.0).name
    'hockey_stick(gamma=2)'
    >>> get_generator("power", beta=0.5).value_at_zero
    2.0
    """
    if isinstance(name, Generator):
        if params:
            raise TypeError("parameters cannot be given together with a Generator object")
        return name
    if not isinstance(name, str):
        raise TypeError(f"f must be a Generator or a generator name, got {type(name).__name__}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key in _USER:
        if params:
            raise TypeError(f"registered generator {name!r} takes no parameters")
        return _USER[key]
    if key not in _FACTORIES:
        raise ValueError(
            f"unknown generator {name!r}; available: {', '.join(available_generators())}"
        )
    try:
        return _FACTORIES[key](**params)
    except TypeError as exc:
        raise TypeError(f"generator {name!r}: {exc}") from None


def register_generator(generator: Generator, *, verify: bool = True,
                       overwrite: bool = False) -> Generator:
    """Add a user generator to the registry (verified symbolically first).

    Verification (:func:`fdivtheory.symbolic.verify`) checks f(1) = 0,
    convexity, f(0+), f'(∞), f'(1) and the numeric implementation against the
    sympy expression; a failure raises ``ValueError`` with the report.
    """
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a Generator, got {type(generator).__name__}")
    key = generator.name.strip().lower()
    if not overwrite and (key in _FACTORIES or key in _ALIASES or key in _USER):
        raise ValueError(f"a generator named {generator.name!r} is already registered")
    if verify:
        from fdivtheory.symbolic import verify as _verify

        report = _verify(generator)
        if not report.ok:
            raise ValueError(f"generator {generator.name!r} failed verification:\n{report}")
    _USER[key] = generator
    return generator
