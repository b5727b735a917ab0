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


# ---------------------------------------------------------------------------
# The accuracy classes of tests/test_accuracy_divergences.py on the CuPy kernels
# (the CPU kernels are checked there against mpmath; here the GPU against them)
# ---------------------------------------------------------------------------

EDGE_P = np.array([
    [0.5, 0.3, 0.2], [0.25 + 2.0**-40, 0.25 - 2.0**-40, 0.5], [0.2 * (1 + 1e-9), 0.3, 0.5],
    [1e-5, 0.5, 0.5 - 1e-5], [1e-100, 1.0, 2.0], [3e-300, 1.0, 1e-200],
    [1e300, 1.0, 1e-300], [1.0, 1.0, 1.0], [1e160, 1.0, 1e-300], [1.7e308, 1.0, 0.0]])
EDGE_Q = np.array([
    [0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.2, 0.3, 0.5 * (1 + 1e-12)],
    [0.5, 1e-5, 0.5 - 1e-5], [1.0, 1e-100, 2.0 + 1e-13], [1.0, 7e-301, 1e-200 * (1 + 1e-12)],
    [1e299, 1e-10, 1e-301], [1e-300, 1.0, 1.0 + 2.0**-45], [1e20, 1.0, 1.0], [1e300, 1.0, 0.0]])
EDGE_DESCRIPTORS = [
    *(("power", b) for b in (1e-15, -1e-15, 1.0 - 1e-12, 1.0 + 1e-12, 1e-8, 0.03, 0.97,
                             0.5, 2.0, -1.0, 5.0 / 3.0, 0.25, 10.0, -3.0)),
    ("chi_alpha", 2.0), ("chi_alpha", 1.5), ("chi_alpha", 3.0), ("pearson",), ("neyman",),
    ("triangular",), ("hellinger_sq",), ("skew_js", 0.5), ("skew_js", 0.2), ("kl",),
    ("jeffreys",)]


@pytest.mark.parametrize("desc", EDGE_DESCRIPTORS, ids=str)
def test_gpu_edges_match_cpu(desc):
    # float64: the same ladder as kernels.cpu_terms (pole-free power family, d (d/q)
    # forms, (p - q)/(sqrt p + sqrt q), the two-h skew JS, |p - q| (|p - q|/q)^(a - 1))
    ref = cpu.rowwise_divergence(desc, EDGE_P, EDGE_Q, False)[0]
    got = cp.asnumpy(gpu.rowwise_divergence(desc, cp.asarray(EDGE_P), cp.asarray(EDGE_Q),
                                            False)[0])
    finite = np.isfinite(ref)
    np.testing.assert_array_equal(np.isfinite(got), finite)
    np.testing.assert_allclose(got[finite], ref[finite], rtol=1e-12, atol=0)


def test_gpu_issue_examples():
    p, q = cp.asarray([0.5, 0.3, 0.2]), cp.asarray([0.25, 0.25, 0.5])
    assert float(fd.power_divergence(p, q, 1e-15)) == pytest.approx(0.218011910943328,
                                                                      rel=1e-13)
    chi = fd.get_generator("chi_alpha", alpha=2)
    assert float(fd.f_divergence(cp.asarray([1.0, 1.0]), cp.asarray([1e-300, 1.0]), chi)) == (
        pytest.approx(1e300, rel=1e-12))
    near_p = cp.asarray([0.25 * (1 + 1e-12), 0.25 * (1 - 1e-12), 0.5])
    near_q = cp.asarray([0.25, 0.25, 0.5])
    for fn in (fd.hellinger_sq, lambda a, b: fd.power_divergence(a, b, -0.5), fd.js):
        ref = fn(cp.asnumpy(near_p), cp.asnumpy(near_q))
        assert float(fn(near_p, near_q)) == pytest.approx(float(ref), rel=1e-12)


def test_renyi_near_equal_on_gpu():
    # p ~ q: the power-divergence form on the CuPy kernel (issue example: 6.6e-24)
    p = np.array([[0.25 + 2.0**-40, 0.25 - 2.0**-40, 0.5], [0.5, 0.25, 0.25]])
    q = np.array([[0.25, 0.25, 0.5], [0.5, 0.25 - 2.0**-30, 0.25 + 2.0**-30]])
    for a in (0.5, 2.0, 1.0 + 1e-12, 5.0):
        ref = fd.renyi(p, q, a)
        got = fd.renyi(cp.asarray(p), cp.asarray(q), a)
        np.testing.assert_allclose(cp.asnumpy(got), ref, rtol=1e-12)
        assert np.all(ref > 0)
