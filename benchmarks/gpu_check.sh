#!/usr/bin/env bash
# GPU checks of the core kernels (fdivtheory/kernels/gpu.py), for a machine with an
# NVIDIA GPU and CuPy installed; about 2-4 minutes on one H100.
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

echo "gpu_check: exit status $status; results in $OUT" | tee -a "$OUT/environment.txt"
exit $status
