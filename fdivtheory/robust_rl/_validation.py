"""The argument check specific to :mod:`fdivtheory.robust_rl`: the divergence name.

The general checks (positive numbers, integers, probability vectors, ...) are
those of :mod:`fdivtheory._arguments`, shared by the whole library.
"""

from __future__ import annotations

from fdivtheory._arguments import choice

#: Divergences understood by the module, with accepted aliases.
DIVERGENCES = {"tv": "tv", "kl": "kl", "chi2": "chi2", "chi-squared": "chi2", "chisq": "chi2"}


def divergence_name(divergence: object) -> str:
    """Canonical divergence name ("tv", "kl" or "chi2"), any case, or ``ValueError``.

    >>> divergence_name("Chi-Squared")
    'chi2'
    """
    return choice(divergence, "divergence", DIVERGENCES, case_sensitive=False)
