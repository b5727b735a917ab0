"""Small helpers shared by the modules of shipped generators."""

from __future__ import annotations

import math

from fdivtheory.generators.generator import _sym_number

__all__ = ["REFS_CSISZAR", "inf", "sym_number"]

inf = math.inf
sym_number = _sym_number
REFS_CSISZAR = ("Csiszár (1967), Studia Sci. Math. Hungar. 2:299-318",)


