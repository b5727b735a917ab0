"""Simulations of fdivtheory: one module per verified result.

Each module is thin (a parameter grid, a task function and a figure) and runs
with the common options of :func:`fdivtheory.sweep.main`::

    python -m simulations                      # list the simulations
    python -m simulations.<name> --help        # options of one simulation
    python -m simulations run <name> [options] # the same as python -m simulations.<name>
    python -m simulations.verify [--quick]     # the verification report

Simulations
-----------
alignment_bon
    Exact best-of-N against the KL-constrained tilt (Yang et al. 2024; Beirami et
    al. 2024): per-token reward and KL as the length grows, tail exponents
    against the rate function, KL against N, win rate against KL, with Monte
    Carlo estimates beside the exact values.
core_inequalities
    Tightness of Pinsker, Bretagnolle–Huber and Le Cam on random pairs of
    distributions, with the exact (TV, KL) lower boundary.
verify
    Not a sweep: runs every check registered in :mod:`fdivtheory.checks` and
    writes the verification report.
"""
