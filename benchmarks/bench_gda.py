"""Benchmark: the authors' Figure-1 runs (bGMM augmentation) against this library.

The baseline is the authors' released script ``main_simulation_bGMM.py``
(ML-GSAI/Understanding-GDA, argument parsing fixed, torch imports stubbed),
whose four runs took 62.7 s, 414.9 s, 10.8 s and 118.5 s (606.9 s in all) at
1000 trials each on a 2-core x86-64 machine (docs/theory/gda.md, §9).  It is not
rerun here (it needs pandas < 3 and scikit-learn and takes ten minutes); the
ratios below divide those stored times by ours, so they compare two machines of
the same class, not one run side by side.

Measured here, for each configuration:

* ``sufficient`` and ``full`` samplers at 1000 trials with the 0-1 loss (what
  the script computes), one process, and the ``full`` sampler on 2 worker
  processes (500 trials each);
* 10^5 trials with the sufficient sampler on 2 worker processes (5 * 10^4 each),
  with the NLL gap only (the plotted quantity) and with the 0-1 gap as well.

Run: ``python -m benchmarks.bench_gda [--quick]`` (quick: 100 and 10^4 trials).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from fdivtheory.augmentation import simulate_gmm
from fdivtheory.augmentation.reference import D_M10, GAMMAS_CURVES, GAMMAS_D50, M_D1

#: (name, [(d, m), ...], gammas, the authors' script at 1000 trials in seconds)
CONFIGS = [
    ("m-mode: d=1, m=20..500", [(1, m) for m in M_D1], GAMMAS_CURVES, 62.7),
    ("d-mode: m=10, d=2..100", [(d, 10) for d in D_M10], GAMMAS_CURVES, 414.9),
    ("gamma-mode: d=1, m=40", [(1, 40)], GAMMAS_D50, 10.8),
    ("gamma-mode: d=50, m=10", [(50, 10)], GAMMAS_D50, 118.5),
]


def _run(points, gammas, trials, method, zero_one, seed=0):
    for d, m in points:
        simulate_gmm(d, m, list(gammas), trials, method=method, zero_one=zero_one, seed=seed)


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _parallel(points, gammas, trials, zero_one, method="sufficient") -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(_run, points, gammas, trials // 2, method, zero_one, s)
                   for s in (1, 2)]
        for f in futures:
            f.result()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    trials, big = (100, 10_000) if args.quick else (1000, 100_000)
    scale = 1000 / trials
    print(f"{'configuration':<26} {'script':>8} {'suff.':>8} {'ratio':>7} {'full':>8} "
          f"{'ratio':>7} {'full/2p':>8} {'ratio':>7} | {big:.0e} trials, 2 procs: "
          f"{'NLL':>7} {'NLL+0-1':>8}")
    totals = [0.0] * 6
    for name, points, gammas, ref_s in CONFIGS:
        t_s = _timed(_run, points, gammas, trials, "sufficient", True) * scale
        t_f = _timed(_run, points, gammas, trials, "full", True) * scale
        t_f2 = _parallel(points, gammas, trials, True, "full") * scale
        t_big = _parallel(points, gammas, big, False)
        t_big01 = _parallel(points, gammas, big, True)
        for i, v in enumerate((ref_s, t_s, t_f, t_f2, t_big, t_big01)):
            totals[i] += v
        print(f"{name:<26} {ref_s:8.1f} {t_s:8.2f} {ref_s / t_s:6.0f}x {t_f:8.2f} "
              f"{ref_s / t_f:6.1f}x {t_f2:8.2f} {ref_s / t_f2:6.1f}x | {'':>24}{t_big:7.1f} "
              f"{t_big01:8.1f}", flush=True)
    r, s, f, f2, b, b01 = totals
    print(f"{'total':<26} {r:8.1f} {s:8.2f} {r / s:6.0f}x {f:8.2f} {r / f:6.1f}x {f2:8.2f} "
          f"{r / f2:6.1f}x | {'':>24}{b:7.1f} {b01:8.1f}")
    if args.quick:
        print(f"(quick: 1000-trial times extrapolated linearly from {trials} trials)")


if __name__ == "__main__":
    main()
