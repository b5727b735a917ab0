"""Alignment benchmarks (targets from specs/performance.md).

    python benchmarks/bench_alignment.py [--repeats 5]

1. Exact best-of-N law, KL and win rate for n = 10^6 Bernoulli(0.3) tokens with
   log N = 10^5 (target < 1 s): reference law (binomial, Loader), best-of-N level
   law, KL(pi_N || p) and the win rate in log space.  The naive evaluations are
   shown beside it: F^N - F-^N cannot even be formed (N = e^100000 overflows) and
   SciPy's ``binom.logsf`` underflows to -inf in the tail that best-of-N selects.
2. Exact law of a 3-letter memoryless model by multinomial types at n = 1000
   (501 501 types; non-lattice rewards (0, 1, sqrt 2)) (target < 2 s).
3. Monte Carlo best-of-N samples per second on CPU (literal algorithm: N draws
   by inverse CDF, keep the best), for a few (N, |Y|).

Times: the first (cold) run and the median of ``--repeats`` warm runs.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from _timing import timed  # noqa: E402
from scipy.stats import binom  # noqa: E402

from fdivtheory.alignment import MemorylessModel, sample_best_of_n  # noqa: E402


def bernoulli_best_of_n() -> dict:
    model = MemorylessModel([0.7, 0.3], [0.0, 1.0], 10**6)
    ref = model.reference
    bon = model.best_of_n(log_n=1e5)
    return {"kl": bon.kl(ref), "log_loss": bon.log_loss_rate(ref),
            "reward_per_token": bon.expected_reward / 10**6, "levels": ref.support.size}


def types_law() -> dict:
    model = MemorylessModel([0.5, 0.3, 0.2], [0.0, 1.0, math.sqrt(2.0)], 1000, method="types")
    law = model.reference
    return {"support": law.support.size, "mass": float(law.pmf.sum()),
            "mean": law.expected_reward}


def main() -> int:
    """Run the benchmarks and print a Markdown-ready summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"# bench_alignment  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.processor() or 'cpu'}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}")

    cold, warm, out = timed(bernoulli_best_of_n, args.repeats)
    print(f"\n1. best-of-N, n = 1e6 Bernoulli tokens, log N = 1e5 ({out['levels']} levels)")
    print(f"   cold {cold:.3f} s, warm median {warm:.3f} s   (target < 1 s: "
          f"{'met' if warm < 1 else 'MISSED'})")
    print(f"   KL(pi_N || p) = {out['kl']:.6f} (log N - (N-1)/N = {1e5 - 1:.0f}), "
          f"log(1 - win rate) = {out['log_loss']:.4f}, E R/n = {out['reward_per_token']:.8f}")
    k = np.arange(10**6 + 1)
    with np.errstate(all="ignore"):
        scipy_tail = binom.logsf(k - 1, 10**6, 0.3)
    n_inf = int(np.sum(~np.isfinite(scipy_tail)))
    print(f"   naive: N = e^1e5 overflows float ({math.exp(709):.3g} is the largest e^x); "
          f"scipy binom.logsf gives -inf or nan on {n_inf} of {k.size} tail points")

    cold, warm, out = timed(types_law, args.repeats)
    print(f"\n2. 3-letter memoryless law by types, n = 1000 ({math.comb(1002, 2)} types, "
          f"{out['support']} distinct rewards)")
    print(f"   cold {cold:.3f} s, warm median {warm:.3f} s   (target < 2 s: "
          f"{'met' if warm < 2 else 'MISSED'}); total mass - 1 = {out['mass'] - 1:.1e}")

    print("\n3. Monte Carlo best-of-N on CPU (NumPy)")
    rng = np.random.default_rng(0)
    for n_draws, support, size in ((4, 100, 1_000_000), (64, 100, 200_000),
                                   (1024, 10_000, 20_000)):
        p = rng.dirichlet(np.ones(support))
        r = rng.normal(size=support)

        def sample(n_draws=n_draws, p=p, r=r, size=size):
            return sample_best_of_n(p, r, n_draws, size, np.random.default_rng(1))

        _, warm, _ = timed(sample, max(1, args.repeats // 2))
        print(f"   N = {n_draws:5d}, |Y| = {support:6d}: {size / warm:12.4g} best-of-N samples/s "
              f"({size * n_draws / warm:.3g} draws/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
