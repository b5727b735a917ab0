"""Core reductions: fdivtheory against the SciPy/NumPy composition a user would write.

CPU (default): on a batch of ``--rows`` x ``--cols`` float64 probability
vectors (p, q strictly positive, Dirichlet(1) or uniform-random normalised
rows), every named f-divergence and the Rényi orders 0, 1/2, 1 (= KL), 2, 5,
inf.  For each it prints the median time of fdivtheory and of the baseline,
the speed-up (baseline / fdivtheory), the largest relative difference from the
baseline and from fdivtheory's own generic array-API path
(``fdivtheory._backend.generic_path()``), and the time of the first call (numba
compilation, or loading the on-disk cache).  Targets (performance.md):
speed-up >= 5, relative difference <= 1e-12.

GPU (``--gpu``, needs CuPy and an NVIDIA GPU): device copy bandwidth measured
with ``cp.copyto`` in the same run, then KL as full reductions of 2^28
(float32) / 2^27 (float64) elements and row-wise batches B x K for K from 16
to 10^6, fused (:mod:`fdivtheory.kernels.gpu`) against naive CuPy
``cp.sum(p * cp.log(p / q))``, as a fraction of the copy bandwidth (bytes
counted: the two inputs read once).  Target: >= 80 %.

Usage::

    python benchmarks/bench_core.py [--rows 10000 --cols 1000 --repeats 7] [--markdown]
    python benchmarks/bench_core.py --gpu [--markdown] [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fdivtheory as fd  # noqa: E402

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def max_rel_diff(a, b, zero: float = 1e-12) -> float:
    """max |a - b| / |b|; the absolute difference where both values are below ``zero``
    (a divergence that is 0 up to rounding, e.g. Rényi-0 of strictly positive rows)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(all="ignore"):
        rel = np.abs(a - b) / np.maximum(np.abs(b), np.finfo(np.float64).tiny)
    small = np.maximum(np.abs(a), np.abs(b)) < zero
    rel = np.where(same, 0.0, np.where(small, np.abs(a - b), rel))
    return float(np.max(rel)) if rel.size else 0.0


def print_table(headers: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" for _ in headers) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


# ---------------------------------------------------------------------------
# CPU cases
# ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    ours: Callable  # (P, Q) -> array
    base: Callable  # (P, Q) -> array
    base_label: str


def _cases() -> list[Case]:
    from scipy.spatial.distance import jensenshannon
    from scipy.special import logsumexp, rel_entr
    from scipy.stats import entropy

    def power_terms(b):
        # sum of q f(p/q) for the power generator, the textbook form on probability vectors
        return lambda P, Q: ((P**b * Q ** (1.0 - b)).sum(1) - 1.0) / (b * (b - 1.0))

    cases = [
        Case("kl", fd.kl, lambda P, Q: rel_entr(P, Q).sum(axis=1),
             "rel_entr(P, Q).sum(1)"),
        Case("kl", fd.kl, lambda P, Q: entropy(P, Q, axis=1), "entropy(P, Q, axis=1)"),
        Case("kl", fd.kl, lambda P, Q: np.sum(P * np.log(P / Q), axis=1),
             "np.sum(P*np.log(P/Q), 1)"),
        Case("reverse_kl", fd.reverse_kl, lambda P, Q: rel_entr(Q, P).sum(axis=1),
             "rel_entr(Q, P).sum(1)"),
        Case("js", fd.js, lambda P, Q: jensenshannon(P, Q, axis=1) ** 2,
             "jensenshannon(P, Q, axis=1)**2"),
        Case("js_distance", fd.js_distance, lambda P, Q: jensenshannon(P, Q, axis=1),
             "jensenshannon(P, Q, axis=1)"),
        Case("tv", fd.tv, lambda P, Q: 0.5 * np.abs(P - Q).sum(1), "0.5*np.abs(P-Q).sum(1)"),
        Case("chi2", fd.chi2, lambda P, Q: ((P - Q) ** 2 / Q).sum(1), "((P-Q)**2/Q).sum(1)"),
        Case("neyman_chi2", fd.neyman_chi2, lambda P, Q: ((P - Q) ** 2 / P).sum(1),
             "((P-Q)**2/P).sum(1)"),
        Case("hellinger_sq", fd.hellinger_sq,
             lambda P, Q: ((np.sqrt(P) - np.sqrt(Q)) ** 2).sum(1),
             "((sqrt(P)-sqrt(Q))**2).sum(1)"),
        Case("hellinger", fd.hellinger,
             lambda P, Q: np.sqrt(0.5 * ((np.sqrt(P) - np.sqrt(Q)) ** 2).sum(1)),
             "sqrt(0.5*((sqrt(P)-sqrt(Q))**2).sum(1))"),
        Case("jeffreys", fd.jeffreys, lambda P, Q: ((P - Q) * np.log(P / Q)).sum(1),
             "((P-Q)*np.log(P/Q)).sum(1)"),
        Case("le_cam", fd.le_cam, lambda P, Q: 0.5 * ((P - Q) ** 2 / (P + Q)).sum(1),
             "0.5*((P-Q)**2/(P+Q)).sum(1)"),
        Case("hockey_stick(2)", lambda P, Q: fd.hockey_stick(P, Q, 2.0),
             lambda P, Q: np.maximum(P - 2.0 * Q, 0.0).sum(1), "np.maximum(P-2*Q, 0).sum(1)"),
    ]
    # power divergences: beta of the power generator per convention
    for conv, alphas in (("cressie_read", (2.0 / 3.0, -0.5)), ("amari", (0.5, 3.0)),
                         ("tsallis", (0.5, 2.0))):
        for a in alphas:
            if conv == "cressie_read":
                b, scale = a + 1.0, 1.0
            elif conv == "amari":
                b, scale = (1.0 - a) / 2.0, 1.0
            else:
                b, scale = a, a
            base = power_terms(b)
            cases.append(Case(
                f"power_divergence({conv}, {a:g})",
                lambda P, Q, a=a, conv=conv: fd.power_divergence(P, Q, a, conv),
                (lambda P, Q, base=base, scale=scale: scale * base(P, Q)),
                f"(sum(P**{b:g}*Q**{1 - b:g})-1)/({b:g}*{b - 1:g})"
                + (f" * {scale:g}" if scale != 1.0 else ""),
            ))

    def renyi_base(a):
        if a == 0.0:
            return (lambda P, Q: -np.log(np.where(P > 0, Q, 0.0).sum(1)),
                    "-log(where(P>0, Q, 0).sum(1))")
        if a == 1.0:
            return lambda P, Q: rel_entr(P, Q).sum(axis=1), "rel_entr(P, Q).sum(1)"
        if a == math.inf:
            return lambda P, Q: np.log((P / Q).max(1)), "log((P/Q).max(1))"
        return (lambda P, Q: logsumexp(a * np.log(P) + (1 - a) * np.log(Q), axis=1) / (a - 1),
                f"logsumexp({a:g}*log(P)+{1 - a:g}*log(Q), 1)/{a - 1:g}")

    for a in (0.0, 0.5, 1.0, 2.0, 5.0, math.inf):
        base, label = renyi_base(a)
        cases.append(Case(f"renyi({a:g})", lambda P, Q, a=a: fd.renyi(P, Q, a), base, label))
    # normalize=True against normalize=False of the same function (target: within 1.3x)
    for name, fn in (("kl", fd.kl), ("js", fd.js), ("tv", fd.tv),
                     ("renyi(2)", lambda P, Q, **kw: fd.renyi(P, Q, 2.0, **kw)),
                     ("renyi(0.5)", lambda P, Q, **kw: fd.renyi(P, Q, 0.5, **kw))):
        cases.append(Case(f"{name} normalize=True",
                          lambda P, Q, fn=fn: fn(P, Q, normalize=True),
                          lambda P, Q, fn=fn: fn(P, Q, normalize=False),
                          "the same, normalize=False"))
    return cases


def make_batch(rows: int, cols: int, data: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if data == "dirichlet":
        P = rng.dirichlet(np.ones(cols), size=rows)
        Q = rng.dirichlet(np.ones(cols), size=rows)
    else:
        P = rng.random((rows, cols)) + 1e-12
        Q = rng.random((rows, cols)) + 1e-12
        P /= P.sum(1, keepdims=True)
        Q /= Q.sum(1, keepdims=True)
    if not (np.all(P > 0) and np.all(Q > 0)):
        raise RuntimeError("generated a zero mass; use another --seed")
    return P, Q


def generic(fn: Callable, P, Q):
    """``fn(P, Q)`` on the generic array-API path (no numba kernel)."""
    from fdivtheory._backend import generic_path

    with generic_path():
        return fn(P, Q)


def run_cpu(args: argparse.Namespace) -> None:
    import numba
    import scipy

    P, Q = make_batch(args.rows, args.cols, args.data, args.seed)
    cases = [c for c in _cases() if not args.only or any(s in c.name for s in args.only)]
    nbytes = P.nbytes + Q.nbytes
    print(f"# CPU: {args.rows} x {args.cols} float64 ({args.data} rows), "
          f"median of {args.repeats}; numba {numba.__version__} "
          f"({numba.get_num_threads()} threads), numpy {np.__version__}, "
          f"scipy {scipy.__version__}")
    copy = np.empty_like(P)
    t_copy = median_time(lambda: np.copyto(copy, P), args.repeats)
    print(f"# memory copy: {2 * P.nbytes / t_copy / 1e9:.1f} GB/s (read + write, np.copyto); "
          f"a pass over P and Q ({nbytes / 1e6:.0f} MB) at that rate takes "
          f"{nbytes / (2 * P.nbytes / t_copy) * 1e3:.1f} ms")
    headers = ["function", "first call [s]", "fdivtheory [ms]", "baseline", "baseline [ms]",
               "speed-up", "max rel diff", "vs generic path"]
    rows = []
    first_seen: dict[str, float] = {}
    for c in cases:
        t0 = time.perf_counter()
        ours = c.ours(P, Q)  # compile (or load the cache) before timing
        t_first = time.perf_counter() - t0
        ours = c.ours(P, Q)
        base = c.base(P, Q)
        gen = generic(c.ours, P, Q) if not args.no_generic else None
        t_ours, t_base = [], []
        for _ in range(args.repeats):  # interleaved, so that load changes hit both
            t_ours.append(median_time(lambda c=c: c.ours(P, Q), 1))
            t_base.append(median_time(lambda c=c: c.base(P, Q), 1))
        mo, mb = statistics.median(t_ours), statistics.median(t_base)
        is_first = c.name not in first_seen
        first_seen.setdefault(c.name, t_first - mo)
        rows.append([
            c.name, f"{max(t_first - mo, 0.0):.2f}" if is_first else "",
            f"{mo * 1e3:.1f}", f"`{c.base_label}`" if args.markdown else c.base_label,
            f"{mb * 1e3:.1f}", f"{mb / mo:.1f}x",
            f"{max_rel_diff(ours, base):.1e}",
            f"{max_rel_diff(ours, gen):.1e}" if gen is not None else "-",
        ])
        if not args.markdown:
            print("  ".join(rows[-1]), file=sys.stderr, flush=True)
    print()
    print_table(headers, rows, args.markdown)
    print()
    print("first call: time of the first call minus a timed call (numba compilation, or loading "
          "the on-disk cache; 0 when an earlier row compiled the same kernel); max rel diff: "
          "max |ours - other| / |other| over rows (absolute where both are < 1e-12); "
          "generic path: fdivtheory inside _backend.generic_path(); speed-up: baseline / "
          "fdivtheory (numba runs on all threads, NumPy/SciPy on one).")


# ---------------------------------------------------------------------------
# numba compile time per kernel: cold (empty on-disk cache) and cached
# ---------------------------------------------------------------------------

_COMPILE_DESCS = [("kl",), ("reverse_kl",), ("tv",), ("pearson",), ("neyman",),
                  ("hellinger_sq",), ("jeffreys",), ("triangular",), ("skew_js", 0.5),
                  ("hockey_stick", 2.0), ("chi_alpha", 2.5), ("power", 1.5), ("power", 0.5),
                  ("power", 2.0), ("power", -1.0)]

_COMPILE_PROBE = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
import numba

@numba.njit(parallel=True)
def _start_threads(x):  # so that thread-pool start-up is not charged to the first kernel
    for i in numba.prange(x.size):
        x[i] = i

_start_threads(np.empty(8))
t0 = time.perf_counter()
from fdivtheory.kernels import cpu
res = {{"import fdivtheory (package)": time.perf_counter() - t0}}
P = np.full((4, 8), 0.125)
Q = P.copy()
for d in {descs!r}:
    t0 = time.perf_counter()
    cpu.rowwise_divergence(d, P, Q, False)
    res[repr(d)] = time.perf_counter() - t0
from fdivtheory.kernels import cpu_renyi
t0 = time.perf_counter()
cpu_renyi.renyi_rows(P, Q, 0.5, False)
res["renyi_rows"] = time.perf_counter() - t0
t0 = time.perf_counter()
cpu.rowwise_divergence(("kl",), P, Q, False, True)
res["('kl',), normalize=True"] = time.perf_counter() - t0
t0 = time.perf_counter()
cpu.row_flags(P, Q)
res["row_flags"] = time.perf_counter() - t0
print(repr(res))
"""


def run_compile_times(args: argparse.Namespace) -> None:
    import ast
    import subprocess
    import tempfile

    root = str(Path(__file__).resolve().parents[1])
    code = _COMPILE_PROBE.format(root=root, descs=_COMPILE_DESCS)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        runs = []
        for _ in range(2):  # 1: empty cache (compile and write), 2: load from the cache
            out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True).stdout
            runs.append(ast.literal_eval(out.strip().splitlines()[-1]))
    print("# numba kernels of fdivtheory.kernels.cpu: first call in a fresh process, "
          "with an empty on-disk cache (compilation) and with the cache it wrote")
    rows = [[k, f"{runs[0][k]:.2f}", f"{runs[1][k]:.3f}"] for k in runs[0]]
    rows.append(["total", f"{sum(runs[0].values()):.1f}", f"{sum(runs[1].values()):.2f}"])
    print_table(["kernel", "compile [s]", "cached [s]"], rows, args.markdown)


# ---------------------------------------------------------------------------
# GPU
# ---------------------------------------------------------------------------


def _cuda_time(cp, fn: Callable[[], object], repeats: int) -> float:
    """Median seconds of ``fn`` over ``repeats`` runs, timed with CUDA events."""
    start, stop = cp.cuda.Event(), cp.cuda.Event()
    fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(repeats):
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop) / 1e3)
    return statistics.median(times)


def _copy_bandwidth(cp, x, repeats: int) -> float:
    """Device copy rate of ``x`` in bytes/s (bytes read + written), ``cp.copyto``."""
    dst = cp.empty_like(x)
    t = _cuda_time(cp, lambda: cp.copyto(dst, x), repeats)
    return 2 * x.nbytes / t


def _pmf_pair(cp, rng, n: int, dtype):
    p = rng.random(n, dtype=dtype) + dtype(1e-3)
    q = rng.random(n, dtype=dtype) + dtype(1e-3)
    return p / p.sum(), q / q.sum()


def run_gpu(args: argparse.Namespace) -> None:
    from fdivtheory.kernels import gpu

    if not gpu.available():
        raise SystemExit("--gpu: CuPy with a usable CUDA device is required")
    import cupy as cp

    from fdivtheory.kernels import cpu

    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    print(f"# GPU: {name}, CuPy {cp.__version__}, CUDA runtime "
          f"{cp.cuda.runtime.runtimeGetVersion()}; median of {args.repeats} (CUDA events)")
    rng = cp.random.default_rng(args.seed)

    # KL: full reductions and batches, fused vs naive
    headers = ["dtype", "shape", "copy [TB/s]", "naive [TB/s]", "naive [% copy]",
               "fused [TB/s]", "fused [% copy]", "fused / naive", "max rel diff"]
    rows = []
    for dtype, log2n in ((cp.float32, args.gpu_log2n), (cp.float64, args.gpu_log2n - 1)):
        n = 1 << log2n
        p, q = _pmf_pair(cp, rng, n, dtype)
        bw_copy = _copy_bandwidth(cp, p, args.repeats)
        shapes = [(n,)] + [(n // k, k) for k in (16, 128, 1024, 1 << 14, 1 << 17, 1_000_000)
                           if k <= n // 4]
        for shape in shapes:
            P = p[:math.prod(shape)].reshape(shape)
            Q = q[:math.prod(shape)].reshape(shape)
            axis = None if len(shape) == 1 else 1

            def naive(P=P, Q=Q, axis=axis):
                return cp.sum(P * cp.log(P / Q), axis=axis)

            def fused(P=P, Q=Q):
                return gpu.kl_sum(P, Q) if P.ndim == 1 else gpu.kl_rows(P, Q)

            label = [np.dtype(dtype).name, " x ".join(map(str, shape)), f"{bw_copy / 1e12:.2f}"]
            try:
                nbytes = P.nbytes + Q.nbytes
                t_naive = _cuda_time(cp, naive, args.repeats)
                t_fused = _cuda_time(cp, fused, args.repeats)
                # the fused terms are standardised: naive + sum(q - p)
                ref = naive() + cp.sum(Q - P, axis=axis)
                diff = max_rel_diff(cp.asnumpy(fused()).astype(np.float64),
                                    cp.asnumpy(ref).astype(np.float64))
                rows.append(label + [
                    f"{nbytes / t_naive / 1e12:.2f}", f"{100 * nbytes / t_naive / bw_copy:.0f}%",
                    f"{nbytes / t_fused / 1e12:.2f}", f"{100 * nbytes / t_fused / bw_copy:.0f}%",
                    f"{t_naive / t_fused:.1f}x", f"{diff:.1e}"])
            except Exception as exc:  # report and go on: one failure must not hide the rest
                rows.append(label + [f"error: {type(exc).__name__}: {exc}"[:200]] + [""] * 5)
            print("  ".join(rows[-1]), file=sys.stderr, flush=True)
        del p, q, P, Q
        cp.get_default_memory_pool().free_all_blocks()

    # every shipped term: row-wise, and as one two-stage full reduction
    p, q = _pmf_pair(cp, rng, 1 << (args.gpu_log2n - 2), cp.float64)
    P, Q = p.reshape(-1, 1024), q.reshape(-1, 1024)
    bw_copy = _copy_bandwidth(cp, p, args.repeats)
    nbytes = p.nbytes + q.nbytes
    params = {"skew_js": (0.5,), "hockey_stick": (2.0,), "chi_alpha": (2.5,), "power": (1.5,)}
    rows2 = []
    for term in gpu.TERMS:
        desc = (term, *params.get(term, ()))
        try:
            t_rows = _cuda_time(cp, lambda d=desc: gpu.divergence_rows(d, P, Q), args.repeats)
            t_sum = _cuda_time(cp, lambda d=desc: gpu.divergence_sum(d, p, q), args.repeats)
            ref = cpu.rowwise_divergence(desc, cp.asnumpy(P[:256]), cp.asnumpy(Q[:256]),
                                         False)[0]
            diff = max_rel_diff(cp.asnumpy(gpu.divergence_rows(desc, P[:256], Q[:256])), ref)
            rows2.append([str(desc), f"{nbytes / t_rows / 1e12:.2f}",
                          f"{100 * nbytes / t_rows / bw_copy:.0f}%",
                          f"{nbytes / t_sum / 1e12:.2f}", f"{100 * nbytes / t_sum / bw_copy:.0f}%",
                          f"{diff:.1e}"])
        except Exception as exc:
            rows2.append([str(desc), f"error: {type(exc).__name__}: {exc}"[:200], "", "", "", ""])
        print("  ".join(rows2[-1]), file=sys.stderr, flush=True)

    print()
    print("KL, fused (fdivtheory.kernels.gpu) vs naive CuPy `cp.sum(p*cp.log(p/q))`; "
          "bytes counted: both inputs read once; copy: cp.copyto, bytes read + written "
          "(target: fused >= 80% of copy); max rel diff against naive + sum(q - p).")
    print_table(headers, rows, args.markdown)
    print()
    print(f"Every shipped term, float64, 2^{args.gpu_log2n - 2} elements: rows of 1024 and one "
          f"full two-stage "
          f"sum (copy {bw_copy / 1e12:.2f} TB/s); max rel diff vs the CPU kernels on 256 rows.")
    print_table(["term", "rows [TB/s]", "rows [% copy]", "full sum [TB/s]", "full [% copy]",
                 "max rel diff vs CPU"], rows2, args.markdown)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--cols", type=int, default=1_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--data", choices=("dirichlet", "uniform"), default="dirichlet")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", help="run only the cases whose name contains one of these")
    ap.add_argument("--no-generic", action="store_true",
                    help="skip the comparison with the generic array-API path")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--gpu", action="store_true", help="run the GPU benchmark instead")
    ap.add_argument("--gpu-log2n", type=int, default=28,
                    help="--gpu: log2 of the float32 size (float64: one less)")
    ap.add_argument("--compile-times", action="store_true",
                    help="measure numba compilation and cache-load time per kernel instead")
    ap.add_argument("--out", default=os.environ.get("OUT"),
                    help="also write the output to DIR/bench_core_{cpu,gpu}.md (default: $OUT)")
    args = ap.parse_args(argv)
    run, tag = ((run_gpu, "gpu") if args.gpu else
                (run_compile_times, "compile") if args.compile_times else (run_cpu, "cpu"))
    if args.out:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            run(args)
        text = buf.getvalue()
        sys.stdout.write(text)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"bench_core_{tag}.md").write_text(text)
    else:
        run(args)


if __name__ == "__main__":
    main()
