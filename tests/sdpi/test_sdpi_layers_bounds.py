"""Layers (mask enumeration, Phi), composition, and the bounds (exact enumeration, MC)."""

import math

import numpy as np
import pytest
from scipy.special import ndtr

from fdivtheory.sdpi import (
    FiniteNetwork,
    analyse_network,
    bsc,
    chain_input_dependent,
    contraction_refined_bound,
    deeper_narrower,
    dropconnect_channel,
    dropconnect_eta,
    dropout_channel,
    dropout_eta,
    eta_kl,
    eta_tv,
    finite_network_wasserstein_bound,
    finite_parameter_bound,
    gaussian_injection,
    gibbs_bound,
    hierarchical_kl_bound,
    linear_gaussian_bounds,
    linear_gaussian_kl,
    linear_gaussian_monte_carlo,
    linear_gaussian_w2_squared,
    network_coefficient,
    wasserstein1_empirical,
    wasserstein_bound,
)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("p", [0.5, 0.2])
@pytest.mark.parametrize("act", ["identity", "tanh"])
def test_dropout_tight_on_generic_inputs(d, p, act):
    rng = np.random.default_rng(10 * d + int(10 * p))
    W = rng.normal(size=(2, d))
    X = np.stack([rng.uniform(1, 2, d), rng.uniform(3, 4, d)])
    ch = dropout_channel(W, X, p, activation=act)
    assert ch.eta_tv() == pytest.approx(1 - p**d, abs=1e-9)
    assert ch.eta_kl() == pytest.approx(1 - p**d, abs=1e-9)


def test_dropout_shared_coordinate_lowers_eta():
    ch = dropout_channel(np.eye(2), [[1, 2], [1, 3]], 0.5)
    assert ch.eta_kl() == pytest.approx(0.5, abs=1e-9)


def test_dropout_bound_dominates_random_inputs_relu_and_output_position():
    rng = np.random.default_rng(0)
    for _ in range(5):
        W = rng.normal(size=(2, 3))
        X = rng.normal(size=(4, 3))
        assert dropout_channel(W, X, 0.4, activation="relu").eta_tv() <= dropout_eta(3, 0.4) + 1e-12
        out = dropout_channel(W, X, 0.4, position="output", activation="tanh")
        assert out.eta_tv() <= dropout_eta(2, 0.4) + 1e-12


def test_keep_convention():
    assert dropout_eta(3, 0.5, convention="keep") == dropout_eta(3, 0.5)
    assert dropout_eta(2, 0.9, convention="keep") == pytest.approx(1 - 0.1**2)


@pytest.mark.parametrize("p", [0.5, 0.3])
def test_dropconnect_2x2(p):
    rng = np.random.default_rng(1)
    ch = dropconnect_channel(rng.normal(size=(2, 2)), [[1.1, 2.3], [-0.6, 0.9]], p)
    assert ch.masks == 16
    assert ch.eta_tv() == pytest.approx(1 - p**4, abs=1e-9)
    assert ch.eta_kl() == pytest.approx(dropconnect_eta(4, p), abs=1e-9)


def test_gaussian_injection_check11():
    layer = gaussian_injection([[1.0, -0.5]], [[1, 1], [1, -1], [-1, 1], [-1, -1]], 1.0)
    assert layer.eta_tv == pytest.approx(2 * ndtr(1.5) - 1, abs=1e-12)
    assert layer.norm_bound == pytest.approx(0.886153701993, abs=1e-12)
    K = layer.binned_channel(np.arange(-12, 12.0005, 0.01))
    binned = eta_kl(K)
    assert binned <= layer.eta_tv + 1e-12
    assert eta_tv(K) <= layer.eta_tv + 1e-12


def test_gaussian_injection_random_sets_below_curve():
    rng = np.random.default_rng(2)
    for _ in range(10):
        W = rng.normal(size=(3, 4))
        X = rng.normal(size=(5, 4))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        layer = gaussian_injection(W, X, 0.7)
        assert layer.eta_tv <= layer.norm_bound + 1e-12


def test_composition_and_chaining():
    rng = np.random.default_rng(3)
    for _ in range(10):
        K1, K2 = rng.dirichlet(np.ones(3), size=3), rng.dirichlet(np.ones(3), size=3)
        assert eta_tv(K1 @ K2) <= eta_tv(K1) * eta_tv(K2) + 1e-12
        p = rng.dirichlet(np.ones(3))
        c = chain_input_dependent(p, [K1, K2], divergence="chi2")
        assert c.composite <= c.product + 1e-10
    assert network_coefficient([0.5, 0.5, 0.5]) == 0.125


def _toy():
    K1 = [np.array([[.8, .1, .1], [.1, .8, .1], [.1, .1, .8]]),
          np.array([[.6, .3, .1], [.2, .2, .6], [.1, .3, .6]])]
    K2 = [np.array([[.9, .1], [.5, .5], [.1, .9]]), np.array([[.7, .3], [.2, .8], [.4, .6]])]
    py = np.array([.2, .5, .9])
    return FiniteNetwork([.4, .35, .25], np.stack([1 - py, py], 1), [K1, K2],
                         loss=np.array([[0.0, 1.0], [1.0, 0.0]]))


@pytest.fixture(scope="module")
def toy_analysis():
    return analyse_network(_toy(), 3, gamma=2.0)


def test_toy_network_values(toy_analysis):
    a = toy_analysis
    assert a.gen == pytest.approx(0.004211839431, abs=1e-10)
    assert a.divergences == pytest.approx([0.001395604119, 0.000740362691, 0.000387436450],
                                          abs=1e-10)
    assert a.label_information == pytest.approx(0.000320746012, abs=1e-10)
    assert a.full_sample == pytest.approx([0.004193634715, 0.002222803249, 0.001163055491],
                                          abs=1e-10)
    assert a.layer_etas == pytest.approx([49 / 90, 0.64], abs=1e-10)


def test_toy_network_theorems(toy_analysis):
    a = toy_analysis
    d = a.divergences
    assert d[0] >= d[1] >= d[2]
    for form in ("per_sample", "chain_rule", "full_sample"):
        r = hierarchical_kl_bound(_toy(), 3, gamma=2.0, form=form, analysis=a)
        assert all(b >= abs(a.gen) for b in r.bounds)
    chain = hierarchical_kl_bound(_toy(), 3, gamma=2.0, form="chain_rule", analysis=a)
    assert chain.divergences == pytest.approx(d, abs=1e-15)
    per = hierarchical_kl_bound(_toy(), 3, gamma=2.0, analysis=a)
    full = hierarchical_kl_bound(_toy(), 3, gamma=2.0, form="full_sample", analysis=a)
    assert all(p <= f + 1e-15 for p, f in zip(per.bounds, full.bounds, strict=True))
    assert a.divergences[0] * 3 <= a.full_sample[0] + 1e-15  # sum_i I(W;Z_i) <= I(W;S)
    C = a.conditional_parts
    assert C[1] <= a.layer_etas[0] * C[0] + 1e-15
    assert C[2] <= a.layer_etas[1] * C[1] + 1e-15
    b = contraction_refined_bound(a.label_information, C[0], a.layer_etas, 0.5)
    assert b == pytest.approx(0.018645030815, abs=1e-10)
    assert abs(a.gen) <= b
    with pytest.warns(UserWarning, match="label"):
        contraction_refined_bound(a.label_information, C[0], a.layer_etas, 0.5,
                                  label_term=False)


def test_linear_gaussian_closed_forms_and_monte_carlo():
    A = np.diag([1.0, 1, 1, 0, 0, 0])
    assert linear_gaussian_kl(3, 10) == pytest.approx(1.5 * math.log(10 / 9), abs=1e-15)
    assert linear_gaussian_w2_squared(A, 1.3, 10) == pytest.approx(0.400270275206, abs=1e-12)
    kl, w2 = linear_gaussian_monte_carlo(A, 1.3, 10, 20_000, np.random.default_rng(7))
    for draws, ref in ((kl, linear_gaussian_kl(3, 10)),
                       (w2, linear_gaussian_w2_squared(A, 1.3, 10))):
        se = draws.std(ddof=1) / math.sqrt(draws.size)
        assert abs(draws.mean() - ref) <= 4 * se


def test_linear_gaussian_monotone():
    rng = np.random.default_rng(4)
    Ws = [rng.normal(size=(k - 1, k)) for k in range(6, 1, -1)]
    r = linear_gaussian_bounds(Ws, 10, 1.3)
    assert r.ranks == (6, 5, 4, 3, 2, 1)
    assert all(a >= b for a, b in zip(r.kl_bounds, r.kl_bounds[1:], strict=False))
    assert all(a >= b - 1e-12 for a, b in zip(r.w_bounds_product, r.w_bounds_product[1:], strict=False))
    assert all(lb >= pb - 1e-15 for lb, pb in zip(r.w_bounds_label, r.w_bounds_product, strict=False))


def test_wasserstein_pot_against_scipy_1d_and_label_free_inf():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(5)
    a, b = rng.normal(size=40), rng.normal(0.3, 1.0, size=40)
    assert wasserstein1_empirical(a, b) == pytest.approx(wasserstein_distance(a, b), abs=1e-12)
    ya, yb = np.r_[np.zeros(20), np.ones(20)], np.r_[np.zeros(25), np.ones(15)]
    assert math.isinf(wasserstein1_empirical(a, b, labels_a=ya, labels_b=yb,
                                             label_metric="none"))
    s = wasserstein1_empirical(a, b, labels_a=ya, labels_b=yb, label_metric="sum")
    e = wasserstein1_empirical(a, b, labels_a=ya, labels_b=yb, label_metric="euclidean")
    assert e <= s + 1e-12
    r = wasserstein_bound([a, a], [b, b], op_norms=[1.0], train_labels=ya, test_labels=yb,
                          label_metric="none")
    assert math.isinf(r.bound) and "label" in r.reason


def test_label_free_product_is_monotone_for_lipschitz_layers():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(30, 3)), rng.normal(0.5, 1.0, size=(30, 3))
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(1, 2))
    train = [x, x @ W1.T, x @ W1.T @ W2.T]
    test = [y, y @ W1.T, y @ W1.T @ W2.T]
    lab = np.r_[np.zeros(15), np.ones(15)]
    r = wasserstein_bound(train, test, op_norms=[np.linalg.norm(W1, 2), np.linalg.norm(W2, 2)],
                          train_labels=lab, test_labels=lab, label_metric="none")
    assert all(a >= b - 1e-10 for a, b in zip(r.bounds, r.bounds[1:], strict=False))


def test_deeper_narrower_table_and_finite_bounds():
    for m, L, params, eta in ((8, 2, 88, 0.995121), (4, 5, 92, 0.771722), (2, 12, 62, 0.042194)):
        r = deeper_narrower(m, L, 0.5)
        assert r["params"] == params
        assert r["eta"] == pytest.approx(eta, abs=5e-7)
    assert finite_parameter_bound(math.log(4), 3, 0.5) == pytest.approx(math.sqrt(math.log(4) / 6))
    assert gibbs_bound(2.0, 10) == pytest.approx(0.2)
    assert gibbs_bound(2.0, 10, eta=0.5, label_information=0.0) < gibbs_bound(2.0, 10)


def test_toy_gen_below_gibbs_bound(toy_analysis):
    assert abs(toy_analysis.gen) <= gibbs_bound(2.0, 3, 0.5)
    assert 3 * toy_analysis.divergences[0] <= 3 * 2 * 2.0**2 / 9 + 1e-15


def test_bsc_network_doctest_shape():
    net = FiniteNetwork([0.5, 0.5], bsc(0.2), [[bsc(0.1), bsc(0.3)]],
                        loss=np.array([[0.0, 1.0], [1.0, 0.0]]))
    r = hierarchical_kl_bound(net, 2, gamma=1.0, reduce="min")
    assert len(r.bounds) == 1 and r.bound >= abs(r.gen)


def test_finite_network_wasserstein_bound(toy_analysis):
    """Kantorovich-Rubinstein with exact Lipschitz constants: every layer bounds |gen|."""
    for metric in ("sum", "euclidean"):
        r = finite_network_wasserstein_bound(_toy(), 3, gamma=2.0, label_metric=metric)
        assert len(r.bounds) == 3
        assert all(b >= abs(toy_analysis.gen) for b in r.bounds)
        assert r.bound == min(r.bounds)
        assert r.bounds[r.funnel_layer_bound] == r.bound
        assert r.w1[r.funnel_layer_w1] == min(r.w1)
    avg = finite_network_wasserstein_bound(_toy(), 3, gamma=2.0)
    emp = finite_network_wasserstein_bound(_toy(), 3, gamma=2.0, train_measure="empirical")
    assert all(b >= abs(toy_analysis.gen) for b in emp.bounds)
    # W1 is convex: the averaged train law is never farther from the test law
    assert all(a <= e + 1e-12 for a, e in zip(avg.w1, emp.w1, strict=True))
    with pytest.raises(ValueError, match="distinct points"):
        finite_network_wasserstein_bound(_toy(), 2, gamma=1.0,
                                         embeddings=[np.zeros(3), np.zeros(3), np.zeros(2)],
                                         label_distance=0.0)
