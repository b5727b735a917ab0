"""The argument checks of the library's public functions, written once.

Every public function of :mod:`fdivtheory` and its subpackages checks its
arguments with these functions, so that the same input is accepted or refused
everywhere and every refusal reads the same way: the argument's name, the rule
it broke, and the value received,

    ``lam must be > 0, got -1.0``
    ``p must sum to 1 within 1e-09, got sum 1.5``
    ``n must be an integer, got str '3'``

Errors
------
* A value of the right kind that breaks a rule raises :class:`ValueError`.
* A value of the wrong kind (a string, a bool or a complex number where a real
  number is needed, a float where an integer is needed, an array of strings)
  raises :class:`ArgumentTypeError`.  It is a :class:`TypeError`, as Python's
  conventions ask, and also a :class:`ValueError`, because several
  subpackages raised ``ValueError`` for such input before their checks were
  merged here and callers that catch ``ValueError`` must keep working (the
  same device as NumPy's ``AxisError``, both a ``ValueError`` and an
  ``IndexError``).

Numbers
-------
Real scalars are Python and NumPy numbers, 0-d real arrays and any other
object that converts with :func:`float` (``fractions.Fraction``,
``decimal.Decimal``, ``mpmath.mpf``, SymPy numbers).  Bools and strings are
refused even though :func:`float` would convert them: ``lam=True`` or
``lam="1"`` is a mistake, not a request for ``1.0``.  NaN is refused by every
check.

Arrays
------
Arrays are converted to float64 NumPy arrays on the host (CuPy and other
array-API arrays are copied from their device).  Integer and bool arrays are
accepted and converted; strings, complex numbers and ragged nestings are
refused with :class:`ArgumentTypeError`.

Probability vectors and channels must sum to 1 within :data:`SUM_TOL`
(``1e-9``), the tolerance of the core's ``normalize="check"``, so that a
vector :func:`fdivtheory.kl` accepts is accepted everywhere.  The size: a
float64 vector obtained by dividing ``K`` weights by their total errs in its
sum by at most about ``K`` ulps (``2e-10`` for ``K = 10^6``), and one printed
to 10 decimals by at most ``K / 2 * 1e-10``; a sum farther from 1 is almost
always a genuine mistake (unnormalised weights, the wrong axis).  Accepted
vectors are divided by their sum by default, so no result depends on the
tolerance.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from fdivtheory._validation import SUM_TOL

__all__ = [
    "SUM_TOL",
    "ArgumentTypeError",
    "channel",
    "check_shape",
    "choice",
    "distributions",
    "finite",
    "finite_array",
    "in_interval",
    "nonnegative",
    "positive",
    "positive_int",
    "probability",
    "probability_vector",
    "real",
]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong kind: both a :class:`TypeError` and a :class:`ValueError`."""


def _describe(value: object) -> str:
    """``type value`` for an error message, e.g. ``str '3'``."""
    return f"{type(value).__name__} {value!r}"


# --------------------------------------------------------------------------- scalars

def _as_float(value: object, name: str) -> float:
    """``float(value)`` for a real number (NaN and inf included), else :class:`ArgumentTypeError`."""
    if isinstance(value, bool | np.bool_ | str | bytes | complex | np.complexfloating) or (
            isinstance(value, np.ndarray) and (value.ndim != 0 or value.dtype.kind not in "iuf")):
        raise ArgumentTypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond the float range
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must be a real number, got {_describe(value)}") from None


def _rule(v: float, value: object, name: str, ok: bool, rule: str, allow_inf: bool) -> float:
    """``v`` if ``ok`` (False for NaN) and finite unless ``allow_inf``, else ``ValueError``."""
    if not ok:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    if math.isinf(v) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def real(value: object, name: str, *, allow_inf: bool = True) -> float:
    """``value`` as a float: a real number, never NaN; infinite only if ``allow_inf``.

    Raises :class:`ArgumentTypeError` for a bool, a string, a complex number,
    an array with an axis or anything :func:`float` cannot convert, and
    :class:`ValueError` for NaN (and for ``+-inf`` unless ``allow_inf``).

    >>> real(3, "x")
    3.0
    >>> real(float("inf"), "x")
    inf
    >>> real(float("nan"), "x")
    Traceback (most recent call last):
    ...
    ValueError: x must not be NaN, got nan
    >>> real("3", "x")
    Traceback (most recent call last):
    ...
    fdivtheory._arguments.ArgumentTypeError: x must be a real number, got str '3'
    """
    v = _as_float(value, name)
    if math.isnan(v):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    if math.isinf(v) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def finite(value: object, name: str) -> float:
    """``value`` as a finite float (see :func:`real`).

    >>> finite(-2.5, "loc")
    -2.5
    >>> finite(float("-inf"), "loc")
    Traceback (most recent call last):
    ...
    ValueError: loc must be finite, got -inf
    """
    return real(value, name, allow_inf=False)


def positive(value: object, name: str, *, allow_inf: bool = False) -> float:
    """``value`` as a float ``> 0``, finite unless ``allow_inf``.

    NaN breaks the rule (``lam must be > 0, got nan``).

    >>> positive(0.5, "lam")
    0.5
    >>> positive(-1.0, "lam")
    Traceback (most recent call last):
    ...
    ValueError: lam must be > 0, got -1.0
    """
    v = _as_float(value, name)
    return _rule(v, value, name, v > 0.0, "> 0", allow_inf)


def nonnegative(value: object, name: str, *, allow_inf: bool = False) -> float:
    """``value`` as a float ``>= 0``, finite unless ``allow_inf``.

    >>> nonnegative(0, "rho")
    0.0
    >>> nonnegative(float("inf"), "delta", allow_inf=True)
    inf
    >>> nonnegative(-1e-3, "rho")
    Traceback (most recent call last):
    ...
    ValueError: rho must be >= 0, got -0.001
    """
    v = _as_float(value, name)
    return _rule(v, value, name, v >= 0.0, ">= 0", allow_inf)


def positive_int(value: object, name: str, *, minimum: int = 1,
                 allow_integral_float: bool = False) -> int:
    """``value`` as a Python int ``>= minimum``.

    Integers are Python and NumPy integers and 0-d integer arrays (anything
    with ``__index__`` except a bool), so arbitrarily large Python ints pass
    unchanged.  A float is refused with :class:`ArgumentTypeError` unless
    ``allow_integral_float`` is set and it is a whole number (``3.0``).

    >>> positive_int(3, "n")
    3
    >>> positive_int(2.0, "n", allow_integral_float=True)
    2
    >>> positive_int(0, "n")
    Traceback (most recent call last):
    ...
    ValueError: n must be >= 1, got 0
    >>> positive_int(True, "n")
    Traceback (most recent call last):
    ...
    fdivtheory._arguments.ArgumentTypeError: n must be an integer, got bool True
    """
    if isinstance(value, bool | np.bool_ | str | bytes):
        raise ArgumentTypeError(f"{name} must be an integer, got {_describe(value)}")
    try:
        v = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if not allow_integral_float:
            raise ArgumentTypeError(f"{name} must be an integer, got {_describe(value)}") from None
        f = _as_float(value, name)
        if not (math.isfinite(f) and f.is_integer()):
            raise ArgumentTypeError(
                f"{name} must be an integer, got {_describe(value)}") from None
        v = int(f)
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return v


_BRACKETS = {(True, True): "[]", (False, False): "()", (True, False): "[)", (False, True): "(]"}


def in_interval(value: object, name: str, low: float, high: float, *, closed: str = "both",
                reason: str = "") -> float:
    """``value`` as a float in the interval from ``low`` to ``high``.

    ``closed`` is ``"both"``, ``"neither"``, ``"left"`` or ``"right"`` (which
    ends belong to the interval, as in :class:`pandas.Interval`); ``reason``,
    if given, is appended to the message to say where the interval comes from.

    >>> in_interval(0.25, "eps", 0.0, 0.5, closed="neither")
    0.25
    >>> in_interval(0.5, "eps", 0.0, 0.5, closed="neither",
    ...             reason="the Bayes error of two laws is at most 1/2")
    Traceback (most recent call last):
    ...
    ValueError: eps must lie in (0, 0.5), got 0.5 (the Bayes error of two laws is at most 1/2)
    """
    if closed not in ("both", "neither", "left", "right"):
        raise ValueError(f"closed must be one of 'both', 'neither', 'left', 'right', "
                         f"got {closed!r}")
    left = closed in ("both", "left")
    right = closed in ("both", "right")
    v = _as_float(value, name)
    above = v >= low if left else v > low
    below = v <= high if right else v < high
    if not (above and below):
        lb, rb = _BRACKETS[left, right]
        why = f" ({reason})" if reason else ""
        raise ValueError(f"{name} must lie in {lb}{low:g}, {high:g}{rb}, got {value!r}{why}")
    return v  # NaN fails both comparisons above


_PROBABILITY_INTERVALS = {"[0, 1]": "both", "(0, 1)": "neither", "[0, 1)": "left",
                          "(0, 1]": "right"}


def probability(value: object, name: str, *, interval: str = "[0, 1]") -> float:
    """``value`` as a probability in ``interval``: ``"[0, 1]"``, ``"(0, 1)"``, ``"[0, 1)"`` or ``"(0, 1]"``.

    >>> probability(1.0, "q")
    1.0
    >>> probability(1.0, "delta", interval="(0, 1)")
    Traceback (most recent call last):
    ...
    ValueError: delta must lie in (0, 1), got 1.0
    """
    try:
        closed = _PROBABILITY_INTERVALS[interval]
    except (KeyError, TypeError):
        raise ValueError(f"interval must be one of {', '.join(map(repr, _PROBABILITY_INTERVALS))}, "
                         f"got {interval!r}") from None
    return in_interval(value, name, 0.0, 1.0, closed=closed)


def choice(value: object, name: str, choices: Iterable[str] | Mapping[str, str], *,
           case_sensitive: bool = True) -> str:
    """``value`` if it is one of ``choices``; with a mapping (aliases), its canonical name.

    >>> choice("kl", "divergence", ("tv", "kl", "chi2"))
    'kl'
    >>> choice("Chi-Squared", "divergence", {"chi2": "chi2", "chi-squared": "chi2"},
    ...        case_sensitive=False)
    'chi2'
    >>> choice("js", "divergence", ("tv", "kl", "chi2"))
    Traceback (most recent call last):
    ...
    ValueError: divergence must be one of 'tv', 'kl', 'chi2', got 'js'
    """
    table = dict(choices) if isinstance(choices, Mapping) else {c: c for c in choices}
    key = value.lower() if isinstance(value, str) and not case_sensitive else value
    if not isinstance(key, str) or key not in table:
        shown = list(dict.fromkeys(table.values())) if isinstance(choices, Mapping) else table
        raise ValueError(f"{name} must be one of {', '.join(map(repr, shown))}, got {value!r}")
    return table[key]


# --------------------------------------------------------------------------- arrays

def _host_array(x: object, name: str) -> np.ndarray:
    """``x`` as a NumPy array on the host, without a dtype conversion yet."""
    if isinstance(x, str | bytes):
        raise ArgumentTypeError(f"{name} must be an array of real numbers, got {_describe(x)}")
    if hasattr(x, "__array_namespace__") and not isinstance(x, np.ndarray):
        if hasattr(x, "get"):  # CuPy: copy from the device
            x = x.get()
        else:
            import array_api_compat

            try:
                x = array_api_compat.to_device(x, "cpu")
            except (TypeError, ValueError, RuntimeError, AttributeError):
                pass
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nesting
        raise ArgumentTypeError(f"{name} must be an array of real numbers: {exc}") from None


def finite_array(x: object, name: str, *, ndim: int | Sequence[int] | None = None,
                 nonempty: bool = False) -> np.ndarray:
    """``x`` as a float64 NumPy array with no NaN or infinity.

    ``ndim`` (an int or a sequence of allowed ints) fixes the number of axes;
    ``nonempty`` refuses an array with no entries.  Real, integer and bool
    arrays are accepted (object arrays if every entry converts with
    :func:`float`); anything else raises :class:`ArgumentTypeError`.  The
    result may share memory with ``x``: copy it before writing.

    >>> finite_array([1, 2], "x")
    array([1., 2.])
    >>> finite_array([[1.0, float("nan")]], "data", ndim=2)
    Traceback (most recent call last):
    ...
    ValueError: data must be finite, got 1 NaN and 0 infinite entries
    >>> finite_array([1.0], "data", ndim=(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: data must be 2-D or 3-D, got shape (1,)
    """
    arr = _host_array(x, name)
    if arr.dtype.kind not in "biufO":
        raise ArgumentTypeError(f"{name} must contain real numbers, got dtype {arr.dtype}")
    try:
        arr = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must contain real numbers, got {x!r}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must be {' or '.join(f'{k}-D' for k in allowed)}, "
                             f"got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        n_nan = int(np.count_nonzero(np.isnan(arr)))
        n_inf = int(np.count_nonzero(np.isinf(arr)))
        raise ValueError(f"{name} must be finite, got {n_nan} NaN and {n_inf} infinite entries")
    return arr


def check_shape(arr: np.ndarray, name: str, shape: Sequence[int | None], *,
                reason: str = "") -> np.ndarray:
    """``arr`` unchanged if its shape is ``shape`` (``None`` matches any length).

    >>> check_shape(np.zeros((2, 3)), "features", (2, None)).shape
    (2, 3)
    >>> check_shape(np.zeros(4), "reward", (3,), reason="one entry per outcome of p")
    Traceback (most recent call last):
    ...
    ValueError: reward must have shape (3,), got shape (4,) (one entry per outcome of p)
    """
    want = tuple(shape)
    got = tuple(np.shape(arr))
    if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got, strict=False)):
        shown = "(" + ", ".join("?" if w is None else str(w) for w in want) \
            + ("," if len(want) == 1 else "") + ")"
        why = f" ({reason})" if reason else ""
        raise ValueError(f"{name} must have shape {shown}, got shape {got}{why}")
    return arr


def distributions(x: object, name: str, *, axis: int = -1, ndim: int | Sequence[int] | None = None,
                  renormalize: bool = True) -> np.ndarray:
    """``x`` as float64 probability vectors along ``axis``: entries ``>= 0``, each summing to 1.

    Rules: finite (see :func:`finite_array`), not empty, no negative entry,
    ``|sum - 1| <= SUM_TOL`` (``1e-9``, see the module docstring) for every
    vector along ``axis``.  With ``renormalize`` (the default) each vector is
    divided by its sum, so later sums are 1 to rounding; otherwise ``x`` is
    returned as given.

    >>> distributions([[0.25, 0.75], [1.0, 0.0]], "rows")
    array([[0.25, 0.75],
           [1.  , 0.  ]])
    >>> distributions([[0.5, 0.6]], "rows")
    Traceback (most recent call last):
    ...
    ValueError: rows must sum to 1 along axis -1 within 1e-09, got sum 1.1
    """
    arr = finite_array(x, name, ndim=ndim, nonempty=True)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis, got a scalar")
    if np.any(arr < 0):
        raise ValueError(f"{name} must have entries >= 0, got {arr.min():.3g}")
    sums = arr.sum(axis=axis, keepdims=True)
    err = np.abs(sums - 1.0)
    worst = int(np.argmax(err))
    if err.flat[worst] > SUM_TOL:
        where = "" if arr.ndim == 1 else f" along axis {axis}"
        raise ValueError(f"{name} must sum to 1{where} within {SUM_TOL:g}, "
                         f"got sum {float(sums.flat[worst])!r}")
    return arr / sums if renormalize else arr


def probability_vector(p: object, name: str = "p", *, size: int | None = None,
                       renormalize: bool = True) -> np.ndarray:
    """``p`` as a 1-D float64 probability vector (of length ``size`` if given).

    The rules of :func:`distributions` with one axis.

    >>> probability_vector([0.2, 0.8])
    array([0.2, 0.8])
    >>> probability_vector([0.5, -0.1, 0.6])
    Traceback (most recent call last):
    ...
    ValueError: p must have entries >= 0, got -0.1
    """
    arr = distributions(p, name, ndim=1, renormalize=renormalize)
    if size is not None:
        check_shape(arr, name, (size,))
    return arr


def channel(K: object, name: str = "K", *, batch: bool = False) -> np.ndarray:
    """``K`` as a row-stochastic float64 matrix (row ``x`` is the law of the output given ``x``).

    Rules: two axes (``batch=True`` also accepts a stack ``(..., n_x, n_y)``),
    at least one input and one output, finite, entries ``>= 0``, every row
    summing to 1 within ``SUM_TOL`` (``1e-9``, see the module docstring).
    Rows are divided by their sums.

    >>> channel([[0.9, 0.1], [0.2, 0.8]])
    array([[0.9, 0.1],
           [0.2, 0.8]])
    >>> channel([0.9, 0.1])
    Traceback (most recent call last):
    ...
    ValueError: K must be 2-D (rows are inputs), got shape (2,)
    """
    arr = finite_array(K, name)
    if arr.ndim < 2 or (arr.ndim != 2 and not batch):
        want = "at least 2-D (..., n_x, n_y)" if batch else "2-D (rows are inputs)"
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"{name} must have at least one input and one output, "
                         f"got shape {arr.shape}")
    return distributions(arr, name, axis=-1)
