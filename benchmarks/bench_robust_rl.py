"""Robust offline RL benchmarks: training time of R2PVI and baselines on the American put.

    python benchmarks/bench_robust_rl.py [--repeats 3] [--reference PATH] [--skip-large]

Setting of the paper's runtime figure: American put, d = 30, H = 20, N = 1000
trajectories, beta = 0.1, ridge 1 (lam = 1 for R2PVI, rho = 0.1 for DRPVI / DRVI-L).

Baseline: the authors' released code (github.com/panxulab/Robust-Regularized-Pessimistic-
Value-Iteration, ``American_put_opt/algorithm.py``). With ``--reference PATH`` (a checkout of
that repository) its agents are timed here, side by side, on data from its own generator;
without it the times recorded for it on a 2-core x86-64 machine (numpy 2.4.6, scipy 1.17.1,
"repo as-is", N = 1000, d = 30: PEVI 1.54 s, R2PVI-TV 3.00 s, R2PVI-KL 3.02 s, DRPVI 30.1 s,
DRVI-L 36.4 s, R2PVI-chi2 79.5 s) are used and marked "recorded".
Targets: >= 10x faster for each method, >= 100x for R2PVI-chi2; N = 10^5 under 10 s per
method with time linear in N.

BLAS is limited to one thread (set before NumPy loads), for ours and the baseline alike:
on a small shared machine threaded BLAS spins on the tiny d x d products and makes both
slower and noisier.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from fdivtheory.robust_rl import AmericanPutOption, drpvi, drvi_l, pevi, r2pvi  # noqa: E402

METHODS = ("pevi", "r2pvi-tv", "r2pvi-kl", "drpvi", "drvi-l", "r2pvi-chi2")
RECORDED = {"pevi": 1.54, "r2pvi-tv": 3.00, "r2pvi-kl": 3.02, "drpvi": 30.1, "drvi-l": 36.4,
            "r2pvi-chi2": 79.5}
REFERENCE_CLASS = {"pevi": "PEVI", "r2pvi-tv": "R2PVI_TV", "r2pvi-kl": "R2PVI_KL",
                   "drpvi": "DRPVI", "drvi-l": "DRVI_L", "r2pvi-chi2": "R2PVI_xi2"}
TARGET = {m: (100.0 if m == "r2pvi-chi2" else 10.0) for m in METHODS}


def ours(method: str, data, env):
    common = {"beta": 0.1, "ridge": 1.0, "conventions": "reference"}
    if method == "pevi":
        return pevi(data, env, **common)
    if method == "drpvi":
        return drpvi(data, env, rho=0.1, **common)
    if method == "drvi-l":
        return drvi_l(data, env, rho=0.1, **common)
    return r2pvi(data, env, lam=1.0, divergence=method.split("-")[1], **common)


def time_ours(method: str, data, env, repeats: int) -> float:
    ours(method, data, env)  # warm-up
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        ours(method, data, env)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def time_reference(path: Path, n: int, d: int) -> dict[str, float]:
    """Train each released agent once (as its main.py times it) on its own data."""
    sys.path.insert(0, str(path / "American_put_opt"))
    import algorithm  # type: ignore[import-not-found]
    from data_collection import Offline_Dataset_Collection  # type: ignore[import-not-found]
    from env import American_put_option  # type: ignore[import-not-found]

    data = Offline_Dataset_Collection(20, n, American_put_option(0.5, d, seed=0))
    out = {}
    for m in METHODS:
        cls = getattr(algorithm, REFERENCE_CLASS[m])
        rho = 0.1 if m in ("drpvi", "drvi-l") else 1.0
        t = time.perf_counter()
        agent = cls(d=d, beta=0.1, H=20, lam=1.0, dataset=data, Rho=rho)
        agent.update_Q()
        out[m] = time.perf_counter() - t
        print(f"  released {m:<11} {out[m]:8.2f} s", flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reference", type=Path, default=os.environ.get("R2PVI_REFERENCE_CODE"),
                    help="checkout of the released code (else recorded times are used)")
    ap.add_argument("--skip-large", action="store_true", help="skip N = 10^5")
    args = ap.parse_args(argv)

    print(f"# bench_robust_rl  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  "
          f"{platform.machine()} {os.cpu_count()} cores  numpy {np.__version__}  "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}")
    env = AmericanPutOption(d=30, horizon=20, p_up=0.5, seed=0)
    data = env.offline_dataset(1000, seed=0)
    if args.reference:
        print("baseline: released code, timed now (1 run each)")
        base, label = time_reference(Path(args.reference), 1000, 30), "measured now"
    else:
        base, label = RECORDED, "recorded (2-core x86-64)"

    print(f"\nN = 1000, d = 30, H = 20 (baseline {label})")
    print(f"{'method':<12}{'released s':>12}{'ours ms':>10}{'speed-up':>10}{'target':>8}")
    for m in METHODS:
        t = time_ours(m, data, env, args.repeats)
        ratio = base[m] / t
        ok = "ok" if ratio >= TARGET[m] else "MISSED"
        print(f"{m:<12}{base[m]:>12.2f}{t * 1e3:>10.1f}{ratio:>9.0f}x{TARGET[m]:>6.0f}x {ok}")

    sizes = [1000, 10_000] + ([] if args.skip_large else [100_000])
    print("\nscaling in N (d = 30), median seconds; ratio = t(N) / t(N / 10)")
    print(f"{'method':<12}" + "".join(f"{'N=' + str(n):>12}" for n in sizes) + "   ratios")
    datasets = {n: env.offline_dataset(n, seed=0) for n in sizes}
    for m in METHODS:
        ts = [time_ours(m, datasets[n], env, 1 if n >= 100_000 else args.repeats)
              for n in sizes]
        ratios = " ".join(f"{b / a:.1f}" for a, b in zip(ts, ts[1:], strict=False))
        flag = "" if ts[-1] < 10 else "  (> 10 s)"
        print(f"{m:<12}" + "".join(f"{t:>12.3f}" for t in ts) + f"   {ratios}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
