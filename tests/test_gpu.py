"""CuPy kernels against the NumPy/numba path (marked gpu: skipped without CuPy and a GPU)."""

from __future__ import annotations

import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory._backend import generic_path

pytestmark = pytest.mark.gpu

cp = pytest.importorskip("cupy")
gpu = pytest.importorskip("fdivtheory.kernels.gpu")
if not gpu.available():
    pytest.skip("no CUDA device", allow_module_level=True)

from fdivtheory.kernels import cpu  # noqa: E402

RNG = np.random.default_rng(3)
P = RNG.dirichlet(np.ones(257), size=300)
Q = RNG.dirichlet(np.ones(257), size=300)
P[::7, ::5] = 0.0  # support mismatch both ways
Q[::11, ::3] = 0.0
P[1, :] = P[0, :]
Q[1, :] = P[0, :] * (1 + 1e-9)  # near ratio 1
DESCRIPTORS = [("kl",), ("reverse_kl",), ("tv",), ("pearson",), ("neyman",), ("hellinger_sq",),
               ("jeffreys",), ("triangular",), ("skew_js", 0.3), ("hockey_stick", 2.0),
               ("chi_alpha", 3.0), ("power", 0.3), ("power", 3.0), ("power", -1.5),
               ("reversed", ("power", 3.0)), ("scaled", 0.5, ("triangular",)),
               ("sum", ("kl",), ("reversed", ("kl",)))]


@pytest.mark.parametrize("desc", DESCRIPTORS, ids=str)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_gpu_rows_match_cpu(desc, dtype, rtol):
    p, q = P.astype(dtype), Q.astype(dtype)
    ref, rbits, rsp, rsq = cpu.rowwise_divergence(desc, p, q, False)
    got, bits, sp, sq = gpu.rowwise_divergence(desc, cp.asarray(p), cp.asarray(q), False)
    np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=rtol, atol=0)
    np.testing.assert_array_equal(cp.asnumpy(bits), rbits)
    np.testing.assert_allclose(cp.asnumpy(sp), rsp, rtol=1e-12)


def test_gpu_flags_and_errors():
    bad = P.copy()
    bad[4, 2] = -0.1
    with pytest.raises(ValueError, match="p has negative entries"):
        fd.kl(cp.asarray(bad), cp.asarray(Q))
    got = fd.kl(cp.asarray(bad), cp.asarray(Q), invalid="nan")
    assert isinstance(got, cp.ndarray) and bool(cp.isnan(got[4]))


@pytest.mark.parametrize("name", ["kl", "js", "tv", "chi2", "hellinger", "jeffreys", "le_cam"])
def test_named_on_gpu_equal_cpu(name):
    ref = getattr(fd, name)(P, Q)
    got = getattr(fd, name)(cp.asarray(P), cp.asarray(Q))
    assert isinstance(got, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=1e-12)
    with generic_path():
        generic = getattr(fd, name)(cp.asarray(P), cp.asarray(Q))
    np.testing.assert_allclose(cp.asnumpy(generic), ref, rtol=1e-12)


@pytest.mark.parametrize("name", ["kl", "js", "tv", "jeffreys", "le_cam"])
def test_normalize_in_kernel_on_gpu(name):
    scale = np.arange(1, P.shape[0] + 1)[:, None] * 1e3
    Pu, Qu = P * scale, Q / scale
    Pu[0, :3] = 1e308  # a row total that overflows
    ref = getattr(fd, name)(Pu, Qu, normalize=True)
    got = getattr(fd, name)(cp.asarray(Pu), cp.asarray(Qu), normalize=True)
    np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=1e-12)
    long_p, long_q = RNG.random((2, 300_000)), RNG.random((2, 300_000))  # two-stage layout
    ref = getattr(fd, name)(long_p, long_q, normalize=True)
    got = getattr(fd, name)(cp.asarray(long_p), cp.asarray(long_q), normalize=True)
    np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=1e-10)


def test_renyi_on_gpu_generic_path():
    for a in (0.0, 0.5, 2.0, np.inf):
        ref = fd.renyi(P, Q, a, normalize=True)
        got = fd.renyi(cp.asarray(P), cp.asarray(Q), a, normalize=True)
        assert isinstance(got, cp.ndarray)
        np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=1e-12, atol=1e-15)
