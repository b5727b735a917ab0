#!/usr/bin/env bash
# GPU checks of the core kernels (fdivtheory/kernels/gpu.py), for a machine with an
# NVIDIA GPU and CuPy installed; the core part takes about 2-4 minutes on one H100, the
# module steps (simulations on the GPU, Monte Carlo timings) a few more.
#
#   bash benchmarks/gpu_check.sh            # results under $OUT, or benchmarks/gpu_results/
#
# 1. pytest -m gpu (the tests marked gpu; CuPy parity with the NumPy path);
# 2. python benchmarks/bench_core.py --gpu: device copy bandwidth (cp.copyto) and the
#    fused kernels against naive CuPy, full reductions of 2^28 float32 / 2^27 float64
#    elements and batches B x K, K = 16 .. 10^6, then every shipped term.
# Each step has its own time limit; the script goes on after a failure and exits
# non-zero if any step failed.
set -u
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/gpu_results}"
mkdir -p "$OUT"
status=0

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
  python - <<'EOF'
import sys
print("python", sys.version.split()[0])
try:
    import cupy as cp
    print("cupy", cp.__version__, "CUDA runtime", cp.cuda.runtime.runtimeGetVersion())
except Exception as exc:  # report and let the steps below fail with their own message
    print("cupy unavailable:", repr(exc))
from fdivtheory.kernels import gpu
print("fdivtheory.kernels.gpu.available():", gpu.available())
EOF
} 2>&1 | tee "$OUT/environment.txt"

echo "== pytest -m gpu" | tee "$OUT/pytest_gpu.txt"
timeout 120 python -m pytest -m gpu -q -p no:cacheprovider tests 2>&1 \
  | tee -a "$OUT/pytest_gpu.txt"
rc=${PIPESTATUS[0]}
# 5: no test was collected (no test is marked gpu yet) -- reported, not a failure
if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then status=1; fi

echo "== bench_core.py --gpu" | tee "$OUT/bench_gpu.log"
timeout 150 python benchmarks/bench_core.py --gpu --markdown --out "$OUT" 2>&1 \
  | tee -a "$OUT/bench_gpu.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then status=1; fi


# --- verified-result modules: GPU paths of their Monte Carlo / batched code (their gpu-marked
# tests ran in the pytest step above)
echo "== simulate_gmm timing, gpu vs cpu" | tee "$OUT/bench_gda_gpu.log"
timeout 240 python - <<'PY' 2>&1 | tee -a "$OUT/bench_gda_gpu.log"
import time
from fdivtheory.augmentation import simulate_gmm
G = [0, 1, 2, 5, 10, 20, 50, 100]
simulate_gmm(50, 10, G, 1000, device="gpu")                      # warm-up (kernels, pool)
for method, n_gpu, n_cpu in (("sufficient", 10**6, 10**5), ("full", 10**4, 10**3)):
    t = time.perf_counter(); g = simulate_gmm(50, 10, G, n_gpu, method=method, device="gpu")
    tg = time.perf_counter() - t
    t = time.perf_counter(); c = simulate_gmm(50, 10, G, n_cpu, method=method)
    tc = time.perf_counter() - t
    z = abs(g.mean_abs_gap - c.mean_abs_gap) / (g.se_abs_gap**2 + c.se_abs_gap**2) ** 0.5
    print(f"{method}: gpu {n_gpu} trials {tg:.2f} s, cpu {n_cpu} trials {tc:.2f} s, "
          f"per-trial speed-up {tc / n_cpu / (tg / n_gpu):.1f}x, max |z| {z.max():.2f}")
PY
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then status=1; fi

echo "== projection: simulate_risk, gpu vs cpu" | tee "$OUT/projection_gpu.txt"
timeout 120 python - <<'PYEOF' 2>&1 | tee -a "$OUT/projection_gpu.txt"
import time, scipy.stats as st
from fdivtheory.projection import family, simulate_risk
fam, g = family("mvn", d=2), st.multivariate_normal([0.0, 0.0])
for dev in ("cpu", "gpu"):
    simulate_risk(fam, g, 20, 10_000, seed=1, device=dev)
    t = time.perf_counter(); r = simulate_risk(fam, g, 20, 10**6, seed=1, device=dev)
    print(dev, f"{time.perf_counter() - t:.2f} s", r.mean, r.se, "(exact 0.179105)")
PYEOF

echo "== sdpi: bench_sdpi.py --gpu (batched eta_TV / eta_chi2 on CuPy)" | tee "$OUT/bench_gpu_sdpi.log"
timeout 120 python benchmarks/bench_sdpi.py --gpu 2>&1 | tee -a "$OUT/bench_gpu_sdpi.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then status=1; fi

echo "== sdpi: simulation --quick --device gpu (linear-Gaussian Monte Carlo on CuPy)" \
  | tee "$OUT/sim_gpu_sdpi.log"
timeout 240 python -m simulations.sdpi_layers --quick --device gpu --no-progress \
  --out "$OUT/sdpi_layers_gpu" 2>&1 | tee -a "$OUT/sim_gpu_sdpi.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then status=1; fi

echo "== robust_rl: simulation on the GPU (quick)" | tee -a "$OUT/robust_rl_gpu.log"
timeout 150 python -m simulations.r2pvi_american_put --quick --device gpu --out "$OUT/r2pvi_put_gpu" --no-progress 2>&1 | tee -a "$OUT/robust_rl_gpu.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then status=1; fi

echo "gpu_check: exit status $status; results in $OUT" | tee -a "$OUT/environment.txt"
exit $status
